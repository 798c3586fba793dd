//! XLSX workbooks from simple tables: real numbers (never text) with number formats, euro amounts
//! with a euro format, a bold frozen header row, columns as wide as their contents, and a sheet
//! with the run record. Written directly as SpreadsheetML (ECMA-376 part 1, section 18; inline
//! strings, one style per number format) and zipped: the sheets of a workbook are written side by
//! side, so a 20,000-row table takes a tenth of the time a general workbook writer needs.

use anyhow::{Result, bail};
use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Euro amounts: Excel shows them in the reader's locale (4.500.000,00 € in nl-BE).
pub const EURO_FORMAT: &str = "#,##0.00 [$€-813]";

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An empty cell.
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number shown with the given number of decimals.
    Number(f64, usize),
    /// An amount in cents, written as euros with [`EURO_FORMAT`].
    Euro(i64),
    /// A fraction shown as a percentage with two decimals.
    Percent(f64),
}

/// A named table: a header row and data rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// Sheet name (at most 31 characters).
    pub name: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<Value>>,
}

impl Sheet {
    /// An empty sheet with this name and header.
    pub fn new(name: &str, header: Vec<String>) -> Self {
        Sheet {
            name: name.to_owned(),
            header,
            rows: Vec::new(),
        }
    }

    /// A two-column sheet of key/value lines (a run record or an audit section).
    pub fn key_values(name: &str, lines: &[(String, String)]) -> Self {
        let mut sheet = Sheet::new(name, vec!["key".into(), "value".into()]);
        for (k, v) in lines {
            sheet
                .rows
                .push(vec![Value::Text(k.clone()), Value::Text(v.clone())]);
        }
        sheet
    }
}

/// The workbook as XLSX bytes; created at the run's time (`SOURCE_DATE_EPOCH` when set, as the
/// run record), so equal inputs give equal bytes. Sheet names must be distinct, 1 to 31
/// characters, none of `[]:*?/\`.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>> {
    for (i, sheet) in sheets.iter().enumerate() {
        let name = &sheet.name;
        if name.is_empty()
            || name.chars().count() > 31
            || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
            || name.starts_with('\'')
            || name.ends_with('\'')
        {
            bail!("bad sheet name '{name}': 1 to 31 characters, none of []:*?/\\");
        }
        if sheets[..i]
            .iter()
            .any(|s| s.name.to_lowercase() == name.to_lowercase())
        {
            bail!("bad sheet name '{name}': used twice");
        }
    }
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Level 2, zlib-rs's fast strategy: the 10 MB sheet of a sector-scale Monte Carlo zips
    // in about 20 ms less than at Excel's level 3 (and a third of the time of the default 6),
    // for 15 % more bytes (1.17 MB against 1.02 MB).
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(2))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o600);
    let created = crate::run_record::rfc3339(crate::run_record::now_secs());
    let names: Vec<String> = sheets
        .iter()
        .map(|s| escape(&s.name).into_owned())
        .collect();
    let n = sheets.len();
    let mut file = |path: &str, body: &[u8]| -> Result<()> {
        zip.start_file(path, options)?;
        zip.write_all(body)?;
        Ok(())
    };
    file("[Content_Types].xml", content_types(n).as_bytes())?;
    file("_rels/.rels", ROOT_RELS.as_bytes())?;
    file("docProps/app.xml", app(&names).as_bytes())?;
    file("docProps/core.xml", core(&created).as_bytes())?;
    file("xl/_rels/workbook.xml.rels", workbook_rels(n).as_bytes())?;
    file("xl/workbook.xml", workbook_xml(&names).as_bytes())?;
    file("xl/styles.xml", styles().as_bytes())?;
    // The sheets' XML is made on a thread of its own, a few thousand rows at a time, while this
    // one compresses what came before: both take about as long.
    std::thread::scope(|scope| -> Result<()> {
        let (send, pieces) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(4);
        scope.spawn(move || {
            for (i, sheet) in sheets.iter().enumerate() {
                // A failed send means the writer stopped (an error): stop making pieces.
                if !sheet_xml(sheet, i == 0, &mut |piece| send.send((i, piece)).is_ok()) {
                    return;
                }
            }
        });
        let mut open = None;
        for (i, piece) in pieces {
            if open != Some(i) {
                zip.start_file(format!("xl/worksheets/sheet{}.xml", i + 1), options)?;
                open = Some(i);
            }
            zip.write_all(&piece)?;
        }
        Ok(())
    })?;
    Ok(zip.finish()?.into_inner())
}

