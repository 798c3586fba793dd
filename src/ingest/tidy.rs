//! The documented tidy CSV format: `nis;jaar;indicator;teller;noemer` with optional `status`,
//! `bron` and `gemeente` columns, `;` or `,` separated, UTF-8 with or without BOM, decimal comma
//! or point. See `docs/data-formats.md`.
//!
//! The file is read in blocks; each block is cut at line ends into pieces that are parsed on all
//! cores (and checksummed meanwhile), then appended in order, so rows, rejections and line
//! numbers do not depend on the number of threads. A row is one line: a quoted field may hold
//! the separator but not a line break.

use super::blocks::{BLOCK, cut, fill, lines_of};
use super::number::parse_count;
use super::rows::{Lookup, Rows};
use super::{ParsedFile, Rejection, check_counts_of, check_indicator, check_unit, check_year};
use crate::definition::{Definition, Indicator};
use crate::error::{Location, data};
use crate::geo::Geography;
use crate::store::{Status, hex};
use anyhow::{Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::Read;
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
    read_from(path, def, geo, None)
}

/// Read one tidy file as [`read`] does, keeping the rows of `years` only: every row is checked
/// as [`read`] checks it, a valid row of another year is counted as skipped and leaves only its
/// year and unit (in [`Rows::elsewhere`], for the municipality sets of the whole file).
pub fn read_years(
    path: &Path,
    def: &Definition,
    geo: &Geography,
    years: &[i32],
) -> Result<ParsedFile> {
    read_from(path, def, geo, Some(years))
}

fn read_from(
    path: &Path,
    def: &Definition,
    geo: &Geography,
    years: Option<&[i32]>,
) -> Result<ParsedFile> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().map_or(0, |m| m.len());
    parse_from(file, (path, years), def, geo, BLOCK, size)
}

/// Parse the bytes of a tidy file named `path`.
pub fn parse(bytes: &[u8], path: &Path, def: &Definition, geo: &Geography) -> Result<ParsedFile> {
    parse_from(bytes, (path, None), def, geo, BLOCK, bytes.len() as u64)
}

/// How the file is laid out, from its header.
struct Header {
    separator: u8,
    /// Field index of each of the seven columns.
    index: [Option<usize>; 7],
    fields: usize,
}

