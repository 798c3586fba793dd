//! Ingest: read input files into validated store records and merge them into a store.
//! Every input row is either kept or reported with its file, line, column and reason.

pub mod belgian;
pub mod blocks;
pub mod delimited;
pub mod harmonise;
pub mod layout;
pub mod mapping;
pub mod merge;
pub mod number;
pub mod report;
pub mod rows;
pub mod table;
pub mod text;
pub mod tidy;

use crate::definition::{Definition, Indicator, Kind};
use crate::error::Location;
use crate::geo::Geography;
use crate::store::{InputFile, Record, Status};
pub use merge::{Merged, Options, merge};

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
    /// Rows that passed validation and give numerator and denominator.
    pub rows: rows::Rows,
    /// Rows that passed validation and give one of them (combined with another file's rows).
    pub halves: Vec<Located>,
    /// Rows that did not.
    pub rejected: Vec<Rejection>,
    /// Data rows read.
    pub read: u64,
    /// Rows skipped on purpose (other geographic levels, unknown locations, years not asked for).
    pub skipped: u64,
    /// Remarks for the report.
    pub notes: Vec<String>,
}

impl ParsedFile {
    /// A file with nothing read yet.
    pub fn new(file: &str, sha256: String) -> Self {
        ParsedFile {
            input: InputFile {
                file: file.to_owned(),
                sha256,
                rows: 0,
            },
            rows: rows::Rows::default(),
            halves: Vec::new(),
            rejected: Vec::new(),
            read: 0,
            skipped: 0,
            notes: Vec::new(),
        }
    }
}

/// Check a unit code (a municipality or a statistical sector); the message says what the code
/// is instead.
pub fn check_unit(geo: &Geography, nis: &str) -> Result<(), String> {
    if geo.municipality(nis).is_some() {
        return Ok(());
    }
    if let Some(parent) = crate::geo::sector_municipality(nis) {
        return match geo.municipality(parent) {
            Some(_) => Ok(()),
            None => Err(format!(
                "statistical sector '{nis}' lies in '{parent}', which is not a Flemish \
                 municipality of 2014 or later (see data/geo/municipalities.csv)"
            )),
        };
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
            "'{nis}' is not a REFNIS code (5 digits, e.g. 71016 for Genk) nor a statistical \
             sector (9 characters, e.g. 71016A00-)"
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
    check_counts_of(ind, r.numerator, r.denominator, r.status)
}

/// [`check_counts`] for a row given by its parts.
pub fn check_counts_of(
    ind: &Indicator,
    numerator: Option<f64>,
    denominator: Option<f64>,
    status: Status,
) -> Result<(), (&'static str, String)> {
    for (column, v) in [("teller", numerator), ("noemer", denominator)] {
        if let Some(v) = v
            && v < 0.0
        {
            return Err((
                column,
                format!("negative count {v}; counts are never negative"),
            ));
        }
    }
    match (status, numerator, denominator) {
        (Status::Observed | Status::Imputed, None, _) => {
            return Err((
                "teller",
                format!("status {} needs a numerator", status.as_str()),
            ));
        }
        (Status::Observed | Status::Imputed, _, None) => {
            return Err((
                "noemer",
                format!("status {} needs a denominator", status.as_str()),
            ));
        }
        (Status::Suppressed | Status::Missing, Some(_), _) => {
            return Err((
                "teller",
                format!(
                    "status {} but a numerator is given; leave it empty or use status observed",
                    status.as_str()
                ),
            ));
        }
        _ => {}
    }
    if let (Some(n), Some(d)) = (numerator, denominator) {
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
        assert!(check_unit(geo, "71016A00-").is_ok(), "a sector of Genk");
        assert!(check_unit(geo, "71016ZZZZ").is_ok(), "Genk, sector unknown");
        assert!(
            check_unit(geo, "21004A00-")
                .unwrap_err()
                .contains("statistical sector '21004A00-' lies in '21004'")
        );
        assert!(
            check_unit(geo, "71016a00-")
                .unwrap_err()
                .contains("nor a statistical sector")
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
