//! Monte Carlo uncertainty of the ranking: the factors a replication varies, the map from one
//! uniform number per factor to a methodological choice, and the parallel run that summarises
//! ranks, points, eligibility and amounts per unit. Replication `r` draws from ChaCha8 seeded
//! with the run's seed on stream `r`, and every total is an integer, so the result is the same
//! to the byte whatever the number of threads.

use super::problem::{Choice, Drawn, Problem, RefRule, Resampling, Work, uniform};
use super::sobol::{self, Design, Index};
use super::tables::Tables;
use crate::composite::aggregate::Aggregation;
use crate::composite::normalise::Normalisation;
use crate::error::usage;
use anyhow::Result;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;
use std::ops::Range;

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
    /// Replications (at most `u32::MAX`: per-unit counters are 32-bit).
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
    Noise(Box<Resampling>),
}

impl Engine {
    fn new(problem: &Problem, space: &Space) -> Engine {
        if space.factors.contains(&Factor::Sampling) {
            Engine::Noise(Box::new(problem.samplers()))
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
                p.replicate(choice, Some(samplers), work);
            }
        }
    }
}

/// Per-worker totals and scratch space.
#[derive(Clone)]
struct Acc {
    /// Exact rank histograms (`n x n`, unit-major) when ranks are counted, else empty.
    hist: Vec<u32>,
    /// Points per cell (indicator-major), counted when counts are resampled (as the
    /// histograms, in 32 bits: `--runs` is at most `u32::MAX`), up to the last [`Acc::flush`].
    points: Vec<u32>,
    /// Points per cell of the replications since then (at most 255 of them: a quarter of the
    /// memory the 32-bit counters take, read and written once a replication).
    recent: Vec<u8>,
    /// Replications counted in `recent`.
    recent_runs: u8,
    /// Replications per (reference, margin) pair, when they are not.
    pairs: Vec<u64>,
    eligible: Vec<u64>,
    cents: Vec<u64>,
    shift: u64,
    flags: Vec<bool>,
    u: Vec<f64>,
    /// The levels of the replications of a batch and their resampling seeds.
    levels: Vec<Levels>,
    seeds: Vec<u64>,
    drawn: Drawn,
    choice: Choice,
    work: Work,
}

impl Acc {
    /// Add the recent points to the 32-bit counters and start counting them again.
    fn flush(&mut self) {
        if self.recent_runs > 0 {
            for (p, r) in self.points.iter_mut().zip(&mut self.recent) {
                *p += u32::from(std::mem::take(r));
            }
            self.recent_runs = 0;
        }
    }

    fn merge(mut self, mut b: Acc) -> Acc {
        self.flush();
        b.flush();
        let add = |x: &mut [u64], y: &[u64]| x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
        self.hist.iter_mut().zip(&b.hist).for_each(|(x, y)| *x += y);
        self.points
            .iter_mut()
            .zip(&b.points)
            .for_each(|(x, y)| *x += y);
        add(&mut self.pairs, &b.pairs);
        add(&mut self.eligible, &b.eligible);
        add(&mut self.cents, &b.cents);
        self.shift += b.shift;
        self
    }
}

/// Bytes of resampled numerators a worker draws at once at most (a batch of replications, so
/// that the alias tables are read once per batch rather than once per replication). 16 MiB is
/// 16 replications of 20,000 sectors x 12 indicators at 4 bytes a count: with 8-byte counts,
/// 8 replications in 16 MiB took 4-5 % more time, 4 in 8 MiB 4-12 % more, 16 in 32 MiB no
/// less.
const BATCH_BYTES: usize = 16 << 20;

/// Replications a batch at most (the 300 x 7 barometer's batch, 270 kB, stays in a core's
/// cache).
const MAX_BATCH: usize = 16;

/// Units up to which rank quantiles come from one exact histogram of ranks per unit (`n x n`
/// counters per worker, 4 MiB at 1,024 units); with more units (statistical sectors) each
/// replication's ranks are kept instead, as `u16` (`u32` beyond 65,536 units).
pub const HISTOGRAM_UNITS: usize = 1024;

