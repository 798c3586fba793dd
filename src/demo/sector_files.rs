//! The sector demo's files: tidy CSV, the `sheet` layout with Belgian number formats, the
//! matching store and the barometer definition. Rows are formatted in parallel in batches of
//! sectors and streamed to disk in order, each file atomically.

use super::sectors::{Cell, Data, SUPPRESSED};
use crate::atomic;
use crate::lang::Lang;
use crate::report::format::number;
use crate::store::{self, InputFile, Status, Store, StoreMeta, col};
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

/// Header of the tidy CSV.
pub const TIDY_HEADER: &str = "nis;jaar;indicator;teller;noemer;status;bron";
/// Header of the `sheet` CSV (`waarde`: the value in display units, not read by ingest).
pub const SHEET_HEADER: &str = "nis;gemeente;jaar;indicator;teller;noemer;waarde";
/// Sectors formatted per parallel task, and per batch written.
const CHUNK: usize = 128;
const BATCH: usize = 2_048;

/// A file written: its name, bytes and rows.
#[derive(Debug, Clone)]
pub struct Written {
    /// Bytes.
    pub bytes: u64,
    /// Data rows.
    pub rows: u64,
    /// SHA-256 of the bytes.
    pub sha256: String,
}

/// The source written for indicator `i`.
fn source(data: &Data, i: usize) -> String {
    format!("{} (synthetisch)", data.spec.indicators[i].source)
}

/// Stream the rows of every sector, formatted by `row`, into `path`; `tick` gets the sectors done.
fn write_rows<F>(
    data: &Data,
    path: &Path,
    header: &str,
    tick: &dyn Fn(u64),
    row: F,
) -> Result<Written>
where
    F: Fn(&mut Vec<u8>, usize, i32, usize, Cell) + Sync,
{
    let mut bytes = 0u64;
    let k = data.spec.indicators.len();
    let sha256 = atomic::write_hashed(path, |w| {
        let mut w = Counted {
            inner: w,
            bytes: &mut bytes,
        };
        writeln!(w, "{header}")?;
        let all: Vec<usize> = (0..data.sectors.len()).collect();
        for batch in all.chunks(BATCH) {
            let parts: Vec<Vec<u8>> = batch
                .par_chunks(CHUNK)
                .map(|sectors| {
                    let mut buf = Vec::with_capacity(sectors.len() * k * 96);
                    for &s in sectors {
                        for (j, &cell) in data.sector_cells(s).iter().enumerate() {
                            row(&mut buf, s, data.spec.years[j / k], j % k, cell);
                        }
                    }
                    buf
                })
                .collect();
            for p in &parts {
                w.write_all(p)?;
            }
            tick(batch.len() as u64);
        }
        Ok(())
    })?;
    Ok(Written {
        bytes,
        rows: data.rows() as u64,
        sha256,
    })
}

/// Write the tidy CSV (`nis;jaar;indicator;teller;noemer;status;bron`).
pub fn write_tidy(data: &Data, path: &Path, tick: &dyn Fn(u64)) -> Result<Written> {
    let sources: Vec<String> = (0..data.spec.indicators.len())
        .map(|i| source(data, i))
        .collect();
    write_rows(data, path, TIDY_HEADER, tick, |buf, s, year, i, cell| {
        let code = &data.sectors[s].code;
        let id = &data.spec.indicators[i].id;
        let src = &sources[i];
        let _ = if cell.numerator == SUPPRESSED {
            writeln!(
                buf,
                "{code};{year};{id};;{};suppressed;{src}",
                cell.denominator
            )
        } else {
            writeln!(
                buf,
                "{code};{year};{id};{};{};observed;{src}",
                cell.numerator, cell.denominator
            )
        };
    })
}

/// Write the `sheet` layout: Belgian numbers (thousands dots, decimal comma), `<5` for a
/// suppressed numerator, the municipality's name beside the sector code, and the value.
pub fn write_sheet(data: &Data, path: &Path, tick: &dyn Fn(u64)) -> Result<Written> {
    write_rows(data, path, SHEET_HEADER, tick, |buf, s, year, i, cell| {
        let sector = &data.sectors[s];
        let name = &data.municipalities[sector.municipality].name;
        let ind = &data.spec.indicators[i];
        let den = number(f64::from(cell.denominator), 0, Lang::Nl);
        let _ = if cell.numerator == SUPPRESSED {
            writeln!(buf, "{};{name};{year};{};<5;{den};", sector.code, ind.id)
        } else {
            let value = f64::from(cell.numerator) / f64::from(cell.denominator) * ind.unit.scale();
            writeln!(
                buf,
                "{};{name};{year};{};{};{den};{}",
                sector.code,
                ind.id,
                number(f64::from(cell.numerator), 0, Lang::Nl),
                number(value, 1, Lang::Nl)
            )
        };
    })
}