/// How a number cell is shown: its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Decimals(usize),
    Euro,
    Percent,
}

impl Kind {
    /// The kind of a number cell; `None` for text and empty cells.
    fn of(v: &Value) -> Option<Kind> {
        match v {
            Value::Empty | Value::Text(_) => None,
            Value::Int(_) => Some(Kind::Plain),
            Value::Number(_, d) => Some(Kind::Decimals((*d).min(9))),
            Value::Euro(_) => Some(Kind::Euro),
            Value::Percent(_) => Some(Kind::Percent),
        }
    }

    /// The cell style (index into `cellXfs` of [`styles`]); 0 is General.
    fn style(self) -> usize {
        match self {
            Kind::Plain => 0,
            Kind::Percent => 2,
            Kind::Euro => 3,
            Kind::Decimals(d) => 4 + d,
        }
    }
}

/// Style 1 is the bold header.
const BOLD: usize = 1;

/// Characters a cell shows (for the column widths): its text, or its number as formatted.
fn shown(v: &Value) -> usize {
    // Digits of the whole part of |x| (at least 1).
    let digits = |x: f64| {
        let a = x.abs().floor();
        if a < 10.0 { 1 } else { a.log10() as usize + 1 }
    };
    let sign = |x: f64| usize::from(x < 0.0);
    match v {
        Value::Empty => 0,
        Value::Text(t) => t.chars().count(),
        Value::Int(i) => {
            i.unsigned_abs()
                .checked_ilog10()
                .map_or(1, |d| d as usize + 1)
                + sign(*i as f64)
        }
        Value::Number(x, _) | Value::Percent(x) if !x.is_finite() => 4,
        Value::Number(x, d) => sign(*x) + digits(*x) + if *d > 0 { 1 + d } else { 0 },
        Value::Percent(x) => sign(*x) + digits(x * 100.0) + 4,
        Value::Euro(c) => {
            let d = (c.unsigned_abs() / 100)
                .checked_ilog10()
                .map_or(1, |d| d as usize + 1);
            sign(*c as f64) + d + (d - 1) / 3 + 5
        }
    }
}

/// A column's width (Excel's unit: characters of the widest digit) for `chars` characters,
/// at most 57 (400 pixels), as Excel's autofit would make it in Calibri 11.
fn width(chars: f64) -> f64 {
    (chars + 1.3).min(57.0)
}

/// Rows of a sheet whose XML is handed on at a time.
const PIECE_ROWS: usize = 2048;

