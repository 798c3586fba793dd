//! An allocation rule: who is eligible, the distribution key, floor and cap. From command-line
//! flags or from an allocation TOML (strict: unknown keys are refused and named), see
//! `data/allocations/gelijke-kans.toml`.

use super::money::parse_euro;
use crate::error::{data, usage};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

/// Who may receive money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    /// Every scored municipality.
    All,
    /// Score at least this.
    MinScore(u32),
    /// Rank at most this (tied municipalities at the boundary are all in).
    Top(u32),
}

/// Which store column the key reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// The indicator's numerator.
    Numerator,
    /// The indicator's denominator.
    Denominator,
}

/// The distribution key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Every eligible municipality gets the same key (1).
    Equal,
    /// A store column of an indicator in the allocation year, optionally times the score.
    Store {
        /// Numerator or denominator.
        column: Column,
        /// Indicator id in the store.
        indicator: String,
        /// Multiply by the barometer score (a score-weighted count).
        score_weighted: bool,
    },
}

/// Named keys for `--key`.
pub const PRESETS: [(&str, &str); 6] = [
    (
        "children",
        "children 0-17: denominator of kinderen-zonder-werk",
    ),
    (
        "kansarm-births",
        "births in kansarm families over three years: numerator of kansarmoede-index",
    ),
    (
        "children-without-work",
        "children 0-17 in households without work income: numerator of kinderen-zonder-werk",
    ),
    (
        "population",
        "inhabitants: denominator of verhoogde-tegemoetkoming",
    ),
    ("equal", "the same share for every eligible municipality"),
    ("score-weighted", "score x children 0-17"),
];

impl Key {
    /// Parse `--key`: a preset name, `numerator:ID`, `denominator:ID`, optionally `score*` before.
    pub fn parse(text: &str) -> Result<Key, String> {
        let store = |column, indicator: &str, score_weighted| Key::Store {
            column,
            indicator: indicator.to_owned(),
            score_weighted,
        };
        let (weighted, rest) = match text.strip_prefix("score*") {
            Some(r) => (true, r),
            None => (false, text),
        };
        let key = match rest {
            "children" => store(Column::Denominator, "kinderen-zonder-werk", weighted),
            "kansarm-births" => store(Column::Numerator, "kansarmoede-index", weighted),
            "children-without-work" => store(Column::Numerator, "kinderen-zonder-werk", weighted),
            "population" => store(Column::Denominator, "verhoogde-tegemoetkoming", weighted),
            "score-weighted" if !weighted => {
                store(Column::Denominator, "kinderen-zonder-werk", true)
            }
            "equal" if !weighted => Key::Equal,
            other => match other.split_once(':') {
                Some(("numerator", id)) if !id.is_empty() => store(Column::Numerator, id, weighted),
                Some(("denominator", id)) if !id.is_empty() => {
                    store(Column::Denominator, id, weighted)
                }
                _ => {
                    let names: Vec<&str> = PRESETS.iter().map(|p| p.0).collect();
                    return Err(format!(
                        "unknown key '{text}'; use one of {}, numerator:INDICATOR or denominator:INDICATOR, optionally prefixed with score*",
                        names.join(", ")
                    ));
                }
            },
        };
        Ok(key)
    }

    /// A short description such as `denominator:kinderen-zonder-werk x score`.
    pub fn describe(&self) -> String {
        match self {
            Key::Equal => "equal".into(),
            Key::Store {
                column,
                indicator,
                score_weighted,
            } => {
                let c = match column {
                    Column::Numerator => "numerator",
                    Column::Denominator => "denominator",
                };
                let w = if *score_weighted { " x score" } else { "" };
                format!("{c}:{indicator}{w}")
            }
        }
    }
}

