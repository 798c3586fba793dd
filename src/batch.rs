//! Batch mode: the barometer of every unit (municipality or sector) for many years and one or
//! several definitions, as one table: the long table (one row per definition, year, unit and
//! indicator) or the unit table (one row per definition, year and unit). Years are scored in
//! parallel from one [`Panel`] and written in order, one year at a time, as CSV lines and a
//! Parquet batch (or one of the two, see [`Format`]).

use crate::barometer::score_year;
use crate::barometer::year::{Unit, Year};
use crate::definition::Definition;
use crate::export::csv_fields::{integer, number, text};
use crate::geo::Geography;
use crate::panel::Panel;
use anyhow::Result;
use polars::prelude::*;
use polars_io::parquet::write::BatchedWriter;
use polars_io::parquet::write::KeyValueMetadata;
use polars_io::prelude::ParquetWriter;
use rayon::prelude::*;
use std::io::Write;

/// Column names of the long table, in order.
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

/// Column names of the unit table, in order.
pub const UNIT_COLUMNS: [&str; 10] = [
    "barometer",
    "year",
    "unit",
    "name",
    "score",
    "indicators",
    "composite",
    "rank",
    "percentile",
    "decile",
];

/// Which table a batch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    /// One row per barometer, year, unit and indicator: counts, status, value, reference and
    /// point, with the unit's score, composite, rank, percentile and decile.
    Long,
    /// One row per barometer, year and unit: score, indicators, composite, rank, percentile
    /// and decile.
    Units,
}

impl Table {
    /// The table's column names.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Long => &COLUMNS,
            Table::Units => &UNIT_COLUMNS,
        }
    }

    /// The name on the command line (for run records).
    pub fn name(self) -> &'static str {
        match self {
            Table::Long => "long",
            Table::Units => "units",
        }
    }
}

/// Which files a batch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// barometer.csv and barometer.parquet.
    Both,
    /// barometer.csv only.
    Csv,
    /// barometer.parquet only.
    Parquet,
}

impl Format {
    /// Whether the CSV table is written.
    pub fn csv(self) -> bool {
        self != Format::Parquet
    }

    /// Whether the Parquet table is written.
    pub fn parquet(self) -> bool {
        self != Format::Csv
    }

