//! Monte Carlo uncertainty of the ranking: the factors a replication varies, the map from one
//! uniform number per factor to a methodological choice, and the parallel run that summarises
//! ranks, points, eligibility and amounts per unit. Replication `r` draws from ChaCha8 seeded
//! with the run's seed on stream `r`, and every total is an integer, so the result is the same
//! to the byte whatever the number of threads.

use super::problem::{Choice, Problem, RefRule, Sampler, Work, uniform};
use super::sobol::{self, Design, Index};
use super::tables::Tables;
use crate::composite::aggregate::Aggregation;
use crate::composite::normalise::Normalisation;
use crate::error::usage;
use anyhow::Result;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;

/// A methodological choice (or the counts' noise) that a run can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// Flemish value, mean or median of the municipalities.
    Reference,
    /// Margin of the cut-off: the definition's, +5 % and +10 % of the reference.
    Cutoff,
    /// One of 64 weight sets (set 0 equal, the others uniform in [0.5, 1.5] rescaled to mean 1).
    Weights,
    /// Normalisation of the composite: relative excess, z-score, min-max 0-100, percentile rank.
    Normalisation,
    /// Aggregation of the composite: arithmetic, geometric, harmonic.
    Aggregation,
    /// Leave one indicator out (or none).
    Indicators,
    /// Resample numerators: binomial for shares, Poisson for indices and rates.
    Sampling,
}

/// Every factor, in the order of `--vary`'s documentation.
pub const FACTORS: [Factor; 7] = [
    Factor::Reference,
    Factor::Cutoff,
    Factor::Weights,
    Factor::Normalisation,
    Factor::Aggregation,
    Factor::Indicators,
    Factor::Sampling,
];

impl Factor {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Factor::Reference => "reference",
            Factor::Cutoff => "cutoff",
            Factor::Weights => "weights",
            Factor::Normalisation => "normalisation",
            Factor::Aggregation => "aggregation",
            Factor::Indicators => "indicators",
            Factor::Sampling => "sampling",
        }
    }

    /// Parse a comma-separated list such as `reference,cutoff,sampling`.
    pub fn parse_list(text: &str) -> Result<Vec<Factor>> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = FACTORS.iter().find(|f| f.name() == part).ok_or_else(|| {
                usage(format!(
                    "--vary: unknown factor '{part}'; choose from {}",
                    FACTORS.map(Factor::name).join(",")
                ))
            })?;
            if !out.contains(f) {
                out.push(*f);
            }
        }
        if out.is_empty() {
            return Err(usage("--vary: name at least one factor"));
        }
        Ok(out)
    }
}

/// Number of alternative weight sets.
pub const WEIGHT_SETS: usize = 64;

/// The alternatives of each varied factor; level 0 is always the definition's own choice.
#[derive(Debug, Clone)]
pub struct Space {
    /// The varied factors, one uniform input each.
    pub factors: Vec<Factor>,
    pub(super) references: Vec<RefRule>,
    pub(super) margins: Vec<f64>,
    pub(super) weights: Vec<Vec<f64>>,
    pub(super) normalisations: Vec<Normalisation>,
    pub(super) aggregations: Vec<Aggregation>,
    seed: u64,
}

/// One replication's level of each factor (0 = the definition's own choice), and the seed of its
/// resampled numerators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Levels {
    /// Index into the reference rules.
    pub reference: usize,
    /// Index into the cut-off margins.
    pub margin: usize,
    /// Index into the weight sets.
    pub weights: usize,
    /// Index into the normalisations.
    pub normalisation: usize,
    /// Index into the aggregations.
    pub aggregation: usize,
    /// The indicator left out, if any.
    pub dropped: Option<usize>,
    /// Seed of the resampled numerators, if the counts are resampled.
    pub noise: Option<u64>,
}

/// `first` followed by the `others` that differ from it.
fn nominal_first<T: Copy + PartialEq>(first: T, others: &[T]) -> Vec<T> {
    let mut out = vec![first];
    out.extend(others.iter().copied().filter(|o| *o != first));
    out
}

