//! Delimited text for the mapping layouts (`sheet` and the like), read in blocks: each block is
//! cut at record ends into pieces that are decoded (UTF-8, else Windows-1252) and read on all
//! cores, then appended in order, so rows, rejections and line numbers do not depend on the
//! number of threads. What it accepts, refuses and reports is what [`super::text::read_delimited`]
//! and [`mapping::apply`] give for the whole file (tested), without holding the file or a
//! `String` per cell. Mappings that need the whole file ([`mapping::needs_whole_file`]) are read
//! as a table instead.

use super::blocks::{cut, fill, lines_of};
use super::mapping::{self, Applied, Context, Mapping, Reader};
use super::table::{Table, is_header};
use super::text::{self, Encoding, Scan};
use super::{ParsedFile, Part};
use crate::error::data;
use crate::store::hex;
use anyhow::Result;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Read;

/// The header found at the start of a file.
struct Header {
    table: Table,
    separator: u8,
    /// Byte offset of the first byte after the header record.
    end: usize,
}

/// Read the delimited text file `name` from `input` in blocks of `block` bytes with the first
/// of `mappings` whose columns fit its header; `size`, the file size when known, makes room for
/// the rows.
pub fn read(
    mut input: impl Read + Send,
    name: &str,
    size: u64,
    mappings: &[Mapping],
    ctx: &Context,
    block: usize,
) -> Result<ParsedFile> {
    let separator = mappings[0]
        .layout
        .separator
        .as_deref()
        .map(|s| s.as_bytes()[0]);
    let mut hasher = Sha256::new();
    let mut buf: Vec<u8> = Vec::with_capacity(block + 1024);
    let mut eof = false;
    // Before the header: the whole start of the file is kept.
    let mut h = loop {
        if eof {
            // No header in the whole file: the table reader says what is wrong.
            let table = text::read_delimited(&buf, name, separator)?;
            let sha = hex(&hasher.finalize());
            return super::layout::read_tables(&[table], name, sha, mappings, ctx);
        }
        // (Growing reads: the start is read again until its header is complete.)
        let old = buf.len();
        eof = fill(&mut input, &mut buf, block.max(old), name)?;
        hasher.update(&buf[old..]);
        if !eof && buf.len() < 3 {
            continue;
        }
        text::refuse_utf16(&buf, name)?;
        if let Some(h) = header(&buf, eof, separator) {
            break h;
        }
    };
    h.table.name = name.to_owned();
    let mut scan = Scan::of(&buf[..h.end], 1);
    let mut line = 1 + memchr::memchr_iter(b'\n', &buf[..h.end]).count() as u64;
    buf.drain(..h.end);
    let mut hashed = buf.len();
    let m = mappings
        .iter()
        .find(|m| mapping::fits(m, &h.table, ctx.def))
        .unwrap_or(&mappings[0]);
    let reader = match Reader::new(m, &h.table, ctx) {
        Ok(r) => r,
        Err(e) => return Err(drain(input, buf, eof, scan, line, name).unwrap_or(e)),
    };
    let mut out = reader.begin();
    let mut next: Vec<u8> = Vec::with_capacity(block + 1024);
    loop {
        let Some((end, quoted)) = ready(&buf, eof, h.separator) else {
            if eof {
                break;
            }
            eof = fill(&mut input, &mut buf, block, name)?;
            continue;
        };
        let pieces = if quoted {
            vec![&buf[..end]]
        } else {
            cut(&buf[..end], rayon::current_num_threads() * 2)
        };
        let firsts: Vec<u64> = lines_of(&pieces, &mut line)
            .into_iter()
            .map(|(first, _)| first)
            .collect();
        // The next block is read while this one is parsed.
        let (next_eof, read): (_, Vec<(Scan, Applied)>) = rayon::join(
            || {
                hasher.update(&buf[hashed..]);
                next.clear();
                next.extend_from_slice(&buf[end..]);
                if eof {
                    return Ok(true);
                }
                fill(&mut input, &mut next, block, name)
            },
            || {
                pieces
                    .par_iter()
                    .zip(firsts)
                    .map(|(piece, first)| read_piece(piece, first, quoted, h.separator, &reader))
                    .collect()
            },
        );
        let next_eof = next_eof?;
        if out.rows.is_empty() && size > 0 {
            let rows: usize = read.iter().map(|(_, a)| a.rows.len()).sum();
            let done = (end as u64).max(1);
            out.rows
                .reserve((rows as u64 * size / done) as usize + rows);
        }
        for (piece_scan, applied) in &read {
            scan.then(piece_scan);
            out.extend(applied);
        }
        drop(read);
        hashed = buf.len() - end;
        std::mem::swap(&mut buf, &mut next);
        eof = next_eof;
        if let Some(e) = scan.error(name) {
            return Err(drain(input, buf, eof, scan, line, name).unwrap_or(e));
        }
    }
    // The header's own scan, when no data block followed it.
    if let Some(e) = scan.error(name) {
        return Err(e);
    }
    hasher.update(&buf[hashed..]);
    let mut parsed = ParsedFile::new(name, hex(&hasher.finalize()));
    finish(&mut parsed, out, Some(scan.encoding()))?;
    Ok(parsed)
}
/// The header record of the file starting with `bytes`, when the complete lines of `bytes` hold
/// it (and the record after it has begun, or the file ends); `None` otherwise.
fn header(bytes: &[u8], eof: bool, separator: Option<u8>) -> Option<Header> {
    let lines = if eof {
        bytes
    } else {
        &bytes[..memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1)]
    };
    let (text, _) = text::decode(lines);
    let complete: &str = &text;
    let sep = separator.or_else(|| complete.lines().find_map(text::sniff_separator))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .has_headers(false)
        .from_reader(complete.as_bytes());
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).ok()? {
        let cells: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) || !is_header(&cells) {
            continue;
        }
        let end = reader.position().byte() as usize;
        if !eof && end >= complete.len() {
            return None;
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = line_of(complete, start);
        // Back to a byte offset of the file: the BOM, or one byte per Windows-1252 character.
        let end = match &text {
            Cow::Borrowed(body) => end + (lines.len() - body.len()),
            Cow::Owned(_) => complete[..end].chars().count(),
        };
        return Some(Header {
            table: Table {
                name: String::new(),
                sheet: None,
                headers: cells,
                header_line: line,
                rows: Vec::new(),
                encoding: None,
            },
            separator: sep,
            end,
        });
    }
    None
}

