//! The compact in-memory barometer for sensitivity runs: counts per unit and indicator in flat
//! arrays, the directions, and one function that scores a replication (a set of methodological
//! choices plus optional resampled numerators) into ranks without allocating once its `Work` is
//! sized. `tables` holds the faster path for replications without resampling.

use super::draw::{Draws, Law};
use crate::barometer::Scoreboard;
use crate::composite::aggregate::Aggregation;
use crate::composite::normalise::{Normalisation, normalise};
use crate::definition::{Comparison, Definition, Kind, Reference};
use crate::error::data;
use anyhow::Result;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

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
    sums: Vec<f64>,
    wsums: Vec<f64>,
    weights: Vec<f64>,
    order: Vec<usize>,
    ranker: Ranker,
    /// Numerators drawn for one column.
    drawn: Vec<f64>,
    /// Composite of the last replication (`NaN` where no indicator is present).
    pub composite: Vec<f64>,
    /// Points of the last replication, indicator-major; `u8::MAX` where unknown.
    pub points: Vec<u8>,
    /// Ranks of the last replication (1 = most at risk, competition ranking).
    pub ranks: Vec<u32>,
    /// Weighted scores of the last replication.
    pub weighted: Vec<f64>,
}

impl Work {
    /// Size the buffers for `n` units and `k` indicators and zero the scores.
    fn reset(&mut self, n: usize, k: usize) {
        self.values.resize(n * k, f64::NAN);
        self.points.resize(n * k, u8::MAX);
        self.normed.resize(n * k, f64::NAN);
    }

    /// Weighted scores and composites of `n = points.len() / k` units from indicator-major
    /// points and prepared composite inputs (with the weights of [`Work::set_weights`]), then
    /// ranks. Column by column, so the sums of all units advance together without branches;
    /// each unit still adds its indicators in order, and adding +0 to a sum that started at +0
    /// leaves its bits unchanged, so this is [`crate::composite::aggregate::aggregate`] of the
    /// prepared terms to the bit.
    pub(super) fn score(
        &mut self,
        k: usize,
        points: &[u8],
        inputs: &[f64],
        aggregation: Aggregation,
    ) {
        let n = points.len() / k;
        for v in [&mut self.weighted, &mut self.sums, &mut self.wsums] {
            v.clear();
            v.resize(n, 0.0);
        }
        for (j, &w) in self.weights.iter().enumerate() {
            let (p, y) = (&points[j * n..(j + 1) * n], &inputs[j * n..(j + 1) * n]);
            let scored = self.weighted.iter_mut().zip(p);
            let summed = self.sums.iter_mut().zip(&mut self.wsums).zip(y);
            for ((score, &p), ((s, wsum), &y)) in scored.zip(summed) {
                *score += if p == 1 { w } else { 0.0 };
                let used = !y.is_nan() && w > 0.0;
                *s += if used { w * y } else { 0.0 };
                *wsum += if used { w } else { 0.0 };
            }
        }
        self.composite.clear();
        self.composite
            .extend(self.sums.iter().zip(&self.wsums).map(|(&s, &wsum)| {
                if wsum > 0.0 {
                    aggregation.finish(s, wsum)
                } else {
                    f64::NAN
                }
            }));
        self.ranks.resize(n, 0);
        self.ranker
            .rank(&self.weighted, &self.composite, &mut self.ranks);
    }