/// The store rows `rows` (in store order: year, sector, indicator) as a frame with the store's
/// columns.
fn frame_of(data: &Data, rows: Range<usize>) -> Result<DataFrame> {
    let k = data.spec.indicators.len().max(1);
    let per = data.spec.years.len() * k;
    let year_rows = (data.sectors.len() * k).max(1);
    // Store row `r` is cell `cell(r)` (the cells are sector-major).
    let cell = |r: usize| (r % year_rows / k) * per + r / year_rows * k + r % k;
    let cells: Vec<&Cell> = rows.clone().map(|r| &data.cells[cell(r)]).collect();
    let suppressed = |c: &Cell| c.numerator == SUPPRESSED;
    let sources: Vec<String> = (0..k).map(|i| source(data, i)).collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            col::UNIT.into(),
            rows.clone()
                .map(|r| data.sectors[r % year_rows / k].code.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::YEAR.into(),
            rows.clone()
                .map(|r| data.spec.years[r / year_rows])
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::INDICATOR.into(),
            rows.clone()
                .map(|r| data.spec.indicators[r % k].id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::NUMERATOR.into(),
            cells
                .iter()
                .map(|c| (!suppressed(c)).then_some(f64::from(c.numerator)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::DENOMINATOR.into(),
            cells
                .iter()
                .map(|c| Some(f64::from(c.denominator)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::STATUS.into(),
            cells
                .iter()
                .map(|c| {
                    if suppressed(c) {
                        Status::Suppressed.as_str()
                    } else {
                        Status::Observed.as_str()
                    }
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::SOURCE.into(),
            rows.map(|r| sources[r % k].as_str()).collect::<Vec<_>>(),
        ),
    ])?)
}

/// The store metadata: synthetic, `description`, with `tidy` as its input.
fn meta(description: &str, tidy: Option<InputFile>) -> StoreMeta {
    StoreMeta {
        synthetic: true,
        description: description.to_owned(),
        inputs: tidy.into_iter().collect(),
        ..StoreMeta::default()
    }
}

/// The store holding the same rows as ingesting the tidy CSV, in memory (for benchmarks and
/// tests; [`write_store`] writes it without building it whole). Its `sha256` is left empty.
pub fn store(data: &Data, description: &str, tidy: Option<InputFile>) -> Result<Store> {
    Ok(Store {
        frame: frame_of(data, 0..data.rows())?,
        meta: meta(description, tidy),
        origin: "<sector demo>".into(),
        sha256: String::new(),
    })
}

/// Write the store holding the same rows as ingesting the tidy CSV, marked synthetic, with
/// `tidy` as its input, atomically to `path`.
pub fn write_store(
    data: &Data,
    description: &str,
    tidy: Option<InputFile>,
    path: &Path,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Written> {
    let meta = meta(description, tidy);
    let year_rows = (data.sectors.len() * data.spec.indicators.len()).max(1);
    let groups = store::row_groups(data.rows(), |r| data.spec.years[r / year_rows]);
    // The store carries the checksum of its own bytes, so it is built in memory, then written;
    // `tick` counts sectors: a batch counts for its share of all rows (the shares add up).
    let share = |row: usize| (row * data.sectors.len() / data.rows().max(1)) as u64;
    let mut buf = Vec::new();
    store::write_parquet(&mut buf, &meta, &groups, |start, len| {
        tick(share(start + len) - share(start));
        frame_of(data, start..start + len)
    })?;
    atomic::write_bytes(path, &buf)?;
    Ok(Written {
        bytes: buf.len() as u64,
        rows: data.rows() as u64,
        sha256: store::sha256_hex(&buf),
    })
}

/// A writer that counts the bytes passed on.
struct Counted<'w> {
    inner: &'w mut dyn Write,
    bytes: &'w mut u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        *self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