/// Bytes of kept ranks at most: beyond `runs x units x 2` of this, units are taken in blocks and
/// the replications are run again for each block (same seeds, same ranks). 512 MiB keeps
/// 20,000 sectors x the default 10,000 runs (400 MB) in one pass.
pub const RANK_MEMORY: usize = 512 << 20;

/// How the rank quantiles are obtained: histograms, or kept ranks in blocks of `block` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantiles {
    Histogram,
    Kept { block: usize },
}

impl Quantiles {
    fn choose(n: usize, runs: u64, memory: usize) -> Quantiles {
        if n <= HISTOGRAM_UNITS {
            return Quantiles::Histogram;
        }
        let bytes = if n <= 1 << 16 { 2 } else { 4 };
        let per_unit = (runs as usize).saturating_mul(bytes).max(1);
        Quantiles::Kept {
            block: (memory / per_unit).clamp(1, n),
        }
    }

    fn passes(self, n: usize) -> u64 {
        match self {
            Quantiles::Histogram => 1,
            Quantiles::Kept { block } => n.div_ceil(block) as u64,
        }
    }
}

/// How many times `monte_carlo` runs the replications (more than once only when the kept ranks
/// of `n` units would exceed [`RANK_MEMORY`]); a progress bar counts `runs x passes`.
pub fn passes(n: usize, runs: u64) -> u64 {
    Quantiles::choose(n, runs, RANK_MEMORY).passes(n)
}

/// A kept rank: `rank - 1` in the narrowest type that holds every rank.
trait Kept: Copy + Default + Send + Sync {
    fn put(rank: u32) -> Self;
    fn get(self) -> u32;
}

impl Kept for u16 {
    fn put(rank: u32) -> u16 {
        (rank - 1) as u16
    }
    fn get(self) -> u32 {
        u32::from(self) + 1
    }
}

impl Kept for u32 {
    fn put(rank: u32) -> u32 {
        rank - 1
    }
    fn get(self) -> u32 {
        self + 1
    }
}

/// Nominal ranks (the definition's own choices, no noise).
pub fn nominal_ranks(problem: &Problem) -> Vec<u32> {
    let mut work = Work::default();
    problem.replicate(&problem.nominal, None, &mut work);
    work.ranks
}

/// Run `opts.runs` replications in parallel; `progress` is called with the count of finished
/// ones (`runs x passes(n, runs)` in all).
pub fn monte_carlo(
    problem: &Problem,
    space: &Space,
    opts: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Summary {
    let how = Quantiles::choose(problem.n(), opts.runs, RANK_MEMORY);
    if problem.n() <= 1 << 16 {
        run::<u16>(problem, space, opts, how, progress)
    } else {
        run::<u32>(problem, space, opts, how, progress)
    }
}

/// The replications of one Monte Carlo run, with everything fixed before the first one.
struct Runner<'a> {
    problem: &'a Problem,
    space: &'a Space,
    opts: &'a Options,
    engine: Engine,
    nominal: Vec<u32>,
    /// `budget_cents * key` per unit (the product first, as the amounts are defined).
    share: Vec<f64>,
    histogram: bool,
}

