//! The scoring core: per unit (municipality or statistical sector) and year each indicator's
//! value, the reference, the point;
//! the score (number of points), a continuous composite to order equal scores, the rank,
//! percentile rank and decile. Formulas and sources: `docs/methodology.md`.

pub mod year;

use crate::definition::{Comparison, Definition, Indicator, Reference};
use crate::geo::Geography;
use crate::lang::Lang;
use crate::panel::Panel;
use crate::store::{Status, Store};
use anyhow::Result;
use std::sync::Arc;
pub use year::{Year, score_year};

/// One indicator's outcome for one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Numerator count.
    pub numerator: Option<f64>,
    /// Denominator count.
    pub denominator: Option<f64>,
    /// Status of the store row (`Missing` when there is no row).
    pub status: Status,
    /// Ratio numerator / denominator.
    pub value: Option<f64>,
    /// The reference ratio it is compared with.
    pub reference: Option<f64>,
    /// 1 when worse than the reference, 0 when not, `None` when the value or reference is missing.
    pub point: Option<bool>,
}

/// One unit's barometer (a municipality, or a statistical sector in a sector store).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// REFNIS code of the municipality, or the sector's 9-character code.
    pub nis: String,
    /// Dutch name of the municipality (the sector's municipality for a sector).
    pub name: Arc<str>,
    /// REFNIS code of the arrondissement.
    pub arrondissement: Arc<str>,
    /// REFNIS code of the province.
    pub province: Arc<str>,
    /// One cell per scored indicator, in definition order.
    pub cells: Vec<Cell>,
    /// Number of points.
    pub score: u32,
    /// Number of indicators the score rests on.
    pub indicators: u32,
    /// Mean relative excess over the reference, in the worse direction.
    pub composite: Option<f64>,
    /// 1 = most at risk; ties share the lowest rank.
    pub rank: u32,
    /// Percentile rank (rank - 1) / (n - 1) from least (0) to most at risk (1), ties at the minimum.
    pub percentile: f64,
    /// 1 = the 10 % most at risk.
    pub decile: u32,
}

/// The reference used for one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceValue {
    /// Indicator id.
    pub indicator: String,
    /// Which rule produced it.
    pub method: Reference,
    /// The reference ratio (`None` when it cannot be computed).
    pub value: Option<f64>,
    /// Municipalities with a value for this indicator.
    pub municipalities_with_value: usize,
}

/// The barometer of every unit in the store for one year.
#[derive(Debug, Clone)]
pub struct Scoreboard {
    /// The year scored.
    pub year: i32,
    /// Rows in display order (rank, then REFNIS code).
    pub rows: Vec<Row>,
    /// One reference per scored indicator, in definition order.
    pub references: Vec<ReferenceValue>,
    /// The municipality set the year's units belong to, as a label.
    pub municipality_set: String,
    /// Municipalities of that set without any row in the store for this year (empty for a
    /// sector store).
    pub absent: Vec<String>,
    /// Whether the rows are statistical sectors (else municipalities).
    pub sectors: bool,
}

impl Scoreboard {
    /// What the rows are, in the plural: "gemeenten" or "statistische sectoren".
    pub fn units_word(&self, lang: Lang) -> &'static str {
        if self.sectors {
            lang.pick("statistische sectoren", "statistical sectors")
        } else {
            lang.pick("gemeenten", "municipalities")
        }
    }
}

/// Compute the barometer for `year`.
pub fn score(store: &Store, def: &Definition, geo: &Geography, year: i32) -> Result<Scoreboard> {
    score_panel(&Panel::from_store(store, Some(&[year]))?, def, geo, year)
}

/// Compute the barometer for `year` from a panel: what [`score`] computes, for scoring many
/// years of one store read once. [`score_year`] gives the same as flat arrays.
pub fn score_panel(
    panel: &Panel,
    def: &Definition,
    geo: &Geography,
    year: i32,
) -> Result<Scoreboard> {
    Ok(score_year(panel, def, geo, year)?.board())
}

/// Whether value `v` is worse than reference `r` under the definition's comparison rule.
pub fn worse(def: &Definition, ind: &Indicator, v: f64, r: f64) -> bool {
    let margin = match def.scoring.comparison {
        Comparison::Strict => 0.0,
        Comparison::Margin => def.scoring.margin.unwrap_or(0.0),
    };
    ind.direction.sign() * (v - r) > margin * r.abs()
}

/// The median (mean of the two middle values for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// A composite rounded to 12 significant digits for ranking, so that two composites equal in
/// exact arithmetic but apart in the last bits (another order of summation) share a rank.
pub fn tie_key(composite: f64) -> f64 {
    if composite == 0.0 || !composite.is_finite() {
        return composite;
    }
    let scale = 10f64.powi(11 - composite.abs().log10().floor() as i32);
    if !scale.is_finite() || scale == 0.0 {
        return composite;
    }
    (composite * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::tie_key;

    #[test]
    fn composites_apart_in_the_last_bits_tie() {
        let (a, b) = (0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1);
        assert_ne!(a, b, "summation order changes the last bit");
        assert_eq!(tie_key(a), tie_key(b));
        assert!(
            tie_key(0.600_000_000_01) > tie_key(0.6),
            "a real difference stays"
        );
        assert_eq!(tie_key(-2.5e-7), -2.5e-7);
        assert_eq!(tie_key(0.0), 0.0);
        assert_eq!(tie_key(f64::NEG_INFINITY), f64::NEG_INFINITY);
    }
}
