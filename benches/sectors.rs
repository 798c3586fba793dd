//! Scoring, ranking and allocation at statistical-sector scale: the sector demo's 20,000
//! synthetic sectors x 12 indicators (`barometer demo --units sectors`), 2022-2023 in memory.
//! One year scored, the same summed to municipalities, ranked against the year before, and a
//! budget allocated over the sectors scoring 6 or more. The all-years path of `batch` on 8
//! years (2016-2023, 1.92 million rows): the store read into a panel, every year scored and
//! ranked into the unit table, and one year's long table. Whole-command wall times and peak
//! memory on the full 2000-2023 store are in the README ("Sector scale").

use barometer::allocate::plan::allocate;
use barometer::allocate::rule::Rule;
use barometer::barometer::{score, score_year};
use barometer::batch::{self, Format, Table};
use barometer::definition::Definition;
use barometer::demo::{catalogue, sector_files, sectors};
use barometer::geo::Geography;
use barometer::indicators::summed_to_municipalities;
use barometer::panel::Panel;
use barometer::rank::Ranking;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const RULE: &str = r#"
[allocation]
name = "bench"
[eligibility]
min_score = 6
[key]
column = "denominator"
indicator = "kinderen-zonder-werk"
"#;

fn benches(c: &mut Criterion) {
    let geo = Geography::bundled();
    let mut indicators = catalogue::templates(12);
    let def =
        Definition::parse(&catalogue::definition_toml(&indicators, "bench"), "bench").unwrap();
    indicators.sort_by(|a, b| a.id.cmp(&b.id));
    let spec = sectors::Spec {
        sectors: sectors::DEFAULT_SECTORS,
        years: vec![2022, 2023],
        indicators: indicators.clone(),
        seed: 1,
    };
    let data = sectors::generate(spec, geo, || {}).unwrap();
    let store = sector_files::store(&data, "bench", None).unwrap();
    drop(data);
    c.bench_function("score one year (20,000 sectors x 12 indicators)", |b| {
        b.iter(|| score(black_box(&store), &def, geo, 2023).unwrap())
    });
    c.bench_function(
        "sum to municipalities (20,000 sectors x 12 x 2 years)",
        |b| b.iter(|| summed_to_municipalities(black_box(&store), geo).unwrap()),
    );
    let board = score(&store, &def, geo, 2023).unwrap();
    let before = score(&store, &def, geo, 2022).unwrap();
    c.bench_function(
        "rank 20,000 sectors with movement since the year before",
        |b| {
            b.iter_batched(
                || board.clone(),
                |now| Ranking::new(now, Some(black_box(&before))),
                BatchSize::LargeInput,
            )
        },
    );
    let rule = Rule::parse(RULE, "bench").unwrap();
    c.bench_function(
        "allocate 4.5 M euro over the sectors scoring 6+ (children key)",
        |b| b.iter(|| allocate(black_box(&board), &store, &rule, 450_000_000, None).unwrap()),
    );
    let panel = Panel::from_store(&store, Some(&[2023])).unwrap();
    let year = score_year(&panel, &def, geo, 2023).unwrap();
    c.bench_function(
        "long table of one year (240,000 rows, CSV and frame)",
        |b| b.iter(|| batch::part(black_box(&year), &def, (Table::Long, Format::Both)).unwrap()),
    );
    drop(store);
    let years: Vec<i32> = (2016..=2023).collect();
    let spec = sectors::Spec {
        sectors: sectors::DEFAULT_SECTORS,
        years: years.clone(),
        indicators,
        seed: 1,
    };
    let data = sectors::generate(spec, geo, || {}).unwrap();
    let store = sector_files::store(&data, "bench", None).unwrap();
    drop(data);
    c.bench_function("panel of 8 years (1.92 M rows)", |b| {
        b.iter(|| Panel::from_store(black_box(&store), None).unwrap())
    });
    let panel = Panel::from_store(&store, None).unwrap();
    drop(store);
    c.bench_function(
        "score and rank 8 years into the unit table (160,000 sector-years)",
        |b| {
            b.iter(|| {
                let defs = std::slice::from_ref(&def);
                batch::run(
                    black_box(&panel),
                    defs,
                    geo,
                    &years,
                    (Table::Units, Format::Both),
                    |p| {
                        black_box(p);
                        Ok(())
                    },
                )
                .unwrap()
            })
        },
    );
}

criterion_group!(name = group; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(group);
