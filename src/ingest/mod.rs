//! Ingest: read input files into validated store records and merge them into a store.
//! Every input row is either kept or reported with its file, line, column and reason.

pub mod belgian;
pub mod harmonise;
pub mod layout;
pub mod mapping;
pub mod number;
pub mod report;
pub mod table;
pub mod text;
pub mod tidy;

use crate::definition::{Definition, Kind};
use crate::error::{Location, data};
use crate::geo::Geography;
use crate::store::{InputFile, Record, Status, Store};
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Earliest year accepted.
pub const FIRST_YEAR: i32 = 1970;
/// Latest year accepted.
pub const LAST_YEAR: i32 = 2100;

/// A record with the place it was read from.
#[derive(Debug, Clone)]
pub struct Located {
    /// Where the row is.
    pub location: Location,
    /// The row.
    pub record: Record,
    /// Whether the row gives both counts or one half to combine with another file's half.
    pub part: Part,
}

/// Which counts a row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Numerator and denominator.
    Whole,
    /// Only the numerator (the denominator comes from another file, e.g. Statbel's population).
    Numerator,
    /// Only the denominator.
    Denominator,
}

/// A row that was not kept, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Where the row is.
    pub location: Location,
    /// Why it was rejected, with what to do.
    pub reason: String,
    /// Whether the municipality code or name was not recognised.
    pub unknown_unit: bool,
}

/// One input file, read.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The file as the user named it, and its checksum.
    pub input: InputFile,
    /// Rows that passed validation.
    pub rows: Vec<Located>,
    /// Rows that did not.
    pub rejected: Vec<Rejection>,
    /// Data rows read.
    pub read: u64,
    /// Rows skipped on purpose (other geographic levels, unknown locations).
    pub skipped: u64,
    /// Remarks for the report.
    pub notes: Vec<String>,
}

/// Check a municipality code; the message says what the code is instead.
pub fn check_unit(geo: &Geography, nis: &str) -> Result<(), String> {
    if geo.municipality(nis).is_some() {
        return Ok(());
    }
    if let Some(area) = geo.area(nis) {
        return Err(format!(
            "'{nis}' is the {} {}, an aggregate: the store holds municipalities and computes \
             aggregates from them",
            area.level, area.name_nl
        ));
    }
    if nis.len() != 5 || !nis.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{nis}' is not a REFNIS code (5 digits, e.g. 71016 for Genk)"
        ));
    }
    let flemish_prefix = matches!(nis.as_bytes()[0], b'1' | b'3' | b'4' | b'7')
        || nis.starts_with("23")
        || nis.starts_with("24");
    if !flemish_prefix {
        return Err(format!(
            "'{nis}' is not a Flemish municipality; the barometer covers the Flemish Region"
        ));
    }
    Err(format!(
        "unknown REFNIS code '{nis}': not a Flemish municipality of 2014 or later \
         (see data/geo/municipalities.csv)"
    ))
}

/// Check a year.
pub fn check_year(year: i32) -> Result<(), String> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "year {year} is out of range ({FIRST_YEAR}-{LAST_YEAR})"
        ))
    }
}

/// Check an indicator id against the definition; suggests the closest known id.
pub fn check_indicator(def: &Definition, id: &str) -> Result<(), String> {
    if def.indicator(id).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = def.all_indicators().map(|i| i.id.as_str()).collect();
    let closest = known
        .iter()
        .min_by_key(|k| edit_distance(k, id))
        .map(|k| format!("; did you mean '{k}'?"))
        .unwrap_or_default();
    Err(format!(
        "unknown indicator '{id}'{closest} The definition {} declares: {}",
        def.origin,
        known.join(", ")
    ))
}

/// Edit distance for suggestions: insertions, deletions, substitutions and swaps of two
/// adjacent characters each count 1 (optimal string alignment distance). Strings longer than
/// [`MAX_SUGGEST_CHARS`] are never close to a name or id: their distance is given as the longer
/// length (an upper bound), so a pasted megabyte cell costs nothing.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la > MAX_SUGGEST_CHARS || lb > MAX_SUGGEST_CHARS {
        return la.max(lb);
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rolling rows: i - 2, i - 1 and i.
    let mut before: Vec<usize> = vec![0; lb + 1];
    let mut prev: Vec<usize> = (0..=lb).collect();
    let mut cur: Vec<usize> = vec![0; lb + 1];
    for i in 1..=la {
        cur[0] = i;
        for j in 1..=lb {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[lb]
}

/// Longest text `edit_distance` compares character by character.
pub const MAX_SUGGEST_CHARS: usize = 256;

/// A cell or reason for a message: text over 300 characters keeps its first and last 120
/// characters around a note of how many were left out, so that a megabyte cell does not make a
/// megabyte message.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: usize = 120;
    let n = text.chars().count();
    if n <= 300 {
        return std::borrow::Cow::Borrowed(text);
    }
    let head: String = text.chars().take(KEEP).collect();
    let tail: String = text.chars().skip(n - KEEP).collect();
    std::borrow::Cow::Owned(format!(
        "{head}[... {} characters left out ...]{tail}",
        n - 2 * KEEP
    ))
}

