//! Layouts as data: a mapping (TOML) says which columns hold the municipality (code or name),
//! the year (a column, or years in the headers: "teller {jaar}"), the indicator, the numerator
//! and denominator (or a value and its weight), which cells mean suppressed or missing, and
//! which rows to keep. The publisher layouts are bundled mappings (`data/layouts/`); users write
//! their own for new layouts. See `docs/data-formats.md`.

use super::belgian::{self, Cell, NumberStyle};
use super::table::Table;
use super::{Located, Part, Rejection, check_counts, check_indicator, check_unit, check_year};
use crate::definition::Definition;
use crate::error::data;
use crate::geo::Geography;
use crate::store::{Record, Status};
use anyhow::{Context as _, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A layout described in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Name, number style, markers and other file-wide settings.
    pub layout: Settings,
    /// Where the municipality, year and indicator are.
    pub columns: Columns,
    /// Labels in the indicator column mapped to indicator ids.
    #[serde(default)]
    pub indicators: BTreeMap<String, String>,
    /// Rows are kept only when they pass every filter (e.g. Swing's `geolevel = gemeente`).
    #[serde(default)]
    pub keep: Vec<Filter>,
    /// Location codes that are no municipality (Swing's 99991, 99992): such rows are skipped
    /// and counted.
    #[serde(default)]
    pub unknown_locations: BTreeMap<String, String>,
    /// What each row gives: one or more indicators.
    pub measure: Vec<Measure>,
}

/// File-wide settings of a mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Short name, shown in reports.
    pub name: String,
    /// One line on what files the layout reads.
    #[serde(default)]
    pub description: String,
    /// `belgian` (decimal comma, thousands dot; the default) or `plain` (decimal point).
    #[serde(default = "belgian_style")]
    pub numbers: NumberStyle,
    /// Field separator of text files; sniffed when absent.
    pub separator: Option<String>,
    /// The one sheet to read from a workbook; every sheet when absent.
    pub sheet: Option<String>,
    /// Cells meaning "suppressed by the publisher"; an empty cell always is.
    #[serde(default = "default_suppressed")]
    pub suppressed: Vec<String>,
    /// Cells meaning "missing" (not available, not applicable).
    #[serde(default)]
    pub missing: Vec<String>,
    /// Rows with the same municipality, year and indicator are summed (breakdowns by sex, age,
    /// nationality); otherwise such rows are duplicates.
    #[serde(default)]
    pub sum_rows: bool,
    /// Rows for areas that are no Flemish municipality (aggregates, Brussels, Wallonia) are
    /// skipped and counted instead of rejected (for national files such as Statbel's).
    #[serde(default)]
    pub skip_other_areas: bool,
    /// The publisher, stored as each row's source (the file name when absent).
    pub source: Option<String>,
}

fn belgian_style() -> NumberStyle {
    NumberStyle::Belgian
}

fn default_suppressed() -> Vec<String> {
    belgian::SUPPRESSED
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// Column specifications: each a list of header names tried in order. Header names are matched
/// case-insensitively with spaces collapsed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// REFNIS code columns.
    #[serde(default)]
    pub code: Vec<String>,
    /// Municipality name columns (used when no code is given).
    #[serde(default)]
    pub name: Vec<String>,
    /// Year columns (long layouts); absent for years-as-columns layouts.
    #[serde(default)]
    pub year: Vec<String>,
    /// Indicator columns (ids, labels, or keys of `[indicators]`).
    #[serde(default)]
    pub indicator: Vec<String>,
}

/// A row filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// The column (header names tried in order).
    pub column: Vec<String>,
    /// Accepted values (case-insensitive).
    #[serde(default)]
    pub values: Vec<String>,
    /// Accepted numeric range, inclusive (e.g. ages 0-4).
    pub range: Option<[f64; 2]>,
}

