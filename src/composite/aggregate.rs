//! Aggregation of one unit's normalised values with weights, and of indicator columns up a tree
//! of levels. Missing values (`NaN`) are skipped and the remaining weights re-normalised, as
//! COINr does by default.

use serde::{Deserialize, Serialize};

/// An aggregation method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Aggregation {
    /// `sum w x / sum w`.
    Arithmetic,
    /// `prod x^(w / sum w)`; needs positive values.
    Geometric,
    /// `sum w / sum (w / x)`; needs positive values.
    Harmonic,
    /// Generalised (power) mean `(sum w x^p / sum w)^(1/p)`; needs positive values for `p <= 0`.
    Power {
        /// The exponent (1 arithmetic, -1 harmonic; 0 is the geometric limit).
        p: f64,
    },
    /// Weighted count of flags: `sum w [x > 0]` (the barometer's score on excess values).
    Count,
}

impl Aggregation {
    /// Whether the method needs strictly positive values.
    pub fn needs_positive(self) -> bool {
        match self {
            Aggregation::Geometric | Aggregation::Harmonic => true,
            Aggregation::Power { p } => p <= 0.0,
            Aggregation::Arithmetic | Aggregation::Count => false,
        }
    }
}

impl Aggregation {
    /// The term a value contributes, before weighting: `x`, `ln x`, `1/x`, `x^p` or `[x > 0]`.
    /// Precomputing it lets a caller aggregate by a weighted sum (see [`Aggregation::finish`]).
    pub fn prepare(self, x: f64) -> f64 {
        match self {
            Aggregation::Arithmetic | Aggregation::Power { p: 1.0 } => x,
            Aggregation::Geometric | Aggregation::Power { p: 0.0 } => x.ln(),
            Aggregation::Harmonic => x.recip(),
            Aggregation::Power { p } => x.powf(p),
            Aggregation::Count => f64::from(u8::from(x > 0.0)),
        }
    }

    /// The aggregate from `s = sum w prepare(x)` and `wsum = sum w` over the present values.
    pub fn finish(self, s: f64, wsum: f64) -> f64 {
        match self {
            Aggregation::Arithmetic | Aggregation::Power { p: 1.0 } => s / wsum,
            Aggregation::Geometric | Aggregation::Power { p: 0.0 } => (s / wsum).exp(),
            Aggregation::Harmonic => wsum / s,
            Aggregation::Power { p } => (s / wsum).powf(1.0 / p),
            Aggregation::Count => s,
        }
    }
}

/// Aggregate `x` with weights `w`; `NaN` when no value is present or a needed positive value is not.
pub fn aggregate(method: Aggregation, x: &[f64], w: &[f64]) -> f64 {
    let pairs = || x.iter().zip(w).filter(|(v, w)| !v.is_nan() && **w > 0.0);
    let wsum: f64 = pairs().map(|(_, w)| w).sum();
    if wsum <= 0.0 {
        return f64::NAN;
    }
    if method.needs_positive() && pairs().any(|(v, _)| *v <= 0.0) {
        return f64::NAN;
    }
    method.finish(pairs().map(|(v, w)| w * method.prepare(*v)).sum(), wsum)
}

/// Aggregate `columns` (one per indicator, one value per unit) up a tree of levels as COINr's
/// `Aggregate()` does: `tree[l][g]` lists the columns of level `l` (level 0: `columns`) that make
/// up column `g` of level `l + 1`, weighted by `weights[l]` (one weight per column of level `l`).
/// Returns every level's columns, `columns` first.
pub fn up_tree(
    method: Aggregation,
    columns: Vec<Vec<f64>>,
    tree: &[Vec<Vec<usize>>],
    weights: &[Vec<f64>],
) -> Vec<Vec<Vec<f64>>> {
    let n = columns.first().map_or(0, Vec::len);
    let mut levels = vec![columns];
    let (mut x, mut w) = (Vec::new(), Vec::new());
    for (groups, weights) in tree.iter().zip(weights) {
        let below = &levels[levels.len() - 1];
        let mut next = Vec::with_capacity(groups.len());
        for children in groups {
            w.clear();
            w.extend(children.iter().map(|&c| weights[c]));
            let column = (0..n).map(|i| {
                x.clear();
                x.extend(children.iter().map(|&c| below[c][i]));
                aggregate(method, &x, &w)
            });
            next.push(column.collect());
        }
        levels.push(next);
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_means() {
        let x = [1.0, 4.0, 16.0];
        let w = [1.0, 1.0, 1.0];
        assert_eq!(aggregate(Aggregation::Arithmetic, &x, &w), 7.0);
        assert!((aggregate(Aggregation::Geometric, &x, &w) - 4.0).abs() < 1e-12);
        // 3 / (1 + 1/4 + 1/16) = 48 / 21
        assert!((aggregate(Aggregation::Harmonic, &x, &w) - 48.0 / 21.0).abs() < 1e-12);
        assert!((aggregate(Aggregation::Power { p: -1.0 }, &x, &w) - 48.0 / 21.0).abs() < 1e-12);
        // quadratic mean sqrt((1 + 16 + 256) / 3) = sqrt(91)
        assert!((aggregate(Aggregation::Power { p: 2.0 }, &x, &w) - 91f64.sqrt()).abs() < 1e-12);
        assert_eq!(
            aggregate(Aggregation::Arithmetic, &x, &[2.0, 1.0, 1.0]),
            5.5
        );
        assert_eq!(
            aggregate(Aggregation::Count, &[0.5, -0.1, 0.0, 2.0], &[1.0; 4]),
            2.0
        );
    }

    #[test]
    fn missing_and_non_positive_values() {
        assert_eq!(
            aggregate(Aggregation::Arithmetic, &[2.0, f64::NAN], &[1.0, 1.0]),
            2.0
        );
        assert!(aggregate(Aggregation::Geometric, &[2.0, 0.0], &[1.0, 1.0]).is_nan());
        assert!(aggregate(Aggregation::Arithmetic, &[f64::NAN], &[1.0]).is_nan());
    }

    #[test]
    fn up_a_tree_of_two_levels() {
        // Two units; indicators a, b, c; pillar P = (a, b) with weights 1 and 3, Q = (c); index
        // I = (P, Q) with equal weights.
        let columns = vec![vec![0.0, 4.0], vec![4.0, f64::NAN], vec![10.0, 2.0]];
        let tree = [vec![vec![0, 1], vec![2]], vec![vec![0, 1]]];
        let weights = [vec![1.0, 3.0, 1.0], vec![1.0, 1.0]];
        let levels = up_tree(Aggregation::Arithmetic, columns, &tree, &weights);
        // P: (0 + 3 * 4) / 4 = 3 and 4 (b missing); Q: 10 and 2; I: (3 + 10) / 2, (4 + 2) / 2.
        assert_eq!(levels[1], [vec![3.0, 4.0], vec![10.0, 2.0]]);
        assert_eq!(levels[2], [vec![6.5, 3.0]]);
        assert_eq!(levels[0][2], [10.0, 2.0]);
    }
}
