//! The compact in-memory barometer for sensitivity runs: counts per unit and indicator in flat
//! arrays, the directions, and one function that scores a replication (a set of methodological
//! choices plus optional resampled numerators) into ranks without allocating once its `Work` is
//! sized. `tables` holds the faster path for replications without resampling.

use super::draw::{Draws, Law, Wide};
use crate::barometer::Year;
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

/// The resampling of a problem's numerators, set up once per run: one sampler per cell and the
/// denominators, which resampling leaves as they are.
#[derive(Debug, Clone)]
pub struct Resampling {
    /// One sampler per cell, indicator-major.
    pub draws: Draws,
    /// Per cell its denominator, `NaN` where missing (so a value is one division).
    den: Vec<f64>,
    /// Per indicator the summed denominators of its present cells.
    den_sums: Vec<f64>,
}

/// The numerators a replication drew: the resampling, and the replication's numerators as
/// [`Drawn::of`] gives them.
pub type Counts<'a> = (&'a Resampling, Row<'a>);

/// One replication's drawn numerators.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Per cell the numerator, indicator-major (`n * k`), or [`super::draw::WIDE`].
    pub counts: &'a [u32],
    /// Per indicator the sum of the numerators.
    pub sums: &'a [f64],
    /// The numerators that are not whole numbers below `u32::MAX`, by cell.
    pub wide: &'a [Wide],
}

/// Numerators drawn for a batch of replications (see [`Resampling::draw`]); reuse it across
/// batches.
#[derive(Debug, Clone, Default)]
pub struct Drawn {
    /// Per replication its numerators, indicator-major (`n * k`): 4 bytes a cell, so that a
    /// batch of replications reads each alias table once in half the memory.
    counts: Vec<u32>,
    /// Per replication and indicator the sum of the drawn numerators.
    sums: Vec<f64>,
    /// The numerators the rows hold as [`super::draw::WIDE`], by replication and cell.
    wide: Vec<Wide>,
    /// One indicator's sums, one per replication.
    column: Vec<f64>,
    /// Replications in the batch.
    batch: usize,
    /// The samplers ([`Draws::id`]) whose fixed counts the first `ready` replications' rows
    /// hold.
    owner: u64,
    ready: usize,
}

impl Drawn {
    /// Replication `b`'s numerators.
    pub fn of(&self, b: usize) -> Row<'_> {
        let (cells, k) = (self.counts.len() / self.batch, self.sums.len() / self.batch);
        let wide = self.wide.partition_point(|w| w.0 < b)..self.wide.partition_point(|w| w.0 <= b);
        Row {
            counts: &self.counts[b * cells..(b + 1) * cells],
            sums: &self.sums[b * k..(b + 1) * k],
            wide: &self.wide[wide],
        }
    }
}

impl Resampling {
    /// Draw the numerators of every cell for the replications whose resampling seeds are
    /// `seeds`, into `drawn`: the same numbers for a replication whatever the batch (each has
    /// its own generator; [`Draws::fill`] draws them side by side).
    pub fn draw(&self, seeds: &[u64], drawn: &mut Drawn) {
        let (cells, k) = (self.draws.len(), self.den_sums.len());
        let n = cells.checked_div(k).unwrap_or(0);
        let mut rngs: Vec<ChaCha8Rng> = seeds
            .iter()
            .map(|&s| ChaCha8Rng::seed_from_u64(s))
            .collect();
        drawn.batch = seeds.len();
        drawn.counts.resize(seeds.len() * cells, 0);
        drawn.wide.clear();
        // The fixed counts are written once per row and buffer, not once per replication.
        if drawn.owner != self.draws.id() {
            (drawn.owner, drawn.ready) = (self.draws.id(), 0);
        }
        let fixed = self.draws.fixed_counts(0..cells);
        for row in drawn
            .counts
            .chunks_exact_mut(cells.max(1))
            .skip(drawn.ready)
        {
            row.copy_from_slice(fixed);
        }
        drawn.ready = seeds.len();
        drawn.sums.resize(seeds.len() * k, 0.0);
        drawn.column.resize(seeds.len(), 0.0);
        for j in 0..k {
            let (out, column) = (&mut drawn.counts[j * n..], &mut drawn.column);
            self.draws.fill(
                j * n..(j + 1) * n,
                &mut rngs,
                (out, cells),
                column,
                &mut drawn.wide,
            );
            for (b, &sum) in column.iter().enumerate() {
                drawn.sums[b * k + j] = sum;
            }
        }
        drawn.wide.sort_by_key(|w| (w.0, w.1));
    }
}

