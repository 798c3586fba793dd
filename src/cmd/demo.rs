//! `barometer demo`: write the synthetic demo store (as Parquet or tidy CSV), or with
//! `--units sectors` a folder of large synthetic inputs at statistical-sector level.

use anyhow::Result;
use barometer::atomic;
use barometer::demo::{self, catalogue, sector_files, sectors};
use barometer::error::usage;
use barometer::geo::Geography;
use barometer::store::InputFile;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Which units to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Units {
    /// The bundled demo store: the 300 municipalities over 2008-2023.
    Municipalities,
    /// Statistical sectors nested in the 300 municipalities of 2019-2024 (a folder of files).
    Sectors,
}

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer demo --out demo.parquet          the bundled demo store, as used without --store
  barometer demo --out demo.csv              the same rows in the tidy CSV format
  barometer demo --seed 7 --out other.parquet
  barometer demo --units sectors --years 2000..2023 --indicators 12 --out sectors/
                                             20,000 sectors: tidy.csv (0.5 GB), sheet.csv,
                                             store.parquet and barometer.toml in sectors/
  barometer demo --units sectors --sectors 2000 --years 2020..2023 --out small/")]
pub struct Args {
    /// Output: a `.parquet` store or `.csv` tidy file; with `--units sectors`, a folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the generator (the bundled store uses the default).
    #[arg(long, default_value_t = demo::SEED)]
    pub seed: u64,
    /// Municipalities (the bundled demo store) or statistical sectors.
    #[arg(long, value_enum, default_value_t = Units::Municipalities)]
    pub units: Units,
    /// With `--units sectors`: the number of sectors (at least 300, one per municipality).
    #[arg(long, default_value_t = sectors::DEFAULT_SECTORS)]
    pub sectors: usize,
    /// With `--units sectors`: the years, a range like `2000..2023` (inclusive), a list like
    /// `2019,2021` or one year.
    #[arg(long, default_value = "2000..2023")]
    pub years: String,
    /// With `--units sectors`: the number of indicators (12 named ones, then numbered variants).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub indicators: u16,
    /// Show no progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Run `demo`.
pub fn run(args: &Args) -> Result<()> {
    match args.units {
        Units::Municipalities => municipalities(args),
        Units::Sectors => sector_folder(args),
    }
}

fn municipalities(args: &Args) -> Result<()> {
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

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn sector_folder(args: &Args) -> Result<()> {
    let years = super::batch::parse_years(&args.years)?;
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let mut indicators = catalogue::templates(usize::from(args.indicators));
    let declared = indicators.clone();
    indicators.sort_by(|a, b| a.id.cmp(&b.id));
    let spec = sectors::Spec {
        sectors: args.sectors,
        years,
        indicators,
        seed: args.seed,
    };
    let description = format!(
        "SYNTHETIC sector demo (seed {}), not real statistics: {} statistical sectors in the 300 \
         municipalities of 2019-2024, {span}, {} indicators",
        args.seed, args.sectors, args.indicators
    );
    let dir = &args.out;
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(args.sectors as u64 * 4).with_style(
            ProgressStyle::with_template("{bar:40} {msg} ({eta})").expect("valid template"),
        )
    };
    bar.set_message("sectors");
    let data = sectors::generate(spec, Geography::bundled(), || bar.inc(1))
        .map_err(|e| usage(format!("{e:#}")))?;
    let tick = |n: u64| bar.inc(n);
    bar.set_message("tidy.csv");
    let tidy = sector_files::write_tidy(&data, &dir.join("tidy.csv"), &tick)?;
    bar.set_message("sheet.csv");
    let sheet = sector_files::write_sheet(&data, &dir.join("sheet.csv"), &tick)?;
    bar.set_message("store.parquet");
    let input = InputFile {
        file: dir.join("tidy.csv").display().to_string(),
        sha256: tidy.sha256.clone(),
        rows: tidy.rows,
    };
    let store = sector_files::write_store(
        &data,
        &description,
        Some(input),
        &dir.join("store.parquet"),
        &tick,
    )?;
    let toml = catalogue::definition_toml(&declared, &description);
    atomic::write_bytes(&dir.join("barometer.toml"), toml.as_bytes())?;
    bar.finish_and_clear();
    println!("{description}");
    for (name, w) in [
        ("tidy.csv", &tidy),
        ("sheet.csv", &sheet),
        ("store.parquet", &store),
    ] {
        println!(
            "wrote {}: {} rows, {}",
            dir.join(name).display(),
            w.rows,
            megabytes(w.bytes)
        );
    }
    println!(
        "wrote {}: {} indicators",
        dir.join("barometer.toml").display(),
        args.indicators
    );
    Ok(())
}
