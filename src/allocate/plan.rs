//! An allocation over a year's barometer: eligibility per municipality and why, the key from the
//! store, floors, caps and hold-harmless guarantees, and the amounts from [`super::share`].

use super::money::{human, plain};
use super::rule::{Column, Eligibility, Key, Rule};
use super::share::{Bound, Claim, Infeasible, share};
use crate::barometer::Scoreboard;
use crate::error::{data, usage};
use crate::lang::Lang;
use crate::store::{Store, col, sha256_hex};
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Why a municipality is or is not eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Every municipality is eligible.
    All,
    /// Compared with the minimum score.
    Score {
        /// Its score.
        score: u32,
        /// The minimum.
        min: u32,
    },
    /// Compared with the top N.
    Rank {
        /// Its rank.
        rank: u32,
        /// N.
        top: u32,
    },
    /// Not eligible by the rule but funded before: kept with a guarantee.
    HoldHarmless {
        /// Its score.
        score: u32,
    },
}

impl Reason {
    /// A short explanation in the chosen language (`score 6 >= 5`, `rang 80 > 70`).
    pub fn text(&self, eligible: bool, lang: Lang) -> String {
        match *self {
            Reason::All => lang.pick("alle gemeenten", "all municipalities").into(),
            Reason::Score { score, min } => {
                let op = if eligible { ">=" } else { "<" };
                format!("score {score} {op} {min}")
            }
            Reason::Rank { rank, top } => {
                let op = if eligible { "<=" } else { ">" };
                format!("{} {rank} {op} {top}", lang.pick("rang", "rank"))
            }
            Reason::HoldHarmless { score } => format!(
                "{} (score {score})",
                lang.pick("behoud van vorig bedrag", "hold-harmless")
            ),
        }
    }
}

/// One municipality's line in the allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// REFNIS code.
    pub nis: String,
    /// Dutch name.
    pub name: String,
    /// Province code.
    pub province: String,
    /// Barometer score.
    pub score: u32,
    /// Barometer rank.
    pub rank: u32,
    /// Whether it receives a share.
    pub eligible: bool,
    /// Why (or why not).
    pub reason: Reason,
    /// Key value (eligible municipalities only).
    pub key: Option<f64>,
    /// The year the key value comes from, when carried forward from before the allocation year.
    pub key_year: Option<i32>,
    /// Key / sum of the eligible keys.
    pub key_share: Option<f64>,
    /// Hold-harmless guarantee in cents.
    pub guarantee: Option<i64>,
    /// Which bound decided the amount (eligible only).
    pub bound: Option<Bound>,
    /// Amount in cents.
    pub cents: i64,
}

/// Previous amounts and the share of them guaranteed (`--hold-harmless FILE:RATIO`).
#[derive(Debug, Clone, PartialEq)]
pub struct HoldHarmless {
    /// The file as named.
    pub origin: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Guaranteed share in millionths (900000 = 90 %).
    pub ratio_ppm: i64,
    /// Previous amount per REFNIS code, in cents.
    pub previous: BTreeMap<String, i64>,
}

