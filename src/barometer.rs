//! The scoring core: per municipality and year each indicator's value, the reference, the point;
//! the score (number of points), a continuous composite to order equal scores, the rank,
//! percentile rank and decile. Formulas and sources: `docs/methodology.md`.

use crate::definition::{Comparison, Definition, Indicator, Reference};
use crate::error::data;
use crate::geo::{FLEMISH_REGION, Geography};
use crate::indicators::{self, Level, VALUE};
use crate::store::{Status, Store, col};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

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

/// One municipality's barometer.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// REFNIS code.
    pub nis: String,
    /// Dutch name.
    pub name: String,
    /// REFNIS code of the arrondissement.
    pub arrondissement: String,
    /// REFNIS code of the province.
    pub province: String,
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

/// The barometer of every municipality in the store for one year.
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
    /// Municipalities of that set without any row in the store for this year.
    pub absent: Vec<String>,
}

fn f64_col(df: &DataFrame, name: &str) -> Result<Float64Chunked> {
    Ok(df.column(name)?.as_materialized_series().f64()?.clone())
}

fn str_col(df: &DataFrame, name: &str) -> Result<StringChunked> {
    Ok(df.column(name)?.as_materialized_series().str()?.clone())
}

/// Compute the barometer for `year`.
pub fn score(store: &Store, def: &Definition, geo: &Geography, year: i32) -> Result<Scoreboard> {
    let years = store.years()?;
    if !years.contains(&year) {
        let span = match (years.first(), years.last()) {
            (Some(a), Some(b)) => format!("the store has {a}-{b}"),
            _ => "the store is empty".into(),
        };
        return Err(data(format!(
            "year {year} is not in the store {}: {span}; choose one of those years with --year",
            store.origin
        )));
    }
    let rows = indicators::municipal(store, Some(year)).collect()?;
    let (units, inds, stats) = (
        str_col(&rows, col::UNIT)?,
        str_col(&rows, col::INDICATOR)?,
        str_col(&rows, col::STATUS)?,
    );
    let (nums, dens, vals) = (
        f64_col(&rows, col::NUMERATOR)?,
        f64_col(&rows, col::DENOMINATOR)?,
        f64_col(&rows, VALUE)?,
    );
    let position: BTreeMap<&str, usize> = def
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.id.as_str(), i))
        .collect();
    let empty = Cell {
        numerator: None,
        denominator: None,
        status: Status::Missing,
        value: None,
        reference: None,
        point: None,
    };
    let mut cells: BTreeMap<String, Vec<Cell>> = BTreeMap::new();
    for i in 0..rows.height() {
        let (Some(unit), Some(ind)) = (units.get(i), inds.get(i)) else {
            continue;
        };
        let Some(&k) = position.get(ind) else {
            continue;
        };
        let status = Status::parse(stats.get(i).unwrap_or_default()).unwrap_or(Status::Missing);
        let row = cells
            .entry(unit.to_owned())
            .or_insert_with(|| vec![empty.clone(); def.indicators.len()]);
        row[k] = Cell {
            numerator: nums.get(i),
            denominator: dens.get(i),
            status,
            value: vals.get(i),
            ..empty.clone()
        };
    }
    if let Some(unknown) = cells.keys().find(|u| geo.municipality(u).is_none()) {
        return Err(data(format!(
            "{}: unit '{unknown}' is not a known Flemish municipality; rebuild the store with `barometer ingest`",
            store.origin
        )));
    }
    let set = geo
        .set_of_year_units(year, cells.keys().map(String::as_str))
        .map_err(data)?;
    let references = references(store, def, geo, year, &cells)?;
    let mut out: Vec<Row> = Vec::with_capacity(cells.len());
    for (nis, mut row_cells) in cells {
        for (k, ind) in def.indicators.iter().enumerate() {
            let cell = &mut row_cells[k];
            cell.reference = references[k].value;
            cell.point = match (cell.value, cell.reference) {
                (Some(v), Some(r)) => Some(worse(def, ind, v, r)),
                _ => None,
            };
        }
        let m = geo
            .municipality(&nis)
            .expect("units were checked against the geography above");
        out.push(Row {
            name: m.name_nl.clone(),
            arrondissement: m.arrondissement.clone(),
            province: m.province.clone(),
            score: row_cells.iter().filter(|c| c.point == Some(true)).count() as u32,
            indicators: row_cells.iter().filter(|c| c.point.is_some()).count() as u32,
            composite: None,
            cells: row_cells,
            nis,
            rank: 0,
            percentile: 0.0,
            decile: 0,
        });
    }
    let values: Vec<Vec<Option<f64>>> = out
        .iter()
        .map(|r| r.cells.iter().map(|c| c.value).collect())
        .collect();
    let groups: Vec<&str> = out.iter().map(|r| r.province.as_str()).collect();
    let signs: Vec<f64> = def.indicators.iter().map(|i| i.direction.sign()).collect();
    let refs: Vec<Option<f64>> = references.iter().map(|r| r.value).collect();
    let composites = def
        .composite
        .compute(&values, &refs, &signs, &groups)
        .map_err(|e| data(format!("{}: {year}: {e}", def.origin)))?;
    for (row, c) in out.iter_mut().zip(composites) {
        row.composite = c;
    }
    rank(&mut out);
    let absent = set
        .codes
        .iter()
        .filter(|c| !out.iter().any(|r| &r.nis == *c))
        .cloned()
        .collect();
    Ok(Scoreboard {
        year,
        rows: out,
        references,
        municipality_set: set.label(),
        absent,
    })
}

