//! `barometer batch`: every municipality-year for one or several barometer definitions, as tidy
//! long Parquet and CSV plus a manifest (the run records and the files' checksums).

use super::Level;
use anyhow::Result;
use barometer::atomic;
use barometer::batch::{self, Format, Table};
use barometer::definition::Definition;
use barometer::error::{data, usage};
use barometer::geo::Geography;
use barometer::indicators;
use barometer::ingest::{self, report, tidy};
use barometer::panel::Panel;
use barometer::run_record::RunRecord;
use barometer::store::Identity;
use indicatif::{ProgressBar, ProgressStyle};
use polars_io::parquet::write::BatchedWriter;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Arguments of `batch`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer batch --years 2012..2023 --out uitvoer/
  barometer batch --years 2019,2021,2023 --barometer kinderarmoede.toml --barometer variant.toml --out uitvoer/
  barometer batch --years 2008..2023 --store mijn-store.parquet --out uitvoer/
  barometer batch --years 2000..2023 --tidy sectoren.csv --table units --out uitvoer/

Writes barometer.parquet, barometer.csv (one row per barometer, year, municipality and
indicator; with --table units one row per barometer, year and municipality) and manifest.json
(run records and SHA-256 of the tables) into --out; --format csv or parquet writes one table.")]
pub struct Args {
    /// Years: a range `2012..2023` (both ends included), a list `2019,2021` or one year.
    #[arg(long)]
    pub years: String,
    /// Barometer definitions (TOML), repeatable; the bundled kinderarmoedebarometer when omitted.
    #[arg(long)]
    pub barometer: Vec<PathBuf>,
    /// The store (Parquet); the bundled demo store when omitted.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Score tidy CSV files (nis;jaar;indicator;teller;noemer) without a store: read, checked
    /// and merged in memory as `ingest --tidy` does, against the first --barometer's indicators;
    /// rows of other years than --years are checked, counted as skipped and not kept. The ingest
    /// report is printed and rejected rows are written to OUT/rejected.csv.
    #[arg(long, num_args = 1.., conflicts_with = "store", value_name = "FILE")]
    pub tidy: Vec<PathBuf>,
    /// With --tidy: any rejected row is an error and nothing is written.
    #[arg(long, requires = "tidy")]
    pub strict: bool,
    /// Score the store's own units, or with `municipality` a sector store summed per
    /// municipality.
    #[arg(long, value_enum, default_value_t = super::Level::Units)]
    pub level: super::Level,
    /// The table: `long` (one row per indicator, with counts, value, reference and point) or
    /// `units` (one row per unit: score, indicators, composite, rank, percentile, decile).
    #[arg(long, value_enum, default_value_t = Table::Long)]
    pub table: Table,
    /// The files: `both` (barometer.csv and barometer.parquet), `csv` or `parquet` only.
    #[arg(long, value_enum, default_value_t = Format::Both)]
    pub format: Format,
    /// Output folder (created when missing).
    #[arg(long)]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Parse `2012..2023`, `2012,2015` or `2023`.
pub fn parse_years(text: &str) -> Result<Vec<i32>> {
    let bad = || {
        usage(format!(
            "--years '{text}': write a range like 2012..2023, a list like 2019,2021 or one year"
        ))
    };
    let year = |s: &str| s.trim().parse::<i32>().map_err(|_| bad());
    let years: Vec<i32> = if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (year(a)?, year(b.trim_start_matches('='))?);
        if a > b {
            return Err(usage(format!(
                "--years '{text}': the range runs backwards; write {b}..{a}"
            )));
        }
        (a..=b).collect()
    } else {
        text.split(',').map(year).collect::<Result<_>>()?
    };
    let mut sorted = years.clone();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(sorted)
}

