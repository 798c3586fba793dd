//! One file per subcommand, each with its `Args` and a `run` function.

pub mod allocate;
pub mod batch;
pub mod chart;
pub mod check;
pub mod demo;
pub mod ingest;
pub mod map;
pub mod profile;
pub mod rank;
pub mod score;
pub mod sensitivity;

use crate::cli::{Cli, Command};
use anyhow::Result;
use barometer::definition::Definition;
use barometer::error::usage;
use barometer::indicators;
use barometer::panel::Panel;
use barometer::store::{Keep, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Score(args) => score::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Profile(args) => profile::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Allocate(args) => allocate::run(&args),
        Command::Rank(args) => rank::run(&args),
        Command::Map(args) => map::run(&args),
        Command::Chart(args) => chart::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Sensitivity(args) => sensitivity::run(&args),
    }
}

/// The level a store is scored at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// The store's own units: municipalities, or statistical sectors in a sector store.
    Units,
    /// Municipalities: a sector store's counts summed per municipality.
    Municipality,
}

impl Level {
    /// The name on the command line (for run records).
    pub fn name(self) -> &'static str {
        match self {
            Level::Units => "units",
            Level::Municipality => "municipality",
        }
    }
}

/// Where a scoring command's barometer comes from: the store, the level its units are scored
/// at, and the definition.
#[derive(Debug, Clone, clap::Args)]
pub struct Source {
    /// The store (Parquet, from `barometer ingest`); the bundled demo store when omitted.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Score the store's own units, or with `municipality` a sector store summed per
    /// municipality.
    #[arg(long, value_enum, default_value_t = Level::Units)]
    pub level: Level,
    /// A barometer definition (TOML); the bundled kinderarmoedebarometer when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
}

impl Source {
    /// The definition (the bundled one when none is given).
    pub fn definition(&self) -> Result<Definition> {
        Definition::load(self.barometer.as_deref())
    }

    /// The store's rows of `years` at the level asked for (see [`load_store`]).
    pub fn load(&self, years: &[i32]) -> Result<Store> {
        load_store(self.store.as_deref(), self.level, years)
    }

    /// The store's rows that pass `keep` (each year of `required` present) at the level asked
    /// for (see [`load_store_where`]).
    pub fn load_where(&self, required: &[i32], keep: &Keep<'_>) -> Result<Store> {
        load_store_where(self.store.as_deref(), self.level, required, keep)
    }

    /// The panel of `years` at the level asked for (see [`load_panel`]).
    pub fn panel(&self, years: &[i32]) -> Result<Panel> {
        load_panel(self.store.as_deref(), self.level, years)
    }
}

/// The rows of `years` of the store at `path` (the bundled demo store when `None`) at
/// `level`; only those years are held in memory.
fn load_store(path: Option<&Path>, level: Level, years: &[i32]) -> Result<Store> {
    load_store_where(path, level, years, &Keep::years(years))
}

/// The rows of the store at `path` whose year and indicator pass `keep` (each of `required`
/// must be present), at `level`.
fn load_store_where(
    path: Option<&Path>,
    level: Level,
    required: &[i32],
    keep: &Keep<'_>,
) -> Result<Store> {
    let store = Store::load_filtered(path, required, keep)?;
    match level {
        Level::Units => Ok(store),
        Level::Municipality => {
            indicators::summed_to_municipalities(&store, barometer::geo::Geography::bundled())
        }
    }
}

/// The rows of `years` of the store at `path` (the bundled demo store when `None`) at `level`
/// as a panel for scoring many years; a store file scored at its own level is read straight
/// into the panel, one row group at a time.
pub fn load_panel(path: Option<&Path>, level: Level, years: &[i32]) -> Result<Panel> {
    match (path, level) {
        (Some(p), Level::Units) => Panel::open(p, years, &Keep::years(years)),
        _ => Panel::from_store(&load_store(path, level, years)?, None),
    }
}

/// Name on stderr each file of `names` in `out` that exists but that this run did not write
/// (`written` says which it did), with `why`: a file of an earlier run is left in place, but
/// named, so that nobody takes it for this run's.
pub fn note_left_over(out: &Path, names: &[&str], written: impl Fn(&str) -> bool, why: &str) {
    for name in names.iter().filter(|name| !written(name)) {
        let path = out.join(name);
        if path.exists() {
            eprintln!(
                "note: {} is left from an earlier run; {why}",
                path.display()
            );
        }
    }
}

/// Write output to `out` atomically, or to standard output when `out` is `None`.
pub fn emit<F>(out: Option<&Path>, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    match out {
        Some(path) => barometer::atomic::write_with(path, fill),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            fill(&mut lock)?;
            lock.flush()?;
            Ok(())
        }
    }
}

/// The output format: `--format` when given, else the one the `--out` extension names (`.csv`,
/// `.json`, ...); a table without `--out` or with `.txt`. Any other extension is a usage error
/// listing the formats of `F`.
pub fn format_of<F: clap::ValueEnum + Copy>(explicit: Option<F>, out: Option<&Path>) -> Result<F> {
    if let Some(f) = explicit {
        return Ok(f);
    }
    let ext = out
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_lowercase());
    let wanted = match ext.as_deref() {
        None | Some("txt") => "table",
        Some("table") => "",
        Some(e) => e,
    };
    let name = |f: &F| {
        f.to_possible_value()
            .map(|p| p.get_name().to_owned())
            .unwrap_or_default()
    };
    if let Some(f) = F::value_variants().iter().find(|f| name(f) == wanted) {
        return Ok(*f);
    }
    let names: Vec<String> = F::value_variants().iter().map(name).collect();
    let (last, rest) = names.split_last().expect("a format enum has variants");
    Err(usage(format!(
        "cannot tell the format from the extension '.{}'; pass --format {} or {last}",
        ext.unwrap_or_default(),
        rest.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::format_of;
    use super::rank::Format as RankFormat;
    use super::score::Format;
    use std::path::Path;

    #[test]
    fn format_from_flag_or_out_extension() {
        let f = |out: Option<&str>| format_of::<Format>(None, out.map(Path::new));
        assert_eq!(f(None).unwrap(), Format::Table);
        assert_eq!(f(Some("b.TXT")).unwrap(), Format::Table);
        assert_eq!(f(Some("b.csv")).unwrap(), Format::Csv);
        assert_eq!(f(Some("b.json")).unwrap(), Format::Json);
        assert_eq!(
            format_of(Some(Format::Json), Some(Path::new("b.csv"))).unwrap(),
            Format::Json
        );
        let msg = f(Some("b.pdf")).unwrap_err().to_string();
        assert_eq!(
            msg,
            "cannot tell the format from the extension '.pdf'; pass --format table, csv or json"
        );
        assert!(f(Some("b.table")).is_err());
        assert_eq!(
            format_of::<RankFormat>(None, Some(Path::new("r.xlsx"))).unwrap(),
            RankFormat::Xlsx
        );
        let msg = format_of::<RankFormat>(None, Some(Path::new("r.pdf")))
            .unwrap_err()
            .to_string();
        assert!(
            msg.ends_with("pass --format table, csv, json or xlsx"),
            "{msg}"
        );
    }
}