    /// The choice's weights with the dropped indicator at 0, into `self.weights`.
    pub(super) fn set_weights(&mut self, weights: &[f64], dropped: Option<usize>) {
        self.weights.clear();
        self.weights.extend(weights);
        if let Some(j) = dropped {
            self.weights[j] = 0.0;
        }
    }
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
        if !def.composite.is_plain() {
            return Err(data(format!(
                "{}: sensitivity runs build the composite without imputation, outlier treatment or given weights; remove them from [composite]",
                def.origin
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
                normalisation: def.composite.normalisation(),
                aggregation: def.composite.aggregation(),
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

    /// The resampling of every cell (indicator-major), for replications that resample the
    /// numerators: binomial(round(den), num / den) for shares, Poisson(num) otherwise; fixed
    /// where the numerator is 0 or the cell is missing.
    pub fn samplers(&self) -> Draws {
        Draws::new((0..self.n() * self.k()).map(|c| {
            let (num, den) = (self.num[c], self.den[c]);
            if num <= 0.0 {
                Err(0.0)
            } else if self.binomial[c / self.n()] && den >= 1.0 {
                Ok(Law::Binomial {
                    n: den.round() as u64,
                    p: (num / den).clamp(0.0, 1.0),
                })
            } else {
                Ok(Law::Poisson { lambda: num })
            }
        }))
    }

    /// The values of indicator `j` into `values` (`NaN` where missing), with the numerators
    /// `drawn` for this column when given; returns the summed numerators and denominators.
    pub(super) fn column(&self, j: usize, drawn: Option<&[f64]>, values: &mut [f64]) -> (f64, f64) {
        let cells = j * self.n()..(j + 1) * self.n();
        let (den, present) = (&self.den[cells.clone()], &self.present[cells.clone()]);
        let num = drawn.unwrap_or(&self.num[cells]);
        let (mut snum, mut sden) = (0.0, 0.0);
        for i in 0..values.len() {
            if !present[i] {
                values[i] = f64::NAN;
                continue;
            }
            values[i] = num[i] / den[i];
            snum += num[i];
            sden += den[i];
        }
        (snum, sden)
    }

    /// The reference of one column's `values` under `rule`; `scratch` is reordered freely.
    pub(super) fn reference(
        rule: RefRule,
        values: &[f64],
        (snum, sden): (f64, f64),
        scratch: &mut Vec<f64>,
    ) -> f64 {
        match rule {
            RefRule::Flanders => snum / sden,
            RefRule::Mean => {
                let (s, m) = values
                    .iter()
                    .filter(|v| !v.is_nan())
                    .fold((0.0, 0usize), |(s, m), v| (s + v, m + 1));
                s / m as f64
            }
            RefRule::Median => {
                scratch.clear();
                scratch.extend(values.iter().copied().filter(|v| !v.is_nan()));
                median_in_place(scratch)
            }
        }
    }

    /// The points of indicator `j` (`u8::MAX` where unknown) for `values` against `reference`.
    pub(super) fn points(
        &self,
        j: usize,
        values: &[f64],
        reference: f64,
        margin: f64,
        points: &mut [u8],
    ) {
        let sign = self.sign[j];
        for (p, &v) in points.iter_mut().zip(values) {
            *p = if v.is_nan() || reference.is_nan() {
                u8::MAX
            } else {
                u8::from(sign * (v - reference) > margin * reference.abs())
            };
        }
    }

    /// The composite's input for indicator `j`: oriented, normalised, rescaled onto [1, 100]
    /// when the aggregation needs positive values, and mapped by [`Aggregation::prepare`].
    #[allow(clippy::too_many_arguments)]
    pub(super) fn composite_input(
        &self,
        j: usize,
        values: &[f64],
        reference: f64,
        normalisation: Normalisation,
        aggregation: Aggregation,
        column: &mut Vec<f64>,
        order: &mut Vec<usize>,
        out: &mut [f64],
    ) {
        let sign = self.sign[j];
        if normalisation == Normalisation::RelativeExcess {
            // normalise's relative excess of the oriented values, in one pass.
            let r = sign * reference;
            for (o, &v) in out.iter_mut().zip(values) {
                *o = if reference == 0.0 {
                    f64::NAN
                } else {
                    (sign * v - r) / r.abs()
                };
            }
        } else {
            column.clear();
            column.extend(values.iter().map(|v| sign * v));
            normalise(normalisation, column, sign * reference, out, order);
        }
        if aggregation.needs_positive() {
            let (lo, hi) = out
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            for v in out.iter_mut().filter(|v| !v.is_nan()) {
                *v = if hi > lo {
                    1.0 + 99.0 * (*v - lo) / (hi - lo)
                } else {
                    50.5
                };
            }
        }
        if aggregation != Aggregation::Arithmetic {
            for v in out.iter_mut() {
                *v = aggregation.prepare(*v);
            }
        }
    }

    /// Score one replication into `work.ranks`, `work.points`, `work.weighted` and
    /// `work.composite`. `draws` must be [`Problem::samplers`] when `c.noise` is set (it is
    /// not read otherwise).
    pub fn replicate(&self, c: &Choice, draws: Option<&Draws>, work: &mut Work) {
        let (n, k) = (self.n(), self.k());
        work.reset(n, k);
        work.set_weights(&c.weights, c.dropped);
        let mut rng = c.noise.map(ChaCha8Rng::seed_from_u64);
        for j in 0..k {
            let cells = j * n..(j + 1) * n;
            let values = &mut work.values[cells.clone()];
            let drawn = match (rng.as_mut(), draws) {
                (Some(rng), Some(draws)) => {
                    draws.fill(cells.clone(), rng, &mut work.drawn);
                    Some(&work.drawn[..])
                }
                _ => None,
            };
            let sums = self.column(j, drawn, values);
            let reference = Self::reference(c.reference, values, sums, &mut work.column);
            self.points(
                j,
                values,
                reference,
                c.margin,
                &mut work.points[cells.clone()],
            );
            self.composite_input(
                j,
                values,
                reference,
                c.normalisation,
                c.aggregation,
                &mut work.column,
                &mut work.order,
                &mut work.normed[cells],
            );
        }
        let (points, normed) = (
            std::mem::take(&mut work.points),
            std::mem::take(&mut work.normed),
        );
        work.score(k, &points, &normed, c.aggregation);
        (work.points, work.normed) = (points, normed);
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

/// Competition ranking (1 = most at risk): higher score first, then higher composite (missing
/// lowest, compared at 12 significant digits as in `barometer::tie_key`); equal keys share the
/// lowest rank. Holds its sort buffer between calls.
#[derive(Debug, Clone, Default)]
pub struct Ranker {
    keys: Vec<(u128, u32)>,
    packed: Vec<u128>,
    order: Vec<(u64, u64, u32)>,
}

impl Ranker {
    /// Ranks of the units with `score` and `composite` into `ranks`.
    ///
    /// Sorts by the exact composite and rounds only neighbours that are within 1e-10 of each
    /// other: the rounding is monotone, so units whose rounded composites are equal lie next to
    /// each other in that order, and rounded composites 12 digits apart cannot be closer than
    /// 1e-11 relative. Same ranks as sorting by the rounded composites, without rounding each.
    /// When every score is a whole number below 65,536 (unweighted points), score, composite
    /// and unit fit one 128-bit key, which sorts faster.
    pub fn rank(&mut self, score: &[f64], composite: &[f64], ranks: &mut [u32]) {
        // Ascending order of a key is descending order of (score, composite).
        let value = |c: f64| if c.is_nan() { f64::NEG_INFINITY } else { c };
        let down = |v: f64| !ordered(v);
        self.order.clear();
        if score
            .iter()
            .all(|&s| (0.0..65_536.0).contains(&s) && f64::from(s as u16) == s)
        {
            self.packed.clear();
            self.packed.extend(
                score
                    .iter()
                    .zip(composite)
                    .enumerate()
                    .map(|(i, (&s, &c))| {
                        let s = u128::from(u16::MAX - s as u16);
                        s << 112 | u128::from(down(value(c))) << 48 | i as u128
                    }),
            );
            self.packed.sort_unstable();
            self.order.extend(
                self.packed
                    .iter()
                    .map(|&key| ((key >> 112) as u64, (key >> 48) as u64, key as u32)),
            );
        } else {
            self.keys.clear();
            self.keys.extend(
                score
                    .iter()
                    .zip(composite)
                    .enumerate()
                    .map(|(i, (&s, &c))| {
                        (
                            u128::from(down(s)) << 64 | u128::from(down(value(c))),
                            i as u32,
                        )
                    }),
            );
            self.keys.sort_unstable_by_key(|&(key, _)| key);
            self.order.extend(
                self.keys
                    .iter()
                    .map(|&(key, i)| ((key >> 64) as u64, key as u64, i)),
            );
        }
        for pos in 0..self.order.len() {
            let (s, c, i) = self.order[pos];
            let tied = pos > 0 && {
                let (ps, pc, j) = self.order[pos - 1];
                ps == s
                    && (pc == c || {
                        let (a, b) = (value(composite[j as usize]), value(composite[i as usize]));
                        (a - b).abs() <= 1e-10 * a.abs().max(b.abs())
                            && crate::barometer::tie_key(a) == crate::barometer::tie_key(b)
                    })
            };
            ranks[i as usize] = if tied {
                ranks[self.order[pos - 1].2 as usize]
            } else {
                pos as u32 + 1
            };
        }
    }
}

/// A `u64` in the order of the numbers (`-0` equal to `+0`, `NaN` not expected).
fn ordered(v: f64) -> u64 {
    let bits = (v + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
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
        let mut ranks = vec![0; 5];
        Ranker::default().rank(
            &[2.0, 3.0, 2.0, 2.0, 0.0],
            &[0.1, 0.0, 0.1, f64::NAN, -0.0],
            &mut ranks,
        );
        assert_eq!(ranks, [2, 1, 2, 4, 5]);
        Ranker::default().rank(&[1.0, 1.0, 1.0], &[0.0, -0.0, -1.0], &mut ranks);
        assert_eq!(&ranks[..3], [1, 1, 3]);
        // Equal at 12 significant digits: tied; 1e-11 apart at 0.1: not (barometer::tie_key).
        let c = [0.3, 0.1 + 0.2, 0.3 + 1e-11, 0.3 - 1e-11, f64::NAN];
        Ranker::default().rank(&[1.0; 5], &c, &mut ranks);
        assert_eq!(ranks, [2, 2, 1, 4, 5]);
        // Weighted (fractional) scores take the general key.
        Ranker::default().rank(&[1.5; 5], &c, &mut ranks);
        assert_eq!(ranks, [2, 2, 1, 4, 5]);
        Ranker::default().rank(&[0.5, 1.5, 0.5, 2.0, 1.5], &[0.0; 5], &mut ranks);
        assert_eq!(ranks, [4, 2, 4, 1, 2]);
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
