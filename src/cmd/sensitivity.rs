//! `barometer sensitivity`: how much each municipality's rank and eligibility depend on
//! methodological choices and on noise in small counts (Monte Carlo), and which choice drives the
//! rank shifts (Sobol indices).

use anyhow::Result;
use barometer::atomic;
use barometer::barometer::score_year;
use barometer::chart::{
    self,
    sensitivity::{RankIntervals, SobolBars},
};
use barometer::error::usage;
use barometer::export::csv_fields::{self, integer, text};
use barometer::export::xlsx::{Sheet, Value, record_lines, workbook};
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::report::format::number;
use barometer::report::table::{Align, Table};
use barometer::run_record::RunRecord;
use barometer::stats::montecarlo::{
    FACTORS, Factor, Options, Rule, Space, Summary, monte_carlo, passes, sobol_rank_shift,
};
use barometer::stats::problem::Problem;
use barometer::stats::sobol::Index;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Arguments of `sensitivity`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer sensitivity --year 2023 --runs 100000 --out gevoeligheid/
  barometer sensitivity --year 2023 --runs 20000 --vary sampling --min-score 4 --out ruis/
  barometer sensitivity --year 2023 --vary reference,cutoff,indicators --top 70 --budget 4500000 --out top70/

Factors for --vary: reference (flanders, mean, median), cutoff (margin +0, +5, +10 % of the
reference), weights (64 sets in [0.5, 1.5]), normalisation (relative excess, z-score, min-max,
percentile rank), aggregation (arithmetic, geometric, harmonic), indicators (leave one out),
sampling (binomial / Poisson resampling of numerators).
Writes ranks.csv (one row per municipality), sobol.csv (one row per factor), both as sheets of
sensitivity.xlsx, sobol_units.csv (Sobol indices of each municipality's rank), and the charts ranks.svg/png (rank intervals of the 30 most at risk) and
sobol.svg/png into --out; --format csv writes the CSV tables only.")]
pub struct Args {
    /// The year to analyse.
    #[arg(long)]
    pub year: i32,
    /// Monte Carlo replications.
    #[arg(long, default_value_t = 10_000)]
    pub runs: u64,
    /// Factors to vary, comma separated; all when omitted.
    #[arg(long)]
    pub vary: Option<String>,
    /// Seed of the random numbers (same seed, same bytes).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Eligible when the (weighted) score is at least this.
    #[arg(long, default_value_t = 4.0, conflicts_with = "top")]
    pub min_score: f64,
    /// Eligible when ranked in the first N instead.
    #[arg(long)]
    pub top: Option<u32>,
    /// Budget (euro) shared among the eligible municipalities in proportion to the key.
    #[arg(long, default_value_t = 4_500_000.0)]
    pub budget: f64,
    /// Indicator whose denominator is the distribution key (default: kinderen-zonder-werk,
    /// i.e. the number of children 0-17, or else the first indicator).
    #[arg(long)]
    pub key: Option<String>,
    /// Base samples of the Sobol design (runs = base x (factors + 2)); 0 skips Sobol.
    #[arg(long, default_value_t = 1024)]
    pub sobol: usize,
    /// Bootstrap resamples for the Sobol intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// The store, the level and the definition.
    #[command(flatten)]
    pub source: super::Source,
    /// Output folder (created when missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The files: `all` (the CSV tables, the workbook and the charts) or `csv` (the CSV tables
    /// only, for scripts and batch runs).
    #[arg(long, value_enum, default_value_t = Outputs::All)]
    pub format: Outputs,
    /// Language of the summary on standard output.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The files `sensitivity` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Outputs {
    /// ranks.csv, sobol.csv, sobol_units.csv, sensitivity.xlsx and the charts.
    All,
    /// ranks.csv, sobol.csv and sobol_units.csv.
    Csv,
}

/// Every file `sensitivity` may write.
const FILES: [&str; 8] = [
    "ranks.csv",
    "sobol.csv",
    "sobol_units.csv",
    "sensitivity.xlsx",
    "ranks.svg",
    "ranks.png",
    "sobol.svg",
    "sobol.png",
];

/// Run `sensitivity`.
pub fn run(args: &Args) -> Result<()> {
    let factors = match &args.vary {
        Some(v) => Factor::parse_list(v)?,
        None => FACTORS.to_vec(),
    };
    if args.runs == 0 || args.runs > u64::from(u32::MAX) {
        return Err(usage("--runs must be between 1 and 4294967295"));
    }
    if !(args.budget.is_finite() && args.budget >= 0.0) {
        return Err(usage("--budget must be a non-negative amount"));
    }
    let def = args.source.definition()?;
    let panel = args.source.panel(&[args.year])?;
    let scored = score_year(&panel, &def, Geography::bundled(), args.year)?;
    let problem = Problem::from_year(&scored, &def)?;
    drop(scored);
    let key_id = match &args.key {
        Some(k) => k.clone(),
        None if problem
            .indicators
            .iter()
            .any(|i| i == "kinderen-zonder-werk") =>
        {
            "kinderen-zonder-werk".into()
        }
        None => problem.indicators[0].clone(),
    };
    let j = problem
        .indicators
        .iter()
        .position(|i| *i == key_id)
        .ok_or_else(|| {
            usage(format!(
                "--key '{key_id}' is not a scored indicator; choose one of {}",
                problem.indicators.join(", ")
            ))
        })?;
    let n = problem.n();
    let opts = Options {
        runs: args.runs,
        seed: args.seed,
        rule: args.top.map_or(Rule::MinScore(args.min_score), Rule::Top),
        budget: args.budget,
        key: problem.den[j * n..(j + 1) * n].to_vec(),
    };
    let space = Space::new(&problem, factors.clone(), args.seed);
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(args.runs * passes(n, args.runs)).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} replications ({per_sec}, {eta})")
                .expect("valid template"),
        )
    };
    let summary = monte_carlo(&problem, &space, &opts, &|d| bar.inc(d));
    bar.finish_and_clear();
    let full = (args.sobol > 0)
        .then(|| sobol_rank_shift(&problem, &space, args.sobol, args.bootstrap, args.seed));
    let sobol = full.as_ref().map(|s| s.shift.as_slice());

    let rule = match opts.rule {
        Rule::MinScore(s) => format!("score>={s}"),
        Rule::Top(t) => format!("top {t}"),
    };
    let record = RunRecord::of(
        "sensitivity",
        &[
            ("year", args.year.to_string()),
            ("runs", args.runs.to_string()),
            (
                "vary",
                factors
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("seed", args.seed.to_string()),
            ("rule", rule),
            ("budget", args.budget.to_string()),
            ("key", format!("denominator of {key_id}")),
            ("sobol_base", args.sobol.to_string()),
            ("bootstrap", args.bootstrap.to_string()),
        ],
        &def,
        &panel.identity.origin,
        &panel.identity.sha256,
        &panel.identity.meta,
    );
    let all = args.format == Outputs::All;
    let mut jobs: Vec<Job> = vec![job("ranks.csv", |path| {
        atomic::write_with(path, |w| ranks_csv(&problem, &summary, &record, w))
    })];
    if all {
        jobs.push(job("sensitivity.xlsx", |path| {
            let book = xlsx(&problem, &summary, &factors, sobol, &record, args.lang)?;
            atomic::write_bytes(path, &book)
        }));
    }
    if let (Some(indices), Some(full)) = (sobol, &full) {
        jobs.push(job("sobol.csv", |path| {
            atomic::write_with(path, |w| sobol_csv(&factors, indices, &record, w))
        }));
        jobs.push(job("sobol_units.csv", |path| {
            atomic::write_with(path, |w| {
                sobol_units_csv(&problem, &factors, &full.units, &record, w)
            })
        }));
    }
    if all {
        jobs.extend(charts(args, &problem, &summary, &factors, sobol));
    }
    let written: Vec<String> = jobs.iter().map(|(name, _)| name.clone()).collect();
    // Each file on a thread of its own: rendering the charts and waiting for each file to
    // reach the disk overlap. The files do not depend on each other.
    std::thread::scope(|scope| {
        let running: Vec<_> = jobs
            .into_iter()
            .map(|(name, write)| {
                let path = args.out.join(name);
                scope.spawn(move || write(&path))
            })
            .collect();
        running
            .into_iter()
            .try_for_each(|r| r.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })?;
    print!(
        "{}",
        text_summary(&problem, &summary, &factors, sobol, args.lang)
    );
    // A file of an earlier run (another --format, or Sobol indices this run did not compute).
    super::note_left_over(
        &args.out,
        &FILES,
        |name| written.iter().any(|w| w == name),
        "this run did not write it",
    );
    Ok(())
}

/// Writing one output file: its name in --out, and the writer, given the file's path.
type Job<'a> = (String, Box<dyn FnOnce(&Path) -> Result<()> + Send + 'a>);

