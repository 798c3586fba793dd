//! Barometer definitions read from TOML: the indicators, their direction and unit, and the
//! scoring rule (reference, comparison, margin), and the optional `[composite]` table. See `data/barometers/kinderarmoede.toml`.

use crate::composite::config::Composite;
use crate::error::data;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// The bundled default definition's TOML text.
pub const KINDERARMOEDE_TOML: &str = include_str!("../data/barometers/kinderarmoede.toml");

/// A text in Dutch and English.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Dutch.
    pub nl: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in the requested language.
    pub fn get(&self, english: bool) -> &str {
        if english { &self.en } else { &self.nl }
    }
}

/// Which way is worse.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value means more child-poverty risk.
    HigherIsWorse,
    /// A lower value means more child-poverty risk.
    LowerIsWorse,
}

impl Direction {
    /// +1 when higher is worse, -1 when lower is worse.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsWorse => 1.0,
            Direction::LowerIsWorse => -1.0,
        }
    }
}

/// How a value is shown: the ratio numerator / denominator times a scale.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Ratio x 100, shown with one decimal and `%`.
    Percent,
    /// Ratio x 1000, shown with one decimal and `‰`.
    PerThousand,
    /// The ratio itself (e.g. OKI on its 0-4 scale), two decimals.
    Index,
}

impl Unit {
    /// Factor from the stored ratio to the display unit.
    pub fn scale(self) -> f64 {
        match self {
            Unit::Percent => 100.0,
            Unit::PerThousand => 1000.0,
            Unit::Index => 1.0,
        }
    }

    /// Decimals shown in reports.
    pub fn decimals(self) -> usize {
        match self {
            Unit::Percent | Unit::PerThousand => 1,
            Unit::Index => 2,
        }
    }

    /// Suffix shown after the number in reports.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => " %",
            Unit::PerThousand => " ‰",
            Unit::Index => "",
        }
    }
}

/// What the numerator may be, relative to the denominator.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A part of the denominator: numerator <= denominator.
    Share,
    /// A mean score per denominator unit: numerator <= max x denominator.
    Index,
    /// An unbounded rate (events per population).
    Rate,
}

/// Which reference a municipality is compared with.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// The Flemish value: summed numerators over summed denominators of the municipalities.
    Flanders,
    /// The unweighted mean of the municipalities' values.
    Mean,
    /// The median of the municipalities' values.
    Median,
    /// A fixed value per indicator (`fixed_reference`, in display units).
    Fixed,
}

/// How "worse than the reference" is decided.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Any amount worse.
    Strict,
    /// Worse by more than `margin` x reference.
    Margin,
}

/// One indicator as declared in the TOML.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable identifier used in the store (lowercase letters, digits and `-`).
    pub id: String,
    /// Short code for narrow tables (at most 4 characters).
    pub short: String,
    /// Name.
    pub label: Text,
    /// What the numerator counts.
    pub numerator: Text,
    /// What the denominator counts.
    pub denominator: Text,
    /// Display unit.
    pub unit: Unit,
    /// What the numerator may be relative to the denominator.
    pub kind: Kind,
    /// For `kind = "index"`: the largest possible value of the index.
    #[serde(default)]
    pub max: Option<f64>,
    /// Which way is worse.
    pub direction: Direction,
    /// Publishing organisation.
    pub source: String,
    /// Per-indicator override of `scoring.reference`.
    #[serde(default)]
    pub reference: Option<Reference>,
    /// The fixed reference in display units (with `reference = "fixed"`).
    #[serde(default)]
    pub fixed_reference: Option<f64>,
}

impl Indicator {
    /// The value in display units for a stored ratio.
    pub fn display(&self, ratio: f64) -> f64 {
        ratio * self.unit.scale()
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: String,
    name: Text,
    source: String,
}

/// The scoring rule.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Default reference for every indicator.
    pub reference: Reference,
    /// Strict or with a margin.
    pub comparison: Comparison,
    /// Relative margin (e.g. 0.05) with `comparison = "margin"`.
    #[serde(default)]
    pub margin: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    barometer: Header,
    scoring: Scoring,
    #[serde(default)]
    composite: Composite,
    indicator: Vec<Indicator>,
    #[serde(default)]
    context: Vec<Indicator>,
}

/// A checked barometer definition.
#[derive(Debug, Clone)]
pub struct Definition {
    /// Identifier of the barometer.
    pub id: String,
    /// Name.
    pub name: Text,
    /// Where the definition comes from.
    pub source: String,
    /// The scoring rule.
    pub scoring: Scoring,
    /// How the composite that orders equal scores is built.
    pub composite: Composite,
    /// The scored indicators, in order.
    pub indicators: Vec<Indicator>,
    /// Indicators shown beside the barometer but not scored.
    pub context: Vec<Indicator>,
    /// Where the definition was read from (`<bundled>` for the default).
    pub origin: String,
    /// The TOML text it was read from (for checksums).
    pub text: String,
}

impl Definition {
    /// The bundled default: the reconstructed Flemish kinderarmoedebarometer.
    pub fn bundled() -> Definition {
        Definition::parse(
            KINDERARMOEDE_TOML,
            "<bundled>/data/barometers/kinderarmoede.toml",
        )
        .expect("the bundled definition is valid (checked by tests)")
    }

