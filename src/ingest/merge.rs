//! Merging read files into a store: combine numerator and denominator halves, drop repeated rows
//! (an error when they differ), check that each year is in one municipality set, restate rows in
//! one set (see `harmonise`), and join with the stored rows. Works on [`Rows`] (interned strings,
//! columns) and sorts row numbers, so millions of rows merge without a `String` per cell; the
//! result is written as Parquet batch by batch.

use super::harmonise::{self, Applied};
use super::report::{self, Report};
use super::rows::Rows;
use super::{Located, ParsedFile, Part, Rejection, check_counts};
use crate::definition::Definition;
use crate::error::{Location, data};
use crate::geo::{Geography, MunicipalitySet, sector_municipality};
use crate::panel::{IdColumns, Panel};
use crate::store::{self, Identity, Record, Status, Store, StoreMeta, col};
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// How to merge.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Let rows that differ from the store replace the stored counts.
    pub replace: bool,
    /// Make any rejected row an error.
    pub strict: bool,
    /// State the rows in the municipality set in force in this year (default: the newest set
    /// present in the store and the inputs).
    pub target_year: Option<i32>,
}

type Key = (String, i32, String);

fn key_of(r: &Record) -> Key {
    (r.unit.clone(), r.year, r.indicator.clone())
}

fn rejected_error(rejected: &[Rejection]) -> anyhow::Error {
    let mut msg = format!("{} row(s) rejected; nothing was written:\n", rejected.len());
    for r in rejected.iter().take(50) {
        let _ = writeln!(msg, "  {}: {}", r.location, super::shorten(&r.reason));
    }
    if rejected.len() > 50 {
        let _ = writeln!(msg, "  ... and {} more", rejected.len() - 50);
    }
    msg.push_str("Correct the rows and ingest again (without --strict, the other rows are kept).");
    data(msg)
}

/// Combine numerator halves and denominator halves of the same key (from different files) into
/// whole rows; a half without its other half is rejected.
fn combine_parts(
    def: &Definition,
    rows: Vec<Located>,
    rejected: &mut Vec<Rejection>,
) -> (Vec<Located>, usize) {
    let mut whole = Vec::new();
    let mut halves: BTreeMap<Key, Vec<Located>> = BTreeMap::new();
    for row in rows {
        match row.part {
            Part::Whole => whole.push(row),
            _ => halves.entry(key_of(&row.record)).or_default().push(row),
        }
    }
    let mut combined = 0;
    for (key, parts) in halves {
        let num = parts.iter().find(|p| p.part == Part::Numerator);
        let den = parts.iter().find(|p| p.part == Part::Denominator);
        match (num, den) {
            (Some(n), Some(d)) if parts.len() == 2 => {
                let status = n.record.status.max(d.record.status);
                let record = Record {
                    numerator: if status.has_counts() {
                        n.record.numerator
                    } else {
                        None
                    },
                    denominator: d.record.denominator,
                    status,
                    source: format!("{} + {}", n.record.source, d.record.source),
                    ..n.record.clone()
                };
                if let Err((column, reason)) = check_counts(def, &record) {
                    rejected.push(Rejection {
                        location: Location {
                            column: Some(column.into()),
                            ..n.location.clone()
                        },
                        reason: format!("{reason} (denominator from {})", d.location),
                        unknown_unit: false,
                    });
                    continue;
                }
                combined += 1;
                whole.push(Located {
                    location: n.location.clone(),
                    record,
                    part: Part::Whole,
                });
            }
            _ => {
                for p in &parts {
                    let (has, lacks) = match p.part {
                        Part::Numerator => ("numerator", "denominator"),
                        _ => ("denominator", "numerator"),
                    };
                    let reason = if parts.len() > 2
                        || (num.is_some() != den.is_some()) && parts.len() > 1
                    {
                        format!(
                            "the {has} of unit {}, year {}, indicator '{}' is given more than once ({} places)",
                            key.0,
                            key.1,
                            key.2,
                            parts.len()
                        )
                    } else {
                        format!(
                            "only the {has} of unit {}, year {}, indicator '{}' is given; ingest this \
                             file together with the file that gives the {lacks}",
                            key.0, key.1, key.2
                        )
                    };
                    rejected.push(Rejection {
                        location: p.location.clone(),
                        reason,
                        unknown_unit: false,
                    });
                }
            }
        }
    }
    (whole, combined)
}

