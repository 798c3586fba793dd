//! Batch mode: the barometer of every unit (municipality or sector) for many years and one or
//! several definitions, as one tidy long table (one row per definition, year, unit and
//! indicator), streamed to Parquet and CSV one scoreboard at a time.

use crate::barometer::{Scoreboard, score};
use crate::definition::Definition;
use crate::geo::Geography;
use crate::store::Store;
use anyhow::Result;
use polars::prelude::*;
use polars_io::parquet::write::BatchedWriter;
use polars_io::parquet::write::KeyValueMetadata;
use polars_io::prelude::ParquetWriter;
use std::io::Write;

/// Column names of the batch table, in order.
pub const COLUMNS: [&str; 17] = [
    "barometer",
    "year",
    "unit",
    "name",
    "indicator",
    "numerator",
    "denominator",
    "status",
    "value",
    "reference",
    "point",
    "score",
    "indicators",
    "composite",
    "rank",
    "percentile",
    "decile",
];

/// One row of the batch table.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// Barometer id.
    pub barometer: String,
    /// Year.
    pub year: i32,
    /// REFNIS code.
    pub unit: String,
    /// Dutch name.
    pub name: String,
    /// Indicator id.
    pub indicator: String,
    /// Numerator count.
    pub numerator: Option<f64>,
    /// Denominator count.
    pub denominator: Option<f64>,
    /// Store status.
    pub status: &'static str,
    /// Ratio numerator / denominator.
    pub value: Option<f64>,
    /// Reference ratio.
    pub reference: Option<f64>,
    /// 1 worse than the reference, 0 not, null when unknown.
    pub point: Option<bool>,
    /// The municipality's score that year.
    pub score: u32,
    /// Indicators the score rests on.
    pub indicators: u32,
    /// Composite (mean relative excess).
    pub composite: Option<f64>,
    /// Rank, 1 = most at risk.
    pub rank: u32,
    /// Percentile rank.
    pub percentile: f64,
    /// Decile.
    pub decile: u32,
}

/// Rows of one scoreboard.
pub fn rows_of(board: &Scoreboard, def: &Definition) -> Vec<BatchRow> {
    let mut out = Vec::with_capacity(board.rows.len() * def.indicators.len());
    for row in &board.rows {
        for (ind, cell) in def.indicators.iter().zip(&row.cells) {
            out.push(BatchRow {
                barometer: def.id.clone(),
                year: board.year,
                unit: row.nis.clone(),
                name: row.name.clone(),
                indicator: ind.id.clone(),
                numerator: cell.numerator,
                denominator: cell.denominator,
                status: cell.status.as_str(),
                value: cell.value,
                reference: cell.reference,
                point: cell.point,
                score: row.score,
                indicators: row.indicators,
                composite: row.composite,
                rank: row.rank,
                percentile: row.percentile,
                decile: row.decile,
            });
        }
    }
    out
}

/// Score every definition for every year, handing each scoreboard's rows to `each` as they are
/// made (so only one scoreboard's rows are held at a time); returns the number of rows.
pub fn run(
    store: &Store,
    defs: &[Definition],
    geo: &Geography,
    years: &[i32],
    mut each: impl FnMut(&[BatchRow]) -> Result<()>,
) -> Result<u64> {
    let mut n = 0;
    for def in defs {
        for &year in years {
            let rows = rows_of(&score(store, def, geo, year)?, def);
            each(&rows)?;
            n += rows.len() as u64;
        }
    }
    Ok(n)
}

/// The rows as a polars frame with the columns of [`COLUMNS`].
pub fn frame(rows: &[BatchRow]) -> Result<DataFrame> {
    let s = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
    let f = |name: &str, v: Vec<Option<f64>>| Column::new(name.into(), v);
    let u = |name: &str, v: Vec<u32>| Column::new(name.into(), v);
    let columns = vec![
        s(
            COLUMNS[0],
            rows.iter().map(|r| r.barometer.as_str()).collect(),
        ),
        Column::new(
            COLUMNS[1].into(),
            rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        ),
        s(COLUMNS[2], rows.iter().map(|r| r.unit.as_str()).collect()),
        s(COLUMNS[3], rows.iter().map(|r| r.name.as_str()).collect()),
        s(
            COLUMNS[4],
            rows.iter().map(|r| r.indicator.as_str()).collect(),
        ),
        f(COLUMNS[5], rows.iter().map(|r| r.numerator).collect()),
        f(COLUMNS[6], rows.iter().map(|r| r.denominator).collect()),
        s(COLUMNS[7], rows.iter().map(|r| r.status).collect()),
        f(COLUMNS[8], rows.iter().map(|r| r.value).collect()),
        f(COLUMNS[9], rows.iter().map(|r| r.reference).collect()),
        Column::new(
            COLUMNS[10].into(),
            rows.iter().map(|r| r.point).collect::<Vec<_>>(),
        ),
        u(COLUMNS[11], rows.iter().map(|r| r.score).collect()),
        u(COLUMNS[12], rows.iter().map(|r| r.indicators).collect()),
        f(COLUMNS[13], rows.iter().map(|r| r.composite).collect()),
        u(COLUMNS[14], rows.iter().map(|r| r.rank).collect()),
        Column::new(
            COLUMNS[15].into(),
            rows.iter().map(|r| r.percentile).collect::<Vec<_>>(),
        ),
        u(COLUMNS[16], rows.iter().map(|r| r.decile).collect()),
    ];
    Ok(DataFrame::new_infer_height(columns)?)
}

/// A Parquet writer fed one batch of rows at a time, with `manifest` (JSON) under the metadata
/// key `barometer.manifest`.
pub fn parquet_writer<W: Write>(w: W, manifest: &str) -> Result<BatchedWriter<W>> {
    let schema = frame(&[])?.schema().as_ref().clone();
    Ok(ParquetWriter::new(w)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            "barometer.manifest".to_owned(),
            manifest.to_owned(),
        )])))
        .batched(&schema)?)
}

/// Machine number: nine decimals at most, no binary noise, empty when missing.
fn plain(v: Option<f64>) -> String {
    v.map(|x| ((x * 1e9).round() / 1e9).to_string())
        .unwrap_or_default()
}

/// The CSV header (comma separated) after the `comments` (`# ...` lines).
pub fn csv_header(comments: &str, w: &mut dyn Write) -> Result<()> {
    w.write_all(comments.as_bytes())?;
    let mut out = ::csv::Writer::from_writer(w);
    out.write_record(COLUMNS)?;
    out.flush()?;
    Ok(())
}

/// The rows as CSV lines (after [`csv_header`]).
pub fn csv_rows(rows: &[BatchRow], w: &mut dyn Write) -> Result<()> {
    let mut out = ::csv::Writer::from_writer(w);
    for r in rows {
        out.write_record([
            r.barometer.clone(),
            r.year.to_string(),
            r.unit.clone(),
            r.name.clone(),
            r.indicator.clone(),
            plain(r.numerator),
            plain(r.denominator),
            r.status.to_owned(),
            plain(r.value),
            plain(r.reference),
            r.point.map(|p| u8::from(p).to_string()).unwrap_or_default(),
            r.score.to_string(),
            r.indicators.to_string(),
            plain(r.composite),
            r.rank.to_string(),
            plain(Some(r.percentile)),
            r.decile.to_string(),
        ])?;
    }
    out.flush()?;
    Ok(())
}