    /// Read a definition from a file.
    pub fn from_file(path: &Path) -> Result<Definition> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read barometer definition {}", path.display()))?;
        Definition::parse(&text, &path.display().to_string())
    }

    /// The bundled definition, or the one in `path`.
    pub fn load(path: Option<&Path>) -> Result<Definition> {
        path.map_or_else(|| Ok(Definition::bundled()), Definition::from_file)
    }

    /// Parse and check a definition; errors name the offending key.
    pub fn parse(text: &str, origin: &str) -> Result<Definition> {
        let raw: RawDefinition = toml::from_str(text)
            .map_err(|e| data(format!("{origin}: invalid barometer definition: {e}")))?;
        let def = Definition {
            id: raw.barometer.id,
            name: raw.barometer.name,
            source: raw.barometer.source,
            scoring: raw.scoring,
            composite: raw.composite,
            indicators: raw.indicator,
            context: raw.context,
            origin: origin.to_owned(),
            text: text.to_owned(),
        };
        def.check()
            .map_err(|msg| data(format!("{origin}: {msg}")))?;
        Ok(def)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.indicators.is_empty() {
            return Err("`indicator`: the barometer declares no indicators".into());
        }
        self.composite.check(self.indicators.len())?;
        match (self.scoring.comparison, self.scoring.margin) {
            (Comparison::Margin, None) => {
                return Err("`scoring.margin` is required with comparison = \"margin\"".into());
            }
            (Comparison::Strict, Some(_)) => {
                return Err(
                    "`scoring.margin` is set but `scoring.comparison` is \"strict\"; use comparison = \"margin\""
                        .into(),
                );
            }
            (_, Some(m)) if !(m.is_finite() && (0.0..1.0).contains(&m)) => {
                return Err(format!(
                    "`scoring.margin` = {m}: must be at least 0 and below 1"
                ));
            }
            _ => {}
        }
        let mut ids = BTreeSet::new();
        let mut shorts = BTreeSet::new();
        let all = self
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (format!("indicator[{i}]"), ind))
            .chain(
                self.context
                    .iter()
                    .enumerate()
                    .map(|(i, ind)| (format!("context[{i}]"), ind)),
            );
        for (key, ind) in all {
            let valid_id = !ind.id.is_empty()
                && ind
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid_id {
                return Err(format!(
                    "`{key}.id` = \"{}\": use lowercase letters, digits and '-'",
                    ind.id
                ));
            }
            if !ids.insert(ind.id.as_str()) {
                return Err(format!("`{key}.id` = \"{}\" is declared twice", ind.id));
            }
            if ind.short.is_empty() || ind.short.chars().count() > 4 {
                return Err(format!(
                    "`{key}.short` = \"{}\": 1 to 4 characters",
                    ind.short
                ));
            }
            if !shorts.insert(ind.short.as_str()) {
                return Err(format!("`{key}.short` = \"{}\" is used twice", ind.short));
            }
            match (ind.kind, ind.max) {
                (Kind::Index, None) => {
                    return Err(format!("`{key}.max` is required with kind = \"index\""));
                }
                (Kind::Index, Some(m)) if !(m.is_finite() && m > 0.0) => {
                    return Err(format!("`{key}.max` = {m}: must be a positive number"));
                }
                (Kind::Share | Kind::Rate, Some(_)) => {
                    return Err(format!("`{key}.max` only applies to kind = \"index\""));
                }
                _ => {}
            }
            let reference = ind.reference.unwrap_or(self.scoring.reference);
            match (reference, ind.fixed_reference) {
                (Reference::Fixed, None) => {
                    return Err(format!(
                        "`{key}.fixed_reference` is required: indicator \"{}\" uses reference = \"fixed\"",
                        ind.id
                    ));
                }
                (Reference::Fixed, Some(v)) if !v.is_finite() => {
                    return Err(format!("`{key}.fixed_reference` must be a finite number"));
                }
                (r, Some(_)) if r != Reference::Fixed => {
                    return Err(format!(
                        "`{key}.fixed_reference` is set but the indicator's reference is not \"fixed\""
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The reference rule that applies to `indicator`.
    pub fn reference_for(&self, indicator: &Indicator) -> Reference {
        indicator.reference.unwrap_or(self.scoring.reference)
    }

    /// A declared indicator (scored or context) by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators
            .iter()
            .chain(&self.context)
            .find(|i| i.id == id)
    }

    /// Every declared indicator: scored ones first, then context ones.
    pub fn all_indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().chain(&self.context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        format!("{:#}", Definition::parse(text, "t.toml").unwrap_err())
    }

    #[test]
    fn bundled_definition_has_seven_scored_indicators() {
        let def = Definition::bundled();
        assert_eq!(def.indicators.len(), 7);
        assert_eq!(def.scoring.reference, Reference::Flanders);
        assert!(def.indicator("verhoogde-tegemoetkoming").is_some());
    }

    #[test]
    fn unknown_key_is_named() {
        let text =
            KINDERARMOEDE_TOML.replace("comparison = \"strict\"", "comparision = \"strict\"");
        let msg = err(&text);
        assert!(msg.contains("comparision"), "{msg}");
        assert!(msg.contains("t.toml"), "{msg}");
    }

    #[test]
    fn inconsistent_rules_are_named() {
        let text = KINDERARMOEDE_TOML.replace("comparison = \"strict\"", "comparison = \"margin\"");
        assert!(err(&text).contains("`scoring.margin` is required"));
        let text = KINDERARMOEDE_TOML.replace("reference = \"flanders\"", "reference = \"fixed\"");
        assert!(err(&text).contains("`indicator[0].fixed_reference` is required"));
        let text = KINDERARMOEDE_TOML.replace("short = \"VT\"", "short = \"KAI\"");
        assert!(err(&text).contains("`indicator[2].short` = \"KAI\" is used twice"));
        let text = KINDERARMOEDE_TOML.replace("max = 4.0\n", "");
        assert!(err(&text).contains("`indicator[4].max` is required"));
    }
}
