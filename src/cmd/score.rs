//! `barometer score`: the barometer of every municipality for one year.

use anyhow::Result;
use barometer::barometer::score;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::report::scoreboard;
use barometer::run_record::RunRecord;
use std::path::PathBuf;

/// Output formats of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// CSV, one row per municipality, the run record as `#` lines on top.
    Csv,
    /// JSON with the run record, references and one object per municipality.
    Json,
}

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer score --year 2023
  barometer score --year 2023 --lang en
  barometer score --year 2023 --format csv --out barometer-2023.csv
  barometer score --year 2021 --store mijn-store.parquet --barometer variant.toml --format json")]
pub struct Args {
    /// The year to score.
    #[arg(long)]
    pub year: i32,
    /// The store, the level and the definition.
    #[command(flatten)]
    pub source: super::Source,
    /// Output format; by default taken from the --out extension, else a table.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Language of labels and number formats in the table.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
}

/// Run `score`.
pub fn run(args: &Args) -> Result<()> {
    let format = super::format_of(args.format, args.out.as_deref())?;
    let def = args.source.definition()?;
    let store = args.source.load(&[args.year])?;
    let geo = Geography::bundled();
    let board = score(&store, &def, geo, args.year)?;
    let format_name = match format {
        Format::Table => "table",
        Format::Csv => "csv",
        Format::Json => "json",
    };
    let record = RunRecord::new(
        "score",
        &[
            ("year", args.year.to_string()),
            ("level", args.source.level.name().into()),
            ("format", format_name.into()),
            ("lang", args.lang.pick("nl", "en").into()),
        ],
        &def,
        &store,
    );
    super::emit(args.out.as_deref(), |w| {
        match format {
            Format::Table => {
                w.write_all(scoreboard::table(&board, &def, geo, &record, args.lang).as_bytes())?
            }
            Format::Csv => scoreboard::csv(&board, &def, &record, w)?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, &scoreboard::json(&board, &def, &record))?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    })
}
