//! The canonical store: one long table of numerators and denominators per unit, year and
//! indicator, with a status and a source, kept as Parquet. Rates, aggregates and merged series
//! are always derived from these counts.

use crate::atomic;
use crate::error::data;
use anyhow::{Context, Result};
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::parquet::write::KeyValueMetadata;
use polars_io::parquet::write::{ParquetCompression, StatisticsOptions, get_encodings};
use polars_io::prelude::{ParquetReader, ParquetWriter};
use polars_parquet::parquet::metadata::RowGroupMetadata;
use polars_parquet::parquet::statistics::Statistics;
use polars_parquet::write::{
    CompressedPage, Encoding, ParquetType, Version, WriteOptions, array_to_columns, compress,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

/// The store format this version writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const META_KEY: &str = "barometer.store";

/// Column names of the store table.
pub mod col {
    /// REFNIS code of the unit.
    pub const UNIT: &str = "unit";
    /// Year.
    pub const YEAR: &str = "year";
    /// Indicator id.
    pub const INDICATOR: &str = "indicator";
    /// Numerator (a count; null when suppressed or missing).
    pub const NUMERATOR: &str = "numerator";
    /// Denominator (a count; null when missing).
    pub const DENOMINATOR: &str = "denominator";
    /// observed | suppressed | missing | imputed.
    pub const STATUS: &str = "status";
    /// Where the row came from.
    pub const SOURCE: &str = "source";
}

/// The status of a store row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Published counts.
    Observed,
    /// Withheld by the publisher (small cell); the numerator is unknown.
    Suppressed,
    /// Not available.
    Missing,
    /// Filled in by a documented method.
    Imputed,
}

impl Status {
    /// Every status, in the order of its number (`status as u32`).
    pub const ALL: [Status; 4] = [
        Status::Observed,
        Status::Suppressed,
        Status::Missing,
        Status::Imputed,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Observed => "observed",
            Status::Suppressed => "suppressed",
            Status::Missing => "missing",
            Status::Imputed => "imputed",
        }
    }

    /// Parse the stored text or its Dutch equivalent.
    pub fn parse(s: &str) -> Option<Status> {
        // The stored texts themselves without a lowercase copy (they fill whole columns).
        if let Some(&exact) = Status::ALL.iter().find(|st| st.as_str() == s) {
            return Some(exact);
        }
        match s.trim().to_lowercase().as_str() {
            "observed" | "waargenomen" | "" => Some(Status::Observed),
            "suppressed" | "afgeschermd" => Some(Status::Suppressed),
            "missing" | "ontbrekend" => Some(Status::Missing),
            "imputed" | "geïmputeerd" | "geimputeerd" => Some(Status::Imputed),
            _ => None,
        }
    }

    /// Whether the row's counts may be used to compute a value.
    pub fn has_counts(self) -> bool {
        matches!(self, Status::Observed | Status::Imputed)
    }
}

/// One row of the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// REFNIS code.
    pub unit: String,
    /// Year.
    pub year: i32,
    /// Indicator id.
    pub indicator: String,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Status.
    pub status: Status,
    /// Source (publisher or input file).
    pub source: String,
}

impl Record {
    /// The key that must be unique in a store, in store order: year, unit, indicator.
    pub fn key(&self) -> (i32, &str, &str) {
        (self.year, &self.unit, &self.indicator)
    }
}

/// An input file that went into the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// File name as given.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Rows it contributed.
    pub rows: u64,
}

/// Store-level metadata, kept in the Parquet file's key-value metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMeta {
    /// Format version of the store.
    pub format_version: u32,
    /// Synthetic demo data (every output says so).
    pub synthetic: bool,
    /// One-line description.
    pub description: String,
    /// The files ingested into it.
    pub inputs: Vec<InputFile>,
}

impl Default for StoreMeta {
    fn default() -> Self {
        StoreMeta {
            format_version: FORMAT_VERSION,
            synthetic: false,
            description: String::new(),
            inputs: Vec::new(),
        }
    }
}

/// The canonical store in memory.
#[derive(Debug, Clone)]
pub struct Store {
    /// The table, in store order (year, unit, indicator; a store written before that order
    /// holds unit, year, indicator, see [`row_groups`]).
    pub frame: DataFrame,
    /// Store metadata.
    pub meta: StoreMeta,
    /// Where it was read from (a path, or `<bundled demo>`).
    pub origin: String,
    /// SHA-256 of the Parquet bytes it was read from (or would be written as).
    pub sha256: String,
}

/// A store table's columns, by type (see [`Store::columns`]).
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// REFNIS codes.
    pub unit: &'a StringChunked,
    /// Years.
    pub year: &'a Int32Chunked,
    /// Indicator ids.
    pub indicator: &'a StringChunked,
    /// Numerators.
    pub numerator: &'a Float64Chunked,
    /// Denominators.
    pub denominator: &'a Float64Chunked,
    /// Statuses, as written.
    pub status: &'a StringChunked,
    /// Sources.
    pub source: &'a StringChunked,
}

