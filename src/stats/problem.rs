//! The compact in-memory barometer for sensitivity runs: counts per unit and indicator in flat
//! arrays, the directions, and one function that scores a replication (a set of methodological
//! choices plus optional resampled numerators) into ranks without allocating.

use crate::barometer::Scoreboard;
use crate::composite::aggregate::{Aggregation, aggregate};
use crate::composite::normalise::{Normalisation, normalise};
use crate::definition::{Comparison, Definition, Kind, Reference};
use crate::error::data;
use anyhow::Result;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution, Poisson};

/// The reference rule of a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefRule {
    /// Summed numerators over summed denominators.
    Flanders,
    /// Unweighted mean of the units' values.
    Mean,
    /// Median of the units' values.
    Median,
}

/// One replication's methodological choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Reference rule.
    pub reference: RefRule,
    /// Relative margin for a point: worse by more than `margin x |reference|`.
    pub margin: f64,
    /// One weight per indicator (points and composite); 1 everywhere is the barometer.
    pub weights: Vec<f64>,
    /// Normalisation of the composite that orders equal scores.
    pub normalisation: Normalisation,
    /// Aggregation of the composite.
    pub aggregation: Aggregation,
    /// An indicator left out, if any.
    pub dropped: Option<usize>,
    /// Seed of the resampling of numerators, if counts are resampled.
    pub noise: Option<u64>,
}

/// The barometer as flat arrays, indicator-major (`[j * n + i]` is unit `i`, indicator `j`).
#[derive(Debug, Clone)]
pub struct Problem {
    /// REFNIS codes in the order of the arrays.
    pub units: Vec<String>,
    /// Names.
    pub names: Vec<String>,
    /// Indicator ids.
    pub indicators: Vec<String>,
    /// Numerators (0 where missing).
    pub num: Vec<f64>,
    /// Denominators (0 where missing).
    pub den: Vec<f64>,
    /// Whether the cell has a value.
    pub present: Vec<bool>,
    /// +1 higher is worse, -1 lower is worse.
    pub sign: Vec<f64>,
    /// Resample by binomial (shares) rather than Poisson (indices and rates).
    pub binomial: Vec<bool>,
    /// The definition's own choice (level 0 of every factor).
    pub nominal: Choice,
}

/// Scratch space for one replication; reuse it across replications.
#[derive(Debug, Clone, Default)]
pub struct Work {
    values: Vec<f64>,
    column: Vec<f64>,
    normed: Vec<f64>,
    composite: Vec<f64>,
    row: Vec<f64>,
    order: Vec<usize>,
    /// Points of the last replication, indicator-major; `u8::MAX` where unknown.
    pub points: Vec<u8>,
    /// Ranks of the last replication (1 = most at risk, competition ranking).
    pub ranks: Vec<u32>,
    /// Weighted scores of the last replication.
    pub weighted: Vec<f64>,
}

impl Problem {
    /// Number of units.
    pub fn n(&self) -> usize {
        self.units.len()
    }

    /// Number of indicators.
    pub fn k(&self) -> usize {
        self.indicators.len()
    }