/// Run `batch`.
pub fn run(args: &Args) -> Result<()> {
    let years = parse_years(&args.years)?;
    let defs: Vec<Definition> = if args.barometer.is_empty() {
        vec![Definition::bundled()]
    } else {
        args.barometer
            .iter()
            .map(|p| Definition::from_file(p))
            .collect::<Result<_>>()?
    };
    if let Some(d) = defs
        .iter()
        .enumerate()
        .find(|(i, d)| defs[..*i].iter().any(|e| e.id == d.id))
    {
        return Err(usage(format!(
            "two definitions share the id '{}' ({}); give each barometer its own [barometer] id",
            d.1.id, d.1.origin
        )));
    }
    let geo = Geography::bundled();
    let (panel, rejected) = if args.tidy.is_empty() {
        let panel = super::load_panel(args.store.as_deref(), args.level, &years)?;
        (panel, None)
    } else {
        tidy_panel(args, &defs[0], geo, &years)?
    };
    let steps = (defs.len() * years.len()) as u64;
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(steps).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta})")
                .expect("valid template"),
        )
    };
    bar.set_message("barometers");
    let mut params = vec![
        (
            "years",
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("table", args.table.name().to_owned()),
        ("format", args.format.name().to_owned()),
    ];
    if !args.tidy.is_empty() {
        params.push(("tidy", tidy_names(args).join(",")));
        params.push(("strict", args.strict.to_string()));
    }
    let id = &panel.identity;
    let records: Vec<RunRecord> = defs
        .iter()
        .map(|d| RunRecord::of("batch", &params, d, &id.origin, &id.sha256, &id.meta))
        .collect();
    let record_json = serde_json::to_string(&records)?;
    let comments: String = records.iter().map(RunRecord::comment_lines).collect();
    // The tables are streamed one scoreboard at a time (scored in parallel, written in order).
    let score = |mut csv: Option<&mut dyn Write>, mut parquet: Option<&mut Parquet>| {
        let output = (args.table, args.format);
        batch::run(&panel, &defs, geo, &years, output, |part| {
            if let (Some(p), Some(frame)) = (parquet.as_deref_mut(), &part.frame) {
                p.write_batch(frame)?;
            }
            if let Some(w) = csv.as_deref_mut() {
                w.write_all(&part.csv)?;
            }
            bar.inc(1);
            Ok(())
        })
    };
    let (rows, csv_sha, parquet_sha) = write_tables(args, &comments, &record_json, score)?;
    bar.finish_and_clear();
    let mut files = Vec::new();
    files.extend(parquet_sha.map(|sha| ("barometer.parquet", sha, rows)));
    files.extend(csv_sha.map(|sha| ("barometer.csv", sha, rows)));
    files.extend(rejected.map(|(sha, n)| ("rejected.csv", sha, n)));
    let manifest = json!({
        "runs": records,
        "columns": args.table.columns(),
        "files": files.iter().map(|(name, sha, rows)| json!({
            "file": name,
            "sha256": sha,
            "rows": rows,
        })).collect::<Vec<_>>(),
    });
    atomic::write_with(&args.out.join("manifest.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest)?;
        Ok(w.write_all(b"\n")?)
    })?;
    eprintln!(
        "{} rows ({} barometer(s) x {} years) in {}",
        rows,
        defs.len(),
        years.len(),
        args.out.display()
    );
    // A table of an earlier run (another --format, or rejected rows this run has none of).
    super::note_left_over(
        &args.out,
        &["barometer.csv", "barometer.parquet", "rejected.csv"],
        |name| files.iter().any(|(f, _, _)| *f == name),
        "this run's manifest.json does not list it",
    );
    Ok(())
}

/// The Parquet writer of `batch`.
type Parquet<'w> = BatchedWriter<&'w mut dyn Write>;