impl HoldHarmless {
    /// Parse `FILE:RATIO` and read the file (CSV with columns `nis` and `amount` in euros;
    /// `#` lines are skipped, so an earlier `barometer allocate` CSV can be used as it is).
    pub fn load(arg: &str) -> Result<HoldHarmless> {
        let (file, ratio) = arg.rsplit_once(':').ok_or_else(|| {
            usage(format!(
                "--hold-harmless '{arg}': write FILE:RATIO, e.g. toewijzing-2022.csv:0.9"
            ))
        })?;
        let ratio_ppm = parse_ratio(ratio).ok_or_else(|| {
            usage(format!(
                "--hold-harmless '{arg}': the ratio '{ratio}' must be a number above 0 and at most 1 (e.g. 0.9)"
            ))
        })?;
        let bytes = std::fs::read(file)
            .with_context(|| format!("cannot read hold-harmless file {file}"))?;
        let text = String::from_utf8_lossy(&bytes);
        let body: String = text
            .lines()
            .map(|l| if l.starts_with('#') { "" } else { l })
            .flat_map(|l| [l, "\n"])
            .collect();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(body.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| data(format!("{file}: {e}")))?
            .clone();
        let find = |name: &str| {
            header.iter().position(|h| h.trim() == name).ok_or_else(|| {
                data(format!(
                    "{file}: no column '{name}'; the file needs columns 'nis' and 'amount' (euros), as `barometer allocate --format csv` writes"
                ))
            })
        };
        let (nis_col, amount_col) = (find("nis")?, find("amount")?);
        let mut previous = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| data(format!("{file}: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            let nis = record.get(nis_col).unwrap_or("").trim().to_owned();
            let amount = record.get(amount_col).unwrap_or("").trim();
            let cents = super::money::parse_euro(amount)
                .map_err(|m| data(format!("{file}:{line}, column 'amount': {m}")))?;
            if previous.insert(nis.clone(), cents).is_some() {
                return Err(data(format!(
                    "{file}:{line}, column 'nis': '{nis}' appears twice"
                )));
            }
        }
        Ok(HoldHarmless {
            origin: file.to_owned(),
            sha256: sha256_hex(&bytes),
            ratio_ppm,
            previous,
        })
    }

    /// The guaranteed amount for a previous amount: ceil(ratio x previous), in cents.
    pub fn guarantee(&self, previous: i64) -> i64 {
        let p = i128::from(previous) * i128::from(self.ratio_ppm);
        ((p + 999_999) / 1_000_000) as i64
    }
}

fn parse_ratio(text: &str) -> Option<i64> {
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if int.is_empty()
        || frac.len() > 6
        || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let ppm = int.parse::<i64>().ok()? * 1_000_000 + format!("{frac:0<6}").parse::<i64>().ok()?;
    (1..=1_000_000).contains(&ppm).then_some(ppm)
}

/// A computed allocation.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// The year of the barometer and the keys.
    pub year: i32,
    /// The budget in cents.
    pub budget: i64,
    /// The rule applied.
    pub rule: Rule,
    /// One line per scored municipality, in rank order.
    pub lines: Vec<Line>,
    /// Sum of the eligible keys.
    pub key_total: f64,
    /// Rounds of redistribution.
    pub rounds: usize,
    /// Cents given by largest remainder.
    pub remainder_cents: i64,
    /// The hold-harmless file and ratio, when used.
    pub hold_harmless: Option<(String, String, i64)>,
}

impl Allocation {
    /// Number of eligible municipalities.
    pub fn eligible(&self) -> usize {
        self.lines.iter().filter(|l| l.eligible).count()
    }

    /// The audit section: rule, parameters, totals and input checksums (besides the run record).
    pub fn audit(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("year".into(), self.year.to_string()),
            ("budget".into(), plain(self.budget)),
        ];
        out.extend(self.rule.describe());
        if let Some(text) = &self.rule.text {
            out.push(("rule sha256".into(), sha256_hex(text.as_bytes())));
        }
        if let Some((file, sha, ppm)) = &self.hold_harmless {
            out.push((
                "hold-harmless".into(),
                format!("{file} sha256 {sha}, ratio {}", *ppm as f64 / 1e6),
            ));
        }
        let carried: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| l.key_year.map(|y| format!("{} {} ({y})", l.nis, l.name)))
            .collect();
        if !carried.is_empty() {
            out.push((
                "key carried forward".into(),
                format!(
                    "{} municipalities without a key value in {}, the latest earlier value used: {}",
                    carried.len(),
                    self.year,
                    carried.join(", ")
                ),
            ));
        }
        out.extend([
            ("eligible municipalities".into(), self.eligible().to_string()),
            ("key total".into(), self.key_total.to_string()),
            ("rounds of redistribution".into(), self.rounds.to_string()),
            ("cents by largest remainder".into(), self.remainder_cents.to_string()),
            (
                "sum of amounts".into(),
                plain(self.lines.iter().map(|l| l.cents).sum()),
            ),
            (
                "method".into(),
                "shares key/sum(keys) of the budget; floors, caps and guarantees by iterative redistribution; cents by largest remainder (docs/methodology.md, Allocation)".into(),
            ),
        ]);
        out
    }
}

