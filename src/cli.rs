//! The command line: one subcommand per job; each subcommand's arguments live in its own file
//! under `cmd/`.

use crate::cmd;
use clap::{Parser, Subcommand};

/// The Flemish kinderarmoedebarometer (child-poverty barometer) from municipal open data.
#[derive(Debug, Parser)]
#[command(name = "barometer", version, about, long_about = None, after_help = "\
Examples:
  barometer score --year 2023                      the barometer of 2023 on the bundled demo data
  barometer ingest --tidy cijfers.csv --store mijn.parquet
  barometer score --year 2023 --store mijn.parquet --format csv --out barometer-2023.csv")]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score every municipality for one year: points per indicator, score 0-7, rank, decile.
    Score(cmd::score::Args),
    /// Load publisher files (--layout) or tidy CSV files (--tidy) into a store.
    Ingest(cmd::ingest::Args),
    /// Write the synthetic demo store (Parquet) or its tidy CSV.
    Demo(cmd::demo::Args),
    /// The omgevingsanalyse of a municipality: figures, intervals, trends, charts, HTML report.
    Profile(cmd::profile::Args),
    /// Read files as `ingest` would and report every problem, writing nothing.
    Check(cmd::check::Args),
    /// Share a subsidy budget over the municipalities, exactly to the cent, with an audit.
    Allocate(cmd::allocate::Args),
    /// Rank every municipality, with rank and score movement since a comparison year.
    Rank(cmd::rank::Args),
    /// Draw a choropleth map of Flanders (SVG, PNG, HTML with tooltips) from a GeoJSON.
    Map(cmd::map::Args),
    /// Draw the top N as a bar chart, or the points grid (the barometer at a glance).
    Chart(cmd::chart::Args),
    /// Every municipality-year for one or more barometers as tidy Parquet and CSV plus a manifest.
    Batch(cmd::batch::Args),
    /// Monte Carlo and Sobol sensitivity of the ranking to methodological choices and noise.
    Sensitivity(cmd::sensitivity::Args),
}
