//! `barometer ingest`: load tidy CSV files into a store, validating every row.

use anyhow::Result;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::{self, tidy};
use barometer::store::Store;
use std::path::PathBuf;

/// Arguments of `ingest`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer ingest --tidy kansarmoede.csv budgetmeters.csv --store mijn-store.parquet
  barometer ingest --tidy correctie-2021.csv --store mijn-store.parquet --replace

The tidy format (docs/data-formats.md):
  nis;jaar;indicator;teller;noemer
  71016;2013;verhoogde-tegemoetkoming;12153;65363")]
pub struct Args {
    /// Tidy CSV files: nis;jaar;indicator;teller;noemer (`;` or `,`, decimal comma or point).
    #[arg(long, num_args = 1.., required = true)]
    pub tidy: Vec<PathBuf>,
    /// The store to create or add to.
    #[arg(long, default_value = "store.parquet")]
    pub store: PathBuf,
    /// The barometer definition whose indicators may be ingested; the bundled one when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
    /// Let rows that differ from the store replace the stored counts.
    #[arg(long)]
    pub replace: bool,
}

/// Run `ingest`.
pub fn run(args: &Args) -> Result<()> {
    let def = Definition::load(args.barometer.as_deref())?;
    let geo = Geography::bundled();
    let existing = if args.store.exists() {
        Some(Store::open(&args.store)?)
    } else {
        None
    };
    let files = args
        .tidy
        .iter()
        .map(|path| tidy::read(path, &def, geo))
        .collect::<Result<Vec<_>>>()?;
    let origin = args.store.display().to_string();
    let (store, report) = ingest::merge(existing.as_ref(), &files, args.replace, geo, &origin)?;
    for f in &files {
        println!(
            "read     {} ({} rows, sha256 {})",
            f.input.file,
            f.input.rows,
            &f.input.sha256[..12]
        );
    }
    let changed = existing
        .as_ref()
        .is_none_or(|old| old.sha256 != store.sha256);
    println!(
        "rows     {} added, {} unchanged, {} replaced, 0 rejected",
        report.added, report.unchanged, report.replaced
    );
    if changed {
        store.save(&args.store)?;
        println!("store    {} written: {}", origin, store.describe());
    } else {
        println!("store    {origin} unchanged: {}", store.describe());
    }
    Ok(())
}
