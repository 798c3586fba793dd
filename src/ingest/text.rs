//! Text files as spreadsheets save them: encoding sniffing (UTF-8 with or without BOM, else
//! Windows-1252) and separator sniffing (`;`, `,`, tab or `|`), read into a [`Table`].

use super::table::{Row, Table, is_header};
use crate::error::data;
use anyhow::Result;
use std::borrow::Cow;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-8.
    Utf8,
    /// Windows-1252 (Excel's "CSV" on Belgian Windows; a superset of Latin-1's printable range).
    Windows1252,
}

impl Encoding {
    /// A name for reports.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Decode a text file: a UTF-8 BOM is stripped; valid UTF-8 is taken as is; anything else is
/// Windows-1252 (every byte is defined there, the euro sign included).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(s) = std::str::from_utf8(body) {
            return (Cow::Borrowed(s), Encoding::Utf8Bom);
        }
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(s), Encoding::Utf8);
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    (text, Encoding::Windows1252)
}

/// The separator of a delimited text: the candidate that splits the header line into the most
/// fields (ties: `;` before tab before `|` before `,`, since Belgian files use `;` and the comma
/// is also the decimal mark).
pub fn sniff_separator(header: &str) -> Option<u8> {
    [b';', b'\t', b'|', b',']
        .into_iter()
        .map(|sep| (sep, header.bytes().filter(|&b| b == sep).count()))
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(sep, n)| (n, sep == b';'))
        .map(|(sep, _)| sep)
}

/// Read delimited text into a table. `separator` `None`: sniffed from the first line.
/// The first line with two or more fields is the header (title lines above it are skipped);
/// blank lines are skipped; lines are numbered as in the
/// file.
pub fn read_delimited(bytes: &[u8], name: &str, separator: Option<u8>) -> Result<Table> {
    refuse_utf16(bytes, name)?;
    if let Some(e) = Scan::of(bytes, 1).error(name) {
        return Err(e);
    }
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(data(format!("{name}: the file is empty")));
    }
    let header_line = text
        .lines()
        .find(|l| sniff_separator(l).is_some())
        .unwrap_or("");
    let sep = match separator.or_else(|| sniff_separator(header_line)) {
        Some(s) => s,
        None => {
            return Err(data(format!(
                "{name}:1: no separator (';', ',', tab or '|') in the header line"
            )));
        }
    };
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut table = Table {
        name: name.to_owned(),
        sheet: None,
        headers: Vec::new(),
        header_line: 0,
        rows: Vec::new(),
        encoding: Some(encoding),
    };
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            data(format!("{name}:{line}: unreadable line: {e}"))
        })?;
        // The csv crate's position of a record after blank lines is the start of those lines:
        // skip them, then count the newlines before the record.
        let line = record.position().map_or(0, |p| {
            let start = p.byte() as usize
                + text.as_bytes()[p.byte() as usize..]
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
            1 + newlines.partition_point(|&nl| nl < start) as u64
        });
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cells: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        if table.header_line == 0 && !is_header(&cells) {
            continue;
        }
        if table.header_line == 0 {
            table.header_line = line;
            table.headers = cells;
        } else {
            table.rows.push(Row { line, cells });
        }
    }
    if table.header_line == 0 {
        return Err(data(format!(
            "{name}: no header line: no line has two or more fields separated by '{}'",
            char::from(sep).escape_default()
        )));
    }
    Ok(table)
}

/// UTF-16 text (Excel's "Unicode text", with its byte-order mark) is refused with what to do,
/// rather than read as bytes with NULs between the letters.
pub fn refuse_utf16(bytes: &[u8], name: &str) -> Result<()> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(data(format!(
            "{name}: the file is UTF-16 text (Excel's \"Unicode text\"); save it as CSV UTF-8 \
             (or CSV with ';')"
        )));
    }
    Ok(())
}

/// What a stretch of a text file holds that decides how the file is read: NUL bytes, its first
/// non-ASCII UTF-8 character and its first byte that is not UTF-8, with their lines. Scans of
/// consecutive stretches (cut at line ends) combine into the scan of the whole.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    nul: bool,
    bom: bool,
    utf8: Option<(u64, char)>,
    other: Option<(u64, u8)>,
}

