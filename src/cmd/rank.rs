//! `barometer rank`: every municipality ranked, with its movement since a comparison year.

use anyhow::Result;
use barometer::barometer::score;
use barometer::error::usage;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::rank::{self, Ranking};
use barometer::run_record::RunRecord;
use std::path::PathBuf;

/// Output formats of `rank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// CSV, the run record as `#` lines on top.
    Csv,
    /// JSON with the run record and one object per municipality.
    Json,
    /// An Excel workbook (numbers as numbers) with a run-record sheet.
    Xlsx,
}

/// Arguments of `rank`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer rank --year 2023
  barometer rank --year 2023 --compare-year 2018
  barometer rank --year 2023 --compare-year 2018 --out rangschikking-2023.xlsx
  barometer rank --year 2023 --format json --lang en")]
pub struct Args {
    /// The year to rank.
    #[arg(long)]
    pub year: i32,
    /// Show rank and score movement since this year.
    #[arg(long, value_name = "Y0")]
    pub compare_year: Option<i32>,
    /// The store, the level and the definition.
    #[command(flatten)]
    pub source: super::Source,
    /// Output format; by default taken from the --out extension, else a table.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Language of labels and number formats.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
}

/// Run `rank`.
pub fn run(args: &Args) -> Result<()> {
    let format = super::format_of(args.format, args.out.as_deref())?;
    if args.compare_year == Some(args.year) {
        return Err(usage("--compare-year must differ from --year"));
    }
    let def = args.source.definition()?;
    let years: Vec<i32> = std::iter::once(args.year)
        .chain(args.compare_year)
        .collect();
    let store = args.source.load(&years)?;
    let geo = Geography::bundled();
    let board = score(&store, &def, geo, args.year)?;
    let before = args
        .compare_year
        .map(|y| score(&store, &def, geo, y))
        .transpose()?;
    let ranking = Ranking::new(board, before.as_ref());
    let mut params = vec![
        ("year", args.year.to_string()),
        ("level", args.source.level.name().to_owned()),
        ("lang", args.lang.pick("nl", "en").to_owned()),
    ];
    if let Some(y0) = args.compare_year {
        params.push(("compare_year", y0.to_string()));
    }
    let record = RunRecord::new("rank", &params, &def, &store);
    super::emit(args.out.as_deref(), |w| {
        match format {
            Format::Table => {
                w.write_all(rank::table(&ranking, &def, geo, &record, args.lang).as_bytes())?
            }
            Format::Csv => rank::csv(&ranking, &def, &record, w)?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, &rank::json(&ranking, &def, &record))?;
                w.write_all(b"\n")?;
            }
            Format::Xlsx => w.write_all(&rank::xlsx(&ranking, &def, &record, args.lang)?)?,
        }
        Ok(())
    })
}