/// The job writing the file `name` with `write`.
fn job<'a>(name: &str, write: impl FnOnce(&Path) -> Result<()> + Send + 'a) -> Job<'a> {
    (name.to_owned(), Box::new(write))
}

/// Writing the charts: rank intervals of the 30 municipalities most at risk, and the Sobol
/// bars, each as SVG and PNG.
fn charts<'a>(
    args: &'a Args,
    p: &Problem,
    s: &Summary,
    factors: &[Factor],
    sobol: Option<&[Index]>,
) -> Vec<Job<'a>> {
    let lang = args.lang;
    let mut order: Vec<usize> = (0..p.n()).collect();
    order.sort_by_key(|&i| (s.units[i].nominal_rank, i));
    let shown = &order[..order.len().min(30)];
    let last = shown
        .iter()
        .map(|&i| s.units[i].rank_p95)
        .max()
        .unwrap_or(1);
    let ranks = RankIntervals {
        title: format!(
            "{} {} ({} {})",
            lang.pick("Rang: mediaan en 5-95 %,", "Rank: median and 5-95 %,"),
            args.year,
            number(s.runs as f64, 0, lang),
            lang.pick("replicaties", "replications")
        ),
        axis: lang
            .pick(
                "rang (1 = hoogste risico); kruis = rang volgens de definitie",
                "rank (1 = most at risk); cross = rank under the definition",
            )
            .into(),
        units: shown
            .iter()
            .map(|&i| {
                let u = &s.units[i];
                (
                    p.names[i].clone(),
                    u.nominal_rank,
                    u.median_rank,
                    u.rank_p5,
                    u.rank_p95,
                )
            })
            .collect(),
        of: last.div_ceil(10) * 10,
    };
    let mut jobs = drawn("ranks", ranks);
    if let Some(idx) = sobol {
        let bars = SobolBars {
            title: lang
                .pick(
                    "Sobol-indices van de rangverschuiving (95 %-interval)",
                    "Sobol indices of the rank shift (95 % interval)",
                )
                .into(),
            series: (
                lang.pick("eerste orde", "first order").into(),
                lang.pick("totaal effect", "total effect").into(),
            ),
            factors: factors
                .iter()
                .zip(idx)
                .map(|(f, i)| {
                    (
                        f.name().to_owned(),
                        [i.first, i.first_interval.0, i.first_interval.1],
                        [i.total, i.total_interval.0, i.total_interval.1],
                    )
                })
                .collect(),
        };
        jobs.extend(drawn("sobol", bars));
    }
    jobs
}