/// A complete allocation rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Name shown in reports.
    pub name: String,
    /// Who is eligible.
    pub eligibility: Eligibility,
    /// The distribution key.
    pub key: Key,
    /// Least amount per eligible municipality, in cents.
    pub floor: Option<i64>,
    /// Largest amount per municipality, in cents.
    pub cap: Option<i64>,
    /// The budget from the rule file, in cents (the command line's `--budget` wins).
    pub budget: Option<i64>,
    /// Where the rule came from: `command line` or a file path.
    pub origin: String,
    /// The rule file's text (for its checksum), when read from a file.
    pub text: Option<String>,
}

impl Rule {
    /// The rule's parameters as key/value lines for the audit.
    pub fn describe(&self) -> Vec<(String, String)> {
        let euro = |c: Option<i64>| c.map_or("none".into(), super::money::plain);
        vec![
            ("rule".into(), self.name.clone()),
            ("rule origin".into(), self.origin.clone()),
            (
                "eligibility".into(),
                match self.eligibility {
                    Eligibility::All => "all scored municipalities".into(),
                    Eligibility::MinScore(k) => format!("score >= {k}"),
                    Eligibility::Top(n) => format!("rank <= {n}"),
                },
            ),
            ("key".into(), self.key.describe()),
            ("floor".into(), euro(self.floor)),
            ("cap".into(), euro(self.cap)),
        ]
    }

    /// Check floor <= cap.
    pub fn check(&self) -> Result<(), String> {
        if let (Some(f), Some(c)) = (self.floor, self.cap)
            && f > c
        {
            return Err(format!(
                "the floor ({}) is above the cap ({})",
                super::money::plain(f),
                super::money::plain(c)
            ));
        }
        Ok(())
    }

    /// Read a rule from an allocation TOML file.
    pub fn from_file(path: &Path) -> Result<Rule> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read allocation definition {}", path.display()))?;
        Rule::parse(&text, &path.display().to_string())
    }

    /// Parse an allocation TOML; errors name the file and the offending key.
    pub fn parse(text: &str, origin: &str) -> Result<Rule> {
        let raw: RawRule = toml::from_str(text)
            .map_err(|e| data(format!("{origin}: invalid allocation definition: {e}")))?;
        raw.into_rule(text, origin)
            .map_err(|m| data(format!("{origin}: {m}")))
    }
}

