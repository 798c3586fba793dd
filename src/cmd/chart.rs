//! `barometer chart`: the top N as a ranked bar chart, or the barometer at a glance (a grid of
//! municipalities by indicators showing the points); SVG or PNG.

use anyhow::Result;
use barometer::barometer::score;
use barometer::chart::bars::{Bar, Bars};
use barometer::chart::grid::{Grid, GridRow};
use barometer::chart::{png, svg};
use barometer::definition::Definition;
use barometer::error::usage;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::map::classify::YLORRD8;
use barometer::report::format::signed;
use barometer::store::Store;
use std::path::PathBuf;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Ranked bar chart of the top N by score (composite in the label).
    Bars,
    /// Municipalities by indicators, a filled square per point.
    Grid,
}

/// Arguments of `chart`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer chart bars --year 2023 --top 20 --out top20.svg
  barometer chart grid --year 2023 --top 50 --out barometer-2023.png")]
pub struct Args {
    /// The chart to draw.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The year.
    #[arg(long)]
    pub year: i32,
    /// Number of municipalities, most at risk first (0: all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The chart file: .svg or .png (300 dpi).
    #[arg(long)]
    pub out: PathBuf,
    /// The store (Parquet); the bundled demo store when omitted.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// A barometer definition (TOML); the bundled kinderarmoedebarometer when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
    /// Language of labels.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
}

/// Run `chart`.
pub fn run(args: &Args) -> Result<()> {
    let ext = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let as_png = match ext.as_deref() {
        Some("svg") => false,
        Some("png") => true,
        _ => {
            return Err(usage(format!(
                "--out {}: use a .svg or .png file",
                args.out.display()
            )));
        }
    };
    let def = Definition::load(args.barometer.as_deref())?;
    let store = Store::load(args.store.as_deref())?;
    let board = score(&store, &def, Geography::bundled(), args.year)?;
    let lang = args.lang;
    let en = lang.english();
    let n = if args.top == 0 {
        board.rows.len()
    } else {
        args.top.min(board.rows.len())
    };
    let rows = &board.rows[..n];
    let footer = vec![
        format!("{}: {}", lang.pick("Bron", "Source"), def.source),
        format!(
            "Store {} (sha256 {}){}",
            store.origin,
            &store.sha256[..12],
            if store.meta.synthetic {
                lang.pick(" - SYNTHETISCHE DEMODATA", " - SYNTHETIC DEMO DATA")
            } else {
                ""
            }
        ),
    ];
    let label = |r: &barometer::barometer::Row| format!("{}. {}", r.rank, r.name);
    let bytes = match args.kind {
        Kind::Bars => {
            let chart = Bars {
                title: format!("{} {} - top {n}", def.name.get(en), args.year),
                footer,
                max: def.indicators.len() as f64,
                bars: rows
                    .iter()
                    .map(|r| Bar {
                        label: label(r),
                        value: f64::from(r.score),
                        value_label: format!(
                            "{} ({} {} %)",
                            r.score,
                            lang.pick("composiet", "composite"),
                            r.composite
                                .map_or("-".into(), |c| signed(c * 100.0, 1, lang))
                        ),
                        fill: YLORRD8[(r.score as usize).min(7)],
                    })
                    .collect(),
            };
            if as_png {
                png(&chart)?
            } else {
                svg(&chart)?.into_bytes()
            }
        }
        Kind::Grid => {
            let chart = Grid {
                title: format!("{} {}", def.name.get(en), args.year),
                columns: def.indicators.iter().map(|i| i.short.clone()).collect(),
                rows: rows
                    .iter()
                    .map(|r| GridRow {
                        label: label(r),
                        points: r.cells.iter().map(|c| c.point).collect(),
                        score: r.score,
                    })
                    .collect(),
                legend: [
                    lang.pick(
                        "punt (slechter dan referentie)",
                        "point (worse than reference)",
                    )
                    .into(),
                    lang.pick("geen punt", "no point").into(),
                    lang.pick("ontbrekend", "missing").into(),
                ],
                footer,
            };
            if as_png {
                png(&chart)?
            } else {
                svg(&chart)?.into_bytes()
            }
        }
    };
    barometer::atomic::write_bytes(&args.out, &bytes)
}
