//! Published figures the demo reproduces (`data/demo/anchors.csv`): values for one municipality
//! or for an area (province, Flemish Region) in one year, with their source.

use anyhow::{Context, Result};
use serde::Deserialize;

const ANCHORS_CSV: &str = include_str!("../../data/demo/anchors.csv");

/// One published figure.
#[derive(Debug, Clone, Deserialize)]
pub struct Anchor {
    /// REFNIS code of a municipality, province or the region.
    pub nis: String,
    /// Year.
    pub year: i32,
    /// Indicator id.
    pub indicator: String,
    /// Published numerator, when known.
    pub numerator: Option<f64>,
    /// Published denominator, when known.
    pub denominator: Option<f64>,
    /// Published value in the indicator's display unit.
    pub value: f64,
    /// Where it was published.
    pub source: String,
}

/// The bundled anchors.
pub fn bundled() -> Result<Vec<Anchor>> {
    csv::Reader::from_reader(ANCHORS_CSV.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.with_context(|| format!("data/demo/anchors.csv: row {}", i + 2)))
        .collect()
}