    /// The name on the command line (for run records).
    pub fn name(self) -> &'static str {
        match self {
            Format::Both => "both",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// One scoreboard (a definition and a year) as table rows: CSV lines and a Parquet batch, each
/// when its [`Format`] asks for it.
pub struct Part {
    /// Number of rows.
    pub rows: u64,
    /// The rows as CSV lines (after [`csv_header`]); empty without CSV.
    pub csv: Vec<u8>,
    /// The rows as a frame with the table's columns; `None` without Parquet.
    pub frame: Option<DataFrame>,
}

/// Score every definition for every year and hand each scoreboard's rows (in `table` and
/// `format`) to `each`, in order (definition, then year). Years are scored and formatted in
/// parallel, as many at a time as there are threads, on a thread of their own while `each`
/// takes the parts scored before; a part is handed over only when `each` is ready for it, so
/// memory holds at most one window of parts and the part `each` is writing (writing, not
/// scoring, sets the pace: handing parts over through a queue of a window's length took a
/// third more memory and no less time). Returns the number of rows.
pub fn run(
    panel: &Panel,
    defs: &[Definition],
    geo: &Geography,
    years: &[i32],
    (table, format): (Table, Format),
    mut each: impl FnMut(Part) -> Result<()>,
) -> Result<u64> {
    let window = rayon::current_num_threads().max(1);
    let (send, parts) = std::sync::mpsc::sync_channel::<Result<Part>>(0);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for def in defs {
                for some in years.chunks(window) {
                    let scored: Vec<Result<Part>> = some
                        .par_iter()
                        .map(|&year| {
                            part(&score_year(panel, def, geo, year)?, def, (table, format))
                        })
                        .collect();
                    for p in scored {
                        // The receiver is gone after an error: stop scoring.
                        if send.send(p).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let mut n = 0;
        for p in parts {
            let p = p?;
            n += p.rows;
            each(p)?;
        }
        Ok(n)
    })
}

/// The rows of one year's barometer in `table`, as CSV lines and a frame as `format` asks.
pub fn part(board: &Year<'_>, def: &Definition, (table, format): (Table, Format)) -> Result<Part> {
    let (rows, csv, frame) = match table {
        Table::Long => (
            board.len() * def.indicators.len(),
            format.csv().then(|| long_csv(board, def)),
            format.parquet().then(|| long_frame(board, def)),
        ),
        Table::Units => (
            board.len(),
            format.csv().then(|| unit_csv(board, def)),
            format.parquet().then(|| unit_frame(board, def)),
        ),
    };
    Ok(Part {
        rows: rows as u64,
        csv: csv.unwrap_or_default(),
        frame: frame.transpose()?,
    })
}

fn long_frame(board: &Year<'_>, def: &Definition) -> Result<DataFrame> {
    let k = def.indicators.len();
    let rows = || {
        board.rows().flat_map(move |r| {
            def.indicators
                .iter()
                .enumerate()
                .map(move |(j, i)| (r, i, j))
        })
    };
    let cells = || rows().map(|(r, _, j)| r.cell(j));
    let n = board.len() * k;
    let s = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
    let f = |name: &str, v: Vec<Option<f64>>| Column::new(name.into(), v);
    let u = |name: &str, v: Vec<u32>| Column::new(name.into(), v);
    let columns = vec![
        s(COLUMNS[0], vec![def.id.as_str(); n]),
        Column::new(COLUMNS[1].into(), vec![board.year; n]),
        s(COLUMNS[2], rows().map(|(r, _, _)| r.nis()).collect()),
        s(COLUMNS[3], rows().map(|(r, _, _)| r.name()).collect()),
        s(COLUMNS[4], rows().map(|(_, i, _)| i.id.as_str()).collect()),
        f(COLUMNS[5], cells().map(|c| c.numerator).collect()),
        f(COLUMNS[6], cells().map(|c| c.denominator).collect()),
        s(COLUMNS[7], cells().map(|c| c.status.as_str()).collect()),
        f(COLUMNS[8], cells().map(|c| c.value).collect()),
        f(COLUMNS[9], cells().map(|c| c.reference).collect()),
        Column::new(
            COLUMNS[10].into(),
            cells().map(|c| c.point).collect::<Vec<_>>(),
        ),
        u(COLUMNS[11], rows().map(|(r, _, _)| r.score()).collect()),
        u(
            COLUMNS[12],
            rows().map(|(r, _, _)| r.indicators()).collect(),
        ),
        f(COLUMNS[13], rows().map(|(r, _, _)| r.composite()).collect()),
        u(COLUMNS[14], rows().map(|(r, _, _)| r.rank).collect()),
        Column::new(
            COLUMNS[15].into(),
            rows().map(|(r, _, _)| r.percentile).collect::<Vec<_>>(),
        ),
        u(COLUMNS[16], rows().map(|(r, _, _)| r.decile()).collect()),
    ];
    Ok(DataFrame::new_infer_height(columns)?)
}

fn unit_frame(board: &Year<'_>, def: &Definition) -> Result<DataFrame> {
    let n = board.len();
    let u = |name: &str, f: fn(&Unit<'_>) -> u32| {
        Column::new(name.into(), board.rows().map(|r| f(&r)).collect::<Vec<_>>())
    };
    let columns = vec![
        Column::new(UNIT_COLUMNS[0].into(), vec![def.id.as_str(); n]),
        Column::new(UNIT_COLUMNS[1].into(), vec![board.year; n]),
        Column::new(
            UNIT_COLUMNS[2].into(),
            board.rows().map(|r| r.nis()).collect::<Vec<_>>(),
        ),
        Column::new(
            UNIT_COLUMNS[3].into(),
            board.rows().map(|r| r.name()).collect::<Vec<_>>(),
        ),
        u(UNIT_COLUMNS[4], |r| r.score()),
        u(UNIT_COLUMNS[5], |r| r.indicators()),
        Column::new(
            UNIT_COLUMNS[6].into(),
            board.rows().map(|r| r.composite()).collect::<Vec<_>>(),
        ),
        u(UNIT_COLUMNS[7], |r| r.rank),
        Column::new(
            UNIT_COLUMNS[8].into(),
            board.rows().map(|r| r.percentile).collect::<Vec<_>>(),
        ),
        u(UNIT_COLUMNS[9], |r| r.decile()),
    ];
    Ok(DataFrame::new_infer_height(columns)?)
}

/// An empty frame with the columns and types of `table`.
fn empty_frame(table: Table) -> Result<DataFrame> {
    let board = Year::default();
    let def = Definition::bundled();
    match table {
        Table::Long => long_frame(&board, &def),
        Table::Units => unit_frame(&board, &def),
    }
}

/// A Parquet writer for `table`, fed one [`Part`] at a time, with `manifest` (JSON) under the
/// metadata key `barometer.manifest`.
pub fn parquet_writer<W: Write>(w: W, table: Table, manifest: &str) -> Result<BatchedWriter<W>> {
    let schema = empty_frame(table)?.schema().as_ref().clone();
    Ok(ParquetWriter::new(w)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            "barometer.manifest".to_owned(),
            manifest.to_owned(),
        )])))
        .batched(&schema)?)
}

