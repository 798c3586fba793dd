//! One file per subcommand, each with its `Args` and a `run` function.

pub mod allocate;
pub mod batch;
pub mod chart;
pub mod check;
pub mod demo;
pub mod ingest;
pub mod map;
pub mod profile;
pub mod rank;
pub mod score;
pub mod sensitivity;

use crate::cli::{Cli, Command};
use anyhow::Result;
use std::io::Write;
use std::path::Path;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Score(args) => score::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Profile(args) => profile::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Allocate(args) => allocate::run(&args),
        Command::Rank(args) => rank::run(&args),
        Command::Map(args) => map::run(&args),
        Command::Chart(args) => chart::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Sensitivity(args) => sensitivity::run(&args),
    }
}

/// Write output to `out` atomically, or to standard output when `out` is `None`.
pub fn emit<F>(out: Option<&Path>, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    match out {
        Some(path) => barometer::atomic::write_with(path, fill),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            fill(&mut lock)?;
            lock.flush()?;
            Ok(())
        }
    }
}
