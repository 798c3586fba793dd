//! Throughput of reading an analyst's `sheet` CSV (Windows-1252, `;`, Belgian numbers with
//! thousands dots and decimal commas, suppressed cells): decoding, separator sniffing, the grid,
//! and the mapping to canonical rows. The demo's municipalities x years x indicators, written the
//! Belgian way. The 1 GB goal and the comparison with a bare polars read are not measured
//! yet (see README, "Speed").

use barometer::definition::Definition;
use barometer::demo;
use barometer::geo::Geography;
use barometer::ingest::layout::Layout;
use barometer::ingest::mapping::{self, Context};
use barometer::ingest::text;
use barometer::lang::Lang;
use barometer::report::format::number;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The demo store as a `sheet` file: `nis;jaar;indicator;teller;noemer`, Belgian numbers.
fn sheet_csv() -> Vec<u8> {
    let store = demo::bundled_store().unwrap();
    let mut out = String::from("nis;jaar;indicator;teller;noemer\n");
    for r in store.records().unwrap() {
        let num = |v: Option<f64>| v.map_or("<5".to_owned(), |v| number(v, 1, Lang::Nl));
        out.push_str(&format!(
            "{};{};{};{};{}\n",
            r.unit,
            r.year,
            r.indicator,
            num(r.numerator),
            num(r.denominator)
        ));
    }
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}

fn benches(c: &mut Criterion) {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let bytes = sheet_csv();
    let Layout::Mappings(_, mappings) = Layout::resolve("sheet").unwrap() else {
        unreachable!("sheet is a mapping layout")
    };
    let ctx = Context {
        def: &def,
        geo,
        indicator: None,
        source: "bench.csv",
    };
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("sheet CSV to canonical rows (38,400 rows)", |b| {
        b.iter(|| {
            let table = text::read_delimited(black_box(&bytes), "bench.csv", None).unwrap();
            mapping::apply(&mappings[0], &table, &ctx).unwrap()
        })
    });
    group.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(group);