/// Check counts against the status and the indicator's kind. Returns the column at fault.
pub fn check_counts(def: &Definition, r: &Record) -> Result<(), (&'static str, String)> {
    let ind = def
        .indicator(&r.indicator)
        .expect("indicator checked before counts");
    for (column, v) in [("teller", r.numerator), ("noemer", r.denominator)] {
        if let Some(v) = v
            && v < 0.0
        {
            return Err((
                column,
                format!("negative count {v}; counts are never negative"),
            ));
        }
    }
    match (r.status, r.numerator, r.denominator) {
        (Status::Observed | Status::Imputed, None, _) => {
            return Err((
                "teller",
                format!("status {} needs a numerator", r.status.as_str()),
            ));
        }
        (Status::Observed | Status::Imputed, _, None) => {
            return Err((
                "noemer",
                format!("status {} needs a denominator", r.status.as_str()),
            ));
        }
        (Status::Suppressed | Status::Missing, Some(_), _) => {
            return Err((
                "teller",
                format!(
                    "status {} but a numerator is given; leave it empty or use status observed",
                    r.status.as_str()
                ),
            ));
        }
        _ => {}
    }
    if let (Some(n), Some(d)) = (r.numerator, r.denominator) {
        let limit = match ind.kind {
            Kind::Share => Some((d, "the denominator")),
            Kind::Index => ind
                .max
                .map(|m| (m * d, "the index maximum times the denominator")),
            Kind::Rate => None,
        };
        if let Some((limit, what)) = limit
            && n > limit
        {
            return Err((
                "teller",
                format!(
                    "numerator {n} is above {what} ({limit}) for {} indicator '{}'",
                    match ind.kind {
                        Kind::Share => "share",
                        _ => "index",
                    },
                    ind.id
                ),
            ));
        }
        if d == 0.0 && n > 0.0 {
            return Err(("noemer", format!("denominator 0 with numerator {n}")));
        }
    }
    Ok(())
}

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
        let _ = writeln!(msg, "  {}: {}", r.location, shorten(&r.reason));
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