/// The worksheet XML of `sheet` (`first`: the selected sheet), handed to `each` in pieces of
/// [`PIECE_ROWS`] rows, in order, until `each` returns `false`; whether every piece was taken.
fn sheet_xml(sheet: &Sheet, first: bool, each: &mut dyn FnMut(Vec<u8>) -> bool) -> bool {
    let cols = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.header.len()])
        .max()
        .unwrap_or(0);
    let letters: Vec<String> = (0..cols).map(column_name).collect();
    let mut chars: Vec<f64> = vec![0.0; cols];
    for (c, h) in sheet.header.iter().enumerate() {
        // Bold text is about a tenth wider.
        chars[c] = h.chars().count() as f64 * 1.1;
    }
    let mut kinds: Vec<Option<Kind>> = vec![None; cols];
    for row in &sheet.rows {
        for (c, v) in row.iter().enumerate() {
            chars[c] = chars[c].max(shown(v) as f64);
            if kinds[c].is_none() {
                kinds[c] = Kind::of(v);
            }
        }
    }
    let mut out = Vec::with_capacity(256 + sheet.rows.len().min(PIECE_ROWS) * cols * 28);
    out.extend_from_slice(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
    ).as_bytes());
    let last_row = sheet.rows.len() + 1;
    let dimension = match cols {
        0 => "A1".to_owned(),
        _ => format!("A1:{}{last_row}", letters[cols - 1]),
    };
    let selected = if first { r#" tabSelected="1""# } else { "" };
    write!(
        out,
        r#"<dimension ref="{dimension}"/><sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#
    )
    .expect("writing to memory");
    if cols > 0 {
        out.extend_from_slice(b"<cols>");
        for (c, (&w, kind)) in chars.iter().zip(&kinds).enumerate() {
            let style = match kind.map(Kind::style) {
                Some(s) if s > 0 => format!(r#" style="{s}""#),
                _ => String::new(),
            };
            write!(
                out,
                r#"<col min="{0}" max="{0}" width="{1:.2}"{style} customWidth="1"/>"#,
                c + 1,
                width(w)
            )
            .expect("writing to memory");
        }
        out.extend_from_slice(b"</cols>");
    }
    out.extend_from_slice(b"<sheetData>");
    let mut number = zmij::Buffer::new();
    let mut int = itoa::Buffer::new();
    let header: Vec<Value> = sheet.header.iter().cloned().map(Value::Text).collect();
    for (i, row) in std::iter::once(&header).chain(&sheet.rows).enumerate() {
        if i > 0 && i % PIECE_ROWS == 0 {
            let capacity = out.capacity();
            if !each(std::mem::replace(&mut out, Vec::with_capacity(capacity))) {
                return false;
            }
        }
        let text_style = if i == 0 { BOLD } else { 0 };
        let r = int.format(i + 1).to_owned();
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(r.as_bytes());
        out.extend_from_slice(b"\">");
        // A cell names its place only after an empty one: the others follow each other (the
        // reference is optional; without it the sheet compresses to half the size in half the
        // time).
        let mut gap = false;
        for (c, v) in row.iter().enumerate() {
            let open = |out: &mut Vec<u8>, gap: &mut bool, style: usize| {
                out.extend_from_slice(b"<c");
                if std::mem::take(gap) {
                    out.extend_from_slice(b" r=\"");
                    out.extend_from_slice(letters[c].as_bytes());
                    out.extend_from_slice(r.as_bytes());
                    out.push(b'"');
                }
                if style > 0 {
                    out.extend_from_slice(b" s=\"");
                    out.extend_from_slice(itoa::Buffer::new().format(style).as_bytes());
                    out.push(b'"');
                }
            };
            let x = match v {
                Value::Empty => {
                    gap = true;
                    continue;
                }
                Value::Text(t) => {
                    open(&mut out, &mut gap, text_style);
                    text(&mut out, t);
                    continue;
                }
                Value::Int(i) => {
                    open(&mut out, &mut gap, 0);
                    out.extend_from_slice(b"><v>");
                    out.extend_from_slice(int.format(*i).as_bytes());
                    out.extend_from_slice(b"</v></c>");
                    continue;
                }
                Value::Number(x, _) | Value::Percent(x) => *x,
                Value::Euro(cents) => *cents as f64 / 100.0,
            };
            let style = Kind::of(v).map_or(0, Kind::style);
            if !x.is_finite() {
                // Excel has no such numbers: shown as text, as other writers do.
                open(&mut out, &mut gap, style);
                let t = if x.is_nan() {
                    "NAN"
                } else if x > 0.0 {
                    "INF"
                } else {
                    "-INF"
                };
                text(&mut out, t);
                continue;
            }
            open(&mut out, &mut gap, style);
            out.extend_from_slice(b"><v>");
            let s = number.format_finite(x);
            out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
            out.extend_from_slice(b"</v></c>");
        }
        out.extend_from_slice(b"</row>");
    }
    out.extend_from_slice(
        br#"</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#,
    );
    each(out)
}

/// The rest of a text cell opened by `<c r=".." s="..`: an inline string.
fn text(out: &mut Vec<u8>, t: &str) {
    out.extend_from_slice(br#" t="inlineStr"><is><t"#);
    if t.starts_with(char::is_whitespace) || t.ends_with(char::is_whitespace) {
        out.extend_from_slice(br#" xml:space="preserve""#);
    }
    out.push(b'>');
    out.extend_from_slice(escape(t).as_bytes());
    out.extend_from_slice(b"</t></is></c>");
}

/// `t` as XML character data: `&`, `<` and `>` as entities; control characters, which XML
/// cannot carry, and an underscore that would start such an escape, as Excel's `_xHHHH_`.
fn escape(t: &str) -> std::borrow::Cow<'_, str> {
    let special = |b: u8| matches!(b, b'&' | b'<' | b'>' | b'_' | b'"') || b < 0x20;
    if !t.bytes().any(special) {
        return t.into();
    }
    let mut s = String::with_capacity(t.len() + 8);
    for (i, ch) in t.char_indices() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\t' | '\n' | '\r' => s.push(ch),
            '_' if is_escape(&t[i..]) => s.push_str("_x005F_"),
            c if (c as u32) < 0x20 => s.push_str(&format!("_x{:04X}_", c as u32)),
            c => s.push(c),
        }
    }
    s.into()
}

