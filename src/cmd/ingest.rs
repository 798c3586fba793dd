//! `barometer ingest`: load publisher files or tidy CSV into a store, validating every row,
//! harmonising municipality mergers, reporting everything, writing rejected rows beside the
//! store.

use anyhow::Result;
use barometer::definition::Definition;
use barometer::error::{data, usage};
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::{self, ParsedFile, report};
use barometer::run_record::RunRecord;
use barometer::store::{Store, sha256_hex};
use std::path::{Path, PathBuf};

/// The input files and how to read them (shared with `check`).
#[derive(Debug, clap::Args)]
pub struct Inputs {
    /// Tidy CSV files: nis;jaar;indicator;teller;noemer (the same as `--layout tidy FILE...`).
    #[arg(long, num_args = 1.., conflicts_with_all = ["layout", "files"])]
    pub tidy: Vec<PathBuf>,
    /// How the files are laid out: tidy, sheet, statbel, swing, stadsmonitor, kansarmoede,
    /// verhoogde-tegemoetkoming, zonder-werk, leefloon, oki, budgetmeters, or a mapping file
    /// (.toml) for another layout.
    #[arg(long, requires = "files")]
    pub layout: Option<String>,
    /// The files to read (CSV or text; xlsx workbooks for stadsmonitor and mappings).
    pub files: Vec<PathBuf>,
    /// The indicator of files that do not name one (e.g. a `sheet` without indicator column).
    #[arg(long)]
    pub indicator: Option<String>,
    /// State all rows in the municipality set in force in this year (2014: 308 municipalities,
    /// 2019: 300, 2025: 285); default: the newest set present in the store and the files.
    #[arg(long, value_name = "YEAR")]
    pub municipality_set: Option<i32>,
    /// The barometer definition whose indicators may be ingested; the bundled one when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
}

impl Inputs {
    /// Read every file; file-level problems are errors, row problems rejections.
    pub fn read(&self, def: &Definition, geo: &Geography) -> Result<Vec<ParsedFile>> {
        let (layout, files) = match (&self.layout, self.tidy.is_empty()) {
            (None, false) => (Layout::Tidy, &self.tidy),
            (Some(name), _) => (Layout::resolve(name)?, &self.files),
            (None, true) => {
                return Err(usage(
                    "name the layout of the files: --layout LAYOUT FILE... (or --tidy FILE...)",
                ));
            }
        };
        if let Some(id) = &self.indicator {
            ingest::check_indicator(def, id).map_err(usage)?;
        }
        if let Some(y) = self.municipality_set {
            ingest::check_year(y).map_err(usage)?;
        }
        files
            .iter()
            .map(|path| layout::read(path, &layout, def, geo, self.indicator.as_deref()))
            .collect()
    }

    /// The parameters for the run record.
    pub fn parameters(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![(
            "layout",
            self.layout.clone().unwrap_or_else(|| "tidy".into()),
        )];
        if let Some(i) = &self.indicator {
            p.push(("indicator", i.clone()));
        }
        if let Some(y) = self.municipality_set {
            p.push(("municipality_set", y.to_string()));
        }
        p
    }
}

/// Arguments of `ingest`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer ingest --tidy kansarmoede.csv budgetmeters.csv --store mijn-store.parquet
  barometer ingest --layout sheet analyse-genk.csv --indicator kansarmoede-index --store mijn.parquet
  barometer ingest --layout stadsmonitor kinderarmoede.xlsx --store mijn.parquet --strict
  barometer ingest --layout mijn-layout.toml cijfers.csv --store mijn.parquet
  barometer ingest --tidy correctie-2021.csv --store mijn-store.parquet --replace

Rejected rows are listed and written to STORE.rejected.csv; --strict makes them an error.
Layouts and the mapping file format: docs/data-formats.md.")]
pub struct Args {
    /// The files and their layout.
    #[command(flatten)]
    pub inputs: Inputs,
    /// The store to create or add to.
    #[arg(long, default_value = "store.parquet")]
    pub store: PathBuf,
    /// Let rows that differ from the store replace the stored counts.
    #[arg(long)]
    pub replace: bool,
    /// Any rejected row is an error and nothing is written.
    #[arg(long)]
    pub strict: bool,
}

/// The side CSV of rejected rows: `STORE.rejected.csv` beside the store.
pub fn rejected_path(store: &Path) -> PathBuf {
    store.with_extension("rejected.csv")
}

/// Run `ingest`.
pub fn run(args: &Args) -> Result<()> {
    let def = Definition::load(args.inputs.barometer.as_deref())?;
    let geo = Geography::bundled();
    let existing = if args.store.exists() {
        Some(Store::open(&args.store)?)
    } else {
        None
    };
    let files = args.inputs.read(&def, geo)?;
    let origin = args.store.display().to_string();
    let opts = ingest::Options {
        replace: args.replace,
        strict: args.strict,
        target_year: args.inputs.municipality_set,
    };
    let old_sha256 = existing.as_ref().map(|s| s.sha256.clone());
    let (merged, rep) = ingest::merge(existing, files, &def, opts, geo, &origin)?;
    print!("{}", rep.render(geo, 20));
    let parquet = merged.to_parquet()?;
    let sha256 = sha256_hex(&parquet);
    if !rep.rejected.is_empty() {
        let side = rejected_path(&args.store);
        let mut params = args.inputs.parameters();
        params.push(("store", origin.clone()));
        let run = RunRecord::of("ingest", &params, &def, &origin, &sha256, &merged.meta);
        barometer::atomic::write_with(&side, |w| report::write_rejected(w, &run, &rep.rejected))?;
        println!("rejected rows written to {}", side.display());
    }
    let changed = old_sha256.is_none_or(|old| old != sha256);
    if merged.height() == 0 {
        return Err(data(format!("no row was kept; {origin} was not written")));
    }
    if changed {
        barometer::atomic::write_bytes(&args.store, &parquet)?;
        println!("store    {} written: {}", origin, merged.describe());
    } else {
        println!("store    {origin} unchanged: {}", merged.describe());
    }
    Ok(())
}
