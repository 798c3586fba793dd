//! Outlier treatment of one indicator column as COINr's default `Treat()` step does it:
//! winsorise one point at a time while skewness and kurtosis are both beyond their thresholds,
//! up to `winmax` points; when that is not enough, undo and log-transform instead.

/// What happened to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Within thresholds: unchanged.
    None,
    /// This many points winsorised.
    Winsorised(usize),
    /// Log-transformed `ln(x - min + 1)` (positive skew) or `-ln(max - x + 1)` (negative skew).
    Log,
}

/// Sample skewness `G1 = n / ((n-1)(n-2)) * sum(((x - mean) / s)^3)` (s: sample sd).
pub fn skewness(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mean, sd) = mean_sd(x);
    n / ((n - 1.0) * (n - 2.0)) * x.iter().map(|v| ((v - mean) / sd).powi(3)).sum::<f64>()
}

/// Sample excess kurtosis `G2 = n(n+1) / ((n-1)(n-2)(n-3)) * sum(((x - mean) / s)^4)
/// - 3 (n-1)^2 / ((n-2)(n-3))`.
pub fn kurtosis(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mean, sd) = mean_sd(x);
    let s4: f64 = x.iter().map(|v| ((v - mean) / sd).powi(4)).sum();
    n * (n + 1.0) / ((n - 1.0) * (n - 2.0) * (n - 3.0)) * s4
        - 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0))
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Treat `x` (no missing values) in place with thresholds `|skew| > skew_max` and
/// `kurtosis > kurt_max` (COINr: 2 and 3.5) and at most `winmax` winsorised points (COINr: 5).
pub fn treat(x: &mut [f64], skew_max: f64, kurt_max: f64, winmax: usize) -> Treatment {
    if x.len() < 4 {
        return Treatment::None;
    }
    let outside = |x: &[f64]| skewness(x).abs() > skew_max && kurtosis(x) > kurt_max;
    if !outside(x) {
        return Treatment::None;
    }
    let original = x.to_vec();
    for k in 1..=winmax {
        let high = skewness(x) > 0.0;
        let extreme = if high {
            x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            x.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let next = x.iter().copied().filter(|&v| v != extreme).fold(
            if high {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            },
            |a, v| {
                if high { a.max(v) } else { a.min(v) }
            },
        );
        if !next.is_finite() {
            break;
        }
        x.iter_mut()
            .filter(|v| **v == extreme)
            .for_each(|v| *v = next);
        if !outside(x) {
            return Treatment::Winsorised(k);
        }
    }
    x.copy_from_slice(&original);
    let high = skewness(x) > 0.0;
    let (lo, hi) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    for v in x.iter_mut() {
        *v = if high {
            (*v - lo + 1.0).ln()
        } else {
            -(hi - *v + 1.0).ln()
        };
    }
    Treatment::Log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_hand_values() {
        // x = 1, 2, 3, 10: mean 4, s^2 = (9 + 4 + 1 + 36) / 3 = 50/3.
        let x = [1.0, 2.0, 3.0, 10.0];
        let s = (50.0f64 / 3.0).sqrt();
        let m3: f64 = [-3.0f64, -2.0, -1.0, 6.0]
            .iter()
            .map(|d| (d / s).powi(3))
            .sum();
        assert!((skewness(&x) - 4.0 / 6.0 * m3).abs() < 1e-12);
        let m4: f64 = [-3.0f64, -2.0, -1.0, 6.0]
            .iter()
            .map(|d| (d / s).powi(4))
            .sum();
        assert!((kurtosis(&x) - (20.0 / 6.0 * m4 - 3.0 * 9.0 / 2.0)).abs() < 1e-12);
    }

    #[test]
    fn one_outlier_is_winsorised_and_a_heavy_tail_is_logged() {
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        x.push(500.0);
        assert_eq!(treat(&mut x, 2.0, 3.5, 5), Treatment::Winsorised(1));
        assert_eq!(x[20], 20.0);
        // Two far outliers with winmax = 1: one winsorised point is not enough.
        let mut y: Vec<f64> = (1..=40).map(f64::from).collect();
        y.extend([1000.0, 2000.0]);
        assert_eq!(treat(&mut y, 2.0, 3.5, 1), Treatment::Log);
        assert_eq!((y[0], y[41]), (0.0, 2000f64.ln()));
        let mut z: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(treat(&mut z, 2.0, 3.5, 5), Treatment::None);
    }
}