/// One store column of `indicator` per unit: its value in `year`, or where that cell is empty
/// the value of the most recent earlier year (carried forward), with the year it comes from.
pub fn store_column(
    store: &Store,
    year: i32,
    indicator: &str,
    column: Column,
) -> Result<BTreeMap<String, (f64, i32)>> {
    let name = match column {
        Column::Numerator => col::NUMERATOR,
        Column::Denominator => col::DENOMINATOR,
    };
    let df = store
        .frame
        .clone()
        .lazy()
        .filter(
            col(col::YEAR)
                .lt_eq(lit(year))
                .and(col(col::INDICATOR).eq(lit(indicator))),
        )
        .select([col(col::UNIT), col(col::YEAR), col(name)])
        .collect()?;
    let units = df
        .column(col::UNIT)?
        .as_materialized_series()
        .str()?
        .clone();
    let years = df
        .column(col::YEAR)?
        .as_materialized_series()
        .i32()?
        .clone();
    let values = df.column(name)?.as_materialized_series().f64()?.clone();
    if !years.iter().any(|y| y == Some(year)) {
        let known = store.indicators()?.join(", ");
        return Err(data(format!(
            "the key's indicator '{indicator}' has no rows for {year} in the store {}; it has: {known}",
            store.origin
        )));
    }
    let mut out: BTreeMap<String, (f64, i32)> = BTreeMap::new();
    for i in 0..df.height() {
        let (Some(unit), Some(y), Some(v)) = (units.get(i), years.get(i), values.get(i)) else {
            continue;
        };
        let e = out.entry(unit.to_owned()).or_insert((v, y));
        if y > e.1 {
            *e = (v, y);
        }
    }
    Ok(out)
}

fn infeasible(
    e: Infeasible,
    lines: &[Line],
    claims: &[Claim],
    rule: &Rule,
    budget: i64,
) -> anyhow::Error {
    let n = claims.len();
    match e {
        Infeasible::FloorsExceedBudget { needed } => usage(format!(
            "infeasible: the floors and guarantees of the {n} eligible municipalities need {} euro, more than the budget of {} euro; lower --floor, raise --budget or narrow the eligibility",
            plain(needed),
            plain(budget)
        )),
        Infeasible::CapsBelowBudget { room } => usage(format!(
            "infeasible: the {n} eligible municipalities can receive at most {} euro under the cap of {} euro (key 0 keeps a municipality at its floor), less than the budget of {} euro; raise --cap, widen the eligibility or lower --budget",
            plain(room),
            rule.cap.map_or("none".into(), plain),
            plain(budget)
        )),
        Infeasible::Crossed { index } => {
            let l = &lines[index];
            usage(format!(
                "infeasible: {} {} is guaranteed {} euro (floor or hold-harmless), above the cap of {} euro; raise --cap or lower the hold-harmless ratio",
                l.nis,
                l.name,
                plain(claims[index].min),
                rule.cap.map_or("none".into(), plain)
            ))
        }
        Infeasible::NegativeBudget => usage("the budget must not be negative"),
        Infeasible::BadClaim { index } => data(format!(
            "{} {}: the key value {} is negative or not a number",
            lines[index].nis, lines[index].name, claims[index].key
        )),
    }
}

