//! `barometer profile`: the omgevingsanalyse of one municipality (or of all of them).

use anyhow::Result;
use barometer::definition::Definition;
use barometer::error::{data, usage};
use barometer::geo::Geography;
use barometer::geo::MunicipalitySet;
use barometer::lang::Lang;
use barometer::names::normalise;
use barometer::profile::figures::{ProfileData, build};
use barometer::profile::output;
use barometer::profile::target::{TargetSpec, evaluate};
use barometer::run_record::RunRecord;
use barometer::store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::path::PathBuf;

/// Arguments of `profile`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer profile --municipality Genk --from 2008 --year 2013
  barometer profile --municipality \"St.-Niklaas\" --out profiel-sint-niklaas --lang en
  barometer profile --municipality Mechelen --from 2017 --target \"kansarmoede-index:-50%@2025\"
  barometer profile --municipality all --year 2023 --out profielen")]
pub struct Args {
    /// Municipality name (case, accents and 'St.' tolerated), REFNIS code, or `all`.
    #[arg(long)]
    pub municipality: String,
    /// Profile year; the latest year in the store when omitted.
    #[arg(long)]
    pub year: Option<i32>,
    /// First year of the evolution; the first year in the store when omitted.
    #[arg(long)]
    pub from: Option<i32>,
    /// Output folder (created); `profiel` when omitted. With `all`, one sub-folder per municipality.
    #[arg(long, default_value = "profiel")]
    pub out: PathBuf,
    /// A target INDICATOR:GOAL@YEAR, GOAL as -50% (relative), -3pp (change) or 10 (level). Repeatable.
    #[arg(long)]
    pub target: Vec<String>,
    /// The store (Parquet); the bundled demo store when omitted.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// A barometer definition (TOML); the bundled kinderarmoedebarometer when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
    /// Language of labels, sentences and number formats.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
}

/// A REFNIS code of `set`, or a name as `barometer::names` matches it.
fn resolve(geo: &Geography, set: &MunicipalitySet, query: &str) -> Result<String> {
    let q = query.trim();
    if set.codes.contains(q) {
        return Ok(q.to_owned());
    }
    match geo.lookup_name(q, Some(set.from)) {
        Ok(m) if set.codes.contains(&m.nis) => Ok(m.nis.clone()),
        Ok(m) => Err(usage(format!(
            "{} {} is not in the municipality set {} of the store's year",
            m.nis,
            m.name_nl,
            set.label()
        ))),
        Err(candidates) => Err(usage(geo.name_problem(q, &candidates))),
    }
}

/// Run `profile`.
pub fn run(args: &Args) -> Result<()> {
    let specs = args
        .target
        .iter()
        .map(|t| TargetSpec::parse(t))
        .collect::<Result<Vec<_>>>()?;
    let def = Definition::load(args.barometer.as_deref())?;
    let store = Store::load(args.store.as_deref())?;
    let geo = Geography::bundled();
    let years = store.years()?;
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Err(data(format!("the store {} is empty", store.origin)));
    };
    let year = args.year.unwrap_or(last);
    let from = args.from.unwrap_or(first);
    if from > year {
        return Err(usage(format!("--from {from} is after --year {year}")));
    }
    for spec in &specs {
        if def.indicator(&spec.indicator).is_none() {
            return Err(usage(format!(
                "--target '{}': unknown indicator '{}'",
                spec.text, spec.indicator
            )));
        }
    }
    let figures = ProfileData::new(&store, geo)?;
    let board = barometer::barometer::score(&store, &def, geo, year)?;
    let units: Vec<String> = board.rows.iter().map(|r| r.nis.clone()).collect();
    let set = geo
        .set_of_year_units(year, units.iter().map(String::as_str))
        .map_err(data)?;
    let all = args.municipality.trim().eq_ignore_ascii_case("all");
    let chosen = if all {
        units
    } else {
        vec![resolve(geo, set, &args.municipality)?]
    };
    let record = RunRecord::new(
        "profile",
        &[
            ("municipality", args.municipality.clone()),
            ("year", year.to_string()),
            ("from", from.to_string()),
            ("lang", args.lang.pick("nl", "en").into()),
            ("target", args.target.join(" ")),
        ],
        &def,
        &store,
    );
    let bar = if all {
        ProgressBar::new(chosen.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let name = def.name.get(args.lang.english()).to_owned();
    let written = chosen
        .par_iter()
        .map(|nis| -> Result<usize> {
            let profile = build(&figures, &store, &def, geo, nis, year, from)?;
            let mut targets = Vec::new();
            for spec in &specs {
                if let Some(k) = profile
                    .indicators
                    .iter()
                    .position(|i| i.indicator.id == spec.indicator)
                {
                    targets.push((evaluate(spec, &profile.indicators[k])?, k));
                }
            }
            let dir = if all {
                args.out.join(format!("{nis}-{}", normalise(&profile.name)))
            } else {
                args.out.clone()
            };
            let files = output::write(&dir, &profile, &targets, geo, &record, &name, args.lang)?;
            bar.inc(1);
            Ok(files.len())
        })
        .collect::<Result<Vec<usize>>>()?;
    bar.finish_and_clear();
    println!(
        "{} {} ({} {}) -> {}",
        written.iter().sum::<usize>(),
        args.lang.pick("bestanden geschreven", "files written"),
        chosen.len(),
        args.lang.pick("profielen", "profiles"),
        args.out
            .join(if all { "" } else { "report.html" })
            .display()
    );
    Ok(())
}