/// Key of the whole-file SHA-256 in the Parquet key-value metadata.
const CHECKSUM_KEY: &str = "barometer.sha256";
/// The checksum's value while the checksum is computed.
const CHECKSUM_PLACEHOLDER: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Where the 64 hex digits of the checksum sit in a store's bytes: right after the key in the
/// Thrift-encoded footer (a field header byte and the length 64). `None` when the key is absent.
fn checksum_at(bytes: &[u8]) -> Option<usize> {
    let start = memchr::memmem::rfind(bytes, CHECKSUM_KEY.as_bytes())? + CHECKSUM_KEY.len();
    (start..start + 4).find(|&i| {
        bytes
            .get(i..i + 64)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Check a store before polars parses a byte: it must carry store metadata and a whole-file
/// checksum that matches. Polars' Parquet reader can abort the process on damaged input (a footer
/// length beyond the file, damaged pages: the `store` fuzz target found both), so nothing it reads
/// is unchecked: Parquet from other programs and stores written before the checksum are refused.
/// Returns the SHA-256 of the file as it is (hex), hashed in the same pass.
fn checksum(bytes: &[u8], origin: &str) -> Result<String> {
    let has = |key: &str| memchr::memmem::find(bytes, key.as_bytes()).is_some();
    // The key sits in the footer: looked for from the end, it is found at once.
    if memchr::memmem::rfind(bytes, CHECKSUM_KEY.as_bytes()).is_none() {
        let parquet = bytes.len() >= 12 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1");
        return Err(data(if has(META_KEY) {
            format!(
                "{origin}: the store carries no checksum (written by an older barometer, or \
                 damaged), so it is not read; ingest the source files again"
            )
        } else if parquet {
            format!(
                "{origin} is a Parquet file but not a barometer store (no '{META_KEY}' \
                 metadata); make a store with `barometer ingest`"
            )
        } else {
            format!(
                "{origin} is not a barometer store (a Parquet file written by `barometer \
                 ingest`): it is not a Parquet file, or it is cut off"
            )
        }));
    }
    let damaged = |why: &str| {
        data(format!(
            "{origin} is not a barometer store: the Parquet file is damaged ({why}); restore it \
             from a backup or ingest the source files again"
        ))
    };
    let at = checksum_at(bytes).ok_or_else(|| damaged("its checksum is unreadable"))?;
    // The hash of the file with the placeholder in the checksum's place, without copying it,
    // and of the file as it is: the bytes before the checksum (nearly all) are hashed once.
    let mut hash = Sha256::new();
    hash.update(&bytes[..at]);
    let mut whole = hash.clone();
    hash.update(CHECKSUM_PLACEHOLDER.as_bytes());
    hash.update(&bytes[at + 64..]);
    if hex(&hash.finalize()).as_bytes() != &bytes[at..at + 64] {
        return Err(damaged("its checksum does not match its content"));
    }
    whole.update(&bytes[at..]);
    Ok(hex(&whole.finalize()))
}

/// Run `f`, turning a panic into `Err(its message)` without printing it (the panic hook is
/// silenced meanwhile, for every thread: calls are serialised, and a panic elsewhere in that
/// moment goes unreported but still unwinds). For third-party readers that assert on damaged
/// input instead of returning an error.
pub fn catch_silently<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .map_or_else(
                || "a panic".to_owned(),
                |m| format!("reader: {}", m.replace('\n', " ")),
            )
    })
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes (a digest) as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which rows to keep when reading a store: those of the years `year` accepts and, among them,
/// those `row` accepts by year and indicator. A row group of one year (a store in year order,
/// see [`row_groups`]) that `year` rejects is skipped unread, known from its statistics.
pub struct Keep<'a> {
    year: Box<dyn Fn(i32) -> bool + Sync + 'a>,
    row: Option<RowTest<'a>>,
}

/// Whether a row is kept, by year and indicator.
type RowTest<'a> = Box<dyn Fn(i32, &str) -> bool + Sync + 'a>;

impl<'a> Keep<'a> {
    /// Every row.
    pub fn all() -> Keep<'static> {
        Keep {
            year: Box::new(|_| true),
            row: None,
        }
    }

    /// The rows of `years`.
    pub fn years(years: &'a [i32]) -> Keep<'a> {
        Keep {
            year: Box::new(|y| years.contains(&y)),
            row: None,
        }
    }

    /// The rows of the years `year` accepts that `row` accepts.
    pub fn rows(
        year: impl Fn(i32) -> bool + Sync + 'a,
        row: impl Fn(i32, &str) -> bool + Sync + 'a,
    ) -> Keep<'a> {
        Keep {
            year: Box::new(year),
            row: Some(Box::new(row)),
        }
    }

    /// Whether rows of year `y` may be kept.
    pub fn year(&self, y: i32) -> bool {
        (self.year)(y)
    }

    /// Whether the row of year `y` and `indicator` is kept.
    pub fn row(&self, y: i32, indicator: &str) -> bool {
        self.year(y) && self.row.as_ref().is_none_or(|row| row(y, indicator))
    }
}

/// Which rows to read: the years that must be present, and which rows to keep.
type Filter<'a> = (&'a [i32], &'a Keep<'a>);

/// An error naming the first of `wanted` that is not `present`, with the years there are.
fn check_years(origin: &str, wanted: &[i32], present: &BTreeSet<i32>) -> Result<()> {
    let Some(y) = wanted.iter().find(|y| !present.contains(y)) else {
        return Ok(());
    };
    let span = match (present.first(), present.last()) {
        (Some(a), Some(b)) => format!("the store has {a}-{b}"),
        _ => "the store is empty".into(),
    };
    Err(data(format!(
        "year {y} is not in the store {origin}: {span}; choose one of those years"
    )))
}

/// The store's columns and their types.
const STORE_COLUMNS: [(&str, DataType); 7] = [
    (col::UNIT, DataType::String),
    (col::YEAR, DataType::Int32),
    (col::INDICATOR, DataType::String),
    (col::NUMERATOR, DataType::Float64),
    (col::DENOMINATOR, DataType::Float64),
    (col::STATUS, DataType::String),
    (col::SOURCE, DataType::String),
];

/// The year and indicator columns, read first from each row group.
const KEY_COLUMNS: &[(&str, DataType)] = &[
    (col::YEAR, DataType::Int32),
    (col::INDICATOR, DataType::String),
];

/// The frame when it has the store's columns and types, else an error naming the column.
fn check_schema(frame: DataFrame, origin: &str) -> Result<DataFrame> {
    check_columns(frame, origin, &STORE_COLUMNS)
}

/// The frame when it has `expected` columns with their types, else an error naming the column.
fn check_columns(
    frame: DataFrame,
    origin: &str,
    expected: &[(&str, DataType)],
) -> Result<DataFrame> {
    for (name, dtype) in expected {
        match frame.schema().get(name) {
            Some(t) if t == dtype => {}
            Some(t) => {
                return Err(data(format!(
                    "{origin}: store column '{name}' has type {t}, expected {dtype}"
                )));
            }
            None => return Err(data(format!("{origin}: store column '{name}' is missing"))),
        }
    }
    Ok(frame)
}

/// What names a store in run records: its metadata, origin and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Store metadata.
    pub meta: StoreMeta,
    /// Where it was read from.
    pub origin: String,
    /// SHA-256 of its Parquet bytes.
    pub sha256: String,
}

fn not_a_store(origin: &str, e: PolarsError) -> anyhow::Error {
    data(format!(
        "{origin} is not a barometer store (a Parquet file written by `barometer ingest`): {e}"
    ))
}