/// Scratch space for one replication; reuse it across replications.
#[derive(Debug, Clone, Default)]
pub struct Work {
    /// Values of one indicator.
    values: Vec<f64>,
    column: Vec<f64>,
    /// Composite inputs of one indicator.
    normed: Vec<f64>,
    sums: Vec<f64>,
    wsums: Vec<f64>,
    weights: Vec<f64>,
    order: Vec<usize>,
    ranker: Ranker,
    /// Numerators drawn for one replication.
    drawn: Drawn,
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
    /// Size the buffers for `n` units and `k` indicators and zero the sums.
    fn reset(&mut self, n: usize, k: usize) {
        self.values.resize(n, f64::NAN);
        self.points.resize(n * k, u8::MAX);
        self.normed.resize(n, f64::NAN);
        self.reset_sums(n);
    }

    /// Weighted scores and composites of `n = points.len() / k` units from indicator-major
    /// points and prepared composite inputs (with the weights of [`Work::set_weights`]), then
    /// ranks: [`add_terms`] per indicator, then [`Work::finish`].
    pub(super) fn score(
        &mut self,
        k: usize,
        points: &[u8],
        inputs: &[f64],
        aggregation: Aggregation,
    ) {
        let n = points.len() / k;
        self.reset_sums(n);
        for j in 0..k {
            let cells = j * n..(j + 1) * n;
            add_terms(
                (&mut self.weighted, &mut self.sums, &mut self.wsums),
                self.weights[j],
                &points[cells.clone()],
                &inputs[cells],
            );
        }
        self.finish(aggregation);
    }

    /// Zero the weighted scores and the composites' sums of `n` units.
    fn reset_sums(&mut self, n: usize) {
        for v in [&mut self.weighted, &mut self.sums, &mut self.wsums] {
            v.clear();
            v.resize(n, 0.0);
        }
    }

