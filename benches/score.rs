//! Speed of the scoring path on the bundled demo: generating the demo store, parsing tidy CSV,
//! and scoring one year of 300 municipalities. The end-to-end wall time including process start
//! is measured with hyperfine (README, "Speed").

use barometer::barometer::score;
use barometer::definition::Definition;
use barometer::demo;
use barometer::geo::Geography;
use barometer::ingest::tidy;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn tidy_csv(store: &barometer::store::Store) -> Vec<u8> {
    let mut out = b"nis;jaar;indicator;teller;noemer;status\n".to_vec();
    for r in store.records().unwrap() {
        let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        out.extend(
            format!(
                "{};{};{};{};{};{}\n",
                r.unit,
                r.year,
                r.indicator,
                num(r.numerator),
                num(r.denominator),
                r.status.as_str()
            )
            .bytes(),
        );
    }
    out
}

fn benches(c: &mut Criterion) {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let store = demo::bundled_store().unwrap();
    c.bench_function("score one year (300 municipalities x 7 indicators)", |b| {
        b.iter(|| score(black_box(&store), &def, geo, 2023).unwrap())
    });
    c.bench_function("generate the demo store (38,400 rows)", |b| {
        b.iter(|| demo::generate(black_box(demo::SEED)).unwrap())
    });
    let bytes = tidy_csv(&store);
    c.bench_function("parse tidy CSV (38,400 rows)", |b| {
        b.iter(|| tidy::parse(black_box(&bytes), Path::new("demo.csv"), &def, geo).unwrap())
    });
}

criterion_group!(name = group; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(group);
