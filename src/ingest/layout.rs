//! The layouts `--layout` accepts: `tidy`, `sheet` (long or wide, sniffed), the publisher and
//! source layouts bundled as mappings in `data/layouts/`, or the path of a user's mapping TOML.

use super::blocks::BLOCK;
use super::mapping::{self, Mapping};
use super::table::{self, Table};
use super::{ParsedFile, delimited, text, tidy};
use crate::definition::Definition;
use crate::error::{data, usage};
use crate::geo::Geography;
use crate::store::sha256_hex;
use anyhow::{Context, Result};
use std::io::Read;
use std::path::Path;

/// The bundled mappings: name and TOML text.
pub const BUNDLED: [(&str, &str); 11] = [
    (
        "sheet-long",
        include_str!("../../data/layouts/sheet-long.toml"),
    ),
    (
        "sheet-wide",
        include_str!("../../data/layouts/sheet-wide.toml"),
    ),
    ("statbel", include_str!("../../data/layouts/statbel.toml")),
    ("swing", include_str!("../../data/layouts/swing.toml")),
    (
        "stadsmonitor",
        include_str!("../../data/layouts/stadsmonitor.toml"),
    ),
    (
        "kansarmoede",
        include_str!("../../data/layouts/kansarmoede.toml"),
    ),
    (
        "verhoogde-tegemoetkoming",
        include_str!("../../data/layouts/verhoogde-tegemoetkoming.toml"),
    ),
    (
        "zonder-werk",
        include_str!("../../data/layouts/zonder-werk.toml"),
    ),
    ("leefloon", include_str!("../../data/layouts/leefloon.toml")),
    ("oki", include_str!("../../data/layouts/oki.toml")),
    (
        "budgetmeters",
        include_str!("../../data/layouts/budgetmeters.toml"),
    ),
];

/// A layout chosen on the command line.
#[derive(Debug, Clone)]
pub enum Layout {
    /// The tidy CSV format (`nis;jaar;indicator;teller;noemer`).
    Tidy,
    /// Mappings tried in order; the first whose columns fit a table reads it (`sheet`: long,
    /// then wide).
    Mappings(String, Vec<Mapping>),
}

impl Layout {
    /// `tidy`, `sheet`, a bundled name, or a path ending in `.toml`.
    pub fn resolve(name: &str) -> Result<Layout> {
        let bundled = |n: &str| -> Result<Mapping> {
            let (_, text) = BUNDLED
                .iter()
                .find(|(b, _)| *b == n)
                .expect("bundled layout names are listed");
            Mapping::parse(text, &format!("<bundled>/data/layouts/{n}.toml"))
        };
        match name {
            "tidy" => Ok(Layout::Tidy),
            "sheet" => Ok(Layout::Mappings(
                "sheet".into(),
                vec![bundled("sheet-long")?, bundled("sheet-wide")?],
            )),
            n if n.ends_with(".toml") => Ok(Layout::Mappings(
                n.into(),
                vec![Mapping::load(Path::new(n))?],
            )),
            n if BUNDLED
                .iter()
                .any(|(b, _)| *b == n && !b.starts_with("sheet-")) =>
            {
                Ok(Layout::Mappings(n.into(), vec![bundled(n)?]))
            }
            n => Err(usage(format!(
                "unknown layout '{n}'; use tidy, sheet, {}, or the path of a mapping file (.toml, \
                 see docs/data-formats.md)",
                names().join(", ")
            ))),
        }
    }
}

/// The names of the bundled publisher and source layouts (besides `tidy` and `sheet`).
pub fn names() -> Vec<&'static str> {
    BUNDLED
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !n.starts_with("sheet-"))
        .collect()
}

