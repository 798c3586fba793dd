//! Statistics for profiles: confidence intervals (`interval`) and trend tests (`trend`).
//! Formulas and sources: `docs/methodology.md`, sections 10 and 11.

pub mod interval;
pub mod trend;

use statrs::distribution::{ContinuousCDF, Normal};

/// The standard normal quantile z for a two-sided interval at `confidence` (1.959964 for 95 %).
pub fn z_two_sided(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}