impl Scan {
    /// Scan `bytes`, whose first line is line `first_line` of the file.
    pub fn of(bytes: &[u8], first_line: u64) -> Scan {
        let line_at = |offset: usize| {
            first_line + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64
        };
        let mut scan = Scan {
            nul: memchr::memchr(0, bytes).is_some(),
            bom: first_line == 1 && bytes.starts_with(b"\xEF\xBB\xBF"),
            ..Scan::default()
        };
        if bytes.is_ascii() {
            return scan;
        }
        let mut offset = 0;
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if scan.utf8.is_none()
                && let Some((i, c)) = valid.char_indices().find(|(_, c)| !c.is_ascii())
            {
                scan.utf8 = Some((line_at(offset + i), c));
            }
            offset += valid.len();
            if scan.other.is_none()
                && let Some(&b) = chunk.invalid().first()
            {
                scan.other = Some((line_at(offset), b));
            }
            offset += chunk.invalid().len();
            if scan.utf8.is_some() && scan.other.is_some() {
                break;
            }
        }
        scan
    }

    /// Add the scan of the stretch that follows.
    pub fn then(&mut self, later: &Scan) {
        self.nul |= later.nul;
        self.utf8 = self.utf8.or(later.utf8);
        self.other = self.other.or(later.other);
    }

    /// Whether a NUL byte was found.
    pub fn has_nul(&self) -> bool {
        self.nul
    }

    /// The encoding of the text scanned (when it is the whole file, from its first byte).
    pub fn encoding(&self) -> Encoding {
        match (self.other, self.bom) {
            (Some(_), _) => Encoding::Windows1252,
            (None, true) => Encoding::Utf8Bom,
            (None, false) => Encoding::Utf8,
        }
    }

    /// Why the text cannot be read: NUL bytes (not a text file), or UTF-8 characters beside
    /// bytes that are not UTF-8 (lines pasted from two sources: reading the file as
    /// Windows-1252 would garble the UTF-8 names silently).
    pub fn error(&self, name: &str) -> Option<anyhow::Error> {
        if self.nul {
            return Some(data(format!(
                "{name}: the file contains NUL bytes; it is not a text file (an Excel workbook \
                 needs the .xlsx extension)"
            )));
        }
        let ((u, c), (o, b)) = (self.utf8?, self.other?);
        Some(data(format!(
            "{name}: the file mixes encodings: line {u} has the UTF-8 character '{}' and line {o} \
             the byte 0x{b:02X}, which is not UTF-8; save the whole file in one encoding (CSV \
             UTF-8 in Excel)",
            c.escape_debug()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFnis").1, Encoding::Utf8Bom);
        assert_eq!(decode(b"\xEF\xBB\xBFnis").0, "nis");
        assert_eq!(decode("Hélécine".as_bytes()).1, Encoding::Utf8);
        let (text, enc) = decode(b"H\xE9l\xE9cine \x80");
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(text, "Hélécine €");
    }

    #[test]
    fn separators() {
        assert_eq!(sniff_separator("nis;jaar;teller"), Some(b';'));
        assert_eq!(sniff_separator("nis,jaar,teller"), Some(b','));
        assert_eq!(sniff_separator("nis\tjaar\tteller"), Some(b'\t'));
        assert_eq!(
            sniff_separator("CD_REFNIS|CD_YEAR|MS_POPULATION"),
            Some(b'|')
        );
        assert_eq!(sniff_separator("gemeente;aandeel, in %"), Some(b';'));
        assert_eq!(sniff_separator("gemeente"), None);
    }

    #[test]
    fn reads_windows_1252_with_line_numbers() {
        let t = read_delimited(b"\n\nnis;gemeente\n\n44021;Gen\xE8ve\n", "t.csv", None).unwrap();
        assert_eq!(t.headers, vec!["nis", "gemeente"]);
        assert_eq!(t.header_line, 3);
        assert_eq!(t.rows[0].line, 5);
        assert_eq!(t.rows[0].cells[1], "Genève");
        assert_eq!(t.encoding, Some(Encoding::Windows1252));
    }
}
