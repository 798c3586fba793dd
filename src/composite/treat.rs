//! Outlier treatment of one indicator column as COINr's default `Treat()` does it (checked
//! against COINr's source, `R/treat.R`): a column fails when `|skewness| >= 2` and
//! `kurtosis >= 3.5`; a failing column is winsorised (`winsorise`) up to `winmax` points, and when
//! that is not enough the original column is log-transformed (`log_CT`) instead. Missing values
//! (`NaN`) are ignored and stay missing.

/// What happened to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Within thresholds: unchanged.
    None,
    /// Winsorised; COINr's `nwin`, the number of points at the winsorised extremes.
    Winsorised(usize),
    /// Log-transformed: `ln(x - min + 0.01 (max - min))`.
    Log,
}

/// Sample skewness of the present values, `G1 = n / ((n-1)(n-2)) * sum(((x - mean) / s)^3)`
/// (s: sample sd; the same number as COINr's `skew()`, e1071 type 2).
pub fn skewness(x: &[f64]) -> f64 {
    let (n, mean, sd) = mean_sd(x);
    n / ((n - 1.0) * (n - 2.0)) * present(x).map(|v| ((v - mean) / sd).powi(3)).sum::<f64>()
}

/// Sample excess kurtosis of the present values, `G2 = n(n+1) / ((n-1)(n-2)(n-3)) *
/// sum(((x - mean) / s)^4) - 3 (n-1)^2 / ((n-2)(n-3))` (COINr's `kurt()`, e1071 type 2).
pub fn kurtosis(x: &[f64]) -> f64 {
    let (n, mean, sd) = mean_sd(x);
    let s4: f64 = present(x).map(|v| ((v - mean) / sd).powi(4)).sum();
    n * (n + 1.0) / ((n - 1.0) * (n - 2.0) * (n - 3.0)) * s4
        - 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0))
}

fn present(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.iter().copied().filter(|v| !v.is_nan())
}

/// Count, mean and sample standard deviation of the present values.
fn mean_sd(x: &[f64]) -> (f64, f64, f64) {
    let (n, sum) = present(x).fold((0.0, 0.0), |(n, s), v| (n + 1.0, s + v));
    let mean = sum / n;
    let var = present(x).map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (n, mean, var.sqrt())
}

/// COINr's `check_SkewKurt()`: whether `|skewness| < skew_max` or `kurtosis < kurt_max`.
/// False when either is undefined (fewer than 4 present values, or no variation).
pub fn passes(x: &[f64], skew_max: f64, kurt_max: f64) -> bool {
    skewness(x).abs() < skew_max || kurtosis(x) < kurt_max
}

/// COINr's `winsorise()`: while `x` fails [`passes`] and fewer than `winmax` points are
/// winsorised, set every point at the maximum (skewness >= 0) or minimum (skewness < 0) to the
/// next value. Returns COINr's `nwin`: the points at the last high extreme plus those at the last
/// low one, so that earlier winsorised points, tied with the new extreme, count again.
pub fn winsorise(x: &mut [f64], skew_max: f64, kurt_max: f64, winmax: usize) -> usize {
    let (mut high, mut low) = (0, 0);
    while high + low < winmax && !passes(x, skew_max, kurt_max) {
        let up = skewness(x) >= 0.0;
        let (lo, hi) = range(x);
        let extreme = if up { hi } else { lo };
        let next = present(x).filter(|&v| v != extreme).fold(
            if up { f64::NEG_INFINITY } else { f64::INFINITY },
            |a, v| if up { a.max(v) } else { a.min(v) },
        );
        if !next.is_finite() {
            break;
        }
        let mut count = 0;
        for v in x.iter_mut().filter(|v| **v == extreme) {
            *v = next;
            count += 1;
        }
        *(if up { &mut high } else { &mut low }) = count;
    }
    high + low
}

/// Minimum and maximum of the present values.
fn range(x: &[f64]) -> (f64, f64) {
    present(x).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    })
}

/// COINr's `log_CT()`: `ln(x - min + 0.01 (max - min))` for every present value.
pub fn log_ct(x: &mut [f64]) {
    let (lo, hi) = range(x);
    x.iter_mut()
        .for_each(|v| *v = (*v - lo + 0.01 * (hi - lo)).ln());
}