    /// Build from a scoreboard and its definition.
    pub fn from_scoreboard(board: &Scoreboard, def: &Definition) -> Result<Problem> {
        let reference = match def.scoring.reference {
            Reference::Flanders => RefRule::Flanders,
            Reference::Mean => RefRule::Mean,
            Reference::Median => RefRule::Median,
            Reference::Fixed => {
                return Err(data(format!(
                    "{}: sensitivity runs need a reference computed from the data (flanders, mean or median), not \"fixed\"",
                    def.origin
                )));
            }
        };
        if let Some(ind) = def.indicators.iter().find(|i| i.reference.is_some()) {
            return Err(data(format!(
                "{}: indicator \"{}\" overrides the reference; sensitivity runs use one reference rule for all indicators",
                def.origin, ind.id
            )));
        }
        let (n, k) = (board.rows.len(), def.indicators.len());
        let mut rows: Vec<_> = board.rows.iter().collect();
        rows.sort_by(|a, b| a.nis.cmp(&b.nis));
        let mut p = Problem {
            units: rows.iter().map(|r| r.nis.clone()).collect(),
            names: rows.iter().map(|r| r.name.clone()).collect(),
            indicators: def.indicators.iter().map(|i| i.id.clone()).collect(),
            num: vec![0.0; n * k],
            den: vec![0.0; n * k],
            present: vec![false; n * k],
            sign: def.indicators.iter().map(|i| i.direction.sign()).collect(),
            binomial: def
                .indicators
                .iter()
                .map(|i| i.kind == Kind::Share)
                .collect(),
            nominal: Choice {
                reference,
                margin: match def.scoring.comparison {
                    Comparison::Strict => 0.0,
                    Comparison::Margin => def.scoring.margin.unwrap_or(0.0),
                },
                weights: vec![1.0; k],
                normalisation: Normalisation::RelativeExcess,
                aggregation: Aggregation::Arithmetic,
                dropped: None,
                noise: None,
            },
        };
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.cells.iter().enumerate() {
                if let (Some(a), Some(b), Some(_)) = (cell.numerator, cell.denominator, cell.value)
                {
                    p.num[j * n + i] = a;
                    p.den[j * n + i] = b;
                    p.present[j * n + i] = true;
                }
            }
        }
        Ok(p)
    }

    /// Score one replication into `work.ranks`, `work.points` and `work.weighted`.
    pub fn replicate(&self, c: &Choice, work: &mut Work) {
        let (n, k) = (self.n(), self.k());
        work.values.resize(n * k, f64::NAN);
        work.points.resize(n * k, u8::MAX);
        work.column.resize(n, 0.0);
        work.normed.resize(n * k, f64::NAN);
        work.composite.resize(n, 0.0);
        work.weighted.clear();
        work.weighted.resize(n, 0.0);
        work.ranks.resize(n, 0);
        let mut rng = c.noise.map(ChaCha8Rng::seed_from_u64);
        for j in 0..k {
            let cells = j * n..(j + 1) * n;
            let (num, den, present) = (
                &self.num[cells.clone()],
                &self.den[cells.clone()],
                &self.present[cells.clone()],
            );
            let values = &mut work.values[cells.clone()];
            let (mut snum, mut sden) = (0.0, 0.0);
            for i in 0..n {
                if !present[i] {
                    values[i] = f64::NAN;
                    continue;
                }
                let a = match rng.as_mut() {
                    Some(rng) => resample(rng, num[i], den[i], self.binomial[j]),
                    None => num[i],
                };
                values[i] = a / den[i];
                snum += a;
                sden += den[i];
            }
            let reference = match c.reference {
                RefRule::Flanders => snum / sden,
                RefRule::Mean => {
                    let (s, m) = values
                        .iter()
                        .filter(|v| !v.is_nan())
                        .fold((0.0, 0usize), |(s, m), v| (s + v, m + 1));
                    s / m as f64
                }
                RefRule::Median => {
                    work.column.clear();
                    work.column
                        .extend(values.iter().copied().filter(|v| !v.is_nan()));
                    median_in_place(&mut work.column)
                }
            };
            let w = if c.dropped == Some(j) {
                0.0
            } else {
                c.weights[j]
            };
            let sign = self.sign[j];
            let points = &mut work.points[cells.clone()];
            for i in 0..n {
                let v = values[i];
                points[i] = if v.is_nan() || reference.is_nan() {
                    u8::MAX
                } else {
                    let p = sign * (v - reference) > c.margin * reference.abs();
                    if p {
                        work.weighted[i] += w;
                    }
                    u8::from(p)
                };
            }
            // Oriented column for the composite.
            work.column.clear();
            work.column.extend(values.iter().map(|v| sign * v));
            let normed = &mut work.normed[cells];
            if c.normalisation == Normalisation::RelativeExcess && reference == 0.0 {
                normed.fill(f64::NAN);
            } else {
                normalise(
                    c.normalisation,
                    &work.column,
                    sign * reference,
                    normed,
                    &mut work.order,
                );
            }
            if c.aggregation.needs_positive() {
                let (lo, hi) = normed
                    .iter()
                    .filter(|v| !v.is_nan())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                for v in normed.iter_mut() {
                    *v = if hi > lo {
                        1.0 + 99.0 * (*v - lo) / (hi - lo)
                    } else {
                        50.5
                    };
                }
            }
        }
        let weights: Vec<f64> = (0..k)
            .map(|j| {
                if c.dropped == Some(j) {
                    0.0
                } else {
                    c.weights[j]
                }
            })
            .collect();
        for i in 0..n {
            work.row.clear();
            work.row.extend((0..k).map(|j| work.normed[j * n + i]));
            work.composite[i] = aggregate(c.aggregation, &work.row, &weights);
        }
        rank_into(
            &work.weighted,
            &work.composite,
            &mut work.order,
            &mut work.ranks,
        );
    }
}

/// A resampled numerator: binomial(den, num/den) for shares, Poisson(num) otherwise.
fn resample(rng: &mut ChaCha8Rng, num: f64, den: f64, binomial: bool) -> f64 {
    if num <= 0.0 {
        return 0.0;
    }
    if binomial && den >= 1.0 {
        let p = (num / den).clamp(0.0, 1.0);
        match Binomial::new(den.round() as u64, p) {
            Ok(d) => d.sample(rng) as f64,
            Err(_) => num,
        }
    } else {
        match Poisson::new(num) {
            Ok(d) => d.sample(rng),
            Err(_) => num,
        }
    }
}

/// Median of `x` (reordered), `NaN` when empty.
fn median_in_place(x: &mut [f64]) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, &mut hi, _) = x.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        hi
    } else {
        let lo = x[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    }
}

/// Competition ranks (1 = most at risk): higher score first, then higher composite (missing
/// lowest), ties share the lowest rank.
pub fn rank_into(score: &[f64], composite: &[f64], order: &mut Vec<usize>, ranks: &mut [u32]) {
    let key = |i: usize| {
        let c = composite[i];
        (score[i], if c.is_nan() { f64::NEG_INFINITY } else { c })
    };
    let cmp = |a: usize, b: usize| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    };
    order.clear();
    order.extend(0..score.len());
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    for pos in 0..order.len() {
        let i = order[pos];
        ranks[i] = if pos > 0 && cmp(order[pos - 1], i).is_eq() {
            ranks[order[pos - 1]]
        } else {
            pos as u32 + 1
        };
    }
}

/// A uniform draw in `[0, 1)` from `rng` (53 random bits).
pub fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.random::<u64>() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_competition_ranks() {
        let mut ranks = vec![0; 4];
        rank_into(
            &[2.0, 3.0, 2.0, 2.0],
            &[0.1, 0.0, 0.1, f64::NAN],
            &mut Vec::new(),
            &mut ranks,
        );
        assert_eq!(ranks, [2, 1, 2, 4]);
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