/// Parse a tidy file named `path` read from `input` in blocks of `block` bytes (lines longer
/// than a block are read whole), keeping the rows of `years` when given (see [`read_years`]);
/// `size`, the file size when known, is used to make room for the rows.
fn parse_from(
    mut input: impl Read + Send,
    (path, years): (&Path, Option<&[i32]>),
    def: &Definition,
    geo: &Geography,
    block: usize,
    size: u64,
) -> Result<ParsedFile> {
    let name = path.display().to_string();
    let mut hasher = Sha256::new();
    let mut parsed = ParsedFile::new(&name, String::new());
    parsed.rows.set_place(&name);
    let mut buf: Vec<u8> = Vec::with_capacity(block + 1024);
    let mut header: Option<Header> = None;
    let mut line = 1u64; // line number of buf[start]
    let mut start = 0; // first byte of buf not yet parsed
    let mut eof;
    // One table per piece, reused from block to block (fresh memory costs page faults): the
    // pieces of one block are parsed into `pool` while those of the block before, in `parsed_pool`,
    // are appended to the file's rows.
    let mut pool: Vec<Rows> = Vec::new();
    let mut parsed_pool: Vec<Rows> = Vec::new();
    let mut pending: (Vec<Piece>, usize) = (Vec::new(), 0);
    // The next block is read while this one is parsed.
    let mut next: Vec<u8> = Vec::with_capacity(block + 1024);
    let mut fresh = 0..0;
    eof = fill(&mut input, &mut buf, block, &name)?;
    fresh.end = buf.len();
    loop {
        if header.is_none() {
            // The byte-order mark, once its three bytes are in.
            let bom_started = buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&buf);
            // UTF-16 (Excel's "Unicode text"): refused with what to do, once two bytes are in.
            if !eof && (bom_started || buf.len() < 2) {
                hasher.update(&buf[fresh.clone()]);
                fresh = buf.len()..buf.len();
                eof = fill(&mut input, &mut buf, block, &name)?;
                fresh.end = buf.len();
                continue;
            }
            super::text::refuse_utf16(&buf, &name)?;
            start = if buf.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
        }
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(i) => start + i + 1,
                None => {
                    hasher.update(&buf[fresh.clone()]);
                    fresh = buf.len()..buf.len();
                    eof = fill(&mut input, &mut buf, block, &name)?;
                    fresh.end = buf.len();
                    continue;
                }
            }
        };
        let ready = &buf[start..end];
        let (read, pieces) = rayon::join(
            || {
                hasher.update(&buf[fresh.clone()]);
                append(
                    &mut parsed,
                    std::mem::take(&mut pending),
                    &parsed_pool,
                    size,
                );
                next.clear();
                if eof {
                    return Ok(true);
                }
                next.extend_from_slice(&buf[end..]);
                fill(&mut input, &mut next, block, &name)
            },
            || -> Result<(Vec<Piece>, u64)> {
                let mut ready = ready;
                let mut at_line = line;
                if header.is_none() {
                    let (h, rest, lines) = read_header(ready, &name, eof)?;
                    let Some(h) = h else {
                        return Ok((Vec::new(), 0));
                    };
                    header = Some(h);
                    ready = rest;
                    at_line += lines;
                }
                let h = header.as_ref().expect("header read");
                // Four pieces a thread: the thread that hashes and appends the block before
                // (the other side of this join) takes the pieces left when it is done, and
                // small pieces leave the other thread less time idle at the block's end (at
                // sector scale, `batch --tidy` took 2 % to 6 % less time than with two pieces
                // a thread, in three sets of runs in turn).
                let cuts = cut(ready, rayon::current_num_threads() * 4);
                let starts = lines_of(&cuts, &mut at_line);
                if pool.len() < cuts.len() {
                    pool.resize_with(cuts.len(), Rows::default);
                }
                let pieces = pool[..cuts.len()]
                    .par_iter_mut()
                    .zip(cuts)
                    .zip(starts)
                    .map(|((rows, piece), at)| {
                        parse_piece(piece, at, rows, h, (path, years), &name, def, geo)
                    })
                    .collect::<Result<_>>()?;
                Ok((pieces, at_line))
            },
        );
        let (pieces, next_line) = pieces?;
        let next_eof = read?;
        pending = (pieces, end);
        std::mem::swap(&mut pool, &mut parsed_pool);
        if eof {
            append(&mut parsed, pending, &parsed_pool, size);
            break;
        }
        if header.is_some() {
            // The rest of this block, then the next block.
            line = next_line;
            std::mem::swap(&mut buf, &mut next);
            fresh = next.len() - end..buf.len();
            start = 0;
        } else {
            // No header yet: this block is kept whole and the next is added.
            fresh = buf.len()..buf.len() + next.len() - (buf.len() - end);
            buf.extend_from_slice(&next[buf.len() - end..]);
        }
        eof = next_eof;
    }
    parsed.input.sha256 = hex(&hasher.finalize());
    if header.is_none() {
        return Err(data(format!(
            "{name}: the file is empty; a tidy file starts with the header nis;jaar;indicator;teller;noemer"
        )));
    }
    parsed.input.rows = parsed.rows.len() as u64;
    if parsed.read == 0 {
        return Err(data(format!(
            "{name}: the file has a header but no data rows"
        )));
    }
    Ok(parsed)
}

/// Append the `pieces` parsed from a block of `bytes` bytes (their rows in `pool`) to `parsed`;
/// before its first rows, make room for the whole file (`size` bytes) at the block's density.
fn append(parsed: &mut ParsedFile, (pieces, bytes): (Vec<Piece>, usize), pool: &[Rows], size: u64) {
    if parsed.rows.is_empty() && bytes > 0 && size > bytes as u64 {
        let rows: usize = pool[..pieces.len()].iter().map(Rows::len).sum();
        parsed
            .rows
            .reserve((rows as u64 * size / bytes as u64) as usize + rows);
    }
    for (piece, rows) in pieces.into_iter().zip(pool) {
        parsed.read += piece.read;
        parsed.skipped += piece.skipped;
        parsed.rows.append(rows);
        parsed.rejected.extend(piece.rejected);
    }
}

