//! The tables of a profile as plain rows, written as CSV (run record in `#` lines) and as an XLSX
//! workbook (one sheet per table plus the run record), numbers unformatted and exact.

use crate::profile::figures::{Counts, Profile, Significance};
use crate::profile::target::TargetResult;
use crate::run_record::RunRecord;
use crate::stats::trend::Verdict;
use anyhow::Result;
use rust_xlsxwriter::Format;
use std::io::Write;

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number, or empty.
    Num(Option<f64>),
}

/// A named table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet / file name.
    pub name: &'static str,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: Option<f64>) -> Cell {
    Cell::Num(v)
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Rising => "rising",
        Verdict::Falling => "falling",
        Verdict::NoClearTrend => "no_clear_trend",
        Verdict::TooFewYears => "too_few_years",
    }
}

/// One row per indicator: the profile year's figures, significance, rank and evolution.
pub fn indicators(p: &Profile) -> Table {
    let headers = vec![
        "indicator",
        "scored",
        "year",
        "value",
        "ci_lower",
        "ci_upper",
        "interval_method",
        "numerator",
        "denominator",
        "arrondissement_value",
        "province_value",
        "flanders_value",
        "difference",
        "difference_lower",
        "difference_upper",
        "significance",
        "rank",
        "ranked",
        "percentile",
        "point",
        "reference",
        "from",
        "to",
        "count_change",
        "point_change",
        "relative_change",
        "ols_slope",
        "ols_lower",
        "ols_upper",
        "mann_kendall_s",
        "mann_kendall_p",
        "sen_slope",
        "verdict",
    ];
    let rows = p
        .indicators
        .iter()
        .map(|i| {
            let d = |v: Option<f64>| v.map(|v| i.indicator.display(v));
            let f = i.latest();
            let get = |g: &dyn Fn(&crate::profile::figures::YearFigures) -> Counts| {
                f.map(g).unwrap_or_default()
            };
            let m = get(&|f| f.municipality);
            let e = i.evolution.as_ref();
            vec![
                t(&i.indicator.id),
                t(if i.scored { "yes" } else { "no" }),
                n(f.map(|f| f64::from(f.year))),
                n(d(m.value)),
                n(d(f.and_then(|f| f.interval).map(|c| c.lower))),
                n(d(f.and_then(|f| f.interval).map(|c| c.upper))),
                t(i.interval_method),
                n(m.numerator),
                n(m.denominator),
                n(d(get(&|f| f.arrondissement).value)),
                n(d(get(&|f| f.province).value)),
                n(d(get(&|f| f.flanders).value)),
                n(i.difference.map(|x| x.0)),
                n(i.difference.map(|x| x.1.lower)),
                n(i.difference.map(|x| x.1.upper)),
                t(match i.significance {
                    Significance::Higher => "higher",
                    Significance::Lower => "lower",
                    Significance::NotSignificant => "not_significant",
                    Significance::Unknown => "",
                }),
                n(i.rank.map(|r| r.0 as f64)),
                n(i.rank.map(|r| r.1 as f64)),
                n(i.percentile),
                n(i.point.map(|p| f64::from(u8::from(p)))),
                n(d(i.reference)),
                n(e.map(|e| f64::from(e.from))),
                n(e.map(|e| f64::from(e.to))),
                n(e.and_then(|e| e.count_change)),
                n(e.map(|e| e.point_change)),
                n(e.and_then(|e| e.relative_change)),
                n(e.and_then(|e| e.ols.map(|o| o.slope))),
                n(e.and_then(|e| e.ols.map(|o| o.slope_interval.lower))),
                n(e.and_then(|e| e.ols.map(|o| o.slope_interval.upper))),
                n(e.and_then(|e| e.mann_kendall.map(|m| m.s))),
                n(e.and_then(|e| e.mann_kendall.map(|m| m.p))),
                n(e.and_then(|e| e.sen)),
                t(e.map_or("", |e| verdict(e.verdict))),
            ]
        })
        .collect();
    Table {
        name: "indicators",
        headers,
        rows,
    }
}