/// The identity of the store in `bytes` and its Parquet metadata (row groups); an error when
/// it is not a store or a newer format.
fn identity(
    bytes: &[u8],
    origin: &str,
    sha256: String,
) -> Result<(Identity, polars_io::parquet::metadata::FileMetadataRef)> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let file_meta = reader
        .get_metadata()
        .map_err(|e| not_a_store(origin, e))?
        .clone();
    let meta_json = file_meta
        .key_value_metadata
        .clone()
        .unwrap_or_default()
        .into_iter()
        .find(|kv| kv.key == META_KEY)
        .and_then(|kv| kv.value)
        .ok_or_else(|| {
            data(format!(
                "{origin} is a Parquet file but not a barometer store (no '{META_KEY}' metadata); \
                     make a store with `barometer ingest`"
            ))
        })?;
    let version: serde_json::Value = serde_json::from_str(&meta_json)
        .map_err(|e| data(format!("{origin}: unreadable store metadata: {e}")))?;
    let found = version
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if found > u64::from(FORMAT_VERSION) {
        return Err(data(format!(
            "{origin} was written in store format {found}, newer than this barometer reads ({FORMAT_VERSION}); \
                 upgrade barometer"
        )));
    }
    let meta: StoreMeta = serde_json::from_value(version)
        .map_err(|e| data(format!("{origin}: unreadable store metadata: {e}")))?;
    let identity = Identity {
        meta,
        origin: origin.to_owned(),
        sha256,
    };
    Ok((identity, file_meta))
}

/// The rows `start..start + rows` (one row group) of a store's bytes (every column but
/// `source`, which is left empty) whose year and indicator `keep` accepts, with the years present
/// among all of them. A row group of `single` year (from its statistics) that `keep` rejects is
/// not read at all, and one whose every row `keep` takes is read without a mask; otherwise the
/// year and indicator are decoded first, and a row group without a kept row gives `None` and is
/// not decoded further.
fn group_rows(
    bytes: &[u8],
    origin: &str,
    (start, rows, single): (usize, usize, Option<i32>),
    keep: &Keep<'_>,
) -> Result<(BTreeSet<i32>, Option<DataFrame>)> {
    if let Some(y) = single.filter(|&y| !keep.year(y)) {
        return Ok((BTreeSet::from([y]), None));
    }
    let read = |columns: &[&str]| {
        ParquetReader::new(Cursor::new(bytes))
            .with_slice(Some((start, rows)))
            .with_columns(Some(columns.iter().map(|&c| c.to_owned()).collect()))
            .finish()
            .map_err(|e| not_a_store(origin, e))
    };
    // The other columns, units and counts side by side.
    let rest = || {
        let (units, counts) = rayon::join(
            || read(&[col::UNIT]),
            || read(&[col::NUMERATOR, col::DENOMINATOR, col::STATUS]),
        );
        Ok::<_, anyhow::Error>((units?, counts?))
    };
    // A kept year's row group is read whole, every column at once, with no mask.
    let whole = single.filter(|_| keep.row.is_none());
    let (keys, early) = match whole {
        Some(_) => {
            let (keys, rest) = rayon::join(|| read(&[col::YEAR, col::INDICATOR]), rest);
            (keys?, Some(rest?))
        }
        None => (read(&[col::YEAR, col::INDICATOR])?, None),
    };
    let keys = check_columns(keys, origin, KEY_COLUMNS)?;
    let year = keys.column(col::YEAR)?.as_materialized_series().i32()?;
    let indicator = keys
        .column(col::INDICATOR)?
        .as_materialized_series()
        .str()?;
    let (present, mask) = match whole {
        Some(y) => (BTreeSet::from([y]), None),
        None => {
            let (present, mask) = year_mask(year, indicator, keep);
            if !mask.any() {
                return Ok((present, None));
            }
            (present, Some(mask))
        }
    };
    let (units, counts) = match early {
        Some(rest) => rest,
        None => rest()?,
    };
    let empty = Scalar::new(DataType::String, AnyValue::StringOwned("".into()));
    let column = |frame: &DataFrame, name: &str| -> Result<Column> {
        frame
            .column(name)
            .cloned()
            .map_err(|_| data(format!("{origin}: store column '{name}' is missing")))
    };
    let part = DataFrame::new_infer_height(vec![
        column(&units, col::UNIT)?,
        column(&keys, col::YEAR)?,
        column(&keys, col::INDICATOR)?,
        column(&counts, col::NUMERATOR)?,
        column(&counts, col::DENOMINATOR)?,
        column(&counts, col::STATUS)?,
        Column::new_scalar(col::SOURCE.into(), empty, keys.height()),
    ])?;
    let part = check_schema(part, origin)?;
    Ok(match mask {
        Some(mask) => (present, Some(part.filter(&mask)?)),
        None => (present, Some(part)),
    })
}

/// Which rows of a row group `keep` accepts, and the years present among them.
fn year_mask(
    year: &Int32Chunked,
    indicator: &StringChunked,
    keep: &Keep<'_>,
) -> (BTreeSet<i32>, BooleanChunked) {
    // Rows come in runs of one year (store order): each run's year is added once.
    let mut present = BTreeSet::new();
    let mut last = None;
    let mut seen = |y: i32| {
        if last != Some(y) {
            last = Some(y);
            present.insert(y);
        }
    };
    let mask = match (year.cont_slice(), indicator.downcast_iter().next()) {
        // A row group as read: one chunk each, no missing years or indicators; read in place.
        (Ok(years), Some(names))
            if indicator.chunks().len() == 1 && indicator.null_count() == 0 =>
        {
            let keep: Vec<bool> = years
                .iter()
                .enumerate()
                .map(|(k, &y)| {
                    seen(y);
                    keep.row(y, names.value(k))
                })
                .collect();
            BooleanChunked::from_slice(PlSmallStr::EMPTY, &keep)
        }
        _ => year
            .iter()
            .zip(indicator.iter())
            .map(|(y, i)| {
                y.is_some_and(|y| {
                    seen(y);
                    keep.row(y, i.unwrap_or_default())
                })
            })
            .collect(),
    };
    (present, mask)
}

/// The one year of a row group whose `year` column's statistics give the same minimum and
/// maximum and no nulls.
fn single_year(group: &RowGroupMetadata, footer: &[u8]) -> Option<i32> {
    let column = group.columns_under_root_iter(col::YEAR)?.next()?;
    match column.statistics(footer)?.ok()? {
        Statistics::Int32(s) if s.null_count == Some(0) && s.min_value == s.max_value => {
            s.min_value
        }
        _ => None,
    }
}

