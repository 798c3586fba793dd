//! Trend statistics over yearly values: ordinary least squares slope with a t interval, the
//! Mann-Kendall test (tie-corrected variance, continuity correction) and Sen's slope.

use super::interval::Interval;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// An OLS fit of y on x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ols {
    /// Slope per unit of x.
    pub slope: f64,
    /// Intercept.
    pub intercept: f64,
    /// Confidence interval of the slope (t distribution, n - 2 degrees of freedom).
    pub slope_interval: Interval,
    /// Residual standard error.
    pub sigma: f64,
    /// Number of points.
    pub n: usize,
    mean_x: f64,
    sxx: f64,
    t: f64,
}

impl Ols {
    /// Fit; `None` with fewer than 3 points or no spread in x.
    pub fn fit(xs: &[f64], ys: &[f64], confidence: f64) -> Option<Ols> {
        let n = xs.len();
        if n < 3 || ys.len() != n {
            return None;
        }
        let nf = n as f64;
        let mean_x = xs.iter().sum::<f64>() / nf;
        let mean_y = ys.iter().sum::<f64>() / nf;
        let sxx: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
        if sxx == 0.0 {
            return None;
        }
        let sxy: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (x - mean_x) * (y - mean_y))
            .sum();
        let slope = sxy / sxx;
        let intercept = mean_y - slope * mean_x;
        let sse: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (y - intercept - slope * x).powi(2))
            .sum();
        let sigma = (sse / (nf - 2.0)).sqrt();
        let t = StudentsT::new(0.0, 1.0, nf - 2.0)
            .ok()?
            .inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
        let se = sigma / sxx.sqrt();
        Some(Ols {
            slope,
            intercept,
            slope_interval: Interval {
                lower: slope - t * se,
                upper: slope + t * se,
            },
            sigma,
            n,
            mean_x,
            sxx,
            t,
        })
    }

    /// The fitted value at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// Prediction interval for a new observation at `x`.
    pub fn prediction_interval(&self, x: f64) -> Interval {
        let y = self.predict(x);
        let half = self.t
            * self.sigma
            * (1.0 + 1.0 / self.n as f64 + (x - self.mean_x).powi(2) / self.sxx).sqrt();
        Interval {
            lower: y - half,
            upper: y + half,
        }
    }
}

/// The Mann-Kendall trend test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// S = sum over i < j of sign(y_j - y_i).
    pub s: f64,
    /// Variance of S with the tie correction.
    pub var_s: f64,
    /// Standardised statistic with continuity correction.
    pub z: f64,
    /// Two-sided p-value (normal approximation).
    pub p: f64,
}

impl MannKendall {
    /// The test on `ys` in time order; `None` with fewer than 4 values (too few for the test).
    pub fn test(ys: &[f64]) -> Option<MannKendall> {
        let n = ys.len();
        if n < 4 {
            return None;
        }
        let mut s = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                s += (ys[j] - ys[i]).signum() * f64::from(u8::from(ys[j] != ys[i]));
            }
        }
        let mut sorted = ys.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut ties = 0.0;
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j + 1 < n && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            let t = (j - i + 1) as f64;
            ties += t * (t - 1.0) * (2.0 * t + 5.0);
            i = j + 1;
        }
        let nf = n as f64;
        let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
        let z = if var_s <= 0.0 {
            0.0
        } else if s > 0.0 {
            (s - 1.0) / var_s.sqrt()
        } else if s < 0.0 {
            (s + 1.0) / var_s.sqrt()
        } else {
            0.0
        };
        let p = 2.0 * (1.0 - Normal::standard().cdf(z.abs()));
        Some(MannKendall { s, var_s, z, p })
    }
}

/// Sen's slope: the median of the pairwise slopes (y_j - y_i) / (x_j - x_i), i < j.
pub fn sen_slope(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let mut slopes = Vec::new();
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            if xs[j] != xs[i] {
                slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
            }
        }
    }
    crate::barometer::median(&mut slopes)
}

/// The verdict on a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A significant upward trend.
    Rising,
    /// A significant downward trend.
    Falling,
    /// No significant trend.
    NoClearTrend,
    /// Too few years to test.
    TooFewYears,
}

/// The verdict: with four or more years, Mann-Kendall at `1 - confidence` with the sign of Sen's
/// slope; with three years, whether the OLS slope interval excludes zero; else too few years.
pub fn verdict(
    mk: Option<&MannKendall>,
    sen: Option<f64>,
    ols: Option<&Ols>,
    confidence: f64,
) -> Verdict {
    let alpha = 1.0 - confidence;
    let direction = |x: f64| {
        if x > 0.0 {
            Verdict::Rising
        } else if x < 0.0 {
            Verdict::Falling
        } else {
            Verdict::NoClearTrend
        }
    };
    match (mk, sen, ols) {
        (Some(mk), Some(sen), _) => {
            if mk.p < alpha {
                direction(sen)
            } else {
                Verdict::NoClearTrend
            }
        }
        (None, _, Some(ols)) => {
            if ols.slope_interval.excludes(0.0) {
                direction(ols.slope)
            } else {
                Verdict::NoClearTrend
            }
        }
        _ => Verdict::TooFewYears,
    }
}