/// The first non-blank line of `bytes` as the header, the bytes after it and the lines it took.
/// `None` when `bytes` holds no complete non-blank line yet (more is to be read).
fn read_header<'a>(
    bytes: &'a [u8],
    name: &str,
    eof: bool,
) -> Result<(Option<Header>, &'a [u8], u64)> {
    let mut lines = 0u64;
    let mut rest = bytes;
    loop {
        let (text, tail, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        if !complete && !eof {
            return Ok((None, bytes, 0));
        }
        if let Err(e) = std::str::from_utf8(text) {
            return Err(not_utf8(name, lines + 1, text[e.valid_up_to()]));
        }
        if text.contains(&0) {
            return Err(no_text(name));
        }
        lines += 1;
        if text.iter().all(u8::is_ascii_whitespace) {
            if complete {
                rest = tail;
                continue;
            }
            return Ok((None, bytes, 0));
        }
        return Ok((Some(header(text, name, lines)?), tail, lines));
    }
}

fn not_utf8(name: &str, line: u64, byte: u8) -> anyhow::Error {
    data(format!(
        "{name}:{line}: the file is not UTF-8 (byte 0x{byte:02X}); save it as UTF-8 (CSV UTF-8 in Excel)"
    ))
}

fn no_text(name: &str) -> anyhow::Error {
    data(format!(
        "{name}: the file contains NUL bytes; it is not a text CSV file"
    ))
}

/// Read the header line (line `line` of the file).
fn header(text: &[u8], name: &str, line: u64) -> Result<Header> {
    let separator = if text.contains(&b';') {
        b';'
    } else if text.contains(&b',') {
        b','
    } else {
        return Err(data(format!(
            "{name}:{line}: no ';' or ',' separator in the header; a tidy file starts with \
             nis;jaar;indicator;teller;noemer"
        )));
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .from_reader(text);
    let headers = reader
        .records()
        .next()
        .transpose()
        .map_err(|e| data(format!("{name}:{line}: unreadable header: {e}")))?
        .unwrap_or_default();
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
                "{name}:{line}: unknown column '{h}'; the tidy format has nis, jaar, indicator, \
                 teller, noemer and optionally status, bron, gemeente"
            )));
        };
        if index[k].is_some() {
            return Err(data(format!(
                "{name}:{line}: column '{}' appears twice in the header",
                COLUMNS[k].0
            )));
        }
        index[k] = Some(i);
    }
    for (k, (column, _)) in COLUMNS.iter().enumerate().take(5) {
        if index[k].is_none() {
            return Err(data(format!(
                "{name}:{line}: required column '{column}' is missing; the header must name nis, \
                 jaar, indicator, teller and noemer"
            )));
        }
    }
    Ok(Header {
        separator,
        index,
        fields: headers.len(),
    })
}

/// What one piece gave besides its rows.
struct Piece {
    rejected: Vec<Rejection>,
    read: u64,
    /// Valid rows of years not asked for.
    skipped: u64,
}

impl Piece {
    /// Check the cells of line `line` and keep the row or reject it; blank rows are skipped.
    fn take(
        &mut self,
        cells: &[&str],
        (line, rows): (u64, &mut Rows),
        h: &Header,
        path: &Path,
        cx: &mut RowContext,
    ) {
        if cells.iter().all(|c| c.is_empty()) {
            return;
        }
        self.read += 1;
        if cells.len() != h.fields {
            self.rejected.push(Rejection {
                location: Location::new(path, line, None),
                reason: format!(
                    "{} fields where the header has {}; check the separator and quotes",
                    cells.len(),
                    h.fields
                ),
                unknown_unit: false,
            });
            return;
        }
        let cell = |k: usize| h.index[k].map_or("", |i| cells[i]);
        match cx.row(cell, rows, line) {
            Ok(true) => {}
            Ok(false) => self.skipped += 1,
            Err((column, reason)) => self.rejected.push(Rejection {
                unknown_unit: column == "nis" && reason.contains("REFNIS"),
                location: Location::new(path, line, Some(column)),
                reason,
            }),
        }
    }
}

