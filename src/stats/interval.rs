//! Confidence intervals: Wilson score for proportions, exact (Garwood) Poisson for counts and
//! rates, and Newcombe's hybrid score interval for a difference of two proportions.

use super::z_two_sided;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Interval {
    /// Whether `x` lies outside the interval.
    pub fn excludes(&self, x: f64) -> bool {
        x < self.lower || x > self.upper
    }

    /// Both bounds multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Interval {
        Interval {
            lower: self.lower * factor,
            upper: self.upper * factor,
        }
    }
}

/// Wilson score interval for `k` successes out of `n` (Wilson 1927; Newcombe 1998, method 3).
/// `None` when `n` is not positive or `k` is outside 0..=n.
pub fn wilson(k: f64, n: f64, confidence: f64) -> Option<Interval> {
    if !(n > 0.0 && (0.0..=n).contains(&k)) {
        return None;
    }
    let z = z_two_sided(confidence);
    let p = k / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
    })
}

/// Exact (Garwood 1936) Poisson interval for an observed count `k`:
/// lower = chi2(alpha/2; 2k) / 2, upper = chi2(1 - alpha/2; 2k + 2) / 2, lower = 0 when k = 0.
pub fn poisson_exact(k: f64, confidence: f64) -> Option<Interval> {
    if !(k >= 0.0 && k.is_finite()) {
        return None;
    }
    let alpha = 1.0 - confidence;
    let lower = if k == 0.0 {
        0.0
    } else {
        ChiSquared::new(2.0 * k).ok()?.inverse_cdf(alpha / 2.0) / 2.0
    };
    let upper = ChiSquared::new(2.0 * k + 2.0)
        .ok()?
        .inverse_cdf(1.0 - alpha / 2.0)
        / 2.0;
    Some(Interval { lower, upper })
}

/// Exact Poisson interval for a rate `k / d` (the count's interval divided by the denominator).
pub fn poisson_rate(k: f64, d: f64, confidence: f64) -> Option<Interval> {
    if d <= 0.0 {
        return None;
    }
    poisson_exact(k, confidence).map(|i| i.scaled(1.0 / d))
}

/// Newcombe's hybrid score interval (Newcombe 1998, method 10) for p1 - p2, from the Wilson
/// intervals of the two proportions.
pub fn newcombe(k1: f64, n1: f64, k2: f64, n2: f64, confidence: f64) -> Option<Interval> {
    let (w1, w2) = (wilson(k1, n1, confidence)?, wilson(k2, n2, confidence)?);
    let (p1, p2) = (k1 / n1, k2 / n2);
    let d = p1 - p2;
    Some(Interval {
        lower: d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt(),
        upper: d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn edge_cases() {
        assert_eq!(wilson(1.0, 0.0, 0.95), None);
        assert_eq!(wilson(5.0, 4.0, 0.95), None);
        let zero = wilson(0.0, 10.0, 0.95).unwrap();
        assert!(close(zero.lower, 0.0));
        assert!(close(poisson_exact(0.0, 0.95).unwrap().lower, 0.0));
        assert!(
            Interval {
                lower: 1.0,
                upper: 2.0
            }
            .excludes(2.5)
        );
    }
}