/// Read the row groups of `bytes` (as many at a time as there are cores), hand the rows that
/// pass `keep` to `each` in file order, and check that each of `wanted` is present.
fn each_group(
    bytes: &[u8],
    origin: &str,
    file_meta: &polars_io::parquet::metadata::FileMetadataRef,
    wanted: &[i32],
    keep: &Keep<'_>,
    each: &mut dyn FnMut(DataFrame) -> Result<()>,
) -> Result<()> {
    let mut present = BTreeSet::new();
    // (first row, rows, its one year when the statistics say so) of each row group.
    let groups: Vec<(usize, usize, Option<i32>)> = file_meta
        .row_groups
        .iter()
        .scan(0, |offset, g| {
            let start = *offset;
            *offset += g.num_rows();
            Some((start, g.num_rows(), single_year(g, &file_meta.footer_buf)))
        })
        .collect();
    // As many row groups at a time as there are cores, decoded and filtered side by side, then
    // handed on in file order: memory holds that many groups at most.
    for window in groups.chunks(rayon::current_num_threads().max(1)) {
        let parts: Vec<Result<(BTreeSet<i32>, Option<DataFrame>)>> = window
            .par_iter()
            .map(|&group| group_rows(bytes, origin, group, keep))
            .collect();
        for part in parts {
            let (years, part) = part?;
            present.extend(years);
            if let Some(part) = part {
                each(part)?;
            }
        }
    }
    check_years(origin, wanted, &present)
}