/// Writing `chart` as NAME.svg and NAME.png.
fn drawn<'a, C: chart::Chart + Send + Sync + 'a>(name: &str, chart: C) -> Vec<Job<'a>> {
    let chart = std::sync::Arc::new(chart);
    let (svg, png) = (chart.clone(), chart);
    vec![
        job(&format!("{name}.svg"), move |path| {
            atomic::write_bytes(path, chart::svg(&*svg)?.as_bytes())
        }),
        job(&format!("{name}.png"), move |path| {
            atomic::write_bytes(path, &chart::png(&*png)?)
        }),
    ]
}

/// `v` as a machine number (see [`csv_fields::number`]), for the small tables written with the
/// csv crate.
fn plain(v: f64) -> String {
    let mut out = Vec::new();
    csv_fields::number(&mut out, Some(v));
    String::from_utf8(out).expect("digits are ASCII")
}

/// `ranks.csv`: one row per unit, the fields written straight into one buffer (20,000 sectors
/// take a few milliseconds, not a `String` per field).
fn ranks_csv(p: &Problem, s: &Summary, record: &RunRecord, w: &mut dyn Write) -> Result<()> {
    let mut out = record.comment_lines().into_bytes();
    let names = [
        "unit",
        "name",
        "nominal_rank",
        "median_rank",
        "rank_p5",
        "rank_p95",
    ];
    let points = p.indicators.iter().map(|i| format!("p_point_{i}"));
    let header = names.map(String::from).into_iter().chain(points);
    for (k, name) in header
        .chain(["p_eligible", "expected_amount"].map(String::from))
        .enumerate()
    {
        if k > 0 {
            out.push(b',');
        }
        text(&mut out, &name);
    }
    out.push(b'\n');
    for (i, u) in s.units.iter().enumerate() {
        text(&mut out, &p.units[i]);
        out.push(b',');
        text(&mut out, &p.names[i]);
        for rank in [u.nominal_rank, u.median_rank, u.rank_p5, u.rank_p95] {
            out.push(b',');
            integer(&mut out, rank);
        }
        for &v in u.point_probability.iter().chain([&u.eligible_probability]) {
            out.push(b',');
            csv_fields::number(&mut out, Some(v));
        }
        writeln!(out, ",{:.2}", u.expected_amount)?;
    }
    w.write_all(&out)?;
    Ok(())
}