impl Runner<'_> {
    fn new_acc(&self) -> Acc {
        let (n, k) = (self.problem.n(), self.problem.k());
        Acc {
            hist: vec![0; if self.histogram { n * n } else { 0 }],
            points: vec![0; n * k],
            recent: vec![
                0;
                if matches!(self.engine, Engine::Noise(_)) {
                    n * k
                } else {
                    0
                }
            ],
            recent_runs: 0,
            pairs: vec![0; self.space.references.len() * self.space.margins.len()],
            eligible: vec![0; n],
            cents: vec![0; n],
            shift: 0,
            flags: Vec::with_capacity(n),
            u: vec![0.0; self.space.factors.len()],
            levels: Vec::new(),
            seeds: Vec::new(),
            drawn: Drawn::default(),
            choice: self.problem.nominal.clone(),
            work: Work::default(),
        }
    }

    /// Replications `rs` (a batch): their totals into `acc`, the ranks of units `first..` of
    /// each into its row of `rows` (`rows.len() / rs.len()` ranks a row; none when `rows` is
    /// empty). Resampled numerators are drawn for the whole batch first.
    fn steps<T: Kept>(&self, mut acc: Acc, rs: Range<usize>, first: usize, rows: &mut [T]) -> Acc {
        let (problem, space, opts) = (self.problem, self.space, self.opts);
        let mut levels = std::mem::take(&mut acc.levels);
        levels.clear();
        for r in rs.clone() {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(r as u64);
            acc.u.iter_mut().for_each(|u| *u = uniform(&mut rng));
            levels.push(space.levels(problem, &acc.u));
        }
        if let Engine::Noise(noise) = &self.engine {
            acc.seeds.clear();
            acc.seeds
                .extend(levels.iter().map(|l| l.noise.expect("sampling varied")));
            noise.draw(&acc.seeds, &mut acc.drawn);
        }
        let width = rows.len() / rs.len().max(1);
        for (b, l) in levels.iter().enumerate() {
            match &self.engine {
                Engine::Tables(t) => t.replicate(space, l, &mut acc.work),
                Engine::Noise(noise) => {
                    space.apply(l, &mut acc.choice);
                    let counts = Some((&**noise, acc.drawn.of(b)));
                    problem.replicate_drawn(&acc.choice, counts, &mut acc.work);
                }
            }
            acc = self.count(acc, l, first, &mut rows[b * width..(b + 1) * width]);
        }
        acc.levels = levels;
        acc
    }

    /// The replication in `acc.work`, of levels `l`: its totals into `acc`, the ranks of units
    /// `first..first + row.len()` into `row`.
    fn count<T: Kept>(&self, mut acc: Acc, levels: &Levels, first: usize, row: &mut [T]) -> Acc {
        let opts = self.opts;
        let w = &acc.work;
        for (kept, &rank) in row.iter_mut().zip(&w.ranks[first..]) {
            *kept = T::put(rank);
        }
        acc.flags.clear();
        acc.flags.extend(
            w.ranks
                .iter()
                .zip(&w.weighted)
                .map(|(&rank, &score)| match opts.rule {
                    Rule::MinScore(s) => score >= s - 1e-9,
                    Rule::Top(t) => rank <= t,
                }),
        );
        let n = w.ranks.len();
        let mut key_sum = 0.0;
        for (i, (&rank, &eligible)) in w.ranks.iter().zip(&acc.flags).enumerate() {
            if self.histogram {
                acc.hist[i * n + rank as usize - 1] += 1;
            }
            acc.shift += u64::from(rank.abs_diff(self.nominal[i]));
            if eligible {
                acc.eligible[i] += 1;
                key_sum += opts.key[i];
            }
        }
        match &self.engine {
            Engine::Tables(t) => acc.pairs[t.pair(levels)] += 1,
            Engine::Noise(_) => {
                for (p, &v) in acc.recent.iter_mut().zip(&w.points) {
                    *p += u8::from(v == 1);
                }
                acc.recent_runs += 1;
                if acc.recent_runs == u8::MAX {
                    acc.flush();
                }
            }
        }
        if key_sum > 0.0 {
            for ((cents, &share), _) in acc
                .cents
                .iter_mut()
                .zip(&self.share)
                .zip(&acc.flags)
                .filter(|(_, e)| **e)
            {
                *cents += (share / key_sum).floor() as u64;
            }
        }
        acc
    }
}