/// The line of a record the csv reader says starts at `start` of `text` (whose first line is
/// line 1): its position is that of the blank lines before it, if any.
fn line_of(text: &str, start: usize) -> u64 {
    let start = start
        + text.as_bytes()[start..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u64
}

/// Where the bytes ready to read end in `buf`, and whether they hold a quote (then they are read
/// in one piece by the csv reader, since a quoted field may hold a line break): up to the last
/// line end, or up to the last record start when quoted. `None`: more is needed.
fn ready(buf: &[u8], eof: bool, separator: u8) -> Option<(usize, bool)> {
    let quoted = memchr::memchr(b'"', buf).is_some();
    if eof {
        return (!buf.is_empty()).then_some((buf.len(), quoted));
    }
    if !quoted {
        return memchr::memrchr(b'\n', buf).map(|i| (i + 1, false));
    }
    // The last record may be cut off: read up to its start.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .has_headers(false)
        .from_reader(buf);
    let mut record = csv::ByteRecord::new();
    let mut last = 0;
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        last = record.position().map_or(0, |p| p.byte() as usize);
    }
    (last > 0).then_some((last, true))
}

/// Read the records of a piece whose first line is line `first` of the file.
fn read_piece(
    bytes: &[u8],
    first: u64,
    quoted: bool,
    separator: u8,
    reader: &Reader,
) -> (Scan, Applied) {
    let scan = Scan::of(bytes, first);
    let mut pass = reader.pass();
    if scan.has_nul() {
        return (scan, Reader::finish(pass));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    };
    if quoted {
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(separator)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        while csv.read_record(&mut record).unwrap_or(false) {
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let start = record.position().map_or(0, |p| p.byte() as usize);
            let line = first - 1 + line_of(&text, start);
            let cells: Vec<&str> = record.iter().map(str::trim).collect();
            reader.row(&mut pass, line, &cells);
        }
    } else {
        // Without quotes a record is a line, or part of a line between carriage returns.
        let mut cells: Vec<&str> = Vec::new();
        let mut from = 0;
        let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
        for (k, end) in ends.enumerate() {
            let line = &text[from..end.max(from)];
            from = end + 1;
            let mut records = [line, ""];
            let records = match memchr::memchr(b'\r', line.as_bytes()) {
                None => &records[..1],
                Some(i) if i + 1 == line.len() => {
                    records[0] = &line[..i];
                    &records[..1]
                }
                Some(_) => &line.split('\r').collect::<Vec<_>>()[..],
            };
            for record in records {
                cells.clear();
                let mut start = 0;
                for at in memchr::memchr_iter(separator, record.as_bytes()) {
                    cells.push(trim(&record[start..at]));
                    start = at + 1;
                }
                cells.push(trim(&record[start..]));
                if cells.iter().all(|c| c.is_empty()) {
                    continue;
                }
                reader.row(&mut pass, first + k as u64, &cells);
            }
        }
    }
    (scan, Reader::finish(pass))
}