/// Apply command-line overrides; a usage error when they contradict each other.
pub fn eligibility_from_flags(
    min_score: Option<u32>,
    top: Option<u32>,
) -> Result<Option<Eligibility>> {
    match (min_score, top) {
        (Some(_), Some(_)) => Err(usage("give --min-score or --top, not both")),
        (Some(k), None) => Ok(Some(Eligibility::MinScore(k))),
        (None, Some(0)) => Err(usage("--top must be at least 1")),
        (None, Some(n)) => Ok(Some(Eligibility::Top(n))),
        (None, None) => Ok(None),
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Amount {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Amount {
    fn cents(&self, key: &str) -> Result<i64, String> {
        let text = match self {
            Amount::Int(i) => i.to_string(),
            Amount::Float(f) => format!("{f}"),
            Amount::Text(t) => t.clone(),
        };
        parse_euro(&text).map_err(|m| format!("`{key}`: {m}"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    budget: Option<Amount>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    #[serde(default)]
    min_score: Option<u32>,
    #[serde(default)]
    top: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    #[serde(default)]
    preset: Option<String>,
    #[serde(default)]
    column: Option<Column>,
    #[serde(default)]
    indicator: Option<String>,
    #[serde(default)]
    score_weighted: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBounds {
    #[serde(default)]
    floor: Option<Amount>,
    #[serde(default)]
    cap: Option<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    allocation: RawHeader,
    #[serde(default)]
    eligibility: RawEligibility,
    key: RawKey,
    #[serde(default)]
    bounds: RawBounds,
}

impl RawRule {
    fn into_rule(self, text: &str, origin: &str) -> Result<Rule, String> {
        let eligibility = match (self.eligibility.min_score, self.eligibility.top) {
            (Some(_), Some(_)) => {
                return Err(
                    "`eligibility.min_score` and `eligibility.top` are both set; keep one".into(),
                );
            }
            (Some(k), None) => Eligibility::MinScore(k),
            (None, Some(0)) => return Err("`eligibility.top` must be at least 1".into()),
            (None, Some(n)) => Eligibility::Top(n),
            (None, None) => Eligibility::All,
        };
        let k = self.key;
        let key = match (&k.preset, k.column, &k.indicator) {
            (Some(p), None, None) => {
                let text = if k.score_weighted {
                    format!("score*{p}")
                } else {
                    p.clone()
                };
                Key::parse(&text).map_err(|m| format!("`key.preset`: {m}"))?
            }
            (None, Some(column), Some(indicator)) if !indicator.is_empty() => Key::Store {
                column,
                indicator: indicator.clone(),
                score_weighted: k.score_weighted,
            },
            (None, Some(_), _) => {
                return Err("`key.indicator` is required with `key.column`".into());
            }
            (None, None, Some(_)) => return Err(
                "`key.column` is required with `key.indicator` (\"numerator\" or \"denominator\")"
                    .into(),
            ),
            (None, None, None) => {
                return Err("`key`: give `preset`, or `column` and `indicator`".into());
            }
            (Some(_), _, _) => {
                return Err("`key.preset` excludes `key.column` and `key.indicator`".into());
            }
        };
        let rule = Rule {
            name: self.allocation.name,
            eligibility,
            key,
            floor: self
                .bounds
                .floor
                .map(|a| a.cents("bounds.floor"))
                .transpose()?,
            cap: self.bounds.cap.map(|a| a.cents("bounds.cap")).transpose()?,
            budget: self
                .allocation
                .budget
                .map(|a| a.cents("allocation.budget"))
                .transpose()?,
            origin: origin.to_owned(),
            text: Some(text.to_owned()),
        };
        rule.check()?;
        Ok(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[allocation]
name = "Kinderen in kansarme gezinnen"
budget = 4500000

[eligibility]
min_score = 5

[key]
column = "numerator"
indicator = "kansarmoede-index"

[bounds]
floor = 25000
cap = 550000.00
"#;

    fn err(text: &str) -> String {
        format!("{:#}", Rule::parse(text, "r.toml").unwrap_err())
    }

    #[test]
    fn reads_a_rule() {
        let r = Rule::parse(GOOD, "r.toml").unwrap();
        assert_eq!(r.eligibility, Eligibility::MinScore(5));
        assert_eq!(r.floor, Some(2_500_000));
        assert_eq!(r.cap, Some(55_000_000));
        assert_eq!(r.budget, Some(450_000_000));
        assert_eq!(r.key.describe(), "numerator:kansarmoede-index");
    }

    #[test]
    fn names_bad_keys() {
        assert!(err(&GOOD.replace("min_score", "minscore")).contains("minscore"));
        assert!(
            err(&GOOD.replace("min_score = 5", "min_score = 5\ntop = 3"))
                .contains("`eligibility.min_score` and `eligibility.top`")
        );
        assert!(err(&GOOD.replace("floor = 25000", "floor = 600000")).contains("above the cap"));
        assert!(
            err(&GOOD.replace("floor = 25000", "floor = 25000.123")).contains("`bounds.floor`")
        );
        assert!(
            err(&GOOD.replace("column = \"numerator\"\n", "")).contains("`key.column` is required")
        );
    }

    #[test]
    fn parses_key_flags() {
        assert_eq!(Key::parse("equal"), Ok(Key::Equal));
        assert_eq!(
            Key::parse("score-weighted").unwrap().describe(),
            "denominator:kinderen-zonder-werk x score"
        );
        assert_eq!(
            Key::parse("score*numerator:oki-kleuter")
                .unwrap()
                .describe(),
            "numerator:oki-kleuter x score"
        );
        assert!(
            Key::parse("kinderen")
                .unwrap_err()
                .contains("unknown key 'kinderen'")
        );
    }
}