/// Read one file in `layout`.
pub fn read(
    path: &Path,
    layout: &Layout,
    def: &Definition,
    geo: &Geography,
    indicator: Option<&str>,
) -> Result<ParsedFile> {
    let mappings = match layout {
        Layout::Tidy => return tidy::read(path, def, geo),
        Layout::Mappings(_, m) => m,
    };
    let cannot = || format!("cannot read {}", path.display());
    let mut file = std::fs::File::open(path).with_context(cannot)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut head = Vec::new();
    (&mut file)
        .take(4)
        .read_to_end(&mut head)
        .with_context(cannot)?;
    if table::is_workbook(&head) || mappings.iter().any(mapping::needs_whole_file) {
        file.read_to_end(&mut head).with_context(cannot)?;
        return read_bytes(&head, path, layout, def, geo, indicator);
    }
    let name = path.display().to_string();
    let ctx = context(def, geo, indicator, &name);
    let input = head.as_slice().chain(file);
    delimited::read(input, &name, size, mappings, &ctx, BLOCK)
}

fn context<'a>(
    def: &'a Definition,
    geo: &'a Geography,
    indicator: Option<&'a str>,
    source: &'a str,
) -> mapping::Context<'a> {
    mapping::Context {
        def,
        geo,
        indicator,
        source,
    }
}

/// Read the bytes of one file in `layout`; `path` names the file in messages (what `read` does,
/// and the entry point the fuzz targets call for every layout). Delimited text is read in blocks
/// (see `delimited`) unless the layout needs the whole file; workbooks are read sheet by sheet
/// as tables.
pub fn read_bytes(
    bytes: &[u8],
    path: &Path,
    layout: &Layout,
    def: &Definition,
    geo: &Geography,
    indicator: Option<&str>,
) -> Result<ParsedFile> {
    let mappings = match layout {
        Layout::Tidy => return tidy::parse(bytes, path, def, geo),
        Layout::Mappings(_, m) => m,
    };
    let name = path.display().to_string();
    let ctx = context(def, geo, indicator, &name);
    let workbook = table::is_workbook(bytes);
    if !workbook && !mappings.iter().any(mapping::needs_whole_file) {
        return delimited::read(bytes, &name, bytes.len() as u64, mappings, &ctx, BLOCK);
    }
    let tables: Vec<Table> = if workbook {
        table::read_workbook(bytes, &name, mappings[0].layout.sheet.as_deref())?
    } else {
        let sep = mappings[0]
            .layout
            .separator
            .as_deref()
            .map(|s| s.as_bytes()[0]);
        vec![text::read_delimited(bytes, &name, sep)?]
    };
    read_tables(&tables, &name, sha256_hex(bytes), mappings, &ctx)
}

/// Read tables (a workbook's sheets, or a text file read whole) with the first of `mappings`
/// that fits each.
pub fn read_tables(
    tables: &[Table],
    name: &str,
    sha256: String,
    mappings: &[Mapping],
    ctx: &mapping::Context,
) -> Result<ParsedFile> {
    let mut parsed = ParsedFile::new(name, sha256);
    for t in tables {
        if let Some(e) = t.encoding {
            parsed.notes.push(format!("{}: {} text", t.name, e.label()));
        }
        let m = mappings
            .iter()
            .find(|m| mapping::fits(m, t, ctx.def))
            .unwrap_or(&mappings[0]);
        let applied = mapping::apply(m, t, ctx)?;
        parsed.read += applied.read;
        parsed.skipped += applied.skipped;
        parsed.rows.append(&applied.rows);
        parsed.halves.extend(applied.halves);
        parsed.rejected.extend(applied.rejected);
        parsed.notes.extend(applied.notes);
    }
    parsed.input.rows = (parsed.rows.len() + parsed.halves.len()) as u64;
    if parsed.read == 0 {
        return Err(data(format!(
            "{name}: the file has a header but no data rows"
        )));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_mapping_parses() {
        for (name, text) in BUNDLED {
            Mapping::parse(text, name).unwrap();
        }
        assert!(Layout::resolve("sheet").is_ok());
        let msg = format!("{:#}", Layout::resolve("excel").unwrap_err());
        assert!(
            msg.contains("unknown layout 'excel'; use tidy, sheet, statbel"),
            "{msg}"
        );
    }
}