impl Space {
    /// The alternatives for `problem`; weight sets are drawn from `seed`.
    pub fn new(problem: &Problem, factors: Vec<Factor>, seed: u64) -> Space {
        let nominal = &problem.nominal;
        let k = problem.k();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5745_4947_4854_5321);
        let mut weights = vec![nominal.weights.clone()];
        for _ in 1..WEIGHT_SETS {
            let w: Vec<f64> = (0..k).map(|_| 0.5 + uniform(&mut rng)).collect();
            let mean = w.iter().sum::<f64>() / k as f64;
            weights.push(w.iter().map(|v| v / mean).collect());
        }
        Space {
            factors,
            references: nominal_first(
                nominal.reference,
                &[RefRule::Flanders, RefRule::Mean, RefRule::Median],
            ),
            margins: (0..3).map(|l| nominal.margin + 0.05 * l as f64).collect(),
            weights,
            normalisations: nominal_first(
                nominal.normalisation,
                &[
                    Normalisation::RelativeExcess,
                    Normalisation::ZScore,
                    Normalisation::MinMax { lo: 0.0, hi: 100.0 },
                    Normalisation::PercentRank,
                ],
            ),
            aggregations: nominal_first(
                nominal.aggregation,
                &[
                    Aggregation::Arithmetic,
                    Aggregation::Geometric,
                    Aggregation::Harmonic,
                ],
            ),
            seed,
        }
    }

    /// The levels for one uniform number per varied factor.
    pub fn levels(&self, problem: &Problem, u: &[f64]) -> Levels {
        let level = |u: f64, n: usize| ((u * n as f64) as usize).min(n - 1);
        let mut l = Levels::default();
        for (f, &u) in self.factors.iter().zip(u) {
            match f {
                Factor::Reference => l.reference = level(u, self.references.len()),
                Factor::Cutoff => l.margin = level(u, self.margins.len()),
                Factor::Weights => l.weights = level(u, WEIGHT_SETS),
                Factor::Normalisation => l.normalisation = level(u, self.normalisations.len()),
                Factor::Aggregation => l.aggregation = level(u, self.aggregations.len()),
                Factor::Indicators => l.dropped = level(u, problem.k() + 1).checked_sub(1),
                Factor::Sampling => {
                    l.noise = Some(
                        self.seed
                            ^ ((u * 4_294_967_296.0) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    )
                }
            }
        }
        l
    }

    /// Set every field of `c` to the choices of `l` (reusing its weight buffer).
    pub fn apply(&self, l: &Levels, c: &mut Choice) {
        c.reference = self.references[l.reference];
        c.margin = self.margins[l.margin];
        c.weights.clone_from(&self.weights[l.weights]);
        c.normalisation = self.normalisations[l.normalisation];
        c.aggregation = self.aggregations[l.aggregation];
        c.dropped = l.dropped;
        c.noise = l.noise;
    }

    /// The choice for one uniform number per varied factor.
    pub fn choice(&self, problem: &Problem, u: &[f64]) -> Choice {
        let mut c = problem.nominal.clone();
        self.apply(&self.levels(problem, u), &mut c);
        c
    }
}

/// Who is eligible in a replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// A (weighted) score of at least this.
    MinScore(f64),
    /// The first `n` ranks (ties included).
    Top(u32),
}

/// Options of a Monte Carlo run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Replications.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Eligibility rule.
    pub rule: Rule,
    /// Budget in euro shared among the eligible units in proportion to `key`.
    pub budget: f64,
    /// Distribution key per unit (problem order).
    pub key: Vec<f64>,
}

/// Per-unit results of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSummary {
    /// Rank under the definition's own choices.
    pub nominal_rank: u32,
    /// Median rank (lower median of the replications' ranks).
    pub median_rank: u32,
    /// 5 % quantile of the rank (inverse empirical distribution).
    pub rank_p5: u32,
    /// 95 % quantile of the rank.
    pub rank_p95: u32,
    /// Share of replications with a point, per indicator.
    pub point_probability: Vec<f64>,
    /// Share of replications in which the unit is eligible.
    pub eligible_probability: f64,
    /// Mean amount over the replications (euro).
    pub expected_amount: f64,
}

/// Result of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Replications run.
    pub runs: u64,
    /// One per unit, problem order.
    pub units: Vec<UnitSummary>,
    /// Mean over replications of the mean absolute rank shift from the nominal ranking.
    pub mean_rank_shift: f64,
}

/// What a replication needs besides its levels: the precomputed tables when no count is
/// resampled, else one sampler per cell.
enum Engine {
    Tables(Tables),
    Noise(Vec<Sampler>),
}

impl Engine {
    fn new(problem: &Problem, space: &Space) -> Engine {
        if space.factors.contains(&Factor::Sampling) {
            Engine::Noise(problem.samplers())
        } else {
            Engine::Tables(Tables::new(problem, space))
        }
    }