/// What a row gives for one indicator. A column specification may sum columns ("a + b") and
/// may hold `{jaar}` to read years from the headers ("teller {jaar}", "{jaar}").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// The indicator id; absent when the indicator column (or `--indicator`) gives it.
    pub indicator: Option<String>,
    /// Numerator columns; absent for a denominator-only layout (combined with another file).
    #[serde(default)]
    pub numerator: Vec<String>,
    /// Denominator columns; absent for a numerator-only layout.
    #[serde(default)]
    pub denominator: Vec<String>,
    /// A published value (rate or index) instead of a numerator: numerator = value / scale x
    /// denominator.
    #[serde(default)]
    pub value: Vec<String>,
    /// Scale of `value`: 1 (a ratio or the OKI 0-4 index), 100 (percent, OKI x100) or "auto"
    /// (100 when any value of the file exceeds the indicator's maximum, else 1).
    pub scale: Option<Scale>,
    /// Rows this measure reads (others are ignored by it).
    #[serde(default)]
    pub filter: Vec<Filter>,
}

/// The scale of a published value.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Scale {
    /// A fixed divisor.
    Fixed(f64),
    /// `"auto"`.
    Auto(AutoScale),
}

/// The word `auto`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AutoScale {
    /// Decide from the file's values.
    Auto,
}

impl Mapping {
    /// Parse a mapping; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Mapping> {
        let m: Mapping = toml::from_str(text)
            .map_err(|e| data(format!("{origin}: invalid layout mapping: {e}")))?;
        if m.columns.code.is_empty() && m.columns.name.is_empty() {
            return Err(data(format!(
                "{origin}: [columns] needs `code` or `name` (where the municipality is)"
            )));
        }
        if m.measure.is_empty() {
            return Err(data(format!(
                "{origin}: at least one [[measure]] is needed"
            )));
        }
        for (i, ms) in m.measure.iter().enumerate() {
            let what = format!("{origin}: [[measure]] {}", i + 1);
            if !ms.value.is_empty() && (!ms.numerator.is_empty() || ms.denominator.is_empty()) {
                return Err(data(format!(
                    "{what}: `value` needs `denominator` (its weight) and no `numerator`"
                )));
            }
            if ms.numerator.is_empty() && ms.denominator.is_empty() {
                return Err(data(format!(
                    "{what}: give `numerator`, `denominator` or both"
                )));
            }
            if ms.scale.is_some() && ms.value.is_empty() {
                return Err(data(format!("{what}: `scale` applies to `value` only")));
            }
        }
        if let Some(s) = &m.layout.separator
            && s.len() != 1
        {
            return Err(data(format!(
                "{origin}: separator must be one character, e.g. \";\" or \"\\t\""
            )));
        }
        Ok(m)
    }

    /// Read a mapping file.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read layout mapping {}", path.display()))?;
        Mapping::parse(&text, &path.display().to_string())
    }
}

/// Header text as compared: lowercase, single spaces.
fn norm(h: &str) -> String {
    h.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A column specification resolved against a header row.
#[derive(Debug, Clone, PartialEq)]
enum Cols {
    /// The same columns on every row (summed).
    Fixed(Vec<usize>),
    /// Per year, the columns (summed).
    Wide(BTreeMap<i32, Vec<usize>>),
}

fn find(headers: &[String], name: &str) -> Option<usize> {
    let n = norm(name);
    headers.iter().position(|h| norm(h) == n)
}

/// The first alternative whose columns all exist.
fn resolve(headers: &[String], alternatives: &[String]) -> Option<Cols> {
    for alt in alternatives {
        let parts: Vec<&str> = alt.split(" + ").map(str::trim).collect();
        if !alt.contains("{jaar}") {
            let idx: Option<Vec<usize>> = parts.iter().map(|p| find(headers, p)).collect();
            if let Some(idx) = idx {
                return Some(Cols::Fixed(idx));
            }
            continue;
        }
        let mut per_year: BTreeMap<i32, Vec<Option<usize>>> = BTreeMap::new();
        for (k, part) in parts.iter().enumerate() {
            let pattern = norm(part);
            let (pre, post) = pattern.split_once("{jaar}").unwrap_or((&pattern, ""));
            for (i, h) in headers.iter().enumerate() {
                let h = norm(h);
                let year = h
                    .strip_prefix(pre)
                    .and_then(|r| r.strip_suffix(post))
                    .filter(|y| y.len() == 4)
                    .and_then(|y| y.parse::<i32>().ok());
                if let Some(y) = year {
                    per_year.entry(y).or_insert_with(|| vec![None; parts.len()])[k] = Some(i);
                }
            }
        }
        let wide: BTreeMap<i32, Vec<usize>> = per_year
            .into_iter()
            .filter_map(|(y, idx)| idx.into_iter().collect::<Option<Vec<_>>>().map(|v| (y, v)))
            .collect();
        if !wide.is_empty() {
            return Some(Cols::Wide(wide));
        }
    }
    None
}

fn resolve_one(headers: &[String], alternatives: &[String]) -> Option<usize> {
    alternatives.iter().find_map(|a| find(headers, a))
}

/// A count read from one or more cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Count {
    Value(f64),
    Suppressed,
    Missing,
}