/// Whether value `v` is worse than reference `r` under the definition's comparison rule.
pub fn worse(def: &Definition, ind: &Indicator, v: f64, r: f64) -> bool {
    let margin = match def.scoring.comparison {
        Comparison::Strict => 0.0,
        Comparison::Margin => def.scoring.margin.unwrap_or(0.0),
    };
    ind.direction.sign() * (v - r) > margin * r.abs()
}

fn references(
    store: &Store,
    def: &Definition,
    geo: &Geography,
    year: i32,
    cells: &BTreeMap<String, Vec<Cell>>,
) -> Result<Vec<ReferenceValue>> {
    let hierarchy = indicators::hierarchy(geo)?;
    let flanders = indicators::aggregate(
        indicators::municipal(store, Some(year)),
        &hierarchy,
        Level::Region,
    )
    .filter(col(Level::Region.column()).eq(lit(FLEMISH_REGION)))
    .collect()?;
    let (f_inds, f_vals) = (
        str_col(&flanders, col::INDICATOR)?,
        f64_col(&flanders, VALUE)?,
    );
    let flemish: BTreeMap<&str, f64> = (0..flanders.height())
        .filter_map(|i| Some((f_inds.get(i)?, f_vals.get(i)?)))
        .collect();
    Ok(def
        .indicators
        .iter()
        .enumerate()
        .map(|(k, ind)| {
            let mut values: Vec<f64> = cells.values().filter_map(|c| c[k].value).collect();
            let method = def.reference_for(ind);
            let value = match method {
                Reference::Flanders => flemish.get(ind.id.as_str()).copied(),
                Reference::Mean => {
                    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
                }
                Reference::Median => median(&mut values),
                Reference::Fixed => ind.fixed_reference.map(|v| v / ind.unit.scale()),
            };
            ReferenceValue {
                indicator: ind.id.clone(),
                method,
                value,
                municipalities_with_value: values.len(),
            }
        })
        .collect())
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

/// Order key: higher score, then higher composite (missing lowest) is more at risk.
fn risk_cmp(a: &Row, b: &Row) -> std::cmp::Ordering {
    let comp = |r: &Row| r.composite.unwrap_or(f64::NEG_INFINITY);
    a.score.cmp(&b.score).then(comp(a).total_cmp(&comp(b)))
}

/// Sort rows for display and fill rank, percentile and decile.
fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| risk_cmp(b, a).then_with(|| a.nis.cmp(&b.nis)));
    let n = rows.len();
    for i in 0..n {
        let rank = if i > 0 && risk_cmp(&rows[i], &rows[i - 1]).is_eq() {
            rows[i - 1].rank
        } else {
            i as u32 + 1
        };
        rows[i].rank = rank;
    }
    // Percentile from the ascending rank with ties at the minimum: 1 + rows strictly less at risk.
    // Rows are sorted most at risk first, so that count is n - 1 - (last index of the tie group).
    let mut end = n;
    for i in (0..n).rev() {
        if i + 1 < n && !risk_cmp(&rows[i], &rows[i + 1]).is_eq() {
            end = i + 1;
        }
        let less_at_risk = n - end;
        rows[i].percentile = if n > 1 {
            less_at_risk as f64 / (n - 1) as f64
        } else {
            1.0
        };
        rows[i].decile = ((rows[i].rank as usize - 1) * 10 / n + 1) as u32;
    }
}
