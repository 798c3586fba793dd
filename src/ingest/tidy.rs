//! The documented tidy CSV format: `nis;jaar;indicator;teller;noemer` with optional `status`,
//! `bron` and `gemeente` columns, `;` or `,` separated, UTF-8 with or without BOM, decimal comma
//! or point. See `docs/data-formats.md`.

use super::number::parse_count;
use super::{
    Located, ParsedFile, Part, Rejection, check_counts, check_indicator, check_unit, check_year,
};
use crate::definition::Definition;
use crate::error::{Location, data};
use crate::geo::Geography;
use crate::store::{InputFile, Record, Status, sha256_hex};
use anyhow::{Context, Result};
use std::path::Path;

/// The columns of the tidy format and the header names accepted for each.
const COLUMNS: [(&str, &[&str]); 7] = [
    ("nis", &["nis", "refnis", "nis5", "code", "unit"]),
    ("jaar", &["jaar", "year"]),
    ("indicator", &["indicator"]),
    ("teller", &["teller", "numerator"]),
    ("noemer", &["noemer", "denominator"]),
    ("status", &["status"]),
    ("bron", &["bron", "source"]),
];
/// Header names accepted and ignored (for readability of the file).
const IGNORED: [&str; 3] = ["gemeente", "naam", "name"];

/// Read one tidy file. File-level problems (unreadable, not UTF-8, bad header) are errors;
/// row-level problems become rejections.
pub fn read(path: &Path, def: &Definition, geo: &Geography) -> Result<ParsedFile> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes, path, def, geo)
}

/// Parse the bytes of a tidy file named `path`.
pub fn parse(bytes: &[u8], path: &Path, def: &Definition, geo: &Geography) -> Result<ParsedFile> {
    let name = path.display().to_string();
    super::text::refuse_utf16(bytes, &name)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(body) {
        let line = body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(data(format!(
            "{name}:{line}: the file is not UTF-8 (byte 0x{:02X}); save it as UTF-8 (CSV UTF-8 in Excel)",
            body[e.valid_up_to()]
        )));
    }
    if body.contains(&0) {
        return Err(data(format!(
            "{name}: the file contains NUL bytes; it is not a text CSV file"
        )));
    }
    let header_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(data(format!(
            "{name}: the file is empty; a tidy file starts with the header nis;jaar;indicator;teller;noemer"
        )));
    }
    let separator = if header_line.contains(&b';') {
        b';'
    } else if header_line.contains(&b',') {
        b','
    } else {
        return Err(data(format!(
            "{name}:1: no ';' or ',' separator in the header; a tidy file starts with \
             nis;jaar;indicator;teller;noemer"
        )));
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| data(format!("{name}:1: unreadable header: {e}")))?
        .clone();
    let mut index: [Option<usize>; 7] = [None; 7];
    for (i, h) in headers.iter().enumerate() {
        let h_norm = h.trim().to_lowercase();
        if IGNORED.contains(&h_norm.as_str()) {
            continue;
        }
        let Some(k) = COLUMNS
            .iter()
            .position(|(_, names)| names.contains(&h_norm.as_str()))
        else {
            return Err(data(format!(
                "{name}:1: unknown column '{h}'; the tidy format has nis, jaar, indicator, teller, \
                 noemer and optionally status, bron, gemeente"
            )));
        };
        if index[k].is_some() {
            return Err(data(format!(
                "{name}:1: column '{}' appears twice in the header",
                COLUMNS[k].0
            )));
        }
        index[k] = Some(i);
    }
    for (k, (column, _)) in COLUMNS.iter().enumerate().take(5) {
        if index[k].is_none() {
            return Err(data(format!(
                "{name}:1: required column '{column}' is missing; the header must name nis, jaar, \
                 indicator, teller and noemer"
            )));
        }
    }
    let mut parsed = ParsedFile {
        input: InputFile {
            file: name.clone(),
            sha256: sha256_hex(bytes),
            rows: 0,
        },
        rows: Vec::new(),
        rejected: Vec::new(),
        read: 0,
        skipped: 0,
        notes: Vec::new(),
    };
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                parsed.read += 1;
                let line = e.position().map_or(0, |p| p.line());
                parsed.rejected.push(Rejection {
                    location: Location::new(path, line, None),
                    reason: format!("unreadable row: {e}"),
                    unknown_unit: false,
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        parsed.read += 1;
        if record.len() != headers.len() {
            parsed.rejected.push(Rejection {
                location: Location::new(path, line, None),
                reason: format!(
                    "{} fields where the header has {}; check the separator and quotes",
                    record.len(),
                    headers.len()
                ),
                unknown_unit: false,
            });
            continue;
        }
        let cell = |k: usize| index[k].map_or("", |i| record.get(i).unwrap_or("")).trim();
        match row(cell, def, geo, &name) {
            Ok(rec) => parsed.rows.push(Located {
                location: Location::new(path, line, None),
                record: rec,
                part: Part::Whole,
            }),
            Err((column, reason)) => parsed.rejected.push(Rejection {
                unknown_unit: column == "nis" && reason.contains("REFNIS"),
                location: Location::new(path, line, Some(column)),
                reason,
            }),
        }
    }
    parsed.input.rows = parsed.rows.len() as u64;
    if parsed.rows.is_empty() && parsed.rejected.is_empty() {
        return Err(data(format!(
            "{name}: the file has a header but no data rows"
        )));
    }
    Ok(parsed)
}

