//! Aggregation of one unit's normalised values with weights. Missing values (`NaN`) are skipped
//! and the remaining weights re-normalised, as COINr does by default.

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
    match method {
        Aggregation::Arithmetic | Aggregation::Power { p: 1.0 } => {
            pairs().map(|(v, w)| w * v).sum::<f64>() / wsum
        }
        Aggregation::Geometric | Aggregation::Power { p: 0.0 } => {
            (pairs().map(|(v, w)| w * v.ln()).sum::<f64>() / wsum).exp()
        }
        Aggregation::Harmonic => wsum / pairs().map(|(v, w)| w / v).sum::<f64>(),
        Aggregation::Power { p } => {
            (pairs().map(|(v, w)| w * v.powf(p)).sum::<f64>() / wsum).powf(1.0 / p)
        }
        Aggregation::Count => pairs().filter(|(v, _)| **v > 0.0).map(|(_, w)| w).sum(),
    }
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
}