/// The tables of `ranks.csv` and `sobol.csv` as sheets (probabilities as percentages, amounts
/// in euro), and the run record.
fn xlsx(
    p: &Problem,
    s: &Summary,
    factors: &[Factor],
    sobol: Option<&[Index]>,
    record: &RunRecord,
    lang: Lang,
) -> Result<Vec<u8>> {
    let mut header: Vec<String> = [
        ("NIS", "NIS"),
        ("Gemeente", "Municipality"),
        ("Rang", "Rank"),
        ("Mediaan rang", "Median rank"),
        ("Rang 5 %", "Rank 5 %"),
        ("Rang 95 %", "Rank 95 %"),
    ]
    .iter()
    .map(|(nl, en)| lang.pick(nl, en).to_owned())
    .collect();
    header.extend(
        p.indicators
            .iter()
            .map(|i| format!("{} {i}", lang.pick("P(punt)", "P(point)"))),
    );
    header.push(lang.pick("P(in aanmerking)", "P(eligible)").into());
    header.push(lang.pick("Verwacht bedrag", "Expected amount").into());
    let mut ranks = Sheet::new(lang.pick("Rangen", "Ranks"), header);
    for (i, u) in s.units.iter().enumerate() {
        let mut row = vec![
            Value::Text(p.units[i].clone()),
            Value::Text(p.names[i].clone()),
            Value::Int(u.nominal_rank.into()),
            Value::Int(u.median_rank.into()),
            Value::Int(u.rank_p5.into()),
            Value::Int(u.rank_p95.into()),
        ];
        row.extend(u.point_probability.iter().map(|&v| Value::Percent(v)));
        row.push(Value::Percent(u.eligible_probability));
        row.push(Value::Euro((u.expected_amount * 100.0).round() as i64));
        ranks.rows.push(row);
    }
    let mut sheets = vec![ranks];
    if let Some(idx) = sobol {
        let mut t = Sheet::new(
            "Sobol",
            [
                "factor",
                "S1",
                "S1 2,5 %",
                "S1 97,5 %",
                "ST",
                "ST 2,5 %",
                "ST 97,5 %",
            ]
            .map(|h| match lang {
                Lang::Nl => h.to_owned(),
                Lang::En => h.replace(',', "."),
            })
            .to_vec(),
        );
        for (f, i) in factors.iter().zip(idx) {
            t.rows.push(vec![
                Value::Text(f.name().into()),
                Value::Number(i.first, 3),
                Value::Number(i.first_interval.0, 3),
                Value::Number(i.first_interval.1, 3),
                Value::Number(i.total, 3),
                Value::Number(i.total_interval.0, 3),
                Value::Number(i.total_interval.1, 3),
            ]);
        }
        sheets.push(t);
    }
    sheets.push(Sheet::key_values(
        lang.pick("Uitvoering", "Run"),
        &record_lines(&record.comment_lines()),
    ));
    workbook(&sheets)
}