impl Store {
    /// Build a store from records (sorted by key; keys must be unique).
    pub fn from_records(mut records: Vec<Record>, meta: StoreMeta, origin: &str) -> Result<Store> {
        records.sort_by(|a, b| a.key().cmp(&b.key()));
        let frame = DataFrame::new_infer_height(vec![
            Column::new(
                col::UNIT.into(),
                records.iter().map(|r| r.unit.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::YEAR.into(),
                records.iter().map(|r| r.year).collect::<Vec<_>>(),
            ),
            Column::new(
                col::INDICATOR.into(),
                records
                    .iter()
                    .map(|r| r.indicator.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                col::NUMERATOR.into(),
                records.iter().map(|r| r.numerator).collect::<Vec<_>>(),
            ),
            Column::new(
                col::DENOMINATOR.into(),
                records.iter().map(|r| r.denominator).collect::<Vec<_>>(),
            ),
            Column::new(
                col::STATUS.into(),
                records
                    .iter()
                    .map(|r| r.status.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                col::SOURCE.into(),
                records
                    .iter()
                    .map(|r| r.source.as_str())
                    .collect::<Vec<_>>(),
            ),
        ])?;
        let mut store = Store {
            frame,
            meta,
            origin: origin.to_owned(),
            sha256: String::new(),
        };
        store.sha256 = sha256_hex(&store.to_parquet()?);
        Ok(store)
    }

    /// Read a store from a Parquet file.
    pub fn open(path: &Path) -> Result<Store> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read store {}", path.display()))?;
        Store::from_parquet(&bytes, &path.display().to_string())
    }

    /// The bundled demo store, or the store at `path`.
    pub fn load(path: Option<&Path>) -> Result<Store> {
        match path {
            Some(p) => Store::open(p),
            None => crate::demo::bundled_store(),
        }
    }

    /// Read a store from Parquet bytes; `origin` names it in messages. A damaged file is an
    /// error, never a panic or an abort: the whole-file checksum is checked before polars parses
    /// a byte (polars' Parquet reader asserts, or asks for exabytes of memory, on some corruptions
    /// the `store` fuzz target found); a file with store metadata but no checksum is refused,
    /// and the rest is read under [`catch_silently`], which turns reader assertions into errors.
    pub fn from_parquet(bytes: &[u8], origin: &str) -> Result<Store> {
        Store::read(bytes, origin, None)
    }

    /// Read only the rows of `years` from the store at `path` (see [`Store::open_filtered`]).
    pub fn open_years(path: &Path, years: &[i32]) -> Result<Store> {
        Store::open_filtered(path, years, &Keep::years(years))
    }

    /// Read the rows whose year and indicator pass `keep` from the store at `path`, one row group at a
    /// time and without the `source` column (left empty: scoring never reads it), so memory
    /// holds the kept rows and one row group rather than the whole store. Each of `required`
    /// must be in the store, else an error lists the years it has.
    pub fn open_filtered(path: &Path, required: &[i32], keep: &Keep<'_>) -> Result<Store> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read store {}", path.display()))?;
        Store::read(&bytes, &path.display().to_string(), Some((required, keep)))
    }

    /// The bundled demo store, or the store at `path` read with [`Store::open_filtered`].
    pub fn load_filtered(path: Option<&Path>, required: &[i32], keep: &Keep<'_>) -> Result<Store> {
        match path {
            Some(p) => Store::open_filtered(p, required, keep),
            None => {
                let store = crate::demo::bundled_store()?;
                let present = store.years()?.into_iter().collect();
                check_years(&store.origin, required, &present)?;
                Ok(store)
            }
        }
    }

    /// Check the whole-file checksum, then parse under [`catch_silently`] (see
    /// [`Store::from_parquet`]).
    fn read(bytes: &[u8], origin: &str, filter: Option<Filter>) -> Result<Store> {
        Self::guarded(bytes, origin, |sha256| {
            Self::read_parquet(bytes, origin, sha256, filter)
        })
    }

    /// Check the whole-file checksum of `bytes`, then run `parse` (given the file's SHA-256)
    /// under [`catch_silently`].
    fn guarded<T>(
        bytes: &[u8],
        origin: &str,
        parse: impl FnOnce(String) -> Result<T>,
    ) -> Result<T> {
        let sha256 = checksum(bytes, origin)?;
        catch_silently(|| parse(sha256)).unwrap_or_else(|panic| {
            Err(data(format!(
                "{origin} is not a barometer store: the Parquet file is damaged ({panic}); \
                 restore it from a backup or ingest the source files again"
            )))
        })
    }

    fn read_parquet(
        bytes: &[u8],
        origin: &str,
        sha256: String,
        filter: Option<Filter>,
    ) -> Result<Store> {
        let (identity, file_meta) = identity(bytes, origin, sha256)?;
        let frame = match filter {
            None => check_schema(
                ParquetReader::new(Cursor::new(bytes))
                    .finish()
                    .map_err(|e| not_a_store(origin, e))?,
                origin,
            )?,
            Some((wanted, keep)) => {
                let mut kept: Option<DataFrame> = None;
                each_group(bytes, origin, &file_meta, wanted, keep, &mut |part| {
                    match &mut kept {
                        Some(k) => {
                            k.vstack_mut(&part)?;
                        }
                        None => kept = Some(part),
                    }
                    Ok(())
                })?;
                let mut frame = match kept {
                    Some(frame) => frame,
                    None => DataFrame::empty_with_schema(&Schema::from_iter(
                        STORE_COLUMNS.map(|(name, t)| Field::new(name.into(), t)),
                    )),
                };
                frame.rechunk_mut_par();
                frame
            }
        };
        let store = Store {
            frame,
            meta: identity.meta,
            origin: identity.origin,
            sha256: identity.sha256,
        };
        store.check_rows()?;
        Ok(store)
    }

    /// Hand the rows of the store at `path` whose year and indicator pass `keep` to `each`, one
    /// row group at a time, without the `source` column (see [`Store::open_filtered`]); each of
    /// `required` must be in the store. The rows are **not checked** as [`Store::open`] checks
    /// them: the caller checks what it reads (see `Panel`). Returns the store's identity.
    pub fn scan(
        path: &Path,
        required: &[i32],
        keep: &Keep<'_>,
        each: &mut dyn FnMut(DataFrame) -> Result<()>,
    ) -> Result<Identity> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read store {}", path.display()))?;
        let origin = path.display().to_string();
        Self::guarded(&bytes, &origin, |sha256| {
            let (identity, file_meta) = identity(&bytes, &origin, sha256)?;
            each_group(&bytes, &origin, &file_meta, required, keep, each)?;
            Ok(identity)
        })
    }

    /// The store's identity (metadata, origin, checksum), without its rows.
    pub fn identity(&self) -> Identity {
        Identity {
            meta: self.meta.clone(),
            origin: self.origin.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// Check what a store written by another program might get wrong: empty keys, counts that
    /// are negative or not finite, duplicate keys. Reads the columns in place (no row copies),
    /// so a store of millions of rows is checked without allocating per row.
    fn check_rows(&self) -> Result<()> {
        if self.rows_look_valid()? {
            return Ok(());
        }
        self.check_each_row()
    }

    /// One vectorised pass: keys present and strictly ascending (sorted, so unique) in store
    /// order (year, unit, indicator) or in the unit-first order of older stores, counts finite
    /// and not negative, statuses known. `false` sends the caller to the row-by-row check, which
    /// names the first bad row (or accepts an unsorted but valid store).
    fn rows_look_valid(&self) -> Result<bool> {
        let f = &self.frame;
        let statuses = f.column(col::STATUS)?.as_materialized_series().unique()?;
        if statuses
            .str()?
            .iter()
            .any(|s| s.and_then(Status::parse).is_none())
        {
            return Ok(false);
        }
        // Whether each row's key comes after the previous row's when compared column by column
        // in the order of `c` (null for the first row).
        let after = |c: [&str; 3]| {
            let prev = |c: &str| col(c).shift(lit(1));
            let (a, b, z) = (col(c[0]), col(c[1]), col(c[2]));
            prev(c[0]).lt(a.clone()).or(prev(c[0]).eq(a).and(
                prev(c[1])
                    .lt(b.clone())
                    .or(prev(c[1]).eq(b).and(prev(c[2]).lt(z))),
            ))
        };
        let out_of = |c: [&str; 3]| {
            after(c)
                .fill_null(lit(true))
                .not()
                .cast(DataType::UInt32)
                .sum()
        };
        let (u, y, i) = (col(col::UNIT), col(col::YEAR), col(col::INDICATOR));
        let bad_count = |c: &str| col(c).lt(lit(0.0)).or(col(c).is_finite().not());
        let bad = u
            .clone()
            .is_null()
            .or(y.is_null())
            .or(i.clone().is_null())
            .or(u.eq(lit("")))
            .or(i.eq(lit("")))
            .or(bad_count(col::NUMERATOR).fill_null(lit(false)))
            .or(bad_count(col::DENOMINATOR).fill_null(lit(false)));
        let counted = f
            .clone()
            .lazy()
            .select([
                bad.fill_null(lit(true))
                    .cast(DataType::UInt32)
                    .sum()
                    .alias("bad"),
                out_of([col::YEAR, col::UNIT, col::INDICATOR]).alias("by_year"),
                out_of([col::UNIT, col::YEAR, col::INDICATOR]).alias("by_unit"),
            ])
            .collect()?;
        let n = |name: &str| -> Result<u32> {
            Ok(counted
                .column(name)?
                .as_materialized_series()
                .u32()?
                .get(0)
                .unwrap_or(0))
        };
        Ok(n("bad")? == 0 && (n("by_year")? == 0 || n("by_unit")? == 0))
    }

    /// The row-by-row check behind [`Store::check_rows`].
    fn check_each_row(&self) -> Result<()> {
        let f = &self.frame;
        let c = self.columns()?;
        let (units, inds, stats) = (c.unit, c.indicator, c.status);
        let (nums, dens, years) = (c.numerator, c.denominator, c.year);
        let key = |i: usize| {
            (
                years.get(i).unwrap_or_default(),
                units.get(i).unwrap_or_default(),
                inds.get(i).unwrap_or_default(),
            )
        };
        let mut sorted = true;
        for i in 0..f.height() {
            let (year, unit, indicator) = key(i);
            let bad = |what: &str| {
                data(format!(
                    "{}: row {} ({unit} {year} {indicator}): {what}",
                    self.origin,
                    i + 1
                ))
            };
            if unit.is_empty() || indicator.is_empty() {
                return Err(bad("empty unit or indicator"));
            }
            for v in [nums.get(i), dens.get(i)].into_iter().flatten() {
                if !v.is_finite() || v < 0.0 {
                    return Err(bad(&format!("count {v} is negative or not finite")));
                }
            }
            let status = stats.get(i).unwrap_or_default();
            if Status::parse(status).is_none() {
                return Err(bad(&format!("unknown status '{status}'")));
            }
            sorted &= i == 0 || key(i - 1) <= key(i);
        }
        let twice = |k: (i32, &str, &str)| {
            data(format!(
                "{}: unit {}, year {}, indicator '{}' appears twice; the key must be unique",
                self.origin, k.1, k.0, k.2
            ))
        };
        if sorted {
            if let Some(i) = (1..f.height()).find(|&i| key(i - 1) == key(i)) {
                return Err(twice(key(i)));
            }
        } else {
            let mut keys: Vec<_> = (0..f.height()).map(key).collect();
            keys.sort_unstable();
            if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
                return Err(twice(w[0]));
            }
        }
        Ok(())
    }

    /// The store as Parquet bytes, metadata and checksum included (see [`write_parquet`]).
    /// A frame not in year order (read from a store written before the year order) is written
    /// ordered by year, its rows' order kept within a year.
    pub fn to_parquet(&self) -> Result<Vec<u8>> {
        let years = self
            .frame
            .column(col::YEAR)?
            .as_materialized_series()
            .i32()?;
        let frame = if years.iter().is_sorted() {
            self.frame.clone()
        } else {
            self.frame.sort(
                [col::YEAR],
                SortMultipleOptions::default().with_maintain_order(true),
            )?
        };
        let years = frame.column(col::YEAR)?.as_materialized_series().i32()?;
        let groups = row_groups(frame.height(), |i| years.get(i).unwrap_or_default());
        let mut buf = Vec::new();
        write_parquet(&mut buf, &self.meta, &groups, |start, len| {
            let mut batch = frame.slice(start as i64, len);
            batch.rechunk_mut();
            Ok(batch)
        })?;
        Ok(buf)
    }

    /// Write the store atomically to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        atomic::write_bytes(path, &self.to_parquet()?)
    }

    /// All rows as records.
    pub fn records(&self) -> Result<Vec<Record>> {
        let c = self.columns()?;
        (0..self.frame.height())
            .map(|i| {
                Ok(Record {
                    unit: c.unit.get(i).unwrap_or_default().to_owned(),
                    year: c.year.get(i).unwrap_or_default(),
                    indicator: c.indicator.get(i).unwrap_or_default().to_owned(),
                    numerator: c.numerator.get(i),
                    denominator: c.denominator.get(i),
                    status: self.status_of(i, c.status.get(i).unwrap_or_default())?,
                    source: c.source.get(i).unwrap_or_default().to_owned(),
                })
            })
            .collect()
    }

    /// The table's columns, by type.
    pub fn columns(&self) -> Result<Columns<'_>> {
        let f = &self.frame;
        let s = |name: &str| -> Result<&StringChunked> {
            Ok(f.column(name)?.as_materialized_series().str()?)
        };
        let n = |name: &str| -> Result<&Float64Chunked> {
            Ok(f.column(name)?.as_materialized_series().f64()?)
        };
        Ok(Columns {
            unit: s(col::UNIT)?,
            year: f.column(col::YEAR)?.as_materialized_series().i32()?,
            indicator: s(col::INDICATOR)?,
            numerator: n(col::NUMERATOR)?,
            denominator: n(col::DENOMINATOR)?,
            status: s(col::STATUS)?,
            source: s(col::SOURCE)?,
        })
    }