    /// Composites from the sums, then ranks.
    fn finish(&mut self, aggregation: Aggregation) {
        self.composite.clear();
        let pairs = self.sums.iter().zip(&self.wsums);
        if aggregation == Aggregation::Arithmetic {
            // The usual composite: no call per unit, so the divisions go side by side in vectors.
            self.composite.extend(pairs.map(|(&s, &wsum)| {
                let q = s / wsum;
                if wsum > 0.0 { q } else { f64::NAN }
            }));
        } else {
            self.composite.extend(pairs.map(|(&s, &wsum)| {
                if wsum > 0.0 {
                    aggregation.finish(s, wsum)
                } else {
                    f64::NAN
                }
            }));
        }
        self.ranks.resize(self.composite.len(), 0);
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

    /// Build from one year's barometer and its definition.
    pub fn from_year(year: &Year<'_>, def: &Definition) -> Result<Problem> {
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
        let (n, k) = (year.len(), def.indicators.len());
        // Units in code order (as a panel gives them already).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| year.nis(a).cmp(year.nis(b)));
        let mut p = Problem {
            units: order.iter().map(|&i| year.nis(i).to_owned()).collect(),
            names: order.iter().map(|&i| year.name(i).to_owned()).collect(),
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
        for (i, &u) in order.iter().enumerate() {
            for j in 0..k {
                let cell = year.cell(u, j);
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
    /// at 0 where the numerator is 0 or the cell is missing.
    pub fn samplers(&self) -> Resampling {
        let draws = Draws::new((0..self.n() * self.k()).map(|c| {
            let (num, den) = (self.num[c], self.den[c]);
            if num <= 0.0 || !self.present[c] {
                Err(0.0)
            } else if self.binomial[c / self.n()] && den >= 1.0 {
                Ok(Law::Binomial {
                    n: den.round() as u64,
                    p: (num / den).clamp(0.0, 1.0),
                })
            } else {
                Ok(Law::Poisson { lambda: num })
            }
        }));
        let mut values = vec![0.0; self.n()];
        Resampling {
            draws,
            den: (self.den.iter().zip(&self.present))
                .map(|(&d, &p)| if p { d } else { f64::NAN })
                .collect(),
            den_sums: (0..self.k())
                .map(|j| self.column(j, &mut values).1)
                .collect(),
        }
    }

    /// The values of indicator `j` into `values` (`NaN` where missing); returns the summed
    /// numerators and denominators.
    pub(super) fn column(&self, j: usize, values: &mut [f64]) -> (f64, f64) {
        let cells = j * self.n()..(j + 1) * self.n();
        let (num, den, present) = (
            &self.num[cells.clone()],
            &self.den[cells.clone()],
            &self.present[cells],
        );
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
    /// `work.composite`. `noise` must be [`Problem::samplers`] when `c.noise` is set (it is
    /// not read otherwise): the numerators are then drawn with that seed.
    pub fn replicate(&self, c: &Choice, noise: Option<&Resampling>, work: &mut Work) {
        match (c.noise, noise) {
            (Some(seed), Some(noise)) => {
                let mut drawn = std::mem::take(&mut work.drawn);
                noise.draw(&[seed], &mut drawn);
                self.replicate_drawn(c, Some((noise, drawn.of(0))), work);
                work.drawn = drawn;
            }
            _ => self.replicate_drawn(c, None, work),
        }
    }

    /// [`Problem::replicate`] with the numerators drawn already (`counts`), or the observed
    /// ones (`None`). Indicator by indicator: values, reference, points and
    /// composite inputs, added to the units' sums at once.
    pub fn replicate_drawn(&self, c: &Choice, counts: Option<Counts<'_>>, work: &mut Work) {
        let (n, k) = (self.n(), self.k());
        work.reset(n, k);
        work.set_weights(&c.weights, c.dropped);
        // The barometer's own composite over drawn counts against the Flemish reference: one
        // pass per indicator.
        let fused = c.reference == RefRule::Flanders
            && c.normalisation == Normalisation::RelativeExcess
            && c.aggregation == Aggregation::Arithmetic
            && counts.is_some_and(|(_, row)| row.wide.is_empty());
        for j in 0..k {
            let cells = j * n..(j + 1) * n;
            if let (Some((noise, row)), true) = (counts, fused) {
                let column = Column {
                    sign: self.sign[j],
                    reference: row.sums[j] / noise.den_sums[j],
                    margin: c.margin,
                    weight: work.weights[j],
                };
                column.add(
                    (&row.counts[cells.clone()], &noise.den[cells.clone()]),
                    &mut work.points[cells],
                    (&mut work.weighted, &mut work.sums, &mut work.wsums),
                );
                continue;
            }
            let sums = match counts {
                Some((noise, row)) => {
                    let den = &noise.den[cells.clone()];
                    let num = &row.counts[cells.clone()];
                    for ((v, &x), &d) in work.values.iter_mut().zip(num).zip(den) {
                        *v = f64::from(x) / d;
                    }
                    for &(_, cell, x) in row.wide.iter().filter(|w| cells.contains(&w.1)) {
                        work.values[cell - cells.start] = x / noise.den[cell];
                    }
                    (row.sums[j], noise.den_sums[j])
                }
                None => self.column(j, &mut work.values),
            };
            let values = &work.values;
            let reference = Self::reference(c.reference, values, sums, &mut work.column);
            let points = &mut work.points[cells];
            self.points(j, values, reference, c.margin, points);
            self.composite_input(
                j,
                values,
                reference,
                c.normalisation,
                c.aggregation,
                &mut work.column,
                &mut work.order,
                &mut work.normed,
            );
            add_terms(
                (&mut work.weighted, &mut work.sums, &mut work.wsums),
                work.weights[j],
                points,
                &work.normed,
            );
        }
        work.finish(c.aggregation);
    }
}

/// One indicator of a replication scored against the Flemish reference with the relative
/// excess in an arithmetic composite (the barometer's own method).
struct Column {
    sign: f64,
    reference: f64,
    margin: f64,
    weight: f64,
}

impl Column {
    /// Values, points, composite inputs and their addition to the units' sums in one pass:
    /// the same operations as [`Problem::points`], [`Problem::composite_input`] and
    /// [`add_terms`] one after the other, so the same bits.
    fn add(
        &self,
        (num, den): (&[u32], &[f64]),
        points: &mut [u8],
        (weighted, sums, wsums): (&mut [f64], &mut [f64], &mut [f64]),
    ) {
        let Column {
            sign,
            reference,
            margin,
            weight: w,
        } = *self;
        let (r, cut, unknown) = (
            sign * reference,
            margin * reference.abs(),
            reference.is_nan(),
        );
        let counts = num.iter().zip(den).zip(points.iter_mut());
        let summed = weighted
            .iter_mut()
            .zip(sums.iter_mut())
            .zip(wsums.iter_mut());
        for (((&x, &d), p), ((score, s), wsum)) in counts.zip(summed) {
            let v = f64::from(x) / d;
            *p = if v.is_nan() || unknown {
                u8::MAX
            } else {
                u8::from(sign * (v - reference) > cut)
            };
            *score += if *p == 1 { w } else { 0.0 };
            let y = if reference == 0.0 {
                f64::NAN
            } else {
                (sign * v - r) / r.abs()
            };
            let used = !y.is_nan() && w > 0.0;
            *s += if used { w * y } else { 0.0 };
            *wsum += if used { w } else { 0.0 };
        }
    }
}

/// Add one indicator's points and composite inputs with weight `w` to the units' weighted
/// scores, the composites' weighted sums and their weights. Indicator by indicator, so the sums
/// of all units advance together without branches; each unit still adds its indicators in
/// order, and adding +0 to a sum that started at +0 leaves its bits unchanged, so the sums are
/// those of [`crate::composite::aggregate::aggregate`] of the prepared terms to the bit.
fn add_terms(
    (weighted, sums, wsums): (&mut [f64], &mut [f64], &mut [f64]),
    w: f64,
    points: &[u8],
    inputs: &[f64],
) {
    let scored = weighted.iter_mut().zip(points);
    let summed = sums.iter_mut().zip(wsums.iter_mut()).zip(inputs);
    for ((score, &p), ((s, wsum), &y)) in scored.zip(summed) {
        *score += if p == 1 { w } else { 0.0 };
        let used = !y.is_nan() && w > 0.0;
        *s += if used { w * y } else { 0.0 };
        *wsum += if used { w } else { 0.0 };
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
/// lowest rank. Holds its sort buffers between calls.
#[derive(Debug, Clone, Default)]
pub struct Ranker {
    keys: Vec<(u128, u32)>,
    narrow: Vec<u64>,
    /// The units in ranking order.
    order: Vec<u32>,
}

impl Ranker {
    /// Ranks of the units with `score` and `composite` into `ranks`.
    ///
    /// Sorts by the exact composite and rounds only neighbours that are within 1e-10 of each
    /// other: the rounding is monotone, so units whose rounded composites are equal lie next to
    /// each other in that order, and rounded composites 12 digits apart cannot be closer than
    /// 1e-11 relative. Same ranks as sorting by the rounded composites, without rounding each.
    /// Up to 65,536 units the sort key is packed with the unit into 64 bits: a whole score
    /// below 65,536 (unweighted points) and the composite's top 32 bits, or else the top 26
    /// bits of the score and the top 22 of the composite; units whose packed keys agree are
    /// then ordered by their full key (few: the packed key orders all others as the full key
    /// does). When two different fractional scores agree in their top 26 bits, or with more
    /// units, the full keys are sorted.
    pub fn rank(&mut self, score: &[f64], composite: &[f64], ranks: &mut [u32]) {
        // Ascending order of a key is descending order of (score, composite).
        let value = |c: f64| if c.is_nan() { f64::NEG_INFINITY } else { c };
        let down = |v: f64| !ordered(v);
        let full = |i: u32| {
            let i = i as usize;
            u128::from(down(score[i])) << 64 | u128::from(down(value(composite[i])))
        };
        let n = score.len();
        // Without branches (no early exit): the usual answer is yes.
        let whole = score.iter().fold(true, |w, &s| {
            w & (0.0..65_536.0).contains(&s) & (f64::from(s as u16) == s)
        });
        // A whole score takes 16 bits, a fraction the top 26 of its key: then the packed key
        // holds a part of the score only, which orders as the score does unless two different
        // scores agree in that part; in a sorted block of equal parts two such would meet.
        let part = if whole { 48 } else { 38 };
        let packed = n <= 1 << 16 && {
            self.narrow.clear();
            self.narrow.extend(
                score
                    .iter()
                    .zip(composite)
                    .enumerate()
                    .map(|(i, (&s, &c))| {
                        let c = down(value(c));
                        if whole {
                            u64::from(u16::MAX - s as u16) << 48 | c >> 32 << 16 | i as u64
                        } else {
                            down(s) >> 38 << 38 | c >> 42 << 16 | i as u64
                        }
                    }),
            );
            self.narrow.sort_unstable();
            let unit = |k: u64| (k & 0xFFFF) as usize;
            whole
                || self
                    .narrow
                    .windows(2)
                    .all(|w| w[0] >> part != w[1] >> part || score[unit(w[0])] == score[unit(w[1])])
        };
        if packed {
            settle(&self.narrow, &mut self.order, full);
        } else {
            self.keys.clear();
            self.keys.extend((0..n as u32).map(|i| (full(i), i)));
            self.keys.sort_unstable_by_key(|&(key, _)| key);
            self.order.clear();
            self.order.extend(self.keys.iter().map(|&(_, i)| i));
        }
        for pos in 0..n {
            let i = self.order[pos] as usize;
            // Packed keys more than one apart above the unit differ in the score or by more
            // than 2^32 representable numbers in the composite (relatively more than 1e-10):
            // not tied, without looking the units up.
            let far = |pos: usize| {
                packed && (self.narrow[pos] >> 16).abs_diff(self.narrow[pos - 1] >> 16) > 1
            };
            let tied = pos > 0 && !far(pos) && {
                let j = self.order[pos - 1] as usize;
                let (a, b) = (value(composite[j]), value(composite[i]));
                score[j] == score[i]
                    && (a == b
                        || (a - b).abs() <= 1e-10 * a.abs().max(b.abs())
                            && crate::barometer::tie_key(a) == crate::barometer::tie_key(b))
            };
            ranks[i] = if tied {
                ranks[self.order[pos - 1] as usize]
            } else {
                pos as u32 + 1
            };
        }
    }
}

/// Put the units of the sorted `keys` (each with its unit in the low 16 bits) in that order
/// into `order`; units whose keys agree above those bits are put in the order of `full`.
fn settle(keys: &[u64], order: &mut Vec<u32>, full: impl Fn(u32) -> u128) {
    order.clear();
    order.extend(keys.iter().map(|&k| (k & 0xFFFF) as u32));
    let mut start = 0;
    for pos in 1..=keys.len() {
        if pos == keys.len() || keys[pos] >> 16 != keys[start] >> 16 {
            if pos - start > 1 {
                order[start..pos].sort_unstable_by_key(|&i| full(i));
            }
            start = pos;
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

    /// The packed keys give the ranks of the definition: one more than the units with a higher
    /// score or an equal score and a higher composite at 12 significant digits. Composites
    /// crowd within 1e-9 and 1e-13 of each other, so many units agree in the packed part of
    /// their keys (the top 32 or 48 bits of the composite); whole and fractional scores.
    #[test]
    fn packed_keys_rank_as_the_definition() {
        let key =
            |c: f64| crate::barometer::tie_key(if c.is_nan() { f64::NEG_INFINITY } else { c });
        let mut state = 7u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        let mut ranker = Ranker::default();
        for round in 0..200 {
            let n = 1 + next(400) as usize;
            let step = [1e-9, 1e-13, 1e-3][round % 3];
            let score: Vec<f64> = (0..n)
                .map(|_| match round % 2 {
                    0 => next(8) as f64,
                    _ => [0.5, 1.25, 1.25 + 1e-12, 2.0][next(4) as usize],
                })
                .collect();
            let composite: Vec<f64> = (0..n)
                .map(|_| match next(20) {
                    0 => f64::NAN,
                    1 => -0.0,
                    r => (0.3 + next(50) as f64 * step) * if r < 6 { -1.0 } else { 1.0 },
                })
                .collect();
            let mut ranks = vec![0; n];
            ranker.rank(&score, &composite, &mut ranks);
            for i in 0..n {
                let above = (0..n)
                    .filter(|&j| {
                        score[j] > score[i]
                            || score[j] == score[i] && key(composite[j]) > key(composite[i])
                    })
                    .count();
                assert_eq!(ranks[i] as usize, above + 1, "round {round}, unit {i}");
            }
        }
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