/// Per unit, the first-order and total Sobol index of its rank per factor (empty where the rank
/// never changes).
fn sobol_units_csv(
    p: &Problem,
    factors: &[Factor],
    units: &[Option<(Vec<f64>, Vec<f64>)>],
    record: &RunRecord,
    w: &mut dyn Write,
) -> Result<()> {
    w.write_all(record.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    let mut header = vec!["unit".to_owned(), "name".to_owned()];
    header.extend(factors.iter().map(|f| format!("first_{}", f.name())));
    header.extend(factors.iter().map(|f| format!("total_{}", f.name())));
    out.write_record(&header)?;
    for (i, indices) in units.iter().enumerate() {
        let mut row = vec![p.units[i].clone(), p.names[i].clone()];
        match indices {
            Some((first, total)) => row.extend(first.iter().chain(total).map(|&v| plain(v))),
            None => row.extend(vec![String::new(); 2 * factors.len()]),
        }
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}

fn sobol_csv(f: &[Factor], idx: &[Index], record: &RunRecord, w: &mut dyn Write) -> Result<()> {
    w.write_all(record.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "factor", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi",
    ])?;
    for (f, i) in f.iter().zip(idx) {
        out.write_record([
            f.name().to_owned(),
            plain(i.first),
            plain(i.first_interval.0),
            plain(i.first_interval.1),
            plain(i.total),
            plain(i.total_interval.0),
            plain(i.total_interval.1),
        ])?;
    }
    out.flush()?;
    Ok(())
}

fn text_summary(
    p: &Problem,
    s: &Summary,
    factors: &[Factor],
    sobol: Option<&[Index]>,
    lang: Lang,
) -> String {
    let mut out = format!(
        "{} {} {}; {} {}\n\n",
        number(s.runs as f64, 0, lang),
        lang.pick("replicaties", "replications"),
        lang.pick("gevarieerd", "varied"),
        factors
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", "),
        lang.pick(
            &format!(
                "- gemiddelde rangverschuiving {}",
                number(s.mean_rank_shift, 1, lang)
            ),
            &format!("- mean rank shift {}", number(s.mean_rank_shift, 1, lang)),
        ),
    );
    let mut t = Table::new(vec![
        (lang.pick("rang", "rank").into(), Align::Right),
        (lang.pick("gemeente", "municipality").into(), Align::Left),
        (lang.pick("mediaan", "median").into(), Align::Right),
        ("5-95 %".into(), Align::Right),
        (
            lang.pick("P(in aanmerking)", "P(eligible)").into(),
            Align::Right,
        ),
        (
            lang.pick("verwacht bedrag", "expected amount").into(),
            Align::Right,
        ),
    ]);
    let mut order: Vec<usize> = (0..p.n()).collect();
    order.sort_by_key(|&i| (s.units[i].nominal_rank, i));
    for &i in order.iter().take(15) {
        let u = &s.units[i];
        t.push(vec![
            u.nominal_rank.to_string(),
            p.names[i].clone(),
            u.median_rank.to_string(),
            format!("{}-{}", u.rank_p5, u.rank_p95),
            number(u.eligible_probability, 2, lang),
            format!("€ {}", number(u.expected_amount, 0, lang)),
        ]);
    }
    out.push_str(&t.render());
    if let Some(idx) = sobol {
        out.push('\n');
        let mut t = Table::new(vec![
            (lang.pick("factor", "factor").into(), Align::Left),
            ("S1".into(), Align::Right),
            ("95 %".into(), Align::Right),
            ("ST".into(), Align::Right),
            ("95 %".into(), Align::Right),
        ]);
        let iv = |(a, b): (f64, f64)| format!("{} - {}", number(a, 2, lang), number(b, 2, lang));
        for (f, i) in factors.iter().zip(idx) {
            t.push(vec![
                f.name().into(),
                number(i.first, 2, lang),
                iv(i.first_interval),
                number(i.total, 2, lang),
                iv(i.total_interval),
            ]);
        }
        out.push_str(&t.render());
    }
    out
}