/// The rows a merge gives, in key order (unit, year, indicator), with the store's metadata.
#[derive(Debug, Clone)]
pub struct Merged {
    rows: Rows,
    /// Row numbers in key order.
    order: Vec<u32>,
    /// Store metadata (the inputs so far).
    pub meta: StoreMeta,
    /// The store's name in messages.
    pub origin: String,
}

impl Merged {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.order.len()
    }

    /// The rows as records, in store order.
    pub fn records(&self) -> Result<Vec<Record>> {
        Ok(self
            .store_order()
            .iter()
            .map(|&i| self.rows.record(i as usize))
            .collect())
    }

    /// Row numbers in store order (year, unit, indicator): the key order's rows regrouped by
    /// year, their order kept within a year (one counting pass).
    fn store_order(&self) -> Vec<u32> {
        let year = |i: u32| self.rows.year[i as usize];
        let Some(first) = self.order.iter().map(|&i| year(i)).min() else {
            return Vec::new();
        };
        let last = self.order.iter().map(|&i| year(i)).max().unwrap_or(first);
        let mut at = vec![0usize; (last - first) as usize + 2];
        for &i in &self.order {
            at[(year(i) - first) as usize + 1] += 1;
        }
        for k in 1..at.len() {
            at[k] += at[k - 1];
        }
        let mut out = vec![0u32; self.order.len()];
        for &i in &self.order {
            let slot = &mut at[(year(i) - first) as usize];
            out[*slot] = i;
            *slot += 1;
        }
        out
    }

    /// The years present, ascending.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = Vec::new();
        for &i in &self.order {
            let year = self.rows.year[i as usize];
            if years.last() != Some(&year) {
                years.push(year);
            }
        }
        years.sort_unstable();
        years.dedup();
        years
    }

    /// A short human description: origin, rows, years.
    pub fn describe(&self) -> String {
        store::describe(&self.origin, self.height(), &self.years())
    }

    /// The rows `idx` as a frame with the store's columns.
    fn batch(&self, idx: &[u32]) -> Result<DataFrame> {
        let r = &self.rows;
        // Strings are gathered from the few distinct ones (views into one buffer), not copied
        // row by row.
        let gather = |names: &[&str], id: &dyn Fn(usize) -> u32| -> PolarsResult<Series> {
            let distinct = StringChunked::from_iter_values("".into(), names.iter().copied());
            let at =
                IdxCa::from_iter_values("".into(), idx.iter().map(|&i| id(i as usize) as IdxSize));
            Ok(distinct.take(&at)?.into_series())
        };
        let strings = |names: &super::rows::Interner, ids: &[u32]| {
            let names: Vec<&str> = names.names().iter().map(String::as_str).collect();
            gather(&names, &|i| ids[i])
        };
        let counts = |v: &[f64]| {
            Float64Chunked::from_iter_options(
                "".into(),
                idx.iter().map(|&i| super::rows::from_column(v[i as usize])),
            )
        };
        // The seven columns are built on all cores.
        let columns: Vec<Column> = (0..7)
            .into_par_iter()
            .map(|c| -> PolarsResult<Column> {
                let (series, name) = match c {
                    0 => (strings(&r.units, &r.unit)?, col::UNIT),
                    1 => (
                        Int32Chunked::from_iter_values(
                            "".into(),
                            idx.iter().map(|&i| r.year[i as usize]),
                        )
                        .into_series(),
                        col::YEAR,
                    ),
                    2 => (strings(&r.indicators, &r.indicator)?, col::INDICATOR),
                    3 => (counts(&r.numerator).into_series(), col::NUMERATOR),
                    4 => (counts(&r.denominator).into_series(), col::DENOMINATOR),
                    5 => (
                        gather(&Status::ALL.map(Status::as_str), &|i| r.status[i] as u32)?,
                        col::STATUS,
                    ),
                    _ => (strings(&r.sources, &r.source)?, col::SOURCE),
                };
                Ok(Column::from(series.with_name(name.into())))
            })
            .collect::<PolarsResult<_>>()?;
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// The store as Parquet bytes, metadata included (the same bytes as a [`Store`] with these
    /// rows).
    pub fn to_parquet(&self) -> Result<Vec<u8>> {
        let order = self.store_order();
        let groups = store::row_groups(order.len(), |k| self.rows.year[order[k] as usize]);
        let mut buf = Vec::new();
        store::write_parquet(&mut buf, &self.meta, &groups, |s, l| {
            self.batch(&order[s..s + l])
        })?;
        Ok(buf)
    }

    /// The rows of the years that pass `keep` as a panel for scoring, named by `identity`
    /// (the same panel as the store of these rows would give).
    pub fn to_panel(&self, identity: Identity, keep: &(dyn Fn(i32) -> bool + Sync)) -> Panel {
        let r = &self.rows;
        let columns = IdColumns {
            order: &self.order,
            unit: &r.unit,
            year: &r.year,
            indicator: &r.indicator,
            numerator: &r.numerator,
            denominator: &r.denominator,
            status: &r.status,
        };
        Panel::from_ids(
            identity,
            r.units.names(),
            r.indicators.names(),
            columns,
            keep,
        )
    }

    /// The rows as an in-memory store.
    pub fn to_store(&self) -> Result<Store> {
        Store::from_parquet(&self.to_parquet()?, &self.origin)
    }
}