/// Whether `t` starts with `_xHHHH_` (an escaped character to Excel).
fn is_escape(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// Excel's name of column `c` (0-based): A..Z, AA..
fn column_name(c: usize) -> String {
    let mut name = Vec::new();
    let mut c = c + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        name.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

/// `[Content_Types].xml` for `n` worksheets.
fn content_types(n: usize) -> String {
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
    ));
    for i in 1..=n {
        s.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
    }
    s.push_str("</Types>");
    s
}

/// `_rels/.rels`: the workbook and the document properties.
const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#
);

/// `docProps/app.xml`: the application and the sheets' names (escaped).
fn app(names: &[String]) -> String {
    let titles: String = names
        .iter()
        .map(|n| format!("<vt:lpstr>{n}</vt:lpstr>"))
        .collect();
    let n = names.len();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>barometer</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{n}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"#
        ),
        n = n,
        titles = titles
    )
}

/// `docProps/core.xml`: created and modified at `created` (RFC 3339, UTC).
fn core(created: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{0}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{0}</dcterms:modified></cp:coreProperties>"#
        ),
        created
    )
}

/// `xl/_rels/workbook.xml.rels`: `n` worksheets, then the styles.
fn workbook_rels(n: usize) -> String {
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    ));
    for i in 1..=n {
        s.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#
        ));
    }
    s.push_str(&format!(
        r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        n + 1
    ));
    s
}

/// `xl/workbook.xml`: the sheets by (escaped) name.
fn workbook_xml(names: &[String]) -> String {
    let sheets: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!(r#"<sheet name="{n}" sheetId="{0}" r:id="rId{0}"/>"#, i + 1))
        .collect();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>{}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>"#
        ),
        sheets
    )
}

/// `xl/styles.xml`: cell styles 0 General, 1 bold, 2 percentage, 3 euro, 4 + d a number with
/// d decimals (d = 0..9).
fn styles() -> String {
    let mut formats = vec![
        (164, "0.00%".to_owned()),
        (165, EURO_FORMAT.replace('"', "&quot;")),
    ];
    formats.extend((0..10).map(|d| {
        let code = if d == 0 {
            "0".to_owned()
        } else {
            format!("0.{}", "0".repeat(d))
        };
        (166 + d, code)
    }));
    let num_fmts: String = formats
        .iter()
        .map(|(id, code)| format!(r#"<numFmt numFmtId="{id}" formatCode="{code}"/>"#))
        .collect();
    let xfs: String = formats
        .iter()
        .map(|(id, _)| {
            format!(
                r#"<xf numFmtId="{id}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
            )
        })
        .collect();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="{n}">{num_fmts}</numFmts><fonts count="2"><font><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font><font><b/><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{x}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{xfs}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"#
        ),
        n = formats.len(),
        num_fmts = num_fmts,
        x = formats.len() + 2,
        xfs = xfs
    )
}