    /// The status written `text` in row `i` (from 0), or an error naming the row.
    pub fn status_of(&self, i: usize, text: &str) -> Result<Status> {
        Status::parse(text).ok_or_else(|| {
            data(format!(
                "{}: unknown status '{text}' in row {}",
                self.origin,
                i + 1
            ))
        })
    }

    /// The years present, ascending.
    pub fn years(&self) -> Result<Vec<i32>> {
        let years = self
            .frame
            .column(col::YEAR)?
            .as_materialized_series()
            .i32()?;
        Ok(years
            .iter()
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// The indicator ids present, sorted.
    pub fn indicators(&self) -> Result<Vec<String>> {
        let inds = self
            .frame
            .column(col::INDICATOR)?
            .as_materialized_series()
            .str()?;
        Ok(inds
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// A short human description: origin, rows, years.
    pub fn describe(&self) -> String {
        describe(
            &self.origin,
            self.frame.height(),
            &self.years().unwrap_or_default(),
        )
    }
}

/// `origin (N rows, years A-B)`.
pub fn describe(origin: &str, rows: usize, years: &[i32]) -> String {
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "-".into(),
    };
    format!("{origin} ({rows} rows, years {span})")
}

/// The pages of every column of a one-chunk `frame`, encoded and compressed as polars' Parquet
/// writer does.
fn encode(
    frame: &DataFrame,
    types: &[ParquetType],
    encodings: &[Vec<Encoding>],
    options: WriteOptions,
) -> Result<Vec<Vec<CompressedPage>>> {
    let mut columns = Vec::new();
    for chunk in frame.iter_chunks(CompatLevel::newest(), false) {
        for ((array, kind), encoding) in chunk.columns().iter().zip(types).zip(encodings) {
            for pages in array_to_columns(array, kind.clone(), options, encoding)? {
                columns.push(
                    pages
                        .map(|page| Ok(compress(page?, Vec::new(), options.compression)?))
                        .collect::<Result<Vec<_>>>()?,
                );
            }
        }
    }
    Ok(columns)
}

/// Rows per Parquet row group, at most.
pub const ROW_GROUP: usize = 512 * 512;

/// Rows a row group holds before a change of year ends it.
const YEAR_GROUP: usize = ROW_GROUP / 8;

/// The row groups, as (first row, rows), of a table of `height` rows in store order whose row
/// `i` has year `year(i)`: a group ends after [`ROW_GROUP`] rows, or where the year changes
/// once it holds [`YEAR_GROUP`] rows. So a year of a large store (20,000 sectors x 12
/// indicators) has row groups of its own, which a reader of other years skips, while a small
/// store stays in a few groups.
pub fn row_groups(height: usize, year: impl Fn(usize) -> i32) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=height {
        let len = i - start;
        if i == height || len == ROW_GROUP || (len >= YEAR_GROUP && year(i) != year(i - 1)) {
            groups.push((start, len));
            start = i;
        }
    }
    groups
}

/// Write a store table as Parquet, metadata included, one row group per entry of `groups`
/// (see [`row_groups`]); `batch(start, len)` gives rows `start..start + len` as a one-chunk
/// frame with the store's columns, so a table written whole or batch by batch gives the same
/// bytes.
///
/// `buf` must be empty: the file carries its own SHA-256 under [`CHECKSUM_KEY`], computed over
/// the whole file with that value set to 64 zeros, so that a reader checks every byte before
/// polars parses anything (see `checksum`).
pub fn write_parquet(
    buf: &mut Vec<u8>,
    meta: &StoreMeta,
    groups: &[(usize, usize)],
    batch: impl Fn(usize, usize) -> Result<DataFrame> + Sync,
) -> Result<()> {
    anyhow::ensure!(buf.is_empty(), "a store is written into an empty buffer");
    let meta = serde_json::to_string(meta)?;
    let first = batch(0, groups.first().map_or(0, |g| g.1))?;
    // The options polars' writer gets, for the pages encoded here.
    let compression = ParquetCompression::Zstd(None);
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        compression: compression.into(),
        version: Version::V1,
        data_page_size: None,
    };
    let arrow = first.schema().to_arrow(CompatLevel::newest());
    let encodings = get_encodings(&arrow);
    let mut writer = ParquetWriter::new(&mut *buf)
        .with_compression(compression)
        .with_statistics(options.statistics)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![
            (META_KEY.to_owned(), meta),
            (CHECKSUM_KEY.to_owned(), CHECKSUM_PLACEHOLDER.to_owned()),
        ])))
        .batched(first.schema())?;
    let types = writer.parquet_schema().fields().to_vec();
    // Row groups are encoded and compressed on all cores, a few at a time (bounded memory), and
    // written in order: the same bytes as one row group after the other.
    let mut first = Some(first);
    for window in groups.chunks(2 * rayon::current_num_threads()) {
        let taken = first.take();
        let encoded = window
            .par_iter()
            .enumerate()
            .map(|(i, &(start, len))| {
                let frame = match (i, &taken) {
                    (0, Some(f)) => f.clone(),
                    _ => batch(start, len)?,
                };
                Ok((len, encode(&frame, &types, &encodings, options)?))
            })
            .collect::<Result<Vec<_>>>()?;
        for (len, pages) in encoded {
            writer.write_row_group(len as u64, &pages)?;
        }
    }
    writer.finish()?;
    let at = checksum_at(buf).context("the store checksum placeholder was not written")?;
    let sum = sha256_hex(buf);
    buf[at..at + 64].copy_from_slice(sum.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(unit: &str, year: i32, num: Option<f64>, status: Status) -> Record {
        Record {
            unit: unit.into(),
            year,
            indicator: "kansarmoede-index".into(),
            numerator: num,
            denominator: Some(100.0),
            status,
            source: "t.csv".into(),
        }
    }

    #[test]
    fn row_groups_encoded_in_parallel_give_the_bytes_of_polars_own_writer() {
        // Three row groups, the last one short, with repeated strings and nulls.
        let height = 2 * ROW_GROUP + 1_001;
        let frame = df![
            col::UNIT => (0..height).map(|i| format!("{}", 11_000 + i % 577)).collect::<Vec<_>>(),
            col::YEAR => (0..height).map(|i| 2000 + (i % 24) as i32).collect::<Vec<_>>(),
            col::NUMERATOR => (0..height)
                .map(|i| (i % 7 != 0).then_some((i % 1_000) as f64))
                .collect::<Vec<_>>(),
        ]
        .unwrap();
        let meta = StoreMeta::default();
        let groups: Vec<(usize, usize)> = (0..height)
            .step_by(ROW_GROUP)
            .map(|start| (start, ROW_GROUP.min(height - start)))
            .collect();
        let mut ours = Vec::new();
        write_parquet(&mut ours, &meta, &groups, |start, len| {
            Ok(frame.slice(start as i64, len))
        })
        .unwrap();
        let at = checksum_at(&ours).unwrap();
        ours[at..at + 64].copy_from_slice(CHECKSUM_PLACEHOLDER.as_bytes());
        // polars' batched writer, one row group after the other.
        let mut theirs = Vec::new();
        let mut writer = ParquetWriter::new(&mut theirs)
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![
                (META_KEY.to_owned(), serde_json::to_string(&meta).unwrap()),
                (CHECKSUM_KEY.to_owned(), CHECKSUM_PLACEHOLDER.to_owned()),
            ])))
            .batched(frame.schema())
            .unwrap();
        for start in (0..height).step_by(ROW_GROUP) {
            writer
                .write_batch(&frame.slice(start as i64, ROW_GROUP))
                .unwrap();
        }
        writer.finish().unwrap();
        assert!(
            ours == theirs,
            "our Parquet bytes differ from polars' writer"
        );
    }

    #[test]
    fn row_groups_end_at_a_change_of_year_once_large_enough() {
        // 100,000 rows a year: one group per year. A group never passes ROW_GROUP rows.
        let big = row_groups(300_000, |i| 2000 + (i / 100_000) as i32);
        assert_eq!(big, [(0, 100_000), (100_000, 100_000), (200_000, 100_000)]);
        let huge = row_groups(ROW_GROUP + 10, |_| 2023);
        assert_eq!(huge, [(0, ROW_GROUP), (ROW_GROUP, 10)]);
        // 2,400 rows a year (the municipal demo): years share a group until YEAR_GROUP rows.
        let small = row_groups(16 * 2_400, |i| 2008 + (i / 2_400) as i32);
        let per = YEAR_GROUP.div_ceil(2_400) * 2_400;
        assert_eq!(small, [(0, per), (per, 16 * 2_400 - per)]);
        assert!(row_groups(0, |_| 0).is_empty());
        assert_eq!(row_groups(1, |_| 0), [(0, 1)]);
    }

    #[test]
    fn a_year_is_read_without_decoding_the_other_years_row_groups() {
        // 3 years of 40,000 rows (one row group each); reading 2001 keeps only its rows, the
        // other groups give nothing, and every year counts as present.
        let records: Vec<Record> = (2000..2003)
            .flat_map(|year| {
                (0..40_000).map(move |u| Record {
                    unit: format!("{:05}", 10_000 + u),
                    year,
                    indicator: "x".into(),
                    numerator: Some(1.0),
                    denominator: Some(2.0),
                    status: Status::Observed,
                    source: "s".into(),
                })
            })
            .collect();
        let bytes = Store::from_records(records, StoreMeta::default(), "mem")
            .unwrap()
            .to_parquet()
            .unwrap();
        let (_, file_meta) = identity(&bytes, "mem", String::new()).unwrap();
        assert_eq!(file_meta.row_groups.len(), 3, "one row group per year");
        let keep = Keep::years(&[2001]);
        let mut kept = Vec::new();
        for (k, group) in file_meta.row_groups.iter().enumerate() {
            let year = single_year(group, &file_meta.footer_buf);
            assert_eq!(year, Some(2000 + k as i32), "the statistics give the year");
            // Skipped by the statistics, or by the decoded years when there are none.
            for year in [year, None] {
                let group = (40_000 * k, 40_000, year);
                let (present, rows) = group_rows(&bytes, "mem", group, &keep).unwrap();
                assert_eq!(present, BTreeSet::from([2000 + k as i32]));
                kept.push(rows.map(|r| r.height()));
            }
        }
        kept.dedup();
        assert_eq!(kept, [None, Some(40_000), None]);
    }

    #[test]
    fn both_store_orders_pass_the_vectorised_check_and_no_other_does() {
        let records: Vec<Record> = ["11002", "71016"]
            .iter()
            .flat_map(|unit| {
                (2022..=2023).map(move |year| rec(unit, year, Some(1.0), Status::Observed))
            })
            .collect();
        let store = Store::from_records(records, StoreMeta::default(), "mem").unwrap();
        let by_unit = store
            .frame
            .sort(
                [col::UNIT, col::YEAR, col::INDICATOR],
                SortMultipleOptions::default(),
            )
            .unwrap();
        assert_ne!(store.frame, by_unit);
        let twice = store.frame.vstack(&store.frame.slice(-1, 1)).unwrap();
        for (frame, ok) in [
            (store.frame.clone(), true),
            (by_unit, true),
            (store.frame.reverse(), false),
            (twice, false),
        ] {
            let store = Store {
                frame,
                ..store.clone()
            };
            assert_eq!(store.rows_look_valid().unwrap(), ok, "{}", store.frame);
        }
    }

    #[test]
    fn parquet_round_trip_keeps_rows_and_metadata() {
        let meta = StoreMeta {
            description: "test".into(),
            inputs: vec![InputFile {
                file: "t.csv".into(),
                sha256: "ab".into(),
                rows: 2,
            }],
            ..StoreMeta::default()
        };
        let records = vec![
            rec("71016", 2013, None, Status::Suppressed),
            rec("11002", 2013, Some(12.0), Status::Observed),
        ];
        let store = Store::from_records(records, meta.clone(), "mem").unwrap();
        let bytes = store.to_parquet().unwrap();
        let back = Store::from_parquet(&bytes, "mem").unwrap();
        assert_eq!(back.meta, meta);
        let rows = back.records().unwrap();
        assert_eq!(rows[0].unit, "11002");
        assert_eq!(rows[1].numerator, None);
        assert_eq!(rows[1].status, Status::Suppressed);
        assert_eq!(back.sha256, store.sha256);
        assert_eq!(
            back.sha256,
            sha256_hex(&bytes),
            "the checksum is the file's"
        );
    }

    #[test]
    fn rejects_stores_with_bad_counts_or_duplicate_keys() {
        let mut bad = rec("71016", 2013, Some(f64::NAN), Status::Observed);
        let store = Store::from_records(vec![bad.clone()], StoreMeta::default(), "mem").unwrap();
        let msg = format!(
            "{:#}",
            Store::from_parquet(&store.to_parquet().unwrap(), "x").unwrap_err()
        );
        assert!(
            msg.contains("x: row 1 (71016 2013 kansarmoede-index): count NaN"),
            "{msg}"
        );
        bad.numerator = Some(1.0);
        let store =
            Store::from_records(vec![bad.clone(), bad], StoreMeta::default(), "mem").unwrap();
        let msg = format!(
            "{:#}",
            Store::from_parquet(&store.to_parquet().unwrap(), "x").unwrap_err()
        );
        assert!(msg.contains("appears twice"), "{msg}");
    }

    #[test]
    fn open_years_keeps_only_those_years_and_names_the_span() {
        let mut later = rec("71016", 2014, Some(3.0), Status::Observed);
        later.indicator = "leefloon-gezinnen".into();
        let records = vec![
            rec("71016", 2013, Some(1.0), Status::Observed),
            rec("11002", 2013, None, Status::Suppressed),
            later,
        ];
        let store = Store::from_records(records, StoreMeta::default(), "mem").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.parquet");
        store.save(&path).unwrap();
        let only = Store::open_years(&path, &[2014]).unwrap();
        let expected = Record {
            source: String::new(),
            ..store.records().unwrap()[2].clone()
        };
        assert_eq!(only.records().unwrap(), vec![expected], "no sources");
        assert_eq!(only.sha256, store.sha256, "the checksum is the file's");
        assert_eq!(
            Store::open_years(&path, &[2013, 2014])
                .unwrap()
                .frame
                .height(),
            3
        );
        let msg = format!("{:#}", Store::open_years(&path, &[2020]).unwrap_err());
        assert!(
            msg.contains("year 2020 is not in the store") && msg.contains("2013-2014"),
            "{msg}"
        );
    }

    #[test]
    fn rejects_non_parquet_and_newer_formats() {
        let msg = format!(
            "{:#}",
            Store::from_parquet(b"nis;jaar\n", "x.parquet").unwrap_err()
        );
        assert!(msg.contains("x.parquet is not a barometer store"), "{msg}");
        let meta = StoreMeta {
            format_version: FORMAT_VERSION + 1,
            ..StoreMeta::default()
        };
        let store = Store::from_records(vec![], meta, "mem").unwrap();
        let msg = format!(
            "{:#}",
            Store::from_parquet(&store.to_parquet().unwrap(), "new.parquet").unwrap_err()
        );
        assert!(msg.contains("newer than this barometer reads"), "{msg}");
    }

    #[test]
    fn a_damaged_store_is_an_error_never_a_panic() {
        let records = vec![Record {
            unit: "71016".into(),
            year: 2013,
            indicator: "kansarmoede-index".into(),
            numerator: Some(12.0),
            denominator: Some(100.0),
            status: Status::Observed,
            source: "t".into(),
        }];
        let bytes = Store::from_records(records, StoreMeta::default(), "mem")
            .unwrap()
            .to_parquet()
            .unwrap();
        let good = Store::from_parquet(&bytes, "ok.parquet")
            .unwrap()
            .records()
            .unwrap();
        // Any flipped byte is caught by the checksum before polars reads, or leaves the rows
        // intact (a flip in the checksum's key name: read as a store without checksum).
        for at in (0..bytes.len()).step_by(3) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5A;
            match Store::from_parquet(&bad, "bad.parquet") {
                Err(e) => assert!(format!("{e:#}").contains("bad.parquet"), "byte {at}: {e:#}"),
                Ok(s) => assert_eq!(s.records().unwrap(), good, "byte {at} changed the rows"),
            }
        }
        // A damaged file without checksum (polars asserts inside): an error, not a panic.
        let msg = catch_silently(|| -> u8 { panic!("inside") }).unwrap_err();
        assert_eq!(msg, "reader: inside");
    }
}