/// Row numbers sorted by unit, year and indicator as strings (ties: row number).
fn sort_by_key(rows: &Rows, idx: &mut [u32]) {
    let (units, inds) = (rows.units.ranks(), rows.indicators.ranks());
    sort_unless_sorted(idx, |i| {
        (
            units[rows.unit[i] as usize],
            rows.year[i],
            inds[rows.indicator[i] as usize],
            i,
        )
    });
}

/// Sort row numbers by `key` (unique per row), unless they already are (files are often written
/// in key order, unit by unit): checking is one pass, on all cores.
fn sort_unless_sorted<K: Ord + Send>(idx: &mut [u32], key: impl Fn(usize) -> K + Sync) {
    let sorted = idx
        .par_windows(2)
        .all(|w| key(w[0] as usize) < key(w[1] as usize));
    if !sorted {
        idx.par_sort_unstable_by_key(|&i| key(i as usize));
    }
}

/// Whether rows `a` and `b` have the same unit, year and indicator.
fn same_key(rows: &Rows, a: usize, b: usize) -> bool {
    rows.unit[a] == rows.unit[b]
        && rows.year[a] == rows.year[b]
        && rows.indicator[a] == rows.indicator[b]
}

/// The municipality a unit code counts for in set checks: the code itself, or a sector's
/// municipality.
fn municipality_part(unit: &str) -> &str {
    sector_municipality(unit).unwrap_or(unit)
}

/// Per year, the municipalities of some rows (sectors counted by their municipality), and
/// whether the year has sector rows.
type YearUnits = BTreeMap<i32, (BTreeSet<String>, bool)>;

/// The [`YearUnits`] of the rows `idx`, counted on all cores.
fn year_units(rows: &Rows, idx: &[u32]) -> YearUnits {
    year_units_of(rows, idx.len(), |k| {
        let i = idx[k] as usize;
        (rows.year[i], rows.unit[i])
    })
}

/// The [`YearUnits`] of the rows left out for their year ([`Rows::elsewhere`]).
fn elsewhere_years(rows: &Rows) -> YearUnits {
    year_units_of(rows, rows.elsewhere.len(), |k| rows.elsewhere[k])
}