/// Write OUT/barometer.csv and OUT/barometer.parquet as `--format` asks, the rows coming from
/// `score` (handed the open writers); the CSV starts with the `comments` and the Parquet file
/// holds the run records `record_json`. Returns the number of rows and each table's SHA-256.
fn write_tables(
    args: &Args,
    comments: &str,
    record_json: &str,
    mut score: impl FnMut(Option<&mut dyn Write>, Option<&mut Parquet>) -> Result<u64>,
) -> Result<(u64, Option<String>, Option<String>)> {
    let mut rows = 0;
    let mut csv_sha = None;
    // The Parquet file is finished inside the CSV file's writer, so that an error leaves
    // neither behind.
    let mut with_csv = |mut parquet: Option<&mut Parquet>| -> Result<()> {
        let mut tables = |csv: Option<&mut dyn Write>| -> Result<()> {
            rows = score(csv, parquet.as_deref_mut())?;
            if let Some(p) = parquet.as_deref_mut() {
                p.finish()?;
            }
            Ok(())
        };
        if !args.format.csv() {
            return tables(None);
        }
        let path = args.out.join("barometer.csv");
        csv_sha = Some(atomic::write_hashed(&path, |cw| {
            batch::csv_header(comments, args.table, cw)?;
            tables(Some(cw))
        })?);
        Ok(())
    };
    let parquet_sha = if args.format.parquet() {
        let path = args.out.join("barometer.parquet");
        Some(atomic::write_hashed(&path, |pw| {
            with_csv(Some(&mut batch::parquet_writer(
                pw,
                args.table,
                record_json,
            )?))
        })?)
    } else {
        with_csv(None)?;
        None
    };
    Ok((rows, csv_sha, parquet_sha))
}

/// The `--tidy` files as named on the command line.
fn tidy_names(args: &Args) -> Vec<String> {
    args.tidy.iter().map(|p| p.display().to_string()).collect()
}

/// The panel of the `--tidy` files, read, checked and merged in memory as `ingest` reads them
/// into a store (the rows of `years` only: the others are checked and counted as skipped), and
/// the SHA-256 and count of the rejected rows written to OUT/rejected.csv.
fn tidy_panel(
    args: &Args,
    def: &Definition,
    geo: &Geography,
    years: &[i32],
) -> Result<(Panel, Option<(String, u64)>)> {
    let files = args
        .tidy
        .iter()
        .map(|path| tidy::read_years(path, def, geo, years))
        .collect::<Result<Vec<_>>>()?;
    let names = tidy_names(args);
    let origin = names.join(", ");
    let sha256 = files
        .iter()
        .map(|f| f.input.sha256.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let opts = ingest::Options {
        strict: args.strict,
        ..ingest::Options::default()
    };
    let (merged, rep) = ingest::merge(None, files, def, opts, geo, &origin)?;
    eprint!("{}", rep.render(geo, 20));
    let rejected = if rep.rejected.is_empty() {
        None
    } else {
        let side = args.out.join("rejected.csv");
        let params = [("tidy", names.join(","))];
        let run = RunRecord::of("batch", &params, def, &origin, &sha256, &merged.meta);
        let sha = atomic::write_hashed(&side, |w| report::write_rejected(w, &run, &rep.rejected))?;
        eprintln!("rejected rows written to {}", side.display());
        Some((sha, rep.rejected.len() as u64))
    };
    if merged.height() == 0 {
        return Err(data(format!("no row of {origin} was kept")));
    }
    let panel = match args.level {
        Level::Units => {
            let identity = Identity {
                meta: merged.meta.clone(),
                origin,
                sha256,
            };
            merged.to_panel(identity, &|y| years.contains(&y))
        }
        Level::Municipality => {
            let summed = indicators::summed_to_municipalities(&merged.to_store()?, geo)?;
            Panel::from_store(&summed, Some(years))?
        }
    };
    // The merged rows (a quarter of a gigabyte at sector scale) are freed on a thread of
    // their own while the years are scored: returning their pages to the system took the
    // main thread 25 ms with both cores waiting. Should the system refuse a thread, the
    // refused closure is dropped here, and the rows with it (no panic).
    let _ = std::thread::Builder::new().spawn(move || drop(merged));
    Ok((panel, rejected))
}

#[cfg(test)]
mod tests {
    use super::parse_years;

    #[test]
    fn years_ranges_and_lists() {
        assert_eq!(parse_years("2012..2014").unwrap(), vec![2012, 2013, 2014]);
        assert_eq!(parse_years("2021,2019,2021").unwrap(), vec![2019, 2021]);
        assert_eq!(parse_years("2023").unwrap(), vec![2023]);
        assert!(parse_years("2014..2012").is_err());
        assert!(parse_years("twintig").is_err());
    }
}