/// The run record's comment lines (`# key: value`) as key/value pairs.
pub fn record_lines(comment_lines: &str) -> Vec<(String, String)> {
    comment_lines
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .map(|l| match l.split_once(": ") {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_zip_with_one_worksheet_per_sheet() {
        let mut s = Sheet::new("toewijzing", vec!["nis".into(), "bedrag".into()]);
        s.rows
            .push(vec![Value::Text("46025".into()), Value::Euro(5_638_782)]);
        let bytes =
            workbook(&[s, Sheet::key_values("audit", &[("a".into(), "b".into())])]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    /// A sheet made in several pieces reads back whole, beside a sheet of one piece.
    #[test]
    fn sheets_of_many_pieces_read_back_whole() {
        use calamine::{Data, Reader};
        let rows = 3 * PIECE_ROWS + 5;
        let mut big = Sheet::new("groot", vec!["i".into(), "naam".into()]);
        for i in 0..rows {
            big.rows
                .push(vec![Value::Int(i as i64), Value::Text(format!("rij {i}"))]);
        }
        let mut small = Sheet::new("klein", vec!["x".into()]);
        small.rows.push(vec![Value::Number(0.5, 1)]);
        let bytes = workbook(&[small, big]).unwrap();
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["klein", "groot"]);
        let range = book.worksheet_range("groot").unwrap();
        assert_eq!(range.height(), rows + 1);
        for i in [
            0,
            PIECE_ROWS - 2,
            PIECE_ROWS - 1,
            PIECE_ROWS,
            2 * PIECE_ROWS,
            rows - 1,
        ] {
            assert_eq!(range.get((i + 1, 0)), Some(&Data::Float(i as f64)));
            assert_eq!(
                range.get((i + 1, 1)),
                Some(&Data::String(format!("rij {i}")))
            );
        }
        let klein = book.worksheet_range("klein").unwrap();
        assert_eq!(klein.get((1, 0)), Some(&Data::Float(0.5)));
    }

    /// Every kind of cell reads back (calamine) as written, text with XML's special characters
    /// and control characters included; the header is bold and numbers carry their formats.
    #[test]
    fn cells_read_back_as_written() {
        use calamine::{Data, Reader};
        let odd = "a & b <c> \"d\" _x0041_ \u{1}e";
        let mut s = Sheet::new("Rangen & co", vec!["nis".into(), "x".into(), "y".into()]);
        s.rows.push(vec![
            Value::Text(odd.into()),
            Value::Percent(0.377),
            Value::Euro(-123_456_789),
        ]);
        s.rows.push(vec![
            Value::Int(-42),
            Value::Number(2.5, 2),
            Value::Number(f64::NAN, 1),
        ]);
        s.rows.push(vec![Value::Empty, Value::Text(" lead".into())]);
        let bytes = workbook(&[s, Sheet::key_values("audit", &[])]).unwrap();
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["Rangen & co", "audit"]);
        let range = book.worksheet_range("Rangen & co").unwrap();
        let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 0), Data::String("nis".into()));
        assert_eq!(cell(1, 0), Data::String(odd.into()));
        assert_eq!(cell(1, 1), Data::Float(0.377));
        assert_eq!(cell(1, 2), Data::Float(-1_234_567.89));
        assert_eq!(cell(2, 0), Data::Float(-42.0));
        assert_eq!(cell(2, 1), Data::Float(2.5));
        assert_eq!(cell(2, 2), Data::String("NAN".into()));
        assert_eq!(cell(3, 0), Data::Empty);
        assert_eq!(cell(3, 1), Data::String(" lead".into()));
        let mut xml = Vec::new();
        sheet_xml(&Sheet::new("s", vec!["h".into()]), true, &mut |piece| {
            xml.extend(piece);
            true
        });
        let sheet = String::from_utf8(xml).unwrap();
        assert!(
            sheet.contains(r#"<row r="1"><c s="1" t="inlineStr">"#),
            "{sheet}"
        );
        assert!(sheet.contains(r#"state="frozen""#));
        let styles = styles();
        assert!(styles.contains(r#"formatCode="0.00%""#) && styles.contains(EURO_FORMAT));
    }

    #[test]
    fn bad_sheet_names_are_refused() {
        for name in ["", "a/b", "[x]", &"x".repeat(32), "'q"] {
            let err = workbook(&[Sheet::new(name, vec![])]).unwrap_err();
            assert!(err.to_string().starts_with("bad sheet name"), "{err}");
        }
        let twice = [Sheet::new("Rangen", vec![]), Sheet::new("rangen", vec![])];
        assert!(
            workbook(&twice)
                .unwrap_err()
                .to_string()
                .contains("used twice")
        );
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn comment_lines_become_pairs() {
        let pairs = record_lines("# tool: barometer 0.1.0\n# parameter year: 2023\n");
        assert_eq!(pairs[1], ("parameter year".into(), "2023".into()));
    }
}