/// The [`YearUnits`] of `len` rows of `rows`, the `k`th with year and unit `pair(k)`.
fn year_units_of(rows: &Rows, len: usize, pair: impl Fn(usize) -> (i32, u32) + Sync) -> YearUnits {
    // Each unit's municipality by number (sectors share their municipality's), and whether it
    // is a sector.
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let of_unit: Vec<(u32, bool)> = rows
        .units
        .names()
        .iter()
        .map(|u| {
            let code = municipality_part(u);
            let next = names.len() as u32;
            let n = *numbers.entry(code).or_insert_with(|| {
                names.push(code);
                next
            });
            (n, sector_municipality(u).is_some())
        })
        .collect();
    // Rows come sorted or grouped by unit: skip repeats of the previous pair first.
    const CHUNK: usize = 1 << 16;
    let mut pairs: Vec<(i32, u32, bool)> = (0..len.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut pairs: Vec<(i32, u32, bool)> = Vec::new();
            for k in c * CHUNK..((c + 1) * CHUNK).min(len) {
                let (year, unit) = pair(k);
                let (muni, sector) = of_unit[unit as usize];
                let pair = (year, muni, sector);
                if pairs.last() != Some(&pair) {
                    pairs.push(pair);
                }
            }
            pairs
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut out = YearUnits::new();
    for (year, muni, sector) in pairs {
        let entry = out.entry(year).or_default();
        if !entry.0.contains(names[muni as usize]) {
            entry.0.insert(names[muni as usize].to_owned());
        }
        entry.1 |= sector;
    }
    out
}

/// The [`YearUnits`] of two sets of rows together.
fn union(mut a: YearUnits, b: YearUnits) -> YearUnits {
    for (year, (units, sector)) in b {
        let entry = a.entry(year).or_default();
        entry.0.extend(units);
        entry.1 |= sector;
    }
    a
}

/// Check that each year of some rows (their [`YearUnits`]) is in one municipality set.
fn check_sets(geo: &Geography, years: &YearUnits) -> Result<()> {
    for (&year, (units, _)) in years {
        geo.set_of_year_units(year, units.iter().map(String::as_str))
            .map_err(data)?;
    }
    Ok(())
}

/// The newest municipality set among the years of some rows (their [`YearUnits`]).
fn latest_set<'g>(geo: &'g Geography, years: &YearUnits) -> Result<Option<&'g MunicipalitySet>> {
    let mut best: Option<&MunicipalitySet> = None;
    for (&year, (units, _)) in years {
        let units: BTreeSet<&str> = units.iter().map(String::as_str).collect();
        let set = harmonise::year_set(geo, year, &units)?;
        if best.is_none_or(|b| set.from > b.from) {
            best = Some(set);
        }
    }
    Ok(best)
}

/// The rows of a merge, restated in a municipality set: their row numbers (sorted by key) and
/// [`YearUnits`].
struct Restated {
    idx: Vec<u32>,
    years: YearUnits,
    applied: Vec<Applied>,
    notes: Vec<String>,
}

/// Restate the rows `idx` (sorted by key, with their `years`) in `target`: municipality rows of years in an
/// older set are merged (new rows are added to `rows`); sector rows stay as they are (Statbel
/// recodes sectors after a merger, so summing them is not meaningful), which is an error when
/// the set was asked for (`explicit`) and a note otherwise. The row numbers come back sorted
/// by key.
fn restate(
    geo: &Geography,
    rows: &mut Rows,
    idx: Vec<u32>,
    years: YearUnits,
    target: &MunicipalitySet,
    explicit: bool,
) -> Result<Restated> {
    let mut moving = BTreeSet::new();
    let mut notes = Vec::new();
    for (&year, (units, sectors)) in &years {
        let units: BTreeSet<&str> = units.iter().map(String::as_str).collect();
        let set = harmonise::year_set(geo, year, &units)?;
        if set == target {
            continue;
        }
        harmonise::check_not_newer(year, set, target)?;
        if *sectors {
            let what = format!(
                "the statistical sectors of {year} lie in municipalities of the set {}, not {}; \
                 sectors are not merged (Statbel gives merged municipalities new sector codes)",
                set.label(),
                target.label()
            );
            if explicit {
                return Err(data(format!(
                    "{what}: leave out --municipality-set {} or ingest sector data of another \
                     set into a store of its own",
                    target.from
                )));
            }
            notes.push(format!("{what}; they are kept as given"));
        }
        moving.insert(year);
    }
    if moving.is_empty() {
        return Ok(Restated {
            idx,
            years,
            applied: Vec::new(),
            notes,
        });
    }
    let (mut keep, parts): (Vec<u32>, Vec<u32>) = idx.into_iter().partition(|&i| {
        let i = i as usize;
        !moving.contains(&rows.year[i])
            || sector_municipality(rows.units.name(rows.unit[i])).is_some()
    });
    let records: Vec<(Record, u32)> = parts
        .iter()
        .map(|&i| (rows.record(i as usize), i))
        .collect();
    let (out, applied) = harmonise::harmonise(geo, records, target)?;
    for (record, tag) in out {
        let tag = tag as usize;
        if record == rows.record(tag) {
            keep.push(tag as u32);
        } else {
            let at = rows.location(tag);
            rows.set_place(&at.file);
            rows.push(&record, at.line);
            keep.push(row_number(rows.len() - 1)?);
        }
    }
    sort_by_key(rows, &mut keep);
    let years = year_units(rows, &keep);
    Ok(Restated {
        idx: keep,
        years,
        applied,
        notes,
    })
}

fn row_number(i: usize) -> Result<u32> {
    u32::try_from(i).map_err(|_| data("more than 4,294,967,295 rows in one ingest"))
}

