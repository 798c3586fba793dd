//! A file read as a grid: a header row and data rows with their line numbers, from delimited
//! text (see `text`) or from the sheets of an Excel workbook (calamine).

use super::text::Encoding;
use crate::error::{Location, data};
use anyhow::Result;
use calamine::{Data, Reader};
use std::io::Cursor;

/// One data row: its 1-based line (Excel row) number and its cells, trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line in the text file, or row number in the sheet.
    pub line: u64,
    /// The cells as text; Excel numbers are written without grouping, with a decimal comma.
    pub cells: Vec<String>,
}

/// A header row and data rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file as the user named it.
    pub name: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// Header cells, trimmed.
    pub headers: Vec<String>,
    /// Line of the header.
    pub header_line: u64,
    /// Data rows.
    pub rows: Vec<Row>,
    /// The text encoding found (`None` for workbooks).
    pub encoding: Option<Encoding>,
}

impl Table {
    /// Where a cell is: `file[sheet]:line, column 'x'`.
    pub fn location(&self, line: u64, column: Option<&str>) -> Location {
        let file = match &self.sheet {
            Some(s) => format!("{}[{s}]", self.name),
            None => self.name.clone(),
        };
        Location {
            file,
            line,
            column: column.map(str::to_owned),
        }
    }

    /// Whether the cells are typed spreadsheet values (numbers already numbers).
    pub fn is_workbook(&self) -> bool {
        self.sheet.is_some()
    }
}

/// Whether `bytes` look like an xlsx/ods workbook (a zip archive).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether a row can be a header: at least two non-empty cells (title lines above the header
/// have one).
pub fn is_header(cells: &[String]) -> bool {
    cells.iter().filter(|c| !c.is_empty()).count() >= 2
}

/// Every non-empty sheet of a workbook (xlsx, xlsb, xls or ods) as a table; the first non-empty
/// row with two or more cells is its header. `only`: read just that sheet. A workbook that makes
/// the reader (calamine) panic is an error: the `workbook` fuzz target found cell references
/// that overflow its column arithmetic.
pub fn read_workbook(bytes: &[u8], name: &str, only: Option<&str>) -> Result<Vec<Table>> {
    crate::store::catch_silently(|| read_sheets(bytes, name, only)).unwrap_or_else(|panic| {
        Err(data(format!(
            "{name}: not a readable Excel workbook: the file is damaged ({panic})"
        )))
    })
}

fn read_sheets(bytes: &[u8], name: &str, only: Option<&str>) -> Result<Vec<Table>> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| data(format!("{name}: not a readable Excel workbook: {e}")))?;
    let names = book.sheet_names();
    if let Some(s) = only
        && !names.iter().any(|n| n == s)
    {
        return Err(data(format!(
            "{name}: no sheet '{s}'; the workbook has {}",
            names.join(", ")
        )));
    }
    let mut tables = Vec::new();
    for sheet in names
        .iter()
        .filter(|n| only.is_none_or(|s| s == n.as_str()))
    {
        let range = book.worksheet_range(sheet).map_err(|e| {
            data(format!(
                "{name}: not a readable Excel workbook: sheet '{sheet}' is damaged ({e})"
            ))
        })?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut table = Table {
            name: name.to_owned(),
            sheet: Some(sheet.clone()),
            headers: Vec::new(),
            header_line: 0,
            rows: Vec::new(),
            encoding: None,
        };
        for (i, cells) in range.rows().enumerate() {
            let cells: Vec<String> = cells.iter().map(cell_text).collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let line = first_row + i as u64 + 1;
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
        if table.header_line > 0 {
            tables.push(table);
        }
    }
    if tables.is_empty() {
        return Err(data(format!("{name}: the workbook has no data")));
    }
    Ok(tables)
}

/// A workbook cell as text: numbers plainly (integers without decimals), errors as `#ERR`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => excel_number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_number(dt.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel number as text: no exponent, no grouping, shortest round-trip digits, decimal
/// comma (so it reads the same in either number style: see `mapping`).
pub fn excel_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        format!("{f}").replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_numbers() {
        assert_eq!(excel_number(71016.0), "71016");
        assert_eq!(excel_number(1.5855), "1,5855");
        assert_eq!(excel_number(-0.5), "-0,5");
    }

    #[test]
    fn refuses_non_workbooks() {
        let msg = format!(
            "{:#}",
            read_workbook(b"PK\x03\x04junk", "w.xlsx", None).unwrap_err()
        );
        assert!(
            msg.contains("w.xlsx: not a readable Excel workbook"),
            "{msg}"
        );
    }
}