fn row<'a>(
    cell: impl Fn(usize) -> &'a str,
    def: &Definition,
    geo: &Geography,
    file: &str,
) -> Result<Record, (&'static str, String)> {
    let unit = cell(0).to_owned();
    check_unit(geo, &unit).map_err(|e| ("nis", e))?;
    let year: i32 = cell(1)
        .parse()
        .map_err(|_| ("jaar", format!("'{}' is not a year", cell(1))))?;
    check_year(year).map_err(|e| ("jaar", e))?;
    let indicator = cell(2).to_owned();
    check_indicator(def, &indicator).map_err(|e| ("indicator", e))?;
    let numerator = parse_count(cell(3)).map_err(|e| ("teller", e))?;
    let denominator = parse_count(cell(4)).map_err(|e| ("noemer", e))?;
    let status = match cell(5) {
        "" => match (numerator, denominator) {
            (Some(_), Some(_)) => Status::Observed,
            (None, Some(_)) => Status::Suppressed,
            _ => Status::Missing,
        },
        s => Status::parse(s).ok_or_else(|| {
            (
                "status",
                format!("unknown status '{s}'; use observed, suppressed, missing or imputed"),
            )
        })?,
    };
    let source = match cell(6) {
        "" => file.to_owned(),
        s => s.to_owned(),
    };
    let record = Record {
        unit,
        year,
        indicator,
        numerator,
        denominator,
        status,
        source,
    };
    check_counts(def, &record)?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &[u8]) -> Result<ParsedFile> {
        parse(
            text,
            Path::new("t.csv"),
            &Definition::bundled(),
            Geography::bundled(),
        )
    }

    #[test]
    fn reads_semicolons_bom_decimal_comma_and_suppressed_cells() {
        let text = "\u{feff}nis;jaar;indicator;teller;noemer;gemeente\n\
                    71016;2013;oki-kleuter;3170,5;2000;Genk\n\
                    71022;2013;kansarmoede-index;;1500;Hasselt\n";
        let f = parse_text(text.as_bytes()).unwrap();
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.rows[0].record.numerator, Some(3170.5));
        assert_eq!(f.rows[1].record.status, Status::Suppressed);
        assert_eq!(f.rows[1].location.line, 3);
    }

    #[test]
    fn rejects_rows_with_file_line_and_column() {
        let text = b"nis,jaar,indicator,teller,noemer\n\
                     71016,2013,kansarmoede-index,120,100\n\
                     71016,2013,budgetmeters-elektriciteit,-3,100\n\
                     71999,2013,kansarmoede-index,1,100\n";
        let f = parse_text(text).unwrap();
        let msgs: Vec<String> = f
            .rejected
            .iter()
            .map(|r| format!("{}: {}", r.location, r.reason))
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("t.csv:2, column 'teller': numerator 120 is above the denominator")
        );
        assert!(msgs[1].contains("t.csv:3, column 'teller': negative count"));
        assert!(msgs[2].contains("t.csv:4, column 'nis': unknown REFNIS code '71999'"));
    }

    #[test]
    fn file_level_errors() {
        let msg = |t: &[u8]| format!("{:#}", parse_text(t).unwrap_err());
        assert!(msg(b"").contains("empty"));
        assert!(msg(b"nis;jaar;indicator;teller;noemer\n").contains("no data rows"));
        assert!(msg(b"nis;jaar;jaar;teller;noemer\n").contains("appears twice"));
        assert!(msg(b"nis;jaar;indicator;teller\n").contains("'noemer' is missing"));
        assert!(
            msg(b"nis;jaar;indicator;teller;noemer\n71016;2013;oki;\xE9;1\n").contains("not UTF-8")
        );
        assert!(msg(b"nis jaar indicator\n").contains("no ';' or ','"));
    }
}