    /// Score the replication `l` into `work` (`choice` is scratch).
    fn replicate(&self, p: &Problem, s: &Space, l: &Levels, choice: &mut Choice, work: &mut Work) {
        match self {
            Engine::Tables(t) => t.replicate(s, l, work),
            Engine::Noise(samplers) => {
                s.apply(l, choice);
                p.replicate(choice, samplers, work);
            }
        }
    }
}

/// Per-thread totals and scratch space.
#[derive(Clone)]
struct Acc {
    hist: Vec<u32>,
    /// Points per cell (indicator-major), counted when counts are resampled.
    points: Vec<u64>,
    /// Replications per (reference, margin) pair, when they are not.
    pairs: Vec<u64>,
    eligible: Vec<u64>,
    cents: Vec<u64>,
    shift: u64,
    flags: Vec<bool>,
    u: Vec<f64>,
    choice: Choice,
    work: Work,
}

/// Nominal ranks (the definition's own choices, no noise).
pub fn nominal_ranks(problem: &Problem) -> Vec<u32> {
    let mut work = Work::default();
    problem.replicate(&problem.nominal, &[], &mut work);
    work.ranks
}

/// Run `opts.runs` replications in parallel; `progress` is called with the count of finished ones.
pub fn monte_carlo(
    problem: &Problem,
    space: &Space,
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Summary {
    let (n, k, d) = (problem.n(), problem.k(), space.factors.len());
    let nominal = nominal_ranks(problem);
    let engine = Engine::new(problem, space);
    let pairs = space.references.len() * space.margins.len();
    let new = || Acc {
        hist: vec![0; n * n],
        points: vec![0; n * k],
        pairs: vec![0; pairs],
        eligible: vec![0; n],
        cents: vec![0; n],
        shift: 0,
        flags: Vec::with_capacity(n),
        u: vec![0.0; d],
        choice: problem.nominal.clone(),
        work: Work::default(),
    };
    let budget_cents = (opts.budget * 100.0).round();
    // `budget_cents * key / key_sum` evaluates the product first: precompute it.
    let share: Vec<f64> = opts.key.iter().map(|key| budget_cents * key).collect();
    let acc = (0..opts.runs as usize)
        .into_par_iter()
        .with_min_len(256)
        .fold(new, |mut acc, r| {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(r as u64);
            acc.u.iter_mut().for_each(|u| *u = uniform(&mut rng));
            let levels = space.levels(problem, &acc.u);
            engine.replicate(problem, space, &levels, &mut acc.choice, &mut acc.work);
            let w = &acc.work;
            acc.flags.clear();
            acc.flags.extend(w.ranks.iter().zip(&w.weighted).map(
                |(&rank, &score)| match opts.rule {
                    Rule::MinScore(s) => score >= s - 1e-9,
                    Rule::Top(t) => rank <= t,
                },
            ));
            let mut key_sum = 0.0;
            for (i, (&rank, &eligible)) in w.ranks.iter().zip(&acc.flags).enumerate() {
                acc.hist[i * n + rank as usize - 1] += 1;
                acc.shift += u64::from(rank.abs_diff(nominal[i]));
                if eligible {
                    acc.eligible[i] += 1;
                    key_sum += opts.key[i];
                }
            }
            match &engine {
                Engine::Tables(t) => acc.pairs[t.pair(&levels)] += 1,
                Engine::Noise(_) => {
                    for (p, &v) in acc.points.iter_mut().zip(&w.points) {
                        *p += u64::from(v == 1);
                    }
                }
            }
            if key_sum > 0.0 {
                for ((cents, &share), _) in acc
                    .cents
                    .iter_mut()
                    .zip(&share)
                    .zip(&acc.flags)
                    .filter(|(_, e)| **e)
                {
                    *cents += (share / key_sum).floor() as u64;
                }
            }
            if r % 1024 == 1023 {
                progress(1024);
            }
            acc
        })
        .reduce(new, |mut a, b| {
            let add = |x: &mut [u64], y: &[u64]| x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
            a.hist.iter_mut().zip(&b.hist).for_each(|(x, y)| *x += y);
            add(&mut a.points, &b.points);
            add(&mut a.pairs, &b.pairs);
            add(&mut a.eligible, &b.eligible);
            add(&mut a.cents, &b.cents);
            a.shift += b.shift;
            a
        });
    let mut points = acc.points;
    if let Engine::Tables(t) = &engine {
        for (pair, &count) in acc.pairs.iter().enumerate() {
            let table = t.points(pair / space.margins.len(), pair % space.margins.len());
            for (p, &v) in points.iter_mut().zip(table) {
                *p += count * u64::from(v == 1);
            }
        }
    }
    let runs = opts.runs.max(1) as f64;
    let units = (0..n)
        .map(|i| {
            let hist = &acc.hist[i * n..(i + 1) * n];
            UnitSummary {
                nominal_rank: nominal[i],
                median_rank: quantile(hist, 0.5),
                rank_p5: quantile(hist, 0.05),
                rank_p95: quantile(hist, 0.95),
                point_probability: (0..k).map(|j| points[j * n + i] as f64 / runs).collect(),
                eligible_probability: acc.eligible[i] as f64 / runs,
                expected_amount: acc.cents[i] as f64 / runs / 100.0,
            }
        })
        .collect();
    Summary {
        runs: opts.runs,
        units,
        mean_rank_shift: acc.shift as f64 / runs / n as f64,
    }
}

/// The smallest rank whose cumulative share reaches `p` (inverse empirical CDF, type 1).
pub fn quantile(hist: &[u32], p: f64) -> u32 {
    let total: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let need = (p * total as f64).ceil().max(1.0) as u64;
    let mut cum = 0;
    for (r, &c) in hist.iter().enumerate() {
        cum += u64::from(c);
        if cum >= need {
            return r as u32 + 1;
        }
    }
    hist.len() as u32
}

/// Sobol indices of one Saltelli design.
#[derive(Debug, Clone, PartialEq)]
pub struct Sobol {
    /// Of the mean absolute rank shift, per factor, with bootstrap intervals.
    pub shift: Vec<Index>,
    /// Of each unit's rank (problem order): first-order and total index per factor, point
    /// estimates; `None` where the unit's rank never changes.
    pub units: Vec<Option<(Vec<f64>, Vec<f64>)>>,
}

/// Sobol indices of the mean absolute rank shift and of every unit's rank with respect to each
/// varied factor, from a Saltelli design of `base` samples (`base * (d + 2)` replications) and
/// `resamples` bootstraps (for the rank shift).
pub fn sobol_rank_shift(
    problem: &Problem,
    space: &Space,
    base: usize,
    resamples: usize,
    seed: u64,
) -> Sobol {
    let (n, d) = (problem.n(), space.factors.len());
    let design = Design::random(base, d, seed);
    let nominal = nominal_ranks(problem);
    let engine = Engine::new(problem, space);
    let mut ranks = vec![0u32; design.len() * n];
    ranks.par_chunks_mut(n.max(1)).enumerate().for_each_init(
        || (problem.nominal.clone(), Work::default()),
        |(choice, work), (r, out)| {
            let levels = space.levels(problem, design.row(r));
            engine.replicate(problem, space, &levels, choice, work);
            out.copy_from_slice(&work.ranks);
        },
    );
    let y: Vec<f64> = ranks
        .chunks(n.max(1))
        .map(|row| {
            let shift: u64 = row
                .iter()
                .zip(&nominal)
                .map(|(a, b)| u64::from(a.abs_diff(*b)))
                .sum();
            shift as f64 / n as f64
        })
        .collect();
    let all: Vec<usize> = (0..base).collect();
    let units = (0..n)
        .into_par_iter()
        .map(|i| {
            let y: Vec<f64> = (0..design.len())
                .map(|r| f64::from(ranks[r * n + i]))
                .collect();
            y.iter()
                .any(|&v| v != y[0])
                .then(|| sobol::jansen(&y, d, &all))
        })
        .collect();
    Sobol {
        shift: sobol::analyse(&y, d, resamples, seed ^ 0xB007),
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_histogram() {
        // ranks 1 x 5, 2 x 5: median 1 (lower), 95 % 2
        let h = [5, 5, 0];
        assert_eq!(quantile(&h, 0.5), 1);
        assert_eq!(quantile(&h, 0.05), 1);
        assert_eq!(quantile(&h, 0.95), 2);
        assert_eq!(quantile(&[0, 0, 3], 0.05), 3);
    }

    #[test]
    fn factor_lists() {
        assert_eq!(
            Factor::parse_list("reference, sampling,reference").unwrap(),
            vec![Factor::Reference, Factor::Sampling]
        );
        assert!(Factor::parse_list("gewichten").is_err());
    }
}
