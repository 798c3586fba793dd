//! Normalisation of one indicator column. Values are oriented first (multiplied by the
//! direction's sign) so that higher always means more at risk; `NaN` marks a missing value and is
//! left missing.

use serde::{Deserialize, Serialize};

/// A normalisation method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Normalisation {
    /// Relative excess over the reference: `(x - r) / |r|` (the barometer's composite).
    RelativeExcess,
    /// Min-max onto `[lo, hi]`: `lo + (x - min) / (max - min) * (hi - lo)`.
    MinMax {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Z-score with the sample standard deviation: `(x - mean) / sd`.
    ZScore,
    /// Rank, 1 = lowest, ties at the minimum rank.
    Rank,
    /// Percentile rank `(rank - 1) / (n - 1)`, ties at the minimum rank.
    PercentRank,
    /// Ratio to the reference: `x / r`.
    DistanceToReference,
    /// Distance to a target: `(x - min) / (target - min)`, capped at 1.
    DistanceToTarget {
        /// The target, in oriented units.
        target: f64,
    },
    /// Goalposts: `(x - lo) / (hi - lo)` clamped to `[0, 1]`, times `scale`.
    Goalposts {
        /// Lower goalpost.
        lo: f64,
        /// Upper goalpost.
        hi: f64,
        /// Multiplier (1 or 100).
        scale: f64,
    },
}

/// Mean, sample standard deviation, minimum and maximum of the non-missing values.
pub fn moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let (mut n, mut sum, mut lo, mut hi) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &v in x.iter().filter(|v| !v.is_nan()) {
        n += 1;
        sum += v;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let mean = sum / n as f64;
    let ss: f64 = x
        .iter()
        .filter(|v| !v.is_nan())
        .map(|v| (v - mean) * (v - mean))
        .sum();
    let sd = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    (mean, sd, lo, hi)
}

/// Ranks with ties at the minimum (1 = lowest) into `out`; missing values stay `NaN`.
/// `order` is scratch space.
pub fn min_ranks(x: &[f64], out: &mut [f64], order: &mut Vec<usize>) {
    order.clear();
    order.extend((0..x.len()).filter(|&i| !x[i].is_nan()));
    order.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut rank = 0;
    for (pos, &i) in order.iter().enumerate() {
        if pos == 0 || x[order[pos - 1]] != x[i] {
            rank = pos + 1;
        }
        out[i] = rank as f64;
    }
    for (o, v) in out.iter_mut().zip(x) {
        if v.is_nan() {
            *o = f64::NAN;
        }
    }
}

/// Normalise the oriented column `x` with reference `r` into `out` (same length).
/// `order` is scratch space for rank methods.
pub fn normalise(
    method: Normalisation,
    x: &[f64],
    r: f64,
    out: &mut [f64],
    order: &mut Vec<usize>,
) {
    match method {
        Normalisation::Rank | Normalisation::PercentRank => {
            min_ranks(x, out, order);
            if method == Normalisation::PercentRank {
                let n = out.iter().filter(|v| !v.is_nan()).count();
                let d = if n > 1 { (n - 1) as f64 } else { 1.0 };
                out.iter_mut().for_each(|v| *v = (*v - 1.0) / d);
            }
        }
        Normalisation::RelativeExcess => {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = (v - r) / r.abs();
            }
        }
        Normalisation::DistanceToReference => {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = v / r;
            }
        }
        _ => {
            let (mean, sd, lo, hi) = moments(x);
            for (o, &v) in out.iter_mut().zip(x) {
                *o = match method {
                    Normalisation::MinMax { lo: a, hi: b } => {
                        if hi > lo {
                            a + (v - lo) / (hi - lo) * (b - a)
                        } else {
                            (a + b) / 2.0
                        }
                    }
                    Normalisation::ZScore => {
                        if sd > 0.0 {
                            (v - mean) / sd
                        } else {
                            0.0
                        }
                    }
                    Normalisation::DistanceToTarget { target } => {
                        ((v - lo) / (target - lo)).min(1.0)
                    }
                    Normalisation::Goalposts {
                        lo: a,
                        hi: b,
                        scale,
                    } => ((v - a) / (b - a)).clamp(0.0, 1.0) * scale,
                    Normalisation::Rank
                    | Normalisation::PercentRank
                    | Normalisation::RelativeExcess
                    | Normalisation::DistanceToReference => unreachable!(),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(m: Normalisation, x: &[f64], r: f64) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        normalise(m, x, r, &mut out, &mut Vec::new());
        out
    }

    #[test]
    fn hand_computed_columns() {
        let x = [2.0, 4.0, 4.0, 10.0];
        assert_eq!(
            norm(Normalisation::MinMax { lo: 0.0, hi: 100.0 }, &x, 0.0),
            [0.0, 25.0, 25.0, 100.0]
        );
        // mean 5, sample variance (9 + 1 + 1 + 25) / 3 = 12
        let z = norm(Normalisation::ZScore, &x, 0.0);
        assert!((z[3] - 5.0 / 12f64.sqrt()).abs() < 1e-12);
        assert_eq!(norm(Normalisation::Rank, &x, 0.0), [1.0, 2.0, 2.0, 4.0]);
        assert_eq!(
            norm(Normalisation::PercentRank, &x, 0.0),
            [0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0]
        );
        assert_eq!(
            norm(Normalisation::RelativeExcess, &x, 4.0),
            [-0.5, 0.0, 0.0, 1.5]
        );
        assert_eq!(
            norm(Normalisation::DistanceToReference, &x, 4.0),
            [0.5, 1.0, 1.0, 2.5]
        );
        assert_eq!(
            norm(Normalisation::DistanceToTarget { target: 6.0 }, &x, 0.0),
            [0.0, 0.5, 0.5, 1.0]
        );
        assert_eq!(
            norm(
                Normalisation::Goalposts {
                    lo: 3.0,
                    hi: 5.0,
                    scale: 100.0
                },
                &x,
                0.0
            ),
            [0.0, 50.0, 50.0, 100.0]
        );
    }

    #[test]
    fn missing_values_stay_missing() {
        let x = [1.0, f64::NAN, 3.0];
        let p = norm(Normalisation::PercentRank, &x, 0.0);
        assert_eq!((p[0], p[2]), (0.0, 1.0));
        assert!(p[1].is_nan());
        assert!(norm(Normalisation::ZScore, &x, 0.0)[1].is_nan());
    }
}