/// One row per indicator, year and area: counts and value (display units), interval for the
/// municipality.
pub fn years(p: &Profile) -> Table {
    let headers = vec![
        "indicator",
        "year",
        "level",
        "nis",
        "numerator",
        "denominator",
        "value",
        "ci_lower",
        "ci_upper",
        "status",
    ];
    let mut rows = Vec::new();
    for i in &p.indicators {
        for f in &i.years {
            let areas = [
                (
                    "municipality",
                    p.nis.as_str(),
                    f.municipality,
                    f.interval,
                    f.status.as_str(),
                ),
                (
                    "arrondissement",
                    p.arrondissement.as_str(),
                    f.arrondissement,
                    None,
                    "",
                ),
                ("province", p.province.as_str(), f.province, None, ""),
                ("region", crate::geo::FLEMISH_REGION, f.flanders, None, ""),
            ];
            for (level, code, c, ci, status) in areas {
                rows.push(vec![
                    t(&i.indicator.id),
                    n(Some(f64::from(f.year))),
                    t(level),
                    t(code),
                    n(c.numerator),
                    n(c.denominator),
                    n(c.value.map(|v| i.indicator.display(v))),
                    n(ci.map(|c| i.indicator.display(c.lower))),
                    n(ci.map(|c| i.indicator.display(c.upper))),
                    t(status),
                ]);
            }
        }
    }
    Table {
        name: "years",
        headers,
        rows,
    }
}

/// One row per target.
pub fn targets(results: &[TargetResult]) -> Table {
    let headers = vec![
        "target",
        "indicator",
        "target_year",
        "baseline_year",
        "baseline",
        "target_value",
        "latest_year",
        "latest",
        "needed_per_year",
        "observed_slope",
        "observed_lower",
        "observed_upper",
        "projected",
        "projected_lower",
        "projected_upper",
        "on_track",
    ];
    let rows = results
        .iter()
        .map(|r| {
            vec![
                t(&r.spec.text),
                t(&r.spec.indicator),
                n(Some(f64::from(r.spec.year))),
                n(Some(f64::from(r.baseline.0))),
                n(Some(r.baseline.1)),
                n(Some(r.target)),
                n(Some(f64::from(r.latest.0))),
                n(Some(r.latest.1)),
                n(r.needed_per_year),
                n(r.observed.map(|o| o.0)),
                n(r.observed.map(|o| o.1.lower)),
                n(r.observed.map(|o| o.1.upper)),
                n(r.projected.map(|o| o.0)),
                n(r.projected.map(|o| o.1.lower)),
                n(r.projected.map(|o| o.1.upper)),
                t(r.on_track.map_or("", |b| if b { "yes" } else { "no" })),
            ]
        })
        .collect();
    Table {
        name: "targets",
        headers,
        rows,
    }
}

/// Write a table as CSV with the run record on top.
pub fn write_csv(table: &Table, record: &RunRecord, w: &mut dyn Write) -> Result<()> {
    w.write_all(record.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(&table.headers)?;
    for row in &table.rows {
        out.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Num(v) => v.map_or(String::new(), |v| ((v * 1e9).round() / 1e9).to_string()),
        }))?;
    }
    out.flush()?;
    Ok(())
}

/// An XLSX workbook with one sheet per table and a sheet with the run record.
pub fn xlsx(tables: &[&Table], record: &RunRecord) -> Result<Vec<u8>> {
    let mut book = crate::run_record::xlsx_workbook();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name)?;
        for (c, h) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Num(Some(v)) => {
                        sheet.write_number(r, c, *v)?;
                    }
                    Cell::Num(None) => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("run")?;
    for (r, line) in record.comment_lines().lines().enumerate() {
        let (k, v) = line
            .trim_start_matches("# ")
            .split_once(": ")
            .unwrap_or((line, ""));
        sheet.write_string(r as u32, 0, k)?;
        sheet.write_string(r as u32, 1, v)?;
    }
    Ok(book.save_to_buffer()?)
}