/// [`monte_carlo`] with the quantiles obtained as `how` says, ranks kept as `T`.
fn run<T: Kept>(
    problem: &Problem,
    space: &Space,
    opts: &Options,
    how: Quantiles,
    progress: &(dyn Fn(u64) + Sync),
) -> Summary {
    let (n, k, runs) = (problem.n(), problem.k(), opts.runs as usize);
    let budget_cents = (opts.budget * 100.0).round();
    let runner = Runner {
        problem,
        space,
        opts,
        engine: Engine::new(problem, space),
        nominal: nominal_ranks(problem),
        share: opts.key.iter().map(|key| budget_cents * key).collect(),
        histogram: how == Quantiles::Histogram,
    };
    // Replications a batch: resampled numerators of a batch take at most BATCH_BYTES.
    let cells = (n * k).max(1);
    let batch = (BATCH_BYTES / (cells * size_of::<u32>())).clamp(1, MAX_BATCH);
    let batches = runs.div_ceil(batch);
    let range = |i: usize| i * batch..((i + 1) * batch).min(runs);
    // A worker's totals and scratch (n x n rank counters among them) are fresh memory: a few
    // pieces of work per thread, not one per few batches.
    let min_len = (256 / batch)
        .max(batches / (8 * rayon::current_num_threads()))
        .max(1);
    let tick = |rs: &Range<usize>| {
        let done = rs.clone().filter(|r| r % 1024 == 1023).count() as u64;
        if done > 0 {
            progress(1024 * done);
        }
    };
    // [median, 5 %, 95 %] per unit.
    let mut quantiles = vec![[0u32; 3]; n];
    let mut acc = match how {
        Quantiles::Histogram => {
            let acc = (0..batches)
                .into_par_iter()
                .with_min_len(min_len)
                .fold(
                    || runner.new_acc(),
                    |acc, i| {
                        tick(&range(i));
                        runner.steps::<T>(acc, range(i), 0, &mut [])
                    },
                )
                .reduce(|| runner.new_acc(), Acc::merge);
            for (i, q) in quantiles.iter_mut().enumerate() {
                let hist = &acc.hist[i * n..(i + 1) * n];
                *q = LEVELS.map(|p| quantile(hist, p));
            }
            acc
        }
        Quantiles::Kept { block } => {
            let mut kept = vec![T::default(); runs * block];
            let mut first_acc = None;
            for first in (0..n).step_by(block) {
                let width = block.min(n - first);
                let rows = &mut kept[..runs * width];
                let acc = rows
                    .par_chunks_mut(width * batch)
                    .enumerate()
                    .with_min_len(min_len)
                    .fold(
                        || runner.new_acc(),
                        |acc, (i, rows)| {
                            tick(&range(i));
                            runner.steps(acc, range(i), first, rows)
                        },
                    )
                    .reduce(|| runner.new_acc(), Acc::merge);
                first_acc.get_or_insert(acc);
                let rows = &*rows;
                // A tile of units at a time: each replication's row gives the tile's ranks
                // from a few cache lines, gathered into a column per unit.
                quantiles[first..first + width]
                    .par_chunks_mut(TILE)
                    .enumerate()
                    .for_each_init(
                        // Columns a little more than `runs` apart: a power-of-two distance
                        // would put the tile's columns in the same cache sets.
                        || vec![0u32; (runs + 16) * TILE],
                        |columns, (t, qs)| {
                            let (b, stride) = (t * TILE, runs + 16);
                            for (r, row) in rows.chunks_exact(width).enumerate() {
                                for (u, c) in row[b..b + qs.len()].iter().enumerate() {
                                    columns[u * stride + r] = c.get();
                                }
                            }
                            for (q, column) in qs.iter_mut().zip(columns.chunks_exact_mut(stride)) {
                                *q = order_statistics(&mut column[..runs]);
                            }
                        },
                    );
            }
            first_acc.unwrap_or_else(|| runner.new_acc())
        }
    };
    acc.flush();
    let mut points: Vec<u64> = acc.points.iter().map(|&p| u64::from(p)).collect();
    if let Engine::Tables(t) = &runner.engine {
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
            let [median_rank, rank_p5, rank_p95] = quantiles[i];
            UnitSummary {
                nominal_rank: runner.nominal[i],
                median_rank,
                rank_p5,
                rank_p95,
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

/// Units whose kept ranks are gathered together for their quantiles: a replication's row gives
/// them from two or three cache lines (with 32, from one or two, the gathering waited on memory
/// for longer: the quantiles of 20,000 sectors x 1,000 runs took 81-92 ms, now 56-64 ms).
const TILE: usize = 64;

/// The levels of the reported quantiles: median, 5 % and 95 %.
const LEVELS: [f64; 3] = [0.5, 0.05, 0.95];

/// The ranks at the [`LEVELS`], each at 1-based position `max(1, ceil(p R))` of the `R` ranks
/// in `column` (reordered): the same as [`quantile`] of their histogram. The median is
/// selected first, then the 5 % among the ranks below it and the 95 % among those above.
fn order_statistics(column: &mut [u32]) -> [u32; 3] {
    let len = column.len();
    if len == 0 {
        return [0; 3];
    }
    let [m, lo, hi] = LEVELS.map(|p| ((p * len as f64).ceil().max(1.0) as usize).min(len) - 1);
    let (below, &mut median, above) = column.select_nth_unstable(m);
    let low = if lo < m {
        *below.select_nth_unstable(lo).1
    } else {
        median
    };
    let high = if hi > m {
        *above.select_nth_unstable(hi - m - 1).1
    } else {
        median
    };
    [median, low, high]
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
/// `resamples` bootstraps (for the rank shift). Keeps every replication's ranks, 2 bytes a unit
/// (4 above 65,536 units).
pub fn sobol_rank_shift(
    problem: &Problem,
    space: &Space,
    base: usize,
    resamples: usize,
    seed: u64,
) -> Sobol {
    if problem.n() <= 1 << 16 {
        sobol_kept::<u16>(problem, space, base, resamples, seed)
    } else {
        sobol_kept::<u32>(problem, space, base, resamples, seed)
    }
}

/// [`sobol_rank_shift`] with every replication's ranks kept as `T`.
fn sobol_kept<T: Kept>(
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
    let mut ranks = vec![T::default(); design.len() * n];
    ranks.par_chunks_mut(n.max(1)).enumerate().for_each_init(
        || (problem.nominal.clone(), Work::default()),
        |(choice, work), (r, out)| {
            let levels = space.levels(problem, design.row(r));
            engine.replicate(problem, space, &levels, choice, work);
            for (kept, &rank) in out.iter_mut().zip(&work.ranks) {
                *kept = T::put(rank);
            }
        },
    );
    let y: Vec<f64> = ranks
        .chunks(n.max(1))
        .map(|row| {
            let shift: u64 = row
                .iter()
                .zip(&nominal)
                .map(|(a, b)| u64::from(a.get().abs_diff(*b)))
                .sum();
            shift as f64 / n as f64
        })
        .collect();
    let all: Vec<usize> = (0..base).collect();
    let units = (0..n)
        .into_par_iter()
        .map(|i| {
            let y: Vec<f64> = (0..design.len())
                .map(|r| f64::from(ranks[r * n + i].get()))
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

    /// The bundled demo's 2023 as a problem, and `runs` replications from `seed` with a
    /// score of 4 for eligibility.
    fn demo(runs: u64, seed: u64) -> (Problem, Options) {
        use crate::{barometer::score_year, definition::Definition, geo::Geography, panel::Panel};
        let def = Definition::bundled();
        let panel =
            Panel::from_store(&crate::store::Store::load(None).unwrap(), Some(&[2023])).unwrap();
        let year = score_year(&panel, &def, Geography::bundled(), 2023).unwrap();
        let p = Problem::from_year(&year, &def).unwrap();
        let opts = Options {
            runs,
            seed,
            rule: Rule::MinScore(4.0),
            budget: 1e6,
            key: p.den[..p.n()].to_vec(),
        };
        (p, opts)
    }

    /// With resampled counts the point probabilities count every replication (700 of them on
    /// one worker: the 8-bit counters are added to the totals three times): the same as
    /// scoring each replication alone and counting its points.
    #[test]
    fn point_probabilities_count_every_replication() {
        let (p, opts) = demo(700, 9);
        let space = Space::new(&p, vec![Factor::Sampling], 9);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let summary = pool.install(|| monte_carlo(&p, &space, &opts, &|_| {}));
        let (noise, mut drawn, mut work) = (p.samplers(), Drawn::default(), Work::default());
        let mut points = vec![0u32; p.n() * p.k()];
        for r in 0..opts.runs {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(r);
            let u = [uniform(&mut rng)];
            let choice = space.choice(&p, &u);
            noise.draw(&[choice.noise.unwrap()], &mut drawn);
            p.replicate_drawn(&choice, Some((&noise, drawn.of(0))), &mut work);
            for (n, &v) in points.iter_mut().zip(&work.points) {
                *n += u32::from(v == 1);
            }
        }
        let n = p.n();
        for (i, unit) in summary.units.iter().enumerate() {
            for (j, &prob) in unit.point_probability.iter().enumerate() {
                assert_eq!(prob, f64::from(points[j * n + i]) / 700.0, "{i} {j}");
            }
        }
        assert!(points.iter().any(|&c| c > 0 && c < 700));
    }

    /// Drawn numerators score as if they had been observed: a replication's points, scores,
    /// composites and ranks are those of the problem whose numerators are the drawn counts, to
    /// the bit. Through the barometer's one-pass scoring, and, with a count too large for a
    /// row's `u32` (a Poisson draw around 1e11, kept aside), through the general path.
    #[test]
    fn drawn_numerators_score_as_if_observed() {
        let (mut p, _) = demo(1, 1);
        assert_eq!(p.nominal.reference, RefRule::Flanders);
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for huge in [false, true] {
            if huge {
                (p.binomial[0], p.num[5]) = (false, 1e11);
            }
            let (noise, mut drawn) = (p.samplers(), Drawn::default());
            noise.draw(&[7, 8, 9], &mut drawn);
            for b in 0..3 {
                let row = drawn.of(b);
                assert_eq!(row.wide.len(), usize::from(huge));
                let mut observed = p.clone();
                for (x, &c) in observed.num.iter_mut().zip(row.counts) {
                    *x = f64::from(c);
                }
                for &(_, c, v) in row.wide {
                    assert!(v > 1e10 && v.fract() == 0.0, "{v}");
                    observed.num[c] = v;
                }
                let (mut got, mut want) = (Work::default(), Work::default());
                p.replicate_drawn(&p.nominal, Some((&noise, row)), &mut got);
                observed.replicate(&p.nominal, None, &mut want);
                assert_eq!(got.points, want.points);
                assert_eq!(bits(&got.weighted), bits(&want.weighted));
                assert_eq!(bits(&got.composite), bits(&want.composite));
                assert_eq!(got.ranks, want.ranks);
            }
        }
    }

    /// The kept ranks, whole or in blocks over several passes, give the histograms' quantiles
    /// (and the same totals), with and without resampling.
    #[test]
    fn kept_ranks_give_the_histograms_quantiles() {
        let (p, opts) = demo(300, 4);
        for factors in [vec![Factor::Sampling], FACTORS[..6].to_vec()] {
            let space = Space::new(&p, factors, 4);
            let hist = run::<u16>(&p, &space, &opts, Quantiles::Histogram, &|_| {});
            assert!(hist.units.iter().any(|u| u.rank_p95 > u.rank_p5 + 5));
            for block in [p.n(), 7] {
                let kept = Quantiles::Kept { block };
                assert_eq!(
                    run::<u16>(&p, &space, &opts, kept, &|_| {}),
                    hist,
                    "{block}"
                );
            }
            let kept = Quantiles::Kept { block: 64 };
            assert_eq!(run::<u32>(&p, &space, &opts, kept, &|_| {}), hist);
        }
        assert_eq!(
            Quantiles::choose(300, 10, RANK_MEMORY),
            Quantiles::Histogram
        );
        // 20,000 sectors: 1,000 and 10,000 runs kept whole (40 and 400 MB), 100,000 runs in 8
        // blocks of 2,684 units.
        let whole = Quantiles::choose(20_000, 1_000, RANK_MEMORY);
        assert_eq!(
            (whole, whole.passes(20_000)),
            (Quantiles::Kept { block: 20_000 }, 1)
        );
        assert_eq!(
            Quantiles::choose(20_000, 10_000, RANK_MEMORY).passes(20_000),
            1
        );
        assert_eq!(
            Quantiles::choose(20_000, 100_000, RANK_MEMORY).passes(20_000),
            8
        );
        let column = [3, 1, 2, 2, 9, 1, 1, 4, 5, 2];
        assert_eq!(order_statistics(&mut column.clone()), [2, 1, 9]);
        let mut hist = [0; 10];
        column.iter().for_each(|&r| hist[r as usize - 1] += 1);
        assert_eq!(
            order_statistics(&mut column.clone()),
            LEVELS.map(|p| quantile(&hist, p))
        );
        assert_eq!(order_statistics(&mut [7]), [7; 3]);
        assert_eq!(order_statistics(&mut [4, 2]), [2, 2, 4]);
    }

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
