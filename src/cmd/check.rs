//! `barometer check`: read files as `ingest` would and report, writing nothing.

use super::ingest::Inputs;
use anyhow::Result;
use barometer::definition::Definition;
use barometer::error::data;
use barometer::geo::Geography;
use barometer::ingest;
use barometer::store::Store;
use std::path::PathBuf;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer check --layout sheet analyse-genk.csv --indicator kansarmoede-index
  barometer check --layout swing upload.csv --store mijn.parquet     also against a store
  barometer check --tidy cijfers.csv

Exit code 0 when every row would be kept, 1 when any row is rejected or the files conflict.")]
pub struct Args {
    /// The files and their layout.
    #[command(flatten)]
    pub inputs: Inputs,
    /// A store to check against (conflicts, municipality sets); read, never written.
    #[arg(long)]
    pub store: Option<PathBuf>,
}

/// Run `check`.
pub fn run(args: &Args) -> Result<()> {
    let def = Definition::load(args.inputs.barometer.as_deref())?;
    let geo = Geography::bundled();
    let existing = args.store.as_deref().map(Store::open).transpose()?;
    let files = args.inputs.read(&def, geo)?;
    let opts = ingest::Options {
        replace: false,
        strict: false,
        target_year: args.inputs.municipality_set,
    };
    let (merged, rep) = ingest::merge(existing, files, &def, opts, geo, "<check>")?;
    print!("{}", rep.render(geo, usize::MAX));
    println!(
        "check    nothing written; an ingest would hold {} rows",
        merged.height()
    );
    if rep.rejected.is_empty() {
        Ok(())
    } else {
        Err(data(format!(
            "{} row(s) would be rejected",
            rep.rejected.len()
        )))
    }
}
