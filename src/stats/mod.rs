//! Statistics for profiles: confidence intervals (`interval`) and trend tests (`trend`).
//! Formulas and sources: `docs/methodology.md`, sections 10 and 11.
//! Uncertainty and sensitivity of the ranking: the compact problem (`problem`), Monte Carlo over
//! methodological choices and sampling noise (`montecarlo`, resampled counts in `draw`) with
//! precomputed `tables` for runs
//! without noise, and Sobol indices (`sobol`);
//! `docs/methodology.md`, section 16.

pub mod draw;
pub mod interval;
pub mod montecarlo;
pub mod problem;
pub mod sobol;
pub mod tables;
pub mod trend;

use statrs::distribution::{ContinuousCDF, Normal};

/// The standard normal quantile z for a two-sided interval at `confidence` (1.959964 for 95 %).
pub fn z_two_sided(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}