/// Allocate `budget` cents over the municipalities of `board` under `rule`.
pub fn allocate(
    board: &Scoreboard,
    store: &Store,
    rule: &Rule,
    budget: i64,
    hold: Option<&HoldHarmless>,
) -> Result<Allocation> {
    if let Some(h) = hold
        && let Some(unknown) = h
            .previous
            .keys()
            .find(|nis| !board.rows.iter().any(|r| &r.nis == *nis))
    {
        return Err(data(format!(
            "{}: '{unknown}' is not a municipality scored in {}; the previous amounts must use the year's municipality codes",
            h.origin, board.year
        )));
    }
    let keys = match &rule.key {
        Key::Equal => None,
        Key::Store {
            column, indicator, ..
        } => Some(store_column(store, board.year, indicator, *column)?),
    };
    let weighted = matches!(
        rule.key,
        Key::Store {
            score_weighted: true,
            ..
        }
    );
    let mut lines = Vec::with_capacity(board.rows.len());
    let mut missing = Vec::new();
    for r in &board.rows {
        let (mut eligible, mut reason) = match rule.eligibility {
            Eligibility::All => (true, Reason::All),
            Eligibility::MinScore(min) => (
                r.score >= min,
                Reason::Score {
                    score: r.score,
                    min,
                },
            ),
            Eligibility::Top(top) => (r.rank <= top, Reason::Rank { rank: r.rank, top }),
        };
        let previous = hold
            .and_then(|h| h.previous.get(&r.nis).copied())
            .filter(|&p| p > 0);
        if !eligible && previous.is_some() {
            eligible = true;
            reason = Reason::HoldHarmless { score: r.score };
        }
        let (key, key_year) = if !eligible {
            (None, None)
        } else {
            match &keys {
                None => (Some(1.0), None),
                Some(map) => match map.get(&r.nis).copied() {
                    Some((v, y)) => (
                        Some(if weighted { v * f64::from(r.score) } else { v }),
                        (y != board.year).then_some(y),
                    ),
                    None => {
                        missing.push(format!("{} {}", r.nis, r.name));
                        (None, None)
                    }
                },
            }
        };
        lines.push(Line {
            nis: r.nis.clone(),
            name: r.name.to_string(),
            province: r.province.to_string(),
            score: r.score,
            rank: r.rank,
            eligible,
            reason,
            key,
            key_year,
            key_share: None,
            guarantee: hold.zip(previous).map(|(h, p)| h.guarantee(p)),
            bound: None,
            cents: 0,
        });
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
        return Err(data(format!(
            "the key {} has no value in {} or any earlier year for {} eligible municipalities: {}{}; complete the store or choose another --key",
            rule.key.describe(),
            board.year,
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        )));
    }
    let idx: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].eligible).collect();
    let claims: Vec<Claim> = idx
        .iter()
        .map(|&i| {
            let l = &lines[i];
            Claim {
                key: l.key.unwrap_or(0.0),
                min: rule.floor.unwrap_or(0).max(l.guarantee.unwrap_or(0)),
                max: rule.cap,
            }
        })
        .collect();
    let eligible_lines: Vec<Line> = idx.iter().map(|&i| lines[i].clone()).collect();
    if claims.is_empty() && budget > 0 {
        return Err(usage(format!(
            "no municipality is eligible in {} under '{}'; widen the eligibility",
            board.year,
            rule.describe()[2].1
        )));
    }
    let shares = share(budget, &claims)
        .map_err(|e| infeasible(e, &eligible_lines, &claims, rule, budget))?;
    let key_total: f64 = claims.iter().map(|c| c.key).sum();
    for (k, &i) in idx.iter().enumerate() {
        let l = &mut lines[i];
        l.cents = shares.cents[k];
        l.bound = Some(shares.bound[k]);
        l.key_share = (key_total > 0.0).then(|| claims[k].key / key_total);
    }
    Ok(Allocation {
        year: board.year,
        budget,
        rule: rule.clone(),
        lines,
        key_total,
        rounds: shares.rounds,
        remainder_cents: shares.remainder_cents,
        hold_harmless: hold.map(|h| (h.origin.clone(), h.sha256.clone(), h.ratio_ppm)),
    })
}

/// Where a line's amount comes from, for reports.
pub fn bound_text(line: &Line, lang: Lang) -> &'static str {
    match line.bound {
        None => "",
        Some(Bound::Proportional) => lang.pick("sleutel", "key"),
        Some(Bound::Lower) if line.guarantee.is_some_and(|g| g == line.cents) => {
            lang.pick("garantie", "guarantee")
        }
        Some(Bound::Lower) => lang.pick("bodem", "floor"),
        Some(Bound::Upper) => lang.pick("plafond", "cap"),
    }
}

/// Read a rule file, with a usage error when it does not exist.
pub fn rule_file(path: &Path) -> Result<Rule> {
    if !path.exists() {
        return Err(usage(format!(
            "allocation definition {} does not exist",
            path.display()
        )));
    }
    Rule::from_file(path)
}

/// Human amount with the euro sign, for tables.
pub fn euro(cents: i64, lang: Lang) -> String {
    format!("{} €", human(cents, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_guarantees_are_exact() {
        assert_eq!(parse_ratio("0.9"), Some(900_000));
        assert_eq!(parse_ratio("1"), Some(1_000_000));
        assert_eq!(parse_ratio("1.5"), None);
        assert_eq!(parse_ratio("0"), None);
        assert_eq!(parse_ratio(".9"), None);
        let h = HoldHarmless {
            origin: String::new(),
            sha256: String::new(),
            ratio_ppm: 900_000,
            previous: BTreeMap::new(),
        };
        // 90 % of 56.387,82 = 50.749,038 -> at least 50.749,04.
        assert_eq!(h.guarantee(5_638_782), 5_074_904);
    }
}