/// Parse a piece of whole lines whose first line is line `first_line` of the file, and which
/// holds `lines` line ends, into `rows` (cleared first), keeping the rows of `years` when given.
#[allow(clippy::too_many_arguments)]
fn parse_piece(
    bytes: &[u8],
    (first_line, lines): (u64, u64),
    rows: &mut Rows,
    h: &Header,
    (path, years): (&Path, Option<&[i32]>),
    name: &str,
    def: &Definition,
    geo: &Geography,
) -> Result<Piece> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = first_line + valid.iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(not_utf8(name, line, bytes[e.valid_up_to()]));
        }
    };
    if memchr::memchr(0, bytes).is_some() {
        return Err(no_text(name));
    }
    rows.clear();
    rows.reserve(lines as usize + 1);
    let mut out = Piece {
        rejected: Vec::new(),
        read: 0,
        skipped: 0,
    };
    let mut cx = RowContext {
        def,
        geo,
        units: Lookup::new(),
        indicators: Lookup::new(),
        sources: Lookup::new(),
        file_source: None,
        name,
        years,
    };
    let mut cells: Vec<&str> = Vec::with_capacity(h.fields);
    let quotes = memchr::memchr(b'"', bytes).is_some();
    if !quotes {
        // No quotes: fields and lines in one pass over the separators and line ends (a `\r`
        // before a line end is white space to `trim`).
        let (mut start, mut line) = (0, first_line);
        for at in memchr::memchr2_iter(h.separator, b'\n', bytes) {
            cells.push(trim(&text[start..at]));
            start = at + 1;
            if bytes[at] == b'\n' {
                out.take(&cells, (line, rows), h, path, &mut cx);
                cells.clear();
                line += 1;
            }
        }
        if !text.ends_with('\n') {
            cells.push(trim(&text[start..]));
            out.take(&cells, (line, rows), h, path, &mut cx);
        }
        return Ok(out);
    }
    let mut from = 0;
    let ends =
        memchr::memchr_iter(b'\n', bytes).chain((!text.ends_with('\n')).then_some(text.len()));
    for (k, end) in ends.enumerate() {
        let line = first_line + k as u64;
        let raw = &text[from..end];
        from = end + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if quotes && memchr::memchr(b'"', raw.as_bytes()).is_some() {
            match quoted(raw, h.separator) {
                Ok(fields) => {
                    let cells: Vec<&str> = fields.iter().map(|c| trim(c)).collect();
                    out.take(&cells, (line, rows), h, path, &mut cx);
                }
                Err(reason) => {
                    out.read += 1;
                    out.rejected.push(Rejection {
                        location: Location::new(path, line, None),
                        reason,
                        unknown_unit: false,
                    });
                }
            }
        } else {
            cells.clear();
            let mut start = 0;
            for at in memchr::memchr_iter(h.separator, raw.as_bytes()) {
                cells.push(trim(&raw[start..at]));
                start = at + 1;
            }
            cells.push(trim(&raw[start..]));
            out.take(&cells, (line, rows), h, path, &mut cx);
        }
    }
    Ok(out)
}

/// `cell` without surrounding white space (ASCII first; other Unicode space, such as a
/// no-break space, only when the cell starts or ends with a non-ASCII character).
fn trim(cell: &str) -> &str {
    let t = cell.trim_ascii();
    let edges = [t.as_bytes().first(), t.as_bytes().last()];
    if edges.iter().flatten().any(|b| !b.is_ascii()) {
        t.trim()
    } else {
        t
    }
}