/// `str::trim`, quicker for the common cell that starts and ends with a visible ASCII character.
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// After a file-level error: read the rest of the file for the errors found first when reading
/// a file whole (NUL bytes, mixed encodings).
fn drain(
    mut input: impl Read,
    mut buf: Vec<u8>,
    mut eof: bool,
    mut scan: Scan,
    mut line: u64,
    name: &str,
) -> Option<anyhow::Error> {
    loop {
        let end = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1)
        };
        scan.then(&Scan::of(&buf[..end], line));
        line += memchr::memchr_iter(b'\n', &buf[..end]).count() as u64;
        buf.drain(..end);
        if eof || scan.has_nul() {
            return scan.error(name);
        }
        eof = fill(&mut input, &mut buf, super::blocks::BLOCK, name).ok()?;
    }
}

/// Fill `parsed` with what the rows gave.
fn finish(parsed: &mut ParsedFile, applied: Applied, encoding: Option<Encoding>) -> Result<()> {
    let name = parsed.input.file.clone();
    if let Some(e) = encoding {
        parsed.notes.push(format!("{name}: {} text", e.label()));
    }
    parsed.read = applied.read;
    parsed.skipped = applied.skipped;
    parsed.rows = applied.rows;
    parsed.halves = applied.halves;
    parsed.rejected = applied.rejected;
    parsed.notes.extend(applied.notes);
    debug_assert!(parsed.halves.iter().all(|h| h.part != Part::Whole));
    parsed.input.rows = (parsed.rows.len() + parsed.halves.len()) as u64;
    if parsed.read == 0 {
        return Err(data(format!(
            "{name}: the file has a header but no data rows"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::layout::{self, Layout};
    use super::super::table;
    use super::*;
    use crate::definition::Definition;
    use crate::geo::Geography;
    use crate::store::sha256_hex;
    use std::path::Path;

    /// What a read gave, as text: every row with its place, every rejection, the counts and
    /// notes; or the error.
    fn summary(result: Result<ParsedFile>) -> Vec<String> {
        let f = match result {
            Ok(f) => f,
            Err(e) => return vec![format!("error: {e:#}")],
        };
        let mut out = vec![format!(
            "{} {} {} read {} skipped {}",
            f.input.file, f.input.sha256, f.input.rows, f.read, f.skipped
        )];
        out.extend(
            (0..f.rows.len()).map(|i| format!("{}: {:?}", f.rows.location(i), f.rows.record(i))),
        );
        out.extend(
            f.halves
                .iter()
                .map(|h| format!("{}: {:?} {:?}", h.location, h.record, h.part)),
        );
        out.extend(
            f.rejected
                .iter()
                .map(|r| format!("{}: {} {}", r.location, r.reason, r.unknown_unit)),
        );
        out.extend(f.notes);
        out
    }

    /// The file read whole as a table, as before blocks.
    fn whole(bytes: &[u8], mappings: &[Mapping], ctx: &Context) -> Result<ParsedFile> {
        let sep = mappings[0]
            .layout
            .separator
            .as_deref()
            .map(|s| s.as_bytes()[0]);
        let table = text::read_delimited(bytes, ctx.source, sep)?;
        layout::read_tables(&[table], ctx.source, sha256_hex(bytes), mappings, ctx)
    }

    /// Every layout read in blocks gives what it gives read whole, for every block size and
    /// number of threads.
    fn same_as_whole(bytes: &[u8], blocks: &[usize], threads: &[usize]) {
        let (def, geo) = (Definition::bundled(), Geography::bundled());
        let mut names = vec!["sheet"];
        names.extend(layout::names());
        for name in names {
            let Layout::Mappings(_, mappings) = Layout::resolve(name).unwrap() else {
                unreachable!()
            };
            if mappings.iter().any(mapping::needs_whole_file) {
                continue;
            }
            for indicator in [None, Some("kansarmoede-index")] {
                let ctx = Context {
                    def: &def,
                    geo,
                    indicator,
                    source: "t.csv",
                };
                let want = summary(whole(bytes, &mappings, &ctx));
                for &block in blocks {
                    for &n in threads {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(n)
                            .build()
                            .unwrap();
                        let got = pool.install(|| {
                            summary(read(
                                bytes,
                                "t.csv",
                                bytes.len() as u64,
                                &mappings,
                                &ctx,
                                block,
                            ))
                        });
                        assert_eq!(
                            got,
                            want,
                            "layout {name}, indicator {indicator:?}, block {block}, {n} threads, input {:?}",
                            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                        );
                    }
                }
            }
        }
    }

    const AWKWARD: &[&[u8]] = &[
        b"\xEF\xBB\xBFTitel: kansarmoede\r\n\r\nnis;gemeente;jaar;indicator;teller;noemer\r\n\
          71016;Genk;2019;kansarmoede-index;1.234;9.876\r\n\r\n\
          ;;;;;\r\n\
          71022;\"Hasselt; stad\";2019;kansarmoede-index;<5;100\r\n\
          71022;\"Has\r\nselt\";2020;kansarmoede-index;x;100\r\n\
          44083;Deinze;2018;kansarmoede-index;12,5;n.b.\r\n\
          71999;?;2018;kansarmoede-index;1;2\r\n\
          71016;Genk;1900;kansarmoede-index;1;2\r\n\
          71016;Genk;twee;kansarmoede-index;1;2\r\n\
          71016;Genk;2019;onbekend;1;2\r\n\
          71016;Genk;2021;kansarmoede-index;12.5;100",
        b"gemeente;jaar;teller;noemer\nSt.-Niklaas;2018;1.234;9.876\nSINT-NIKLAAS;2019;1.200,5;9.800\n\
          Deinze;2018;150;1.500\nNevele;2018;<5;600\nGen\xE8ve;2018;1;2\nNergens;2018;1;2\n",
        b"gemeente;teller 2018;noemer 2018;teller 2019;noemer 2019;noemer 2020\rGenk;1;10;2;20;3\r\
          Hasselt;-;10;3,5;20;\rSint-Niklaas;1.000;10;;;\r",
        b"nis\tjaar\tteller\tnoemer\n71016\t2019\t1\t2\n71016\t2019\t1\t2\n\n",
        b"nis;jaar;teller;noemer\n71016;2019;1;2\n71016;2019;\xE9;2\n71022;2019;\xC3\xA9;1\n",
        b"wat;anders\n1;2\n\x00\n",
        b"wat;anders\n1;2\n\xC3\xA9\n\xE9\n",
        b"nis;jaar;teller;noemer\n",
        b"nis;jaar;teller;noemer\n\"71016\";2019;\"1\r\n",
        b"",
        b"   \n\n",
        b"geen scheiding\nook niet\n",
        b"\xFF\xFEn\x00i\x00s\x00",
        b"a\n\"nis;jaar\";teller;noemer\nnis;jaar;teller;noemer\n71016;2019;1;2",
    ];

    #[test]
    fn blocks_read_what_the_whole_file_gives() {
        for bytes in AWKWARD {
            same_as_whole(bytes, &[1, 2, 3, 7, 64, 1 << 20], &[1, 3]);
        }
    }

    #[test]
    fn fixtures_and_the_fuzz_corpus_read_the_same_in_blocks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "tests/fixtures/layouts",
            "tests/bad-inputs/files",
            "fuzz/corpus/layout",
            "fuzz/corpus/text",
        ] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        files.push(p);
                    }
                }
            }
        }
        assert!(files.len() > 40, "{} files", files.len());
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            if table::is_workbook(&bytes) || bytes.len() > 1 << 20 {
                continue;
            }
            same_as_whole(&bytes, &[5, 1 << 20], &[2]);
            if let Some((_, rest)) = bytes.split_first() {
                same_as_whole(rest, &[64], &[2]);
            }
        }
    }

    #[test]
    fn large_files_are_cut_into_pieces() {
        let mut text = b"nis;gemeente;jaar;indicator;teller;noemer\n".to_vec();
        for i in 0..40_000 {
            let line = format!(
                "71016;Genk;{};kansarmoede-index;{}.{:03};100.000\r\n",
                2000 + i % 24,
                i % 90,
                i % 1000
            );
            text.extend_from_slice(line.as_bytes());
            if i % 9_999 == 0 {
                text.extend_from_slice(b"71022;\"Hasselt\r\nstad\";2019;kansarmoede-index;<5;9\n");
            }
        }
        assert!(text.len() > 1 << 20);
        same_as_whole(&text, &[300_000, 1 << 20], &[1, 3]);
    }
}