/// What applying a mapping to a table gave.
#[derive(Debug, Default)]
pub struct Applied {
    /// Rows kept (possibly partial).
    pub rows: Vec<Located>,
    /// Rows refused.
    pub rejected: Vec<Rejection>,
    /// Data rows read.
    pub read: u64,
    /// Rows skipped by a filter or at an unknown location.
    pub skipped: u64,
    /// Remarks for the report (scale decisions, unknown locations).
    pub notes: Vec<String>,
}

/// Resolved columns of one measure.
struct Plan<'m> {
    measure: &'m Measure,
    numerator: Option<Cols>,
    denominator: Option<Cols>,
    value: Option<Cols>,
    scale: f64,
    filters: Vec<(usize, &'m Filter)>,
}

/// What the caller adds: the definition, the geography, a fixed indicator (`--indicator`).
pub struct Context<'a> {
    /// The barometer definition (indicator ids).
    pub def: &'a Definition,
    /// Municipalities and names.
    pub geo: &'a Geography,
    /// The indicator for layouts that do not name one.
    pub indicator: Option<&'a str>,
    /// The source recorded when the mapping names none.
    pub source: &'a str,
}

/// Whether the mapping's required columns exist in `table` (used to choose between variants).
pub fn fits(mapping: &Mapping, table: &Table, def: &Definition) -> bool {
    plan(mapping, table, def).is_ok()
}

fn resolve_filters<'m>(
    table: &Table,
    filters: &'m [Filter],
) -> Result<Vec<(usize, &'m Filter)>, String> {
    filters
        .iter()
        .map(|f| {
            resolve_one(&table.headers, &f.column)
                .map(|i| (i, f))
                .ok_or_else(|| format!("no column {}", f.column.join(" or ")))
        })
        .collect()
}

