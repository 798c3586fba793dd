//! Property tests of the engine's invariants on random stores (the ranking permutation is in
//! tests/rank.rs, the allocation invariants in tests/allocate.rs, the Belgian number reader in
//! src/ingest/belgian.rs):
//! - a score lies within 0..=number of indicators and counts exactly the points;
//! - merging municipalities conserves counts (never a smaller sum);
//! - province and Flanders aggregates are the sums of their parts;
//! - deciles and percentiles follow the ranks.
//!
//! Also the soak run (ignored by default; see the README): the whole pipeline 1,000 times over
//! random valid inputs, with memory sampled.

use barometer::barometer::score;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::indicators::{self, Level, VALUE};
use barometer::ingest::harmonise::{harmonise, successor};
use barometer::store::{Record, Status, Store, StoreMeta, col};
use polars::prelude::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One generated cell: absent, missing, suppressed, or observed counts (numerator <= denominator,
/// so every indicator kind accepts them; whole numbers, so sums are exact).
#[derive(Debug, Clone, Copy)]
enum Gen {
    Absent,
    Missing,
    Suppressed(u32),
    Observed(u32, u32),
}

fn gen_cell() -> impl Strategy<Value = Gen> {
    prop_oneof![
        1 => Just(Gen::Absent),
        1 => Just(Gen::Missing),
        1 => (1u32..5000).prop_map(Gen::Suppressed),
        8 => (1u32..5000, 0u32..=1000).prop_map(|(d, per)| Gen::Observed(d * per / 1000, d)),
    ]
}

fn record(unit: &str, year: i32, indicator: &str, cell: Gen) -> Option<Record> {
    let (numerator, denominator, status) = match cell {
        Gen::Absent => return None,
        Gen::Missing => (None, None, Status::Missing),
        Gen::Suppressed(d) => (None, Some(f64::from(d)), Status::Suppressed),
        Gen::Observed(n, d) => (Some(f64::from(n)), Some(f64::from(d)), Status::Observed),
    };
    Some(Record {
        unit: unit.to_owned(),
        year,
        indicator: indicator.to_owned(),
        numerator,
        denominator,
        status,
        source: "proptest".into(),
    })
}

/// A store for `year` over the first `n` municipalities of the 2019-2024 set, cells from `cells`
/// (cycled), with at least one observed row so that the year exists.
fn random_store(def: &Definition, n: usize, cells: &[Gen], year: i32) -> Store {
    let geo = Geography::bundled();
    let codes: Vec<&String> = geo.set_for_year(2023).codes.iter().take(n).collect();
    let mut records = Vec::new();
    let mut i = 0;
    for code in &codes {
        for ind in &def.indicators {
            if let Some(r) = record(code, year, &ind.id, cells[i % cells.len()]) {
                records.push(r);
            }
            i += 1;
        }
    }
    if records.is_empty() {
        records.push(record(codes[0], year, &def.indicators[0].id, Gen::Observed(1, 2)).unwrap());
    }
    Store::from_records(records, StoreMeta::default(), "proptest").unwrap()
}

fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    let ca = df
        .column(name)
        .unwrap()
        .as_materialized_series()
        .f64()
        .unwrap()
        .clone();
    (0..ca.len()).map(|i| ca.get(i)).collect()
}

fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    let ca = df
        .column(name)
        .unwrap()
        .as_materialized_series()
        .str()
        .unwrap()
        .clone();
    (0..ca.len())
        .map(|i| ca.get(i).unwrap_or("").to_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Score = number of points, within 0..=indicators the score rests on <= indicators scored;
    /// deciles 1-10 and percentiles 0-1 follow the ranks.
    #[test]
    fn scores_lie_within_zero_and_the_number_of_indicators(
        n in 2usize..60,
        cells in prop::collection::vec(gen_cell(), 1..200),
    ) {
        let def = Definition::bundled();
        let store = random_store(&def, n, &cells, 2023);
        let board = score(&store, &def, Geography::bundled(), 2023).unwrap();
        let scored = def.indicators.len() as u32;
        prop_assert!(!board.rows.is_empty());
        for r in &board.rows {
            let points = r.cells.iter().filter(|c| c.point == Some(true)).count() as u32;
            let known = r.cells.iter().filter(|c| c.point.is_some()).count() as u32;
            prop_assert_eq!(r.score, points);
            prop_assert_eq!(r.indicators, known);
            prop_assert!(r.score <= r.indicators && r.indicators <= scored);
            prop_assert!((1..=10).contains(&r.decile), "decile {}", r.decile);
            prop_assert!((0.0..=1.0).contains(&r.percentile), "percentile {}", r.percentile);
            for c in &r.cells {
                if let Some(v) = c.value {
                    prop_assert!(v.is_finite() && v >= 0.0);
                }
                // A point needs a value and a reference.
                if c.point.is_some() {
                    prop_assert!(c.value.is_some() && c.reference.is_some());
                }
            }
        }
        // Ranks and deciles move together: a municipality more at risk never has a later decile.
        for a in &board.rows {
            for b in &board.rows {
                if a.rank < b.rank {
                    prop_assert!(a.decile <= b.decile && a.percentile >= b.percentile);
                }
            }
        }
    }

    /// Restating a year of the 2014-2018 set in the 2025 set (both rounds of mergers) conserves
    /// the counts: each merged row is the sum of all its parts, or missing / suppressed when a part
    /// is, never a smaller sum; rows of unmerged municipalities pass unchanged.
    #[test]
    fn merging_municipalities_conserves_counts(
        cells in prop::collection::vec(gen_cell(), 1..400),
        skip in 0usize..400,
    ) {
        let geo = Geography::bundled();
        let (from, target) = (&geo.sets()[0], &geo.sets()[2]);
        let indicator = "kansarmoede-index";
        // Every code of the old set; the cells decide which rows are absent, missing, ...
        let mut input = Vec::new();
        for (i, code) in from.codes.iter().enumerate() {
            // One code forced observed so that the year's set stays 2014-2018.
            let cell = if i == skip % from.codes.len() { Gen::Observed(1, 10) } else { cells[i % cells.len()] };
            if let Some(r) = record(code, 2016, indicator, cell) {
                input.push((r, i));
            }
        }
        // Only codes of 2014-2018 that later disappeared prove the year's set.
        let merged_away: BTreeSet<&str> = geo.mergers().iter().filter(|m| m.old_nis != m.new_nis).map(|m| m.old_nis.as_str()).collect();
        prop_assume!(input.iter().any(|(r, _)| merged_away.contains(r.unit.as_str())));
        let by_code: BTreeMap<&str, &Record> = input.iter().map(|(r, _)| (r.unit.as_str(), r)).collect();
        let succ: BTreeMap<&str, &str> = from.codes.iter().map(|c| (c.as_str(), successor(geo, c, from, target))).collect();
        let mut parts_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (old, new) in &succ {
            parts_of.entry(new).or_default().push(old);
        }
        let (out, _) = harmonise(geo, input.clone(), target).unwrap();
        let mut seen = BTreeSet::new();
        for (r, _) in &out {
            prop_assert!(target.codes.contains(&r.unit), "{} is not a 2025 code", r.unit);
            prop_assert!(seen.insert(r.unit.clone()), "{} twice", r.unit);
            let parts = &parts_of[r.unit.as_str()];
            let given: Vec<&Record> = parts.iter().filter_map(|c| by_code.get(c).copied()).collect();
            let complete = given.len() == parts.len();
            if !complete || given.iter().any(|p| p.status == Status::Missing) {
                prop_assert_eq!(r.status, Status::Missing);
                prop_assert_eq!(r.numerator, None);
            } else if given.iter().any(|p| p.status == Status::Suppressed) {
                prop_assert_eq!(r.status, Status::Suppressed);
                prop_assert_eq!(r.numerator, None);
                let den: f64 = given.iter().map(|p| p.denominator.unwrap()).sum();
                prop_assert_eq!(r.denominator, Some(den));
            } else {
                prop_assert_eq!(r.status, Status::Observed);
                let num: f64 = given.iter().map(|p| p.numerator.unwrap()).sum();
                let den: f64 = given.iter().map(|p| p.denominator.unwrap()).sum();
                prop_assert_eq!(r.numerator, Some(num));
                prop_assert_eq!(r.denominator, Some(den));
            }
        }
        // Conservation over the whole year: the counts of fully observed merged groups add up.
        let observed_in: f64 = out
            .iter()
            .filter(|(r, _)| r.status == Status::Observed)
            .map(|(r, _)| r.numerator.unwrap())
            .sum();
        let observed: BTreeSet<&str> = out.iter().filter(|(r, _)| r.status == Status::Observed).map(|(r, _)| r.unit.as_str()).collect();
        let observed_parts: f64 = input
            .iter()
            .filter(|(p, _)| observed.contains(succ[p.unit.as_str()]))
            .map(|(p, _)| p.numerator.unwrap())
            .sum();
        prop_assert_eq!(observed_in, observed_parts);
    }

    /// Province and Flemish aggregates are the sums of their parts: a province sums the counts of
    /// its municipalities with a value, Flanders sums the provinces.
    #[test]
    fn province_and_flanders_are_the_sums_of_their_parts(
        n in 20usize..300,
        cells in prop::collection::vec(gen_cell(), 1..300),
    ) {
        let def = Definition::bundled();
        let geo = Geography::bundled();
        let store = random_store(&def, n, &cells, 2020);
        let h = indicators::hierarchy(geo).unwrap();
        let municipal = indicators::municipal(&store, Some(2020)).collect().unwrap();
        let province = indicators::aggregate(municipal.clone().lazy(), &h, Level::Province).collect().unwrap();
        let region = indicators::aggregate(municipal.clone().lazy(), &h, Level::Region).collect().unwrap();

        // Municipal sums per (province, indicator), over the rows with a value.
        let (units, inds, nums, dens, vals) = (
            strs(&municipal, col::UNIT),
            strs(&municipal, col::INDICATOR),
            f64s(&municipal, col::NUMERATOR),
            f64s(&municipal, col::DENOMINATOR),
            f64s(&municipal, VALUE),
        );
        let mut sums: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for i in 0..units.len() {
            if vals[i].is_none() {
                continue;
            }
            let prov = geo.municipality(&units[i]).unwrap().province.clone();
            let e = sums.entry((prov, inds[i].clone())).or_default();
            e.0 += nums[i].unwrap();
            e.1 += dens[i].unwrap();
        }
        let (p_area, p_ind, p_num, p_den, p_val) = (
            strs(&province, Level::Province.column()),
            strs(&province, col::INDICATOR),
            f64s(&province, col::NUMERATOR),
            f64s(&province, col::DENOMINATOR),
            f64s(&province, VALUE),
        );
        let mut flanders: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for i in 0..p_area.len() {
            let (num, den) = sums.get(&(p_area[i].clone(), p_ind[i].clone())).copied().unwrap_or((0.0, 0.0));
            prop_assert_eq!(p_num[i].unwrap_or(0.0), num, "numerator of {} {}", p_area[i], p_ind[i]);
            prop_assert_eq!(p_den[i].unwrap_or(0.0), den);
            if den > 0.0 {
                prop_assert_eq!(p_val[i], Some(num / den));
            } else {
                prop_assert_eq!(p_val[i], None);
            }
            let e = flanders.entry(p_ind[i].clone()).or_default();
            e.0 += p_num[i].unwrap_or(0.0);
            e.1 += p_den[i].unwrap_or(0.0);
        }
        let (r_ind, r_num, r_den) = (
            strs(&region, col::INDICATOR),
            f64s(&region, col::NUMERATOR),
            f64s(&region, col::DENOMINATOR),
        );
        prop_assert_eq!(r_ind.len(), flanders.len());
        for i in 0..r_ind.len() {
            let (num, den) = flanders[&r_ind[i]];
            prop_assert_eq!(r_num[i].unwrap_or(0.0), num, "Flanders numerator of {}", r_ind[i]);
            prop_assert_eq!(r_den[i].unwrap_or(0.0), den);
        }
    }
}