/// Merge parsed files into a store (or a new one). Rejected rows are reported (an error with
/// `strict`); errors, writing nothing, when the inputs give a key twice with different counts,
/// when a row conflicts with the store (unless `replace`), or when a year mixes municipality
/// sets. All rows, stored and new, are stated in one municipality set per year (see
/// `harmonise`); statistical sectors count for their municipality in these checks and are not
/// merged. The `existing` store is taken, so its table is freed once its rows are copied.
pub fn merge(
    existing: Option<Store>,
    files: Vec<ParsedFile>,
    def: &Definition,
    opts: Options,
    geo: &Geography,
    origin: &str,
) -> Result<(Merged, Report)> {
    let mut rep = Report::default();
    let mut rejected: Vec<Rejection> = files.iter().flat_map(|f| f.rejected.clone()).collect();
    if opts.strict && !rejected.is_empty() {
        return Err(rejected_error(&rejected));
    }
    let halves: Vec<Located> = files.iter().flat_map(|f| f.halves.clone()).collect();
    let (whole, combined) = combine_parts(def, halves, &mut rejected);
    rep.combined = combined;
    if opts.strict && !rejected.is_empty() {
        return Err(rejected_error(&rejected));
    }
    let mut meta = existing
        .as_ref()
        .map(|s| s.meta.clone())
        .unwrap_or_default();
    for f in &files {
        rep.files.push(report::FileSummary {
            file: f.input.file.clone(),
            sha256: f.input.sha256.chars().take(12).collect(),
            read: f.read,
            kept: (f.rows.len() + f.halves.len()) as u64,
            suppressed: f.rows.suppressed()
                + f.halves
                    .iter()
                    .filter(|h| h.record.status == Status::Suppressed)
                    .count() as u64,
            skipped: f.skipped,
            rejected: f.rejected.len() as u64,
        });
        rep.notes.extend(f.notes.iter().cloned());
        if !meta
            .inputs
            .iter()
            .any(|i| i.sha256 == f.input.sha256 && i.file == f.input.file)
        {
            meta.inputs.push(f.input.clone());
        }
    }
    // One table: the files' rows in order, the combined halves, then the stored rows.
    let mut files = files.into_iter();
    let mut rows = files.next().map(|f| f.rows).unwrap_or_default();
    for f in files {
        rows.append(&f.rows);
    }
    for l in &whole {
        rows.set_place(&l.location.file);
        rows.push(&l.record, l.location.line);
    }
    let incoming_len = row_number(rows.len())?;
    // The stored rows, copied into the merge's columns; the store's frame is freed at once.
    if let Some(s) = existing {
        rows.push_store(&s)?;
    }
    row_number(rows.len())?;
    // Repeated rows: sort by key (then input order) so repeats are neighbours.
    let mut incoming: Vec<u32> = (0..incoming_len).collect();
    sort_by_key(&rows, &mut incoming);
    let repeated = incoming
        .par_windows(2)
        .any(|w| same_key(&rows, w[0] as usize, w[1] as usize));
    let kept = if repeated {
        drop_repeats(&rows, &incoming, &mut rep)?
    } else {
        incoming
    };
    let kept_years = year_units(&rows, &kept);
    // Rows left out for their year (`batch --years`) count for the files' sets as they would
    // have if kept: the same years are checked, and the same target set is chosen.
    let all_years =
        (!rows.elsewhere.is_empty()).then(|| union(kept_years.clone(), elsewhere_years(&rows)));
    let file_years = all_years.as_ref().unwrap_or(&kept_years);
    check_sets(geo, file_years)?;
    let mut stored: Vec<u32> = (incoming_len..row_number(rows.len())?).collect();
    sort_by_key(&rows, &mut stored);
    let stored_years = year_units(&rows, &stored);
    let target = match opts.target_year {
        Some(y) => Some(geo.set_for_year(y)),
        None => {
            // The store and the files are each in one set per year, not necessarily the same.
            let a = latest_set(geo, file_years)?;
            let b = latest_set(geo, &stored_years)?;
            a.into_iter().chain(b).max_by_key(|s| s.from)
        }
    };
    let (stored, incoming) = match target {
        Some(t) => {
            rep.target = t.label();
            let explicit = opts.target_year.is_some();
            let mut s = restate(geo, &mut rows, stored, stored_years, t, explicit)?;
            let mut i = restate(geo, &mut rows, kept, kept_years, t, explicit)?;
            rep.merges = std::mem::take(&mut s.applied);
            rep.merges.append(&mut i.applied);
            rep.notes.append(&mut s.notes);
            rep.notes.append(&mut i.notes);
            (s, i)
        }
        None => {
            let none = || Restated {
                idx: Vec::new(),
                years: YearUnits::new(),
                applied: Vec::new(),
                notes: Vec::new(),
            };
            (none(), none())
        }
    };
    let order = join(&rows, &stored.idx, incoming.idx, opts.replace, &mut rep)?;
    // Each key of the join comes from the store or the files, in the same unit and year: the
    // joined rows' municipalities per year are those of both.
    check_sets(geo, &union(stored.years, incoming.years))?;
    rep.unknown_units = rejected.iter().filter(|r| r.unknown_unit).count();
    rep.rejected = rejected;
    let merged = Merged {
        rows,
        order,
        meta,
        origin: origin.to_owned(),
    };
    Ok((merged, rep))
}

