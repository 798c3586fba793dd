//! Layouts as data: a mapping (TOML) says which columns hold the municipality (code or name),
//! the year (a column, or years in the headers: "teller {jaar}"), the indicator, the numerator
//! and denominator (or a value and its weight), which cells mean suppressed or missing, and
//! which rows to keep. The publisher layouts are bundled mappings (`data/layouts/`); users write
//! their own for new layouts. See `docs/data-formats.md`.

use super::belgian::{self, Cell, NumberStyle};
use super::rows::{Lookup, Rows, from_column, to_column};
use super::table::Table;
use super::{Located, Part, Rejection, check_counts_of, check_indicator, check_unit, check_year};
use crate::definition::{Definition, Indicator};
use crate::error::data;
use crate::geo::Geography;
use crate::store::{Record, Status};
use anyhow::{Context as _, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
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

/// What applying a mapping to rows gave.
#[derive(Debug, Default)]
pub struct Applied {
    /// Rows kept that give numerator and denominator.
    pub rows: Rows,
    /// Rows kept that give one of them (combined with another file's rows).
    pub halves: Vec<Located>,
    /// Rows refused.
    pub rejected: Vec<Rejection>,
    /// Data rows read.
    pub read: u64,
    /// Rows skipped by a filter or at an unknown location.
    pub skipped: u64,
    /// Remarks for the report (scale decisions, unknown locations).
    pub notes: Vec<String>,
}

impl Applied {
    /// Add what the rows after these gave.
    pub fn extend(&mut self, later: &Applied) {
        self.rows.append(&later.rows);
        self.halves.extend(later.halves.iter().cloned());
        self.rejected.extend(later.rejected.iter().cloned());
        self.read += later.read;
        self.skipped += later.skipped;
        self.notes.extend(later.notes.iter().cloned());
    }
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
    cells: &[&str],
    style: impl Fn(&str) -> NumberStyle,
) -> bool {
    filters.iter().all(|(i, f)| {
        let cell = cells.get(*i).copied().unwrap_or("");
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
    let reader = Reader::new(mapping, table, ctx)?;
    let mut out = reader.begin();
    let mut pass = reader.pass();
    let mut cells: Vec<&str> = Vec::new();
    for row in &table.rows {
        cells.clear();
        cells.extend(row.cells.iter().map(String::as_str));
        reader.row(&mut pass, row.line, &cells);
    }
    out.extend(&pass.out);
    Ok(out)
}

/// Whether a mapping must see a file whole: a scale decided from all its values, or rows summed
/// over the whole file. Other mappings read rows one at a time (see `delimited`).
pub fn needs_whole_file(mapping: &Mapping) -> bool {
    mapping.layout.sum_rows
        || mapping
            .measure
            .iter()
            .any(|m| matches!(m.scale, Some(Scale::Auto(_))))
}

/// A mapping resolved against a table's header: reads its rows one at a time, in one or more
/// passes (pieces of a file read on several cores), each with its own [`Pass`].
pub struct Reader<'a> {
    mapping: &'a Mapping,
    table: &'a Table,
    ctx: &'a Context<'a>,
    plans: Vec<Plan<'a>>,
    notes: Vec<String>,
    code_col: Option<usize>,
    name_col: Option<usize>,
    year_col: Option<usize>,
    ind_col: Option<usize>,
    keep: Vec<(usize, &'a Filter)>,
    source: &'a str,
    /// The years of the wide columns, ascending (layouts without a year column).
    wide_years: Vec<i32>,
}

/// A unit number, or why a cell gives none.
type Found = Result<u32, String>;

/// Where a row summed into (`sum_rows`) is kept.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Whole(usize),
    Half(usize),
}

/// What a reader gave over some rows, with the answers for cells seen before.
pub struct Pass<'a> {
    out: Applied,
    /// Unit code cell: unit number, or the message and whether the code is another area.
    codes: Lookup<Result<u32, (String, bool)>>,
    /// Municipality name cell: per year, the unit number or the message.
    names: HashMap<String, Vec<(i32, Found)>>,
    /// Per measure, indicator cell: indicator number and definition, or the message.
    indicators: Vec<Lookup<Result<(u32, &'a Indicator), String>>>,
    source: u32,
    sums: HashMap<(u32, i32, u32), Slot>,
}

impl<'a> Reader<'a> {
    /// Resolve `mapping`'s columns against `table`'s header (its rows are used only to decide an
    /// automatic scale).
    pub fn new(mapping: &'a Mapping, table: &'a Table, ctx: &'a Context<'a>) -> Result<Self> {
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
        let keep = resolve_filters(table, &mapping.keep)
            .map_err(|e| data(format!("{where_}: layout '{}': {e}", mapping.layout.name)))?;
        let mut wide_years: Vec<i32> = plans
            .iter()
            .flat_map(|p| [&p.numerator, &p.denominator, &p.value])
            .flatten()
            .flat_map(|c| match c {
                Cols::Wide(w) => w.keys().copied().collect(),
                Cols::Fixed(_) => vec![],
            })
            .collect();
        wide_years.sort_unstable();
        wide_years.dedup();
        Ok(Reader {
            mapping,
            table,
            ctx,
            notes,
            code_col: resolve_one(h, &c.code),
            name_col: resolve_one(h, &c.name),
            year_col: resolve_one(h, &c.year),
            ind_col: resolve_one(h, &c.indicator),
            keep,
            source: mapping.layout.source.as_deref().unwrap_or(ctx.source),
            wide_years,
            plans,
        })
    }

    /// What the header gave before any row: the notes on the plan (scale, absent measures).
    pub fn begin(&self) -> Applied {
        Applied {
            notes: self.notes.clone(),
            ..Applied::default()
        }
    }

    /// A fresh pass over some rows.
    pub fn pass(&self) -> Pass<'a> {
        let mut out = Applied::default();
        out.rows
            .set_place(&self.table.location(self.table.header_line, None).file);
        let source = out.rows.sources.id(self.source);
        Pass {
            out,
            codes: Lookup::new(),
            names: HashMap::new(),
            indicators: self.plans.iter().map(|_| Lookup::new()).collect(),
            source,
            sums: HashMap::new(),
        }
    }

    /// What the pass gave.
    pub fn finish(pass: Pass) -> Applied {
        pass.out
    }

    fn style(&self, text: &str) -> NumberStyle {
        style_for(self.mapping, self.table, text)
    }

    fn reject(&self, out: &mut Applied, line: u64, col: Option<usize>, reason: String, unit: bool) {
        out.rejected.push(Rejection {
            location: self
                .table
                .location(line, col.map(|i| self.table.headers[i].as_str())),
            reason,
            unknown_unit: unit,
        });
    }

    /// Read one data row (its cells, trimmed) at `line`.
    pub fn row(&self, pass: &mut Pass<'a>, line: u64, cells: &[&str]) {
        let (mapping, ctx) = (self.mapping, self.ctx);
        pass.out.read += 1;
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let style = |t: &str| self.style(t);
        if !passes(&self.keep, cells, style) {
            pass.out.skipped += 1;
            return;
        }
        let code = self.code_col.map(cell).unwrap_or("");
        if let Some(what) = mapping.unknown_locations.get(code) {
            pass.out.skipped += 1;
            pass.out.notes.push(format!(
                "{}: location {code} ({what}) is no municipality; row skipped",
                self.table.location(line, None)
            ));
            return;
        }
        // Years: the year column, or every year of the wide columns.
        let one_year;
        let years: &[i32] = match self.year_col {
            Some(i) => match year_of(cell(i)) {
                Ok(y) if y.fract() == 0.0 => {
                    one_year = [y as i32];
                    &one_year
                }
                _ => {
                    let reason = format!("'{}' is not a year", cell(i));
                    self.reject(&mut pass.out, line, Some(i), reason, false);
                    return;
                }
            },
            None => &self.wide_years,
        };
        'years: for &year in years {
            if let Err(e) = check_year(year) {
                self.reject(&mut pass.out, line, self.year_col, e, false);
                continue;
            }
            let unit = if !code.is_empty() {
                let rows = &mut pass.out.rows;
                let found = pass.codes.get(code, |code| {
                    let code = code.trim_end_matches(".0");
                    match check_unit(ctx.geo, code) {
                        Ok(()) => Ok(rows.units.id(code)),
                        Err(e) => {
                            let other = e.contains("an aggregate") || e.contains("not a Flemish");
                            Err((e, other))
                        }
                    }
                });
                match found {
                    Ok(unit) => unit,
                    Err((_, true)) if mapping.layout.skip_other_areas => {
                        pass.out.skipped += 1;
                        continue 'years;
                    }
                    Err((e, _)) => {
                        self.reject(&mut pass.out, line, self.code_col, e, true);
                        continue;
                    }
                }
            } else {
                let name = self.name_col.map(cell).unwrap_or("");
                if name.is_empty() {
                    let at = self.code_col.or(self.name_col);
                    let reason = "no municipality code or name".to_owned();
                    self.reject(&mut pass.out, line, at, reason, true);
                    continue;
                }
                match self.unit_named(pass, name, year) {
                    Ok(unit) => unit,
                    Err(msg) => {
                        self.reject(&mut pass.out, line, self.name_col, msg, true);
                        continue;
                    }
                }
            };
            for (k, p) in self.plans.iter().enumerate() {
                if !passes(&p.filters, cells, style) {
                    continue;
                }
                let label = self.ind_col.map(cell);
                let rows = &mut pass.out.rows;
                let resolved = pass.indicators[k].get(label.unwrap_or_default(), |_| {
                    let id = indicator_of(mapping, p.measure, label, ctx)?;
                    let ind = ctx.def.indicator(&id).expect("indicator checked");
                    Ok((rows.indicators.id(&id), ind))
                });
                let (indicator, ind) = match resolved {
                    Ok(found) => found,
                    Err(e) => {
                        self.reject(&mut pass.out, line, self.ind_col, e, false);
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
                        self.reject(&mut pass.out, line, Some(i), e, false);
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
                let numerator = if status == Status::Observed {
                    value(num)
                } else {
                    None
                };
                let denominator = value(den);
                let column_of = |cols: &Option<Cols>| match cols {
                    Some(Cols::Fixed(v)) => v.first().copied(),
                    Some(Cols::Wide(w)) => w.get(&year).and_then(|v| v.first().copied()),
                    None => None,
                };
                if part == Part::Whole
                    && let Err((which, e)) = check_counts_of(ind, numerator, denominator, status)
                {
                    let col = if which == "teller" {
                        column_of(&p.numerator).or(column_of(&p.value))
                    } else {
                        column_of(&p.denominator)
                    };
                    self.reject(&mut pass.out, line, col, e, false);
                    continue;
                }
                let key = (unit, year, indicator);
                if mapping.layout.sum_rows
                    && let Some(&at) = pass.sums.get(&key)
                {
                    pass.out.sum_into(at, numerator, denominator, status);
                    continue;
                }
                let out = &mut pass.out;
                let slot = if part == Part::Whole {
                    out.rows.push_ids(
                        unit,
                        year,
                        indicator,
                        numerator,
                        denominator,
                        status,
                        pass.source,
                        line,
                    );
                    Slot::Whole(out.rows.len() - 1)
                } else {
                    out.halves.push(Located {
                        location: self.table.location(line, None),
                        record: Record {
                            unit: out.rows.units.name(unit).to_owned(),
                            year,
                            indicator: out.rows.indicators.name(indicator).to_owned(),
                            numerator,
                            denominator,
                            status,
                            source: self.source.to_owned(),
                        },
                        part,
                    });
                    Slot::Half(out.halves.len() - 1)
                };
                if mapping.layout.sum_rows {
                    pass.sums.insert(key, slot);
                }
            }
        }
    }

    /// The unit number of a municipality named `name` in `year`, or what is wrong.
    fn unit_named(&self, pass: &mut Pass<'a>, name: &str, year: i32) -> Result<u32, String> {
        let years = match pass.names.get_mut(name) {
            Some(years) => years,
            None => pass.names.entry(name.to_owned()).or_default(),
        };
        if let Some((_, found)) = years.iter().find(|(y, _)| *y == year) {
            return found.clone();
        }
        let geo = self.ctx.geo;
        let found = match geo.lookup_name(name, Some(year)) {
            Ok(m) => Ok(pass.out.rows.units.id(&m.nis)),
            Err(cands) => Err(geo.name_problem(name, &cands)),
        };
        years.push((year, found.clone()));
        found
    }
}

impl Applied {
    /// Add counts to the row in `slot` (`sum_rows`): the worse status; no numerator unless
    /// observed.
    fn sum_into(&mut self, slot: Slot, num: Option<f64>, den: Option<f64>, status: Status) {
        let sum = |old_num: Option<f64>, old_den: Option<f64>, old_status: Status| {
            let status = old_status.max(status);
            let num = add(old_num, num).filter(|_| status == Status::Observed);
            (num, add(old_den, den), status)
        };
        match slot {
            Slot::Whole(at) => {
                let r = &mut self.rows;
                let (n, d, s) = sum(
                    from_column(r.numerator[at]),
                    from_column(r.denominator[at]),
                    r.status[at],
                );
                r.numerator[at] = to_column(n);
                r.denominator[at] = to_column(d);
                r.status[at] = s;
            }
            Slot::Half(at) => {
                let r = &mut self.halves[at].record;
                (r.numerator, r.denominator, r.status) = sum(r.numerator, r.denominator, r.status);
            }
        }
    }
}

/// A year cell as a number: digits quickly, anything else as `f64` reads it.
fn year_of(cell: &str) -> Result<f64, std::num::ParseFloatError> {
    if (1..=9).contains(&cell.len()) && cell.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(cell
            .bytes()
            .fold(0u32, |v, b| v * 10 + u32::from(b - b'0'))
            .into());
    }
    cell.trim().parse()
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
