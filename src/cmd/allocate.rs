//! `barometer allocate`: share a subsidy budget over the municipalities, exactly to the cent.

use anyhow::Result;
use barometer::allocate::money::parse_euro;
use barometer::allocate::plan::{HoldHarmless, allocate, rule_file};
use barometer::allocate::rule::{Eligibility, Key, Rule, eligibility_from_flags};
use barometer::allocate::{compare, output};
use barometer::barometer::score;
use barometer::error::usage;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::run_record::RunRecord;
use barometer::store::Keep;
use std::path::PathBuf;

/// Output formats of `allocate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal with the audit below it.
    Table,
    /// CSV, the audit as `#` lines on top, amounts in plain euros.
    Csv,
    /// JSON with the run record, the audit and one object per municipality.
    Json,
    /// An Excel workbook with euro formats and an audit sheet.
    Xlsx,
}

/// Arguments of `allocate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Keys (--key): children (0-17), kansarm-births, children-without-work, population, equal,
score-weighted (score x children), numerator:INDICATOR, denominator:INDICATOR; prefix score* to
weight any of them by the score.

Examples:
  barometer allocate --year 2023 --budget 4500000 --min-score 5
  barometer allocate --year 2023 --budget 4500000 --top 70 --key kansarm-births --floor 25000 --cap 550000
  barometer allocate --year 2023 --budget 4500000 --min-score 5 --hold-harmless toewijzing-2022.csv:0.9
  barometer allocate --year 2023 --rule data/allocations/kansarme-geboorten.toml --out toewijzing.xlsx
  barometer allocate --year 2023 --budget 4500000 --min-score 5 --compare data/allocations/kansarme-geboorten.toml")]
pub struct Args {
    /// The barometer year that decides eligibility and the key.
    #[arg(long)]
    pub year: i32,
    /// The budget in euros (e.g. 4500000 or 4500000.00); may come from --rule.
    #[arg(long)]
    pub budget: Option<String>,
    /// An allocation definition (TOML); the flags below override its values.
    #[arg(long)]
    pub rule: Option<PathBuf>,
    /// Eligible: score at least K.
    #[arg(long, value_name = "K")]
    pub min_score: Option<u32>,
    /// Eligible: rank at most N (ties at the boundary are all in).
    #[arg(long, value_name = "N")]
    pub top: Option<u32>,
    /// The distribution key (see below); children 0-17 by default.
    #[arg(long)]
    pub key: Option<String>,
    /// Least amount per eligible municipality, in euros.
    #[arg(long, value_name = "EUR")]
    pub floor: Option<String>,
    /// Largest amount per municipality, in euros.
    #[arg(long, value_name = "EUR")]
    pub cap: Option<String>,
    /// Guarantee a share of previous amounts: FILE (CSV with nis, amount) and RATIO, e.g. prev.csv:0.9.
    #[arg(long, value_name = "FILE:RATIO")]
    pub hold_harmless: Option<String>,
    /// A second rule (TOML) to set beside this one: who gains, who loses.
    #[arg(long, value_name = "DEF.toml")]
    pub compare: Option<PathBuf>,
    /// List every municipality in the table, also those not eligible.
    #[arg(long)]
    pub all: bool,
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

fn euro_flag(flag: &str, value: &Option<String>) -> Result<Option<i64>> {
    value
        .as_deref()
        .map(|v| parse_euro(v).map_err(|m| usage(format!("--{flag}: {m}"))))
        .transpose()
}

/// The rule from --rule and the flags.
fn rule_of(args: &Args) -> Result<Rule> {
    let mut rule = match &args.rule {
        Some(path) => rule_file(path)?,
        None => Rule {
            name: "command line".into(),
            eligibility: Eligibility::All,
            key: Key::parse("children").map_err(usage)?,
            floor: None,
            cap: None,
            budget: None,
            origin: "command line".into(),
            text: None,
        },
    };
    let mut overridden = false;
    if let Some(e) = eligibility_from_flags(args.min_score, args.top)? {
        rule.eligibility = e;
        overridden = true;
    }
    if let Some(k) = &args.key {
        rule.key = Key::parse(k).map_err(|m| usage(format!("--key: {m}")))?;
        overridden = true;
    }
    if let Some(f) = euro_flag("floor", &args.floor)? {
        rule.floor = Some(f);
        overridden = true;
    }
    if let Some(c) = euro_flag("cap", &args.cap)? {
        rule.cap = Some(c);
        overridden = true;
    }
    if overridden && args.rule.is_some() {
        rule.origin = format!("{} with command-line overrides", rule.origin);
    }
    rule.check().map_err(usage)?;
    Ok(rule)
}

/// Run `allocate`.
pub fn run(args: &Args) -> Result<()> {
    let format = super::format_of(args.format, args.out.as_deref())?;
    let rule = rule_of(args)?;
    let budget = euro_flag("budget", &args.budget)?
        .or(rule.budget)
        .ok_or_else(|| {
            usage("give the budget with --budget EUR (or `budget` in the --rule file)")
        })?;
    let other = args.compare.as_deref().map(rule_file).transpose()?;
    if other.is_some() && format == Format::Json {
        return Err(usage("--compare writes a table, CSV or XLSX; not JSON"));
    }
    let hold = args
        .hold_harmless
        .as_deref()
        .map(HoldHarmless::load)
        .transpose()?;
    let def = args.source.definition()?;
    // The keys carry values forward from earlier years: keep their indicators' earlier rows.
    let keys: Vec<&str> = [Some(&rule), other.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|r| match &r.key {
            Key::Store { indicator, .. } => Some(indicator.as_str()),
            Key::Equal => None,
        })
        .collect();
    let year = args.year;
    let store = {
        let keep = Keep::rows(|y| y <= year, |y, i| y == year || keys.contains(&i));
        args.source.load_where(&[year], &keep)?
    };
    let geo = Geography::bundled();
    let board = score(&store, &def, geo, args.year)?;
    let alloc = allocate(&board, &store, &rule, budget, hold.as_ref())?;
    let mut params = vec![
        ("year", args.year.to_string()),
        ("budget", barometer::allocate::money::plain(budget)),
        ("lang", args.lang.pick("nl", "en").to_owned()),
    ];
    if let Some(path) = &args.compare {
        params.push(("compare", path.display().to_string()));
    }
    let record = RunRecord::new("allocate", &params, &def, &store);
    let lang = args.lang;
    match other {
        None => super::emit(args.out.as_deref(), |w| {
            match format {
                Format::Table => {
                    w.write_all(output::table(&alloc, geo, &record, lang, args.all).as_bytes())?
                }
                Format::Csv => output::csv(&alloc, &record, w)?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *w, &output::json(&alloc, &record))?;
                    w.write_all(b"\n")?;
                }
                Format::Xlsx => w.write_all(&output::xlsx(&alloc, &record, lang)?)?,
            }
            Ok(())
        }),
        Some(other) => {
            let b = allocate(&board, &store, &other, budget, hold.as_ref())?;
            super::emit(args.out.as_deref(), |w| {
                match format {
                    Format::Table | Format::Json => {
                        w.write_all(compare::table(&alloc, &b, &record, lang).as_bytes())?
                    }
                    Format::Csv => compare::csv(&alloc, &b, &record, w)?,
                    Format::Xlsx => w.write_all(&compare::xlsx(&alloc, &b, &record, lang)?)?,
                }
                Ok(())
            })
        }
    }
}