/// The first of each run of rows with the same key among `incoming` (sorted by key): repeats
/// with the same counts are reported in `rep`, repeats with other counts are an error.
fn drop_repeats(rows: &Rows, incoming: &[u32], rep: &mut Report) -> Result<Vec<u32>> {
    let mut kept = Vec::with_capacity(incoming.len());
    let mut repeats = Vec::new();
    let mut first = 0;
    for (k, &i) in incoming.iter().enumerate() {
        let i = i as usize;
        if k == 0 || !same_key(rows, first, i) {
            first = i;
            kept.push(i as u32);
        } else if rows.same_counts(first, i) {
            repeats.push((first, i));
        } else {
            let r = rows.record(i);
            return Err(data(format!(
                "duplicate row for unit {}, year {}, indicator '{}': {} and {}; keep one of them",
                r.unit,
                r.year,
                r.indicator,
                rows.location(first),
                rows.location(i)
            )));
        }
    }
    repeats.sort_unstable_by_key(|&(_, again)| again);
    rep.duplicates = repeats
        .into_iter()
        .map(|(a, b)| (rows.location(a), rows.location(b)))
        .collect();
    Ok(kept)
}

/// Join the stored rows with the incoming ones (both sorted by key, each key once): new keys
/// are added, equal counts leave the stored row, different counts replace it with `replace` and
/// are an error otherwise. Counts what happened in `rep`.
fn join(
    rows: &Rows,
    stored: &[u32],
    incoming: Vec<u32>,
    replace: bool,
    rep: &mut Report,
) -> Result<Vec<u32>> {
    if stored.is_empty() {
        rep.added += incoming.len();
        return Ok(incoming);
    }
    let (units, inds) = (rows.units.ranks(), rows.indicators.ranks());
    let key = |i: u32| {
        let i = i as usize;
        (
            units[rows.unit[i] as usize],
            rows.year[i],
            inds[rows.indicator[i] as usize],
        )
    };
    let mut out = Vec::with_capacity(stored.len() + incoming.len());
    let (mut s, mut n) = (0, 0);
    while s < stored.len() || n < incoming.len() {
        let order = match (stored.get(s), incoming.get(n)) {
            (Some(&a), Some(&b)) => key(a).cmp(&key(b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.push(stored[s]);
                s += 1;
            }
            std::cmp::Ordering::Greater => {
                rep.added += 1;
                out.push(incoming[n]);
                n += 1;
            }
            std::cmp::Ordering::Equal => {
                let (old, new) = (stored[s] as usize, incoming[n] as usize);
                if rows.same_counts(old, new) {
                    rep.unchanged += 1;
                    out.push(stored[s]);
                } else if replace {
                    rep.replaced += 1;
                    out.push(incoming[n]);
                } else {
                    let (old, record) = (rows.record(old), rows.record(new));
                    return Err(data(format!(
                        "{}: unit {}, year {}, indicator '{}' is already in the store from '{}' with \
                         numerator {:?} and denominator {:?} (status {}); the file gives {:?} and {:?} \
                         (status {}). Use --replace to take the new values",
                        rows.location(new),
                        record.unit,
                        record.year,
                        record.indicator,
                        old.source,
                        old.numerator,
                        old.denominator,
                        old.status.as_str(),
                        record.numerator,
                        record.denominator,
                        record.status.as_str()
                    )));
                }
                s += 1;
                n += 1;
            }
        }
    }
    Ok(out)
}