/// Resident memory of this process in kB (Linux), for the soak run.
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The soak run: the whole pipeline in-process over random valid inputs (`SOAK_ITERATIONS`,
/// default 1,000), checking the outputs each time and sampling resident memory. Ignored by
/// default (about 10 minutes in debug); the README gives the command and the measured numbers.
#[test]
#[ignore = "soak run: cargo test --release --test properties soak -- --ignored --nocapture"]
fn soak_the_whole_pipeline() {
    use barometer::allocate::{plan, rule::Rule};
    use barometer::batch::{self, Format, Table};
    use barometer::ingest::{self, tidy};
    use barometer::lang::Lang;
    use barometer::map::{self, classify::Method, geometry, svg};
    use barometer::panel::Panel;
    use barometer::rank::Ranking;
    use rand::{RngExt, SeedableRng};

    let iterations: usize = std::env::var("SOAK_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let codes: Vec<&String> = geo.set_for_year(2023).codes.iter().collect();
    let ids: Vec<String> = def.all_indicators().map(|i| i.id.clone()).collect();
    let rule = Rule::parse(
        include_str!("../data/allocations/kansarme-geboorten.toml"),
        "kansarme-geboorten.toml",
    )
    .unwrap();
    let geojson = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/geo/vier.geojson"
    ))
    .unwrap();
    let layer = geometry::parse(&geojson, "vier.geojson", None, None).unwrap();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(8);
    let start = std::time::Instant::now();
    let mut samples: Vec<(usize, u64)> = Vec::new();
    let mut refused = 0;
    for i in 1..=iterations {
        // Random valid tidy input: two consecutive years, every municipality and indicator,
        // about 5 % suppressed cells.
        let year = rng.random_range(2019..=2023);
        let mut text = String::from("nis;jaar;indicator;teller;noemer;status\n");
        for y in [year - 1, year] {
            for code in &codes {
                for id in &ids {
                    let den: u32 = rng.random_range(1..20_000);
                    if rng.random_range(0..100) < 5 {
                        text.push_str(&format!("{code};{y};{id};;{den};suppressed\n"));
                    } else {
                        let num = rng.random_range(0..=den);
                        text.push_str(&format!("{code};{y};{id};{num};{den};\n"));
                    }
                }
            }
        }
        let parsed =
            tidy::parse(text.as_bytes(), std::path::Path::new("soak.csv"), &def, geo).unwrap();
        assert!(parsed.rejected.is_empty(), "iteration {i}: rows rejected");
        let (merged, report) = ingest::merge(
            None,
            vec![parsed],
            &def,
            ingest::Options::default(),
            geo,
            "soak.parquet",
        )
        .unwrap();
        let rows = 2 * codes.len() * ids.len();
        assert_eq!(report.added, rows, "iteration {i}");
        // Through Parquet and back, as a store on disk would be.
        let bytes = merged.to_parquet().unwrap();
        let store = Store::from_parquet(&bytes, "soak.parquet").unwrap();
        assert_eq!(store.records().unwrap().len(), rows);
        let before = score(&store, &def, geo, year - 1).unwrap();
        let board = score(&store, &def, geo, year).unwrap();
        assert_eq!(board.rows.len(), codes.len());
        for r in &board.rows {
            assert!(r.score <= r.indicators && r.indicators as usize <= def.indicators.len());
        }
        let ranking = Ranking::new(board.clone(), Some(&before));
        assert_eq!(ranking.board.rows.len(), codes.len());
        let budget = 450_000_000;
        match plan::allocate(&board, &store, &rule, budget, None) {
            Ok(a) => assert_eq!(a.lines.iter().map(|l| l.cents).sum::<i64>(), budget),
            // Refused, never a wrong sum: too few municipalities with score 5 for the floor, or
            // an eligible municipality whose key (the numerator) is suppressed.
            Err(e) => {
                let msg = format!("{e:#}");
                assert!(
                    msg.contains("floor") || msg.contains("has no value in"),
                    "iteration {i}: {msg}"
                );
                refused += 1;
            }
        }
        let mut csv = Vec::new();
        let mut parquet = Vec::new();
        let mut writer = batch::parquet_writer(&mut parquet, Table::Long, "{}").unwrap();
        batch::csv_header("# soak\n", Table::Long, &mut csv).unwrap();
        let panel = Panel::from_store(&store, Some(&[year - 1, year])).unwrap();
        let rows = batch::run(
            &panel,
            std::slice::from_ref(&def),
            geo,
            &[year - 1, year],
            (Table::Long, Format::Both),
            |part| {
                writer.write_batch(part.frame.as_ref().expect("a frame"))?;
                csv.extend_from_slice(&part.csv);
                Ok(())
            },
        )
        .unwrap();
        writer.finish().unwrap();
        assert!(rows > 0 && csv.len() > 1000);
        assert!(parquet.starts_with(b"PAR1"));
        let opts = map::model::Options {
            metric: map::Metric::parse("score", &def).unwrap(),
            method: Method::parse("quantile:5").unwrap(),
            lang: Lang::Nl,
            source: vec!["soak".into()],
        };
        let model = map::build(&layer, &board, &def, geo, &opts).unwrap();
        let drawing = svg::svg(&model);
        assert!(drawing.starts_with("<svg") && !drawing.contains("NaN"));
        if i == 1 || i % 50 == 0 {
            let kb = rss_kb().unwrap_or(0);
            samples.push((i, kb));
            eprintln!(
                "soak {i:>5}/{iterations}: RSS {:>7.1} MB after {:.0} s",
                kb as f64 / 1024.0,
                start.elapsed().as_secs_f64()
            );
        }
    }
    // Stable memory: after warming up (the first 10 %), resident memory grows by less than
    // 64 MB over the rest of the run.
    let warm = samples
        .iter()
        .find(|(i, _)| *i >= iterations / 10)
        .map_or(0, |s| s.1);
    let last = samples.last().map_or(0, |s| s.1);
    eprintln!(
        "soak: {iterations} iterations in {:.0} s ({refused} allocations refused); RSS {:.1} MB \
         after warm-up, {:.1} MB at the end",
        start.elapsed().as_secs_f64(),
        warm as f64 / 1024.0,
        last as f64 / 1024.0
    );
    assert!(
        last < warm + 64 * 1024,
        "memory grew from {warm} kB to {last} kB"
    );
}
