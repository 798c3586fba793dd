//! Variance-based sensitivity: Saltelli's sampling design, Jansen's estimators of first-order and
//! total-effect Sobol indices, and percentile bootstrap intervals (Saltelli et al. 2010, Comput.
//! Phys. Commun. 181, 259-270, table 2, estimators (b) and (f)). The design is laid out as SALib
//! lays out `sobol.sample(..., calc_second_order=False)`: for each base sample `j` the rows
//! `A_j, AB_1j, ..., AB_dj, B_j`, so outputs can be exchanged with SALib.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// A Saltelli design: `n` base samples of `d` factors, rows in SALib's order.
#[derive(Debug, Clone)]
pub struct Design {
    /// Base samples.
    pub n: usize,
    /// Factors.
    pub d: usize,
    /// `n * (d + 2)` rows of `d` values in `[0, 1)`, row-major.
    pub rows: Vec<f64>,
}

impl Design {
    /// Independent uniform matrices A and B (seeded ChaCha8), then the `AB_i` rows.
    pub fn random(n: usize, d: usize, seed: u64) -> Design {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut draw = || (rng.random::<u64>() >> 11) as f64 / (1u64 << 53) as f64;
        let mut rows = Vec::with_capacity(n * (d + 2) * d);
        for _ in 0..n {
            let a: Vec<f64> = (0..d).map(|_| draw()).collect();
            let b: Vec<f64> = (0..d).map(|_| draw()).collect();
            rows.extend(&a);
            for i in 0..d {
                rows.extend((0..d).map(|c| if c == i { b[c] } else { a[c] }));
            }
            rows.extend(&b);
        }
        Design { n, d, rows }
    }

    /// Row `r` (of `n * (d + 2)`).
    pub fn row(&self, r: usize) -> &[f64] {
        &self.rows[r * self.d..(r + 1) * self.d]
    }

    /// Number of rows (model runs).
    pub fn len(&self) -> usize {
        self.n * (self.d + 2)
    }

    /// Whether the design has no rows.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// First-order and total-effect index of one factor with 95 % bootstrap intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// First-order index S_i.
    pub first: f64,
    /// 2.5 % and 97.5 % bootstrap percentiles of S_i.
    pub first_interval: (f64, f64),
    /// Total-effect index S_Ti.
    pub total: f64,
    /// 2.5 % and 97.5 % bootstrap percentiles of S_Ti.
    pub total_interval: (f64, f64),
}

/// Jansen's estimators on the base samples `js` of outputs `y` (SALib layout, `d` factors):
/// `V = var(f(A) ∪ f(B))`, `S_i = (V - mean((f(B) - f(AB_i))^2) / 2) / V`,
/// `S_Ti = mean((f(A) - f(AB_i))^2) / 2 / V`.
pub fn jansen(y: &[f64], d: usize, js: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let step = d + 2;
    let m = js.len() as f64;
    let (mut s, mut ss) = (0.0, 0.0);
    for &j in js {
        for v in [y[j * step], y[j * step + d + 1]] {
            s += v;
            ss += v * v;
        }
    }
    let mean = s / (2.0 * m);
    let var = ss / (2.0 * m) - mean * mean;
    let mut first = Vec::with_capacity(d);
    let mut total = Vec::with_capacity(d);
    for i in 0..d {
        let (mut fb, mut fa) = (0.0, 0.0);
        for &j in js {
            let (ya, yab, yb) = (y[j * step], y[j * step + 1 + i], y[j * step + d + 1]);
            fb += (yb - yab) * (yb - yab);
            fa += (ya - yab) * (ya - yab);
        }
        first.push((var - fb / (2.0 * m)) / var);
        total.push(fa / (2.0 * m) / var);
    }
    (first, total)
}

/// Indices with percentile bootstrap intervals from `resamples` resamples of the base samples.
pub fn analyse(y: &[f64], d: usize, resamples: usize, seed: u64) -> Vec<Index> {
    let n = y.len() / (d + 2);
    let all: Vec<usize> = (0..n).collect();
    let (first, total) = jansen(y, d, &all);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut boot_first = vec![Vec::with_capacity(resamples); d];
    let mut boot_total = vec![Vec::with_capacity(resamples); d];
    let mut js = vec![0; n];
    for _ in 0..resamples {
        js.iter_mut().for_each(|j| *j = rng.random_range(0..n));
        let (f, t) = jansen(y, d, &js);
        for i in 0..d {
            boot_first[i].push(f[i]);
            boot_total[i].push(t[i]);
        }
    }
    (0..d)
        .map(|i| Index {
            first: first[i],
            first_interval: interval(&mut boot_first[i]),
            total: total[i],
            total_interval: interval(&mut boot_total[i]),
        })
        .collect()
}

/// The 2.5 % and 97.5 % percentiles (nearest rank) of `x`.
fn interval(x: &mut [f64]) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    x.sort_by(f64::total_cmp);
    let at = |p: f64| x[((p * x.len() as f64).ceil() as usize).clamp(1, x.len()) - 1];
    (at(0.025), at(0.975))
}

/// The Ishigami function `sin x1 + a sin^2 x2 + b x3^4 sin x1` on `[-pi, pi]^3`.
pub fn ishigami(x: &[f64], a: f64, b: f64) -> f64 {
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Analytic first-order and total indices of the Ishigami function (Sobol' and Levitan 1999).
pub fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3]) {
    let pi = std::f64::consts::PI;
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_ishigami_values() {
        // Published values for a = 7, b = 0.1: S1 = 0.3139, S2 = 0.4424, ST3 = 0.2437.
        let (s, t) = ishigami_indices(7.0, 0.1);
        assert!((s[0] - 0.3139).abs() < 1e-4 && (s[1] - 0.4424).abs() < 1e-4);
        assert!((t[0] - 0.5576).abs() < 1e-4 && (t[2] - 0.2437).abs() < 1e-4);
    }

    #[test]
    fn design_layout_matches_salib() {
        let d = Design::random(2, 3, 1);
        assert_eq!(d.len(), 10);
        let (a, b) = (d.row(0).to_vec(), d.row(4).to_vec());
        assert_eq!(d.row(2), &[a[0], b[1], a[2]]);
        assert_ne!(a, b);
    }
}