/// A line with quotes, read by the csv crate; a quote left open at the line end is refused.
fn quoted(line: &str, separator: u8) -> Result<Vec<String>, String> {
    if line.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
        return Err(
            "a quoted field is not closed on this line; a tidy row is one line (no line breaks \
             inside quotes)"
                .into(),
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    match reader.records().next() {
        Some(Ok(r)) => Ok(r.iter().map(str::to_owned).collect()),
        Some(Err(e)) => Err(format!("unreadable row: {e}")),
        None => Ok(Vec::new()),
    }
}

/// What checking rows needs, with the answers for cells seen before.
struct RowContext<'a> {
    def: &'a Definition,
    geo: &'a Geography,
    units: Lookup<Result<u32, String>>,
    indicators: Lookup<Result<(u32, &'a Indicator), String>>,
    sources: Lookup<u32>,
    file_source: Option<u32>,
    name: &'a str,
    /// The years whose rows are kept (all when `None`).
    years: Option<&'a [i32]>,
}

impl<'a> RowContext<'a> {
    /// Check one row's cells and add it to `rows` (`true`), or only its year and unit to
    /// [`Rows::elsewhere`] when its year is not asked for (`false`); the column at fault
    /// otherwise.
    fn row<'c>(
        &mut self,
        cell: impl Fn(usize) -> &'c str,
        rows: &mut Rows,
        line: u64,
    ) -> Result<bool, (&'static str, String)> {
        let (def, geo) = (self.def, self.geo);
        let unit = self
            .units
            .get(cell(0), |u| {
                check_unit(geo, u)?;
                Ok(rows.units.id(u))
            })
            .map_err(|e| ("nis", e))?;
        let year: i32 = cell(1)
            .parse()
            .map_err(|_| ("jaar", format!("'{}' is not a year", cell(1))))?;
        check_year(year).map_err(|e| ("jaar", e))?;
        let (indicator, ind) = self
            .indicators
            .get(cell(2), |i| {
                check_indicator(def, i)?;
                let ind = def.indicator(i).expect("indicator checked");
                Ok((rows.indicators.id(i), ind))
            })
            .map_err(|e| ("indicator", e))?;
        let numerator = parse_count(cell(3)).map_err(|e| ("teller", e))?;
        let denominator = parse_count(cell(4)).map_err(|e| ("noemer", e))?;
        let status = match cell(5) {
            "" => match (numerator, denominator) {
                (Some(_), Some(_)) => Status::Observed,
                (None, Some(_)) => Status::Suppressed,
                _ => Status::Missing,
            },
            "observed" => Status::Observed,
            "suppressed" => Status::Suppressed,
            s => Status::parse(s).ok_or_else(|| {
                (
                    "status",
                    format!("unknown status '{s}'; use observed, suppressed, missing or imputed"),
                )
            })?,
        };
        let source = match cell(6) {
            "" => *self
                .file_source
                .get_or_insert_with(|| rows.sources.id(self.name)),
            s => self.sources.get(s, |s| rows.sources.id(s)),
        };
        check_counts_of(ind, numerator, denominator, status)?;
        if self.years.is_some_and(|years| !years.contains(&year)) {
            if rows.elsewhere.last() != Some(&(year, unit)) {
                rows.elsewhere.push((year, unit));
            }
            return Ok(false);
        }
        rows.push_ids(
            unit,
            year,
            indicator,
            numerator,
            denominator,
            status,
            source,
            line,
        );
        Ok(true)
    }
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
    fn rows_of_other_years_are_checked_and_skipped() {
        let text = "nis;jaar;indicator;teller;noemer\n\
                    71016;2013;oki-kleuter;3;20\n\
                    71016;2014;oki-kleuter;4;20\n\
                    71016;2014;kansarmoede-index;5;20\n\
                    71022;2014;oki-kleuter;x;20\n";
        let (def, geo) = (Definition::bundled(), Geography::bundled());
        let years = [2013];
        let f = parse_from(
            text.as_bytes(),
            (Path::new("t.csv"), Some(&years[..])),
            &def,
            geo,
            BLOCK,
            0,
        )
        .unwrap();
        assert_eq!((f.read, f.rows.len(), f.skipped), (4, 1, 2));
        assert_eq!(f.rows.record(0).year, 2013);
        // The bad row of 2014 is still rejected, with its line.
        assert_eq!(f.rejected.len(), 1);
        assert_eq!(f.rejected[0].location.line, 5);
        // One entry for the run of two 2014 rows of Genk.
        let genk = f
            .rows
            .units
            .names()
            .iter()
            .position(|u| u == "71016")
            .unwrap();
        assert_eq!(f.rows.elsewhere, [(2014, genk as u32)]);
    }

    #[test]
    fn reads_semicolons_bom_decimal_comma_and_suppressed_cells() {
        let text = "\u{feff}nis;jaar;indicator;teller;noemer;gemeente\n\
                    71016;2013;oki-kleuter;3170,5;2000;Genk\n\
                    71022;2013;kansarmoede-index;;1500;Hasselt\n";
        let f = parse_text(text.as_bytes()).unwrap();
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.rows.record(0).numerator, Some(3170.5));
        assert_eq!(f.rows.record(1).status, Status::Suppressed);
        assert_eq!(f.rows.location(1).line, 3);
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
        assert!(msg(b"\n \r\n").contains("empty"));
        assert!(msg(b"nis;jaar;indicator;teller;noemer\n").contains("no data rows"));
        assert!(msg(b"nis;jaar;jaar;teller;noemer\n").contains("appears twice"));
        assert!(msg(b"nis;jaar;indicator;teller\n").contains("'noemer' is missing"));
        assert!(
            msg(b"nis;jaar;indicator;teller;noemer\n71016;2013;oki;\xE9;1\n")
                .contains("t.csv:2: the file is not UTF-8 (byte 0xE9)")
        );
        assert!(msg(b"nis;jaar;indicator;teller;noemer\n7\x001\n").contains("NUL bytes"));
        assert!(msg(b"nis jaar indicator\n").contains("no ';' or ','"));
    }

    /// A file with CRLF line ends, a BOM, blank lines, quoted fields and rejected rows.
    const AWKWARD: &[u8] = b"\xEF\xBB\xBF\r\nnis;jaar;indicator;teller;noemer;bron\r\n\
        71016;2013;kansarmoede-index;10;100;\"Kind; Gezin\"\r\n\
        \r\n\
        ;;;;;\r\n\
        71022;2013;kansarmoede-index;12.153;100;x\r\n\
        \n\
        71022;2014;kansarmoede-index;\"1,5\";100;\"open\r\n\
        71022;2015;kansarmoede-index;3;100\r\n\
        71022;2016;kansarmoede-index;3;100;\"x\"\"y\"\n\
        71022;2017;kansarmoede-index;4;100;y";

    fn summary(f: &ParsedFile) -> Vec<String> {
        let rows = (0..f.rows.len()).map(|i| {
            let r = f.rows.record(i);
            format!(
                "{}: {} {} {:?} {:?} {}",
                f.rows.location(i),
                r.unit,
                r.year,
                r.numerator,
                r.denominator,
                r.source
            )
        });
        let rejected = f
            .rejected
            .iter()
            .map(|r| format!("{}: {}", r.location, r.reason));
        rows.chain(rejected).collect()
    }

    #[test]
    fn line_numbers_crlf_bom_blank_lines_and_quotes() {
        let f = parse_text(AWKWARD).unwrap();
        let s = summary(&f);
        assert_eq!(s.len(), 6, "{s:#?}");
        assert_eq!(
            s[0],
            "t.csv:3: 71016 2013 Some(10.0) Some(100.0) Kind; Gezin"
        );
        assert_eq!(s[1], "t.csv:10: 71022 2016 Some(3.0) Some(100.0) x\"y");
        assert_eq!(s[2], "t.csv:11: 71022 2017 Some(4.0) Some(100.0) y");
        assert!(s[3].starts_with("t.csv:6, column 'teller': '12.153' is ambiguous"));
        assert!(s[4].starts_with("t.csv:8: a quoted field is not closed"));
        assert!(s[5].starts_with("t.csv:9: 5 fields where the header has 6"));
        assert_eq!(f.read, 6);
        assert_eq!(trim(" \u{a0}12\t"), "12");
        assert_eq!(trim("é "), "é");
    }

    #[test]
    fn blocks_and_threads_do_not_change_the_result() {
        let (def, geo) = (Definition::bundled(), Geography::bundled());
        let whole = summary(&parse_text(AWKWARD).unwrap());
        let sha = crate::store::sha256_hex(AWKWARD);
        let mut store: Option<Vec<u8>> = None;
        for block in [1, 2, 3, 7, 64] {
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let f = pool
                    .install(|| {
                        parse_from(AWKWARD, (Path::new("t.csv"), None), &def, geo, block, 0)
                    })
                    .unwrap();
                assert_eq!(summary(&f), whole, "block {block}, {threads} threads");
                assert_eq!(f.input.sha256, sha);
                let (merged, _) = pool
                    .install(|| {
                        super::super::merge(None, vec![f], &def, Default::default(), geo, "s")
                    })
                    .unwrap();
                let bytes = merged.to_parquet().unwrap();
                let store = store.get_or_insert_with(|| bytes.clone());
                assert_eq!(
                    &bytes, store,
                    "store bytes, block {block}, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn a_merged_store_has_the_bytes_of_a_store_of_its_records() {
        let (def, geo) = (Definition::bundled(), Geography::bundled());
        // Units and sources met only in rejected rows are interned but stored nowhere.
        let unused =
            b"\n13008;1900;kansarmoede-index;1;2;zzz\n44021;2013;kansarmoede-index;5;2;yyy";
        for text in [AWKWARD.to_vec(), [AWKWARD, unused].concat()] {
            let f = parse_text(&text).unwrap();
            let (merged, _) =
                super::super::merge(None, vec![f], &def, Default::default(), geo, "s").unwrap();
            let records = merged.records().unwrap();
            let store =
                crate::store::Store::from_records(records, merged.meta.clone(), "s").unwrap();
            assert_eq!(merged.to_parquet().unwrap(), store.to_parquet().unwrap());
        }
    }
}