fn plan<'m>(
    mapping: &'m Mapping,
    table: &Table,
    def: &Definition,
) -> Result<(Vec<Plan<'m>>, Vec<String>), String> {
    let h = &table.headers;
    let c = &mapping.columns;
    if resolve_one(h, &c.code).is_none() && resolve_one(h, &c.name).is_none() {
        return Err(format!(
            "no municipality column: expected one of {}",
            c.code
                .iter()
                .chain(&c.name)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let long = resolve_one(h, &c.year).is_some();
    let mut notes = Vec::new();
    let mut plans = Vec::new();
    let mut first_error = None;
    let mut absent: Vec<String> = Vec::new();
    let here = table.location(table.header_line, None).file;
    for m in &mapping.measure {
        if let Some(id) = &m.indicator
            && def.indicator(id).is_none()
        {
            notes.push(format!(
                "{here}: '{id}' is not in the barometer definition; its columns are not read"
            ));
            continue;
        }
        let get = |spec: &[String], what: &str| -> Result<Option<Cols>, String> {
            if spec.is_empty() {
                return Ok(None);
            }
            match resolve(h, spec) {
                Some(Cols::Fixed(_)) if !long => Err(format!(
                    "no year column ({}) and no years in the {what} headers",
                    c.year.join(", ")
                )),
                Some(cols) => Ok(Some(cols)),
                None => Err(format!("no {what} column: expected {}", spec.join(" or "))),
            }
        };
        let resolved = get(&m.numerator, "numerator").and_then(|n| {
            Ok((
                n,
                get(&m.denominator, "denominator")?,
                get(&m.value, "value")?,
                resolve_filters(table, &m.filter)?,
            ))
        });
        let (numerator, denominator, value, filters) = match resolved {
            Ok(r) => r,
            Err(e) => {
                absent.push(m.indicator.as_deref().unwrap_or("the indicator").to_owned());
                first_error.get_or_insert(e);
                continue;
            }
        };
        let scale = match m.scale {
            None => 1.0,
            Some(Scale::Fixed(s)) => s,
            Some(Scale::Auto(_)) => {
                let max = m
                    .indicator
                    .as_deref()
                    .and_then(|id| def.indicator(id))
                    .and_then(|i| i.max)
                    .unwrap_or(1.0);
                let cols: Vec<usize> = match &value {
                    Some(Cols::Fixed(v)) => v.clone(),
                    Some(Cols::Wide(w)) => w.values().flatten().copied().collect(),
                    None => vec![],
                };
                let above = table.rows.iter().any(|r| {
                    cols.iter().any(|&i| {
                        r.cells
                            .get(i)
                            .and_then(|t| belgian::parse(t, style_for(mapping, table, t)).ok())
                            .is_some_and(|v| v > max)
                    })
                });
                let scale = if above { 100.0 } else { 1.0 };
                notes.push(format!(
                    "{here}: values {} read on the {} scale",
                    if above {
                        format!("above {max}")
                    } else {
                        format!("all at most {max}")
                    },
                    if above { "x100" } else { "0-4 (x1)" }
                ));
                scale
            }
        };
        plans.push(Plan {
            measure: m,
            numerator,
            denominator,
            value,
            scale,
            filters,
        });
    }
    if !absent.is_empty() && !plans.is_empty() {
        notes.push(format!(
            "{here}: no columns for {} (not read)",
            absent.join(", ")
        ));
    }
    match first_error {
        Some(e) if plans.is_empty() => Err(e),
        _ if plans.is_empty() => {
            Err("no measure of the layout is in the barometer definition".into())
        }
        _ => Ok((plans, notes)),
    }
}

/// The number style of a cell: the mapping's. In workbooks (Excel numbers are given with a
/// decimal comma, text cells as typed) a cell that only the other style reads takes that one.
fn style_for(mapping: &Mapping, table: &Table, text: &str) -> NumberStyle {
    let own = mapping.layout.numbers;
    let other = match own {
        NumberStyle::Belgian => NumberStyle::Plain,
        NumberStyle::Plain => NumberStyle::Belgian,
    };
    if table.is_workbook()
        && belgian::parse(text, own).is_err()
        && belgian::parse(text, other).is_ok()
    {
        other
    } else {
        own
    }
}

fn passes(
    filters: &[(usize, &Filter)],
    cells: &[String],
    style: impl Fn(&str) -> NumberStyle,
) -> bool {
    filters.iter().all(|(i, f)| {
        let cell = cells.get(*i).map_or("", String::as_str);
        let by_value = f.values.is_empty() || f.values.iter().any(|v| v.eq_ignore_ascii_case(cell));
        let by_range = f.range.is_none_or(|[lo, hi]| {
            belgian::parse(cell, style(cell)).is_ok_and(|v| lo <= v && v <= hi)
        });
        by_value && by_range
    })
}

/// Apply `mapping` to `table`: file-level problems (missing columns) are errors, row problems
/// rejections.
pub fn apply(mapping: &Mapping, table: &Table, ctx: &Context) -> Result<Applied> {
    let where_ = table.location(table.header_line, None);
    let (plans, notes) = plan(mapping, table, ctx.def).map_err(|e| {
        data(format!(
            "{where_}: does not fit layout '{}': {e}. The header is: {}",
            mapping.layout.name,
            table.headers.join(" | ")
        ))
    })?;
    let h = &table.headers;
    let c = &mapping.columns;
    let code_col = resolve_one(h, &c.code);
    let name_col = resolve_one(h, &c.name);
    let year_col = resolve_one(h, &c.year);
    let ind_col = resolve_one(h, &c.indicator);
    let keep = resolve_filters(table, &mapping.keep)
        .map_err(|e| data(format!("{where_}: layout '{}': {e}", mapping.layout.name)))?;
    let source = mapping.layout.source.as_deref().unwrap_or(ctx.source);
    let mut out = Applied {
        notes,
        ..Applied::default()
    };
    let mut sums: BTreeMap<(String, i32, String), usize> = BTreeMap::new();
    // Indicator cells repeat: resolve each distinct (measure, cell) once.
    let mut indicators: std::collections::HashMap<(usize, String), Result<String, String>> =
        std::collections::HashMap::new();
    let style = |t: &str| style_for(mapping, table, t);
    for row in &table.rows {
        out.read += 1;
        let cell = |i: usize| row.cells.get(i).map_or("", String::as_str);
        let reject = |out: &mut Applied, col: Option<usize>, reason: String, unknown_unit: bool| {
            out.rejected.push(Rejection {
                location: table.location(row.line, col.map(|i| h[i].as_str())),
                reason,
                unknown_unit,
            });
        };
        if !passes(&keep, &row.cells, style) {
            out.skipped += 1;
            continue;
        }
        let code = code_col.map(cell).unwrap_or("");
        if let Some(what) = mapping.unknown_locations.get(code) {
            out.skipped += 1;
            out.notes.push(format!(
                "{}: location {code} ({what}) is no municipality; row skipped",
                table.location(row.line, None)
            ));
            continue;
        }
        // Years: the year column, or every year of the wide columns.
        let years: Vec<i32> = match year_col {
            Some(i) => match cell(i).trim().parse::<f64>() {
                Ok(y) if y.fract() == 0.0 => vec![y as i32],
                _ => {
                    reject(
                        &mut out,
                        Some(i),
                        format!("'{}' is not a year", cell(i)),
                        false,
                    );
                    continue;
                }
            },
            None => {
                let mut ys: Vec<i32> = plans
                    .iter()
                    .flat_map(|p| [&p.numerator, &p.denominator, &p.value])
                    .flatten()
                    .flat_map(|c| match c {
                        Cols::Wide(w) => w.keys().copied().collect(),
                        Cols::Fixed(_) => vec![],
                    })
                    .collect();
                ys.sort_unstable();
                ys.dedup();
                ys
            }
        };
        'years: for year in years {
            if let Err(e) = check_year(year) {
                reject(&mut out, year_col, e, false);
                continue;
            }
            let unit = if !code.is_empty() {
                let code = code.trim_end_matches(".0").to_owned();
                if let Err(e) = check_unit(ctx.geo, &code) {
                    let other_area = e.contains("an aggregate") || e.contains("not a Flemish");
                    if mapping.layout.skip_other_areas && other_area {
                        out.skipped += 1;
                        continue 'years;
                    }
                    reject(&mut out, code_col, e, true);
                    continue;
                }
                code
            } else {
                let name = name_col.map(cell).unwrap_or("");
                if name.is_empty() {
                    reject(
                        &mut out,
                        code_col.or(name_col),
                        "no municipality code or name".into(),
                        true,
                    );
                    continue;
                }
                match ctx.geo.lookup_name(name, Some(year)) {
                    Ok(m) => m.nis.clone(),
                    Err(cands) => {
                        let msg = ctx.geo.name_problem(name, &cands);
                        reject(&mut out, name_col, msg, true);
                        continue;
                    }
                }
            };
            for (k, p) in plans.iter().enumerate() {
                if !passes(&p.filters, &row.cells, style) {
                    continue;
                }
                let label = ind_col.map(cell);
                let resolved = indicators
                    .entry((k, label.unwrap_or_default().to_owned()))
                    .or_insert_with(|| indicator_of(mapping, p.measure, label, ctx))
                    .clone();
                let indicator = match resolved {
                    Ok(id) => id,
                    Err(e) => {
                        reject(&mut out, ind_col, e, false);
                        continue 'years;
                    }
                };
                let read = |cols: &Option<Cols>| -> Result<Option<Count>, (usize, String)> {
                    let Some(cols) = cols else { return Ok(None) };
                    let idx: &[usize] = match cols {
                        Cols::Fixed(v) => v,
                        Cols::Wide(w) => w.get(&year).map_or(&[], Vec::as_slice),
                    };
                    let mut total = Count::Value(0.0);
                    for &i in idx {
                        let t = cell(i);
                        let this = if mapping
                            .layout
                            .missing
                            .iter()
                            .any(|m| m.eq_ignore_ascii_case(t.trim()))
                        {
                            Count::Missing
                        } else {
                            match belgian::cell(t, style(t), &mapping.layout.suppressed)
                                .map_err(|e| (i, e))?
                            {
                                Cell::Value(v) => Count::Value(v),
                                Cell::Suppressed => Count::Suppressed,
                            }
                        };
                        total = combine(total, this);
                    }
                    Ok(Some(total))
                };
                let counts = read(&p.numerator)
                    .and_then(|n| Ok((n, read(&p.denominator)?, read(&p.value)?)));
                let (num, den, val) = match counts {
                    Ok(x) => x,
                    Err((i, e)) => {
                        reject(&mut out, Some(i), e, false);
                        continue;
                    }
                };
                let num = match (val, den) {
                    (Some(Count::Value(v)), Some(Count::Value(d))) => {
                        Some(Count::Value(v / p.scale * d))
                    }
                    (Some(v), _) => Some(v),
                    (None, _) => num,
                };
                let part = match (num, den) {
                    (Some(_), Some(_)) => Part::Whole,
                    (Some(_), None) => Part::Numerator,
                    _ => Part::Denominator,
                };
                let status = [num, den]
                    .into_iter()
                    .flatten()
                    .fold(Count::Value(0.0), combine);
                let value = |c: Option<Count>| match c {
                    Some(Count::Value(v)) => Some(v),
                    _ => None,
                };
                let status = match status {
                    Count::Value(_) => Status::Observed,
                    Count::Suppressed => Status::Suppressed,
                    Count::Missing => Status::Missing,
                };
                let record = Record {
                    unit: unit.clone(),
                    year,
                    indicator,
                    numerator: if status == Status::Observed {
                        value(num)
                    } else {
                        None
                    },
                    denominator: value(den),
                    status,
                    source: source.to_owned(),
                };
                let column_of = |cols: &Option<Cols>| match cols {
                    Some(Cols::Fixed(v)) => v.first().copied(),
                    Some(Cols::Wide(w)) => w.get(&year).and_then(|v| v.first().copied()),
                    None => None,
                };
                if part == Part::Whole
                    && let Err((which, e)) = check_counts(ctx.def, &record)
                {
                    let col = if which == "teller" {
                        column_of(&p.numerator).or(column_of(&p.value))
                    } else {
                        column_of(&p.denominator)
                    };
                    reject(&mut out, col, e, false);
                    continue;
                }
                let key = (record.unit.clone(), year, record.indicator.clone());
                if mapping.layout.sum_rows
                    && let Some(&at) = sums.get(&key)
                {
                    let old = &mut out.rows[at].record;
                    old.numerator = add(old.numerator, record.numerator);
                    old.denominator = add(old.denominator, record.denominator);
                    old.status = old.status.max(record.status);
                    if old.status != Status::Observed {
                        old.numerator = None;
                    }
                    continue;
                }
                sums.insert(key, out.rows.len());
                out.rows.push(Located {
                    location: table.location(row.line, None),
                    record,
                    part,
                });
            }
        }
    }
    Ok(out)
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? + b?)
}

/// The worse of two counts, summed when both are values.
fn combine(a: Count, b: Count) -> Count {
    match (a, b) {
        (Count::Value(x), Count::Value(y)) => Count::Value(x + y),
        (Count::Missing, _) | (_, Count::Missing) => Count::Missing,
        _ => Count::Suppressed,
    }
}

fn indicator_of(
    mapping: &Mapping,
    m: &Measure,
    cell: Option<&str>,
    ctx: &Context,
) -> Result<String, String> {
    let id = match (&m.indicator, cell, ctx.indicator) {
        (Some(id), _, _) => id.clone(),
        (None, Some(label), _) if !label.trim().is_empty() => {
            let label = label.trim();
            let key = norm(label);
            mapping
                .indicators
                .iter()
                .find(|(k, _)| norm(k) == key)
                .map(|(_, id)| id.clone())
                .or_else(|| {
                    ctx.def
                        .all_indicators()
                        .find(|i| {
                            norm(&i.id) == key
                                || norm(&i.label.nl) == key
                                || norm(&i.label.en) == key
                        })
                        .map(|i| i.id.clone())
                })
                .unwrap_or_else(|| label.to_owned())
        }
        (None, _, Some(id)) => id.to_owned(),
        (None, _, None) => {
            return Err(
                "the layout names no indicator; pass --indicator ID (an id of the barometer definition)"
                    .into(),
            );
        }
    };
    check_indicator(ctx.def, &id)?;
    Ok(id)
}
