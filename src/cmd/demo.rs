//! `barometer demo`: write the synthetic demo store, as Parquet or as tidy CSV.

use anyhow::Result;
use barometer::demo;
use barometer::error::usage;
use std::path::PathBuf;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer demo --out demo.parquet          the bundled demo store, as used without --store
  barometer demo --out demo.csv              the same rows in the tidy CSV format
  barometer demo --seed 7 --out other.parquet")]
pub struct Args {
    /// Output file: `.parquet` for a store, `.csv` for tidy CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the generator (the bundled store uses the default).
    #[arg(long, default_value_t = demo::SEED)]
    pub seed: u64,
}

/// Run `demo`.
pub fn run(args: &Args) -> Result<()> {
    let ext = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let store = demo::generate(args.seed)?;
    match ext.as_deref() {
        Some("parquet") => store.save(&args.out)?,
        Some("csv") => super::emit(Some(&args.out), |w| {
            w.write_all(b"nis;jaar;indicator;teller;noemer;status;bron\n")?;
            let mut out = csv::WriterBuilder::new()
                .delimiter(b';')
                .has_headers(false)
                .from_writer(w);
            let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
            for r in store.records()? {
                out.write_record([
                    r.unit.as_str(),
                    &r.year.to_string(),
                    &r.indicator,
                    &num(r.numerator),
                    &num(r.denominator),
                    r.status.as_str(),
                    &r.source,
                ])?;
            }
            out.flush()?;
            Ok(())
        })?,
        _ => {
            return Err(usage(
                "--out must end in .parquet (a store) or .csv (tidy CSV)",
            ));
        }
    }
    println!("wrote {}: {}", args.out.display(), store.meta.description);
    Ok(())
}
