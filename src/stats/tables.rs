//! The fast path of a replication without resampled counts. Without noise the values never
//! change, so the points of every (reference, cut-off) pair and the composite inputs of every
//! (reference, normalisation, aggregation) triple are computed once; a replication then only
//! weighs them, sums per unit and ranks. It gives the same scores, composites and ranks, to the
//! bit, as [`Problem::replicate`] with the same choices (tested).

use super::montecarlo::{Levels, Space};
use super::problem::{Problem, Work};

/// Precomputed points and composite inputs, indicator-major (`[j * n + i]`) like [`Problem`].
#[derive(Debug, Clone)]
pub struct Tables {
    k: usize,
    margins: usize,
    normalisations: usize,
    aggregations: usize,
    /// Points per (reference, margin) pair; `u8::MAX` where unknown.
    points: Vec<Vec<u8>>,
    /// Composite inputs per (reference, normalisation, aggregation) triple.
    inputs: Vec<Vec<f64>>,
}

impl Tables {
    /// The tables of every alternative in `space`.
    pub fn new(problem: &Problem, space: &Space) -> Tables {
        let (n, k) = (problem.n(), problem.k());
        let mut t = Tables {
            k,
            margins: space.margins.len(),
            normalisations: space.normalisations.len(),
            aggregations: space.aggregations.len(),
            points: Vec::new(),
            inputs: Vec::new(),
        };
        let (mut values, mut scratch, mut order) = (vec![0.0; n], Vec::new(), Vec::new());
        let mut points = vec![vec![0u8; n * k]; t.margins];
        let mut inputs = vec![vec![0.0; n * k]; t.normalisations * t.aggregations];
        let mut out = vec![0.0; n];
        for &rule in &space.references {
            for j in 0..k {
                let sums = problem.column(j, &mut values);
                let reference = Problem::reference(rule, &values, sums, &mut scratch);
                for (m, &margin) in space.margins.iter().enumerate() {
                    problem.points(j, &values, reference, margin, &mut points[m][j * n..][..n]);
                }
                for (a, &normalisation) in space.normalisations.iter().enumerate() {
                    for (b, &aggregation) in space.aggregations.iter().enumerate() {
                        problem.composite_input(
                            j,
                            &values,
                            reference,
                            normalisation,
                            aggregation,
                            &mut scratch,
                            &mut order,
                            &mut out,
                        );
                        inputs[a * t.aggregations + b][j * n..(j + 1) * n].copy_from_slice(&out);
                    }
                }
            }
            t.points.extend(points.iter().cloned());
            t.inputs.extend(inputs.iter().cloned());
        }
        t
    }

    /// The points (indicator-major) under reference level `reference` and margin level `margin`.
    pub fn points(&self, reference: usize, margin: usize) -> &[u8] {
        &self.points[reference * self.margins + margin]
    }

    /// Number of (reference, margin) pairs; pair `p` is `(p / margins, p % margins)`.
    pub fn pairs(&self) -> usize {
        self.points.len()
    }

    /// The pair index of `l`'s reference and margin.
    pub fn pair(&self, l: &Levels) -> usize {
        l.reference * self.margins + l.margin
    }

    /// Score the replication `l` (which must not resample) into `work.weighted`,
    /// `work.composite` and `work.ranks` (`work.points` is not written: see [`Tables::points`]).
    pub fn replicate(&self, space: &Space, l: &Levels, work: &mut Work) {
        debug_assert!(l.noise.is_none(), "tables hold the counts as observed");
        let points = &self.points[self.pair(l)];
        let inputs = &self.inputs[(l.reference * self.normalisations + l.normalisation)
            * self.aggregations
            + l.aggregation];
        work.set_weights(&space.weights[l.weights], l.dropped);
        work.score(self.k, points, inputs, space.aggregations[l.aggregation]);
    }
}