/// The CSV header of `table` (comma separated) after the `comments` (`# ...` lines).
pub fn csv_header(comments: &str, table: Table, w: &mut dyn Write) -> Result<()> {
    let mut line = comments.as_bytes().to_vec();
    for (i, name) in table.columns().iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        text(&mut line, name);
    }
    line.push(b'\n');
    w.write_all(&line)?;
    Ok(())
}

/// The long table's CSV lines of one year. Fields as the `csv` crate writes them: quoted only
/// when they hold a comma, a quote or a line break.
fn long_csv(board: &Year<'_>, def: &Definition) -> Vec<u8> {
    let mut out = Vec::with_capacity(board.len() * def.indicators.len() * 128);
    // What repeats is formatted once: each indicator's id, each unit's first and last fields.
    let cells: Vec<Vec<u8>> = def
        .indicators
        .iter()
        .map(|ind| {
            let mut b = Vec::new();
            text(&mut b, &ind.id);
            b.push(b',');
            b
        })
        .collect();
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    for r in board.rows() {
        head.clear();
        unit_head(&mut head, def, board.year, &r);
        tail.clear();
        unit_fields(&mut tail, &r);
        for (j, ind) in cells.iter().enumerate() {
            let c = r.cell(j);
            out.extend_from_slice(&head);
            out.extend_from_slice(ind);
            number(&mut out, c.numerator);
            out.push(b',');
            number(&mut out, c.denominator);
            out.push(b',');
            out.extend_from_slice(c.status.as_str().as_bytes());
            out.push(b',');
            number(&mut out, c.value);
            out.push(b',');
            number(&mut out, c.reference);
            out.push(b',');
            if let Some(p) = c.point {
                out.push(if p { b'1' } else { b'0' });
            }
            out.push(b',');
            out.extend_from_slice(&tail);
        }
    }
    out
}

/// The unit table's CSV lines of one year.
fn unit_csv(board: &Year<'_>, def: &Definition) -> Vec<u8> {
    let mut out = Vec::with_capacity(board.len() * 96);
    for r in board.rows() {
        unit_head(&mut out, def, board.year, &r);
        unit_fields(&mut out, &r);
    }
    out
}

/// barometer, year, unit and name, each followed by a comma.
fn unit_head(out: &mut Vec<u8>, def: &Definition, year: i32, r: &Unit<'_>) {
    text(out, &def.id);
    out.push(b',');
    integer(out, year);
    out.push(b',');
    text(out, r.nis());
    out.push(b',');
    text(out, r.name());
    out.push(b',');
}

/// score, indicators, composite, rank, percentile, decile and the line end.
fn unit_fields(out: &mut Vec<u8>, r: &Unit<'_>) {
    integer(out, r.score());
    out.push(b',');
    integer(out, r.indicators());
    out.push(b',');
    number(out, r.composite());
    out.push(b',');
    integer(out, r.rank);
    out.push(b',');
    number(out, Some(r.percentile));
    out.push(b',');
    integer(out, r.decile());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_holds_the_formats_asked_for_with_the_same_rows() {
        let store = crate::demo::bundled_store().unwrap();
        let panel = Panel::from_store(&store, Some(&[2023])).unwrap();
        let def = Definition::bundled();
        let board = score_year(&panel, &def, Geography::bundled(), 2023).unwrap();
        for table in [Table::Long, Table::Units] {
            let both = part(&board, &def, (table, Format::Both)).unwrap();
            let frame = both.frame.as_ref().unwrap();
            assert_eq!(both.rows, frame.height() as u64);
            assert_eq!(
                both.rows,
                both.csv.iter().filter(|&&b| b == b'\n').count() as u64
            );
            let csv = part(&board, &def, (table, Format::Csv)).unwrap();
            assert!(csv.frame.is_none());
            assert_eq!((csv.rows, &csv.csv), (both.rows, &both.csv));
            let parquet = part(&board, &def, (table, Format::Parquet)).unwrap();
            assert!(parquet.csv.is_empty());
            assert_eq!(parquet.rows, both.rows);
            assert!(parquet.frame.unwrap().equals_missing(frame));
        }
    }
}