/// COINr's default `Treat()` of `x` in place with thresholds `skew_max`, `kurt_max` (COINr: 2
/// and 3.5) and at most `winmax` winsorised points (COINr: 5): unchanged when it passes or its
/// skewness or kurtosis is undefined (COINr returns it untreated), else winsorised, else (the
/// winsorisation undone) `log_CT`.
pub fn treat(x: &mut [f64], skew_max: f64, kurt_max: f64, winmax: usize) -> Treatment {
    if !(skewness(x).is_finite() && kurtosis(x).is_finite()) || passes(x, skew_max, kurt_max) {
        return Treatment::None;
    }
    let original = x.to_vec();
    let nwin = winsorise(x, skew_max, kurt_max, winmax);
    if passes(x, skew_max, kurt_max) {
        return Treatment::Winsorised(nwin);
    }
    x.copy_from_slice(&original);
    log_ct(x);
    Treatment::Log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_hand_values() {
        // x = 1, 2, 3, 10 (and a missing value, ignored): mean 4, s^2 = (9 + 4 + 1 + 36) / 3.
        let x = [1.0, 2.0, f64::NAN, 3.0, 10.0];
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
    fn coinr_vignette_vector() {
        // COINr's treat vignette (articles/treat.md): x = 1..10, 30, 100 has skewness 3.063241
        // and kurtosis 9.741391; winsorising 100 to 30 gives 1.712038 and 1.815781 (passes).
        let mut x: Vec<f64> = (1..=10).map(f64::from).chain([30.0, 100.0]).collect();
        assert_eq!(format!("{:.6}", skewness(&x)), "3.063241");
        assert_eq!(format!("{:.6}", kurtosis(&x)), "9.741391");
        assert_eq!(treat(&mut x, 2.0, 3.5, 2), Treatment::Winsorised(1));
        assert_eq!(x[11], 30.0);
        assert_eq!(format!("{:.6}", skewness(&x)), "1.712038");
        assert_eq!(format!("{:.6}", kurtosis(&x)), "1.815781");
    }

    #[test]
    fn winsorised_points_count_as_coinr_counts_them() {
        // 1..30, 200, 200, 400 fails (skewness 3.69, kurtosis 14.4). Step 1: 400 -> 200; still
        // fails (2.86, 6.86), nwin = 1. Step 2: the three points at 200 -> 30, nwin = 3; passes.
        let mut x: Vec<f64> = (1..=30)
            .map(f64::from)
            .chain([200.0, 200.0, 400.0])
            .collect();
        assert_eq!(treat(&mut x, 2.0, 3.5, 2), Treatment::Winsorised(3));
        assert_eq!(&x[29..], &[30.0; 4]);
        // The mirror image winsorises the low side the same way.
        let mut y: Vec<f64> = (1..=30)
            .map(|v| -f64::from(v))
            .chain([-200.0, -200.0, -400.0])
            .collect();
        assert_eq!(treat(&mut y, 2.0, 3.5, 5), Treatment::Winsorised(3));
        assert_eq!(&y[29..], &[-30.0; 4]);
    }

    #[test]
    fn a_heavy_tail_is_logged_and_a_good_column_left_alone() {
        // 1..40, 1000, 2000 with winmax = 1: 2000 -> 1000 still fails (skewness 4.39), so the
        // original is logged: ln(x - 1 + 0.01 * (2000 - 1)).
        let mut y: Vec<f64> = (1..=40).map(f64::from).chain([1000.0, 2000.0]).collect();
        assert_eq!(treat(&mut y, 2.0, 3.5, 1), Treatment::Log);
        let a = 0.01 * 1999.0;
        assert_eq!((y[0], y[41]), (f64::ln(a), f64::ln(1999.0 + a)));
        let mut z: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(treat(&mut z, 2.0, 3.5, 5), Treatment::None);
        let mut flat = [1.0, 1.0, 1.0, 1.0, f64::NAN];
        assert_eq!(treat(&mut flat, 2.0, 3.5, 5), Treatment::None);
    }
}