/// Merge parsed files into a store (or a new one). Rejected rows are reported (an error with
/// `strict`); errors, writing nothing, when the inputs give a key twice with different counts,
/// when a row conflicts with the store (unless `replace`), or when a year mixes municipality
/// sets. All rows, stored and new, are stated in one municipality set per year (see
/// `harmonise`).
pub fn merge(
    existing: Option<&Store>,
    files: &[ParsedFile],
    def: &Definition,
    opts: Options,
    geo: &Geography,
    origin: &str,
) -> Result<(Store, report::Report)> {
    let mut rep = report::Report::default();
    let mut rejected: Vec<Rejection> = files.iter().flat_map(|f| f.rejected.clone()).collect();
    if opts.strict && !rejected.is_empty() {
        return Err(rejected_error(&rejected));
    }
    let rows: Vec<Located> = files.iter().flat_map(|f| f.rows.clone()).collect();
    let (rows, combined) = combine_parts(def, rows, &mut rejected);
    rep.combined = combined;
    if opts.strict && !rejected.is_empty() {
        return Err(rejected_error(&rejected));
    }
    let mut seen: BTreeMap<Key, Located> = BTreeMap::new();
    for row in rows {
        let key = key_of(&row.record);
        if let Some(first) = seen.get(&key) {
            if same_counts(&first.record, &row.record) {
                rep.duplicates
                    .push((first.location.clone(), row.location.clone()));
                continue;
            }
            return Err(data(format!(
                "duplicate row for unit {}, year {}, indicator '{}': {} and {}; keep one of them",
                key.0, key.1, key.2, first.location, row.location
            )));
        }
        seen.insert(key, row);
    }
    let incoming: Vec<&Record> = seen.values().map(|l| &l.record).collect();
    let mut by_year: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    for r in &incoming {
        by_year.entry(r.year).or_default().push(&r.unit);
    }
    for (year, units) in &by_year {
        geo.set_of_year_units(*year, units.iter().copied())
            .map_err(data)?;
    }
    let stored: Vec<Record> = match existing {
        Some(s) => s.records()?,
        None => Vec::new(),
    };
    let target = match opts.target_year {
        Some(y) => Some(geo.set_for_year(y)),
        None => {
            // The store and the files are each in one set per year, not necessarily the same.
            let stored_refs: Vec<&Record> = stored.iter().collect();
            let a = harmonise::latest_set(geo, &incoming)?;
            let b = harmonise::latest_set(geo, &stored_refs)?;
            a.into_iter().chain(b).max_by_key(|s| s.from)
        }
    };
    let (stored, incoming): (Vec<Record>, Vec<(Record, Location)>) = match target {
        Some(t) => {
            rep.target = t.label();
            let (s, mut applied) =
                harmonise::harmonise(geo, stored.into_iter().map(|r| (r, ())).collect(), t)?;
            let (i, more) = harmonise::harmonise(
                geo,
                seen.into_values().map(|l| (l.record, l.location)).collect(),
                t,
            )?;
            applied.extend(more);
            rep.merges = applied;
            (s.into_iter().map(|(r, _)| r).collect(), i)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut meta = existing.map(|s| s.meta.clone()).unwrap_or_default();
    let mut table: BTreeMap<Key, Record> = stored.into_iter().map(|r| (key_of(&r), r)).collect();
    for (record, location) in incoming {
        let key = key_of(&record);
        match table.get(&key) {
            None => rep.added += 1,
            Some(old) if same_counts(old, &record) => {
                rep.unchanged += 1;
                continue;
            }
            Some(_) if opts.replace => rep.replaced += 1,
            Some(old) => {
                return Err(data(format!(
                    "{location}: unit {}, year {}, indicator '{}' is already in the store from '{}' with \
                     numerator {:?} and denominator {:?} (status {}); the file gives {:?} and {:?} \
                     (status {}). Use --replace to take the new values",
                    key.0,
                    key.1,
                    key.2,
                    old.source,
                    old.numerator,
                    old.denominator,
                    old.status.as_str(),
                    record.numerator,
                    record.denominator,
                    record.status.as_str()
                )));
            }
        }
        table.insert(key, record);
    }
    let mut by_year: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    for (unit, year, _) in table.keys() {
        by_year.entry(*year).or_default().push(unit);
    }
    for (year, units) in &by_year {
        geo.set_of_year_units(*year, units.iter().copied())
            .map_err(data)?;
    }
    for f in files {
        let kept = f.rows.len() as u64;
        let suppressed = f
            .rows
            .iter()
            .filter(|r| r.record.status == Status::Suppressed)
            .count() as u64;
        rep.files.push(report::FileSummary {
            file: f.input.file.clone(),
            sha256: f.input.sha256.chars().take(12).collect(),
            read: f.read,
            kept,
            suppressed,
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
    rep.unknown_units = rejected.iter().filter(|r| r.unknown_unit).count();
    rep.rejected = rejected;
    let store = Store::from_records(table.into_values().collect(), meta, origin)?;
    Ok((store, rep))
}

fn same_counts(a: &Record, b: &Record) -> bool {
    a.numerator == b.numerator && a.denominator == b.denominator && a.status == b.status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_messages_say_what_the_code_is() {
        let geo = Geography::bundled();
        assert!(check_unit(geo, "71016").is_ok());
        assert!(
            check_unit(geo, "44011").is_ok(),
            "pre-2019 Deinze is a known code"
        );
        assert!(
            check_unit(geo, "70000")
                .unwrap_err()
                .contains("province Limburg")
        );
        assert!(
            check_unit(geo, "21004")
                .unwrap_err()
                .contains("not a Flemish")
        );
        assert!(
            check_unit(geo, "11999")
                .unwrap_err()
                .contains("unknown REFNIS code")
        );
        assert!(
            check_unit(geo, "7101")
                .unwrap_err()
                .contains("not a REFNIS code")
        );
    }

    #[test]
    fn swapped_letters_are_one_edit() {
        assert_eq!(edit_distance("gnek", "genk"), 1);
        assert_eq!(edit_distance("gnek", "geel"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_the_closest_indicator() {
        let def = Definition::bundled();
        let msg = check_indicator(&def, "kansarmoede-indx").unwrap_err();
        assert!(msg.contains("did you mean 'kansarmoede-index'"), "{msg}");
    }
}
