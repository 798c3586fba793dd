//! Ingest throughput (criterion reports bytes/s): an analyst's `sheet` CSV (Windows-1252, `;`,
//! Belgian numbers with thousands dots and decimal commas, suppressed cells) sniffed, decoded and
//! mapped to canonical rows in blocks (what `--layout sheet` does); a tidy CSV of statistical sectors read on all cores into columns and
//! merged into a store; and the two number parsers on their own. The inputs are the demo's
//! municipalities x years x indicators, generated in memory. The 1 GB files of the goal
//! and the comparison with a bare polars read are in the README ("Speed").

use barometer::definition::Definition;
use barometer::demo;
use barometer::geo::Geography;
use barometer::ingest::belgian::{self, NumberStyle};
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::number::parse_count;
use barometer::ingest::{self, Options, tidy};
use barometer::lang::Lang;
use barometer::report::format::number;
use barometer::store::Record;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

/// The demo store as a `sheet` file: `nis;jaar;indicator;teller;noemer`, Belgian numbers.
fn sheet_csv(records: &[Record]) -> Vec<u8> {
    let mut out = String::from("nis;jaar;indicator;teller;noemer\n");
    for r in records {
        let num = |v: Option<f64>| v.map_or("<5".to_owned(), |v| number(v, 1, Lang::Nl));
        let _ = writeln!(
            out,
            "{};{};{};{};{}",
            r.unit,
            r.year,
            r.indicator,
            num(r.numerator),
            num(r.denominator)
        );
    }
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}

/// The demo store as a tidy file of `sectors` statistical sectors per municipality.
fn tidy_sectors_csv(records: &[Record], sectors: usize) -> Vec<u8> {
    let mut out = String::from("nis;jaar;indicator;teller;noemer;status;bron\n");
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for s in 0..sectors {
        let section = char::from(b'A' + (s / 100) as u8);
        for r in records {
            let _ = writeln!(
                out,
                "{}{section}{:02}-;{};{};{};{};{};{}",
                r.unit,
                s % 100,
                r.year,
                r.indicator,
                num(r.numerator),
                num(r.denominator),
                r.status.as_str(),
                r.source
            );
        }
    }
    out.into_bytes()
}

fn benches(c: &mut Criterion) {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let records = demo::bundled_store().unwrap().records().unwrap();
    let sheet = sheet_csv(&records);
    let sheet_layout = Layout::resolve("sheet").unwrap();
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(sheet.len() as u64));
    group.bench_function("sheet CSV to rows, read in blocks (38,400 rows)", |b| {
        b.iter(|| {
            let path = Path::new("bench.csv");
            layout::read_bytes(black_box(&sheet), path, &sheet_layout, &def, geo, None).unwrap()
        })
    });
    let tidy_bytes = tidy_sectors_csv(&records, 4);
    group.throughput(Throughput::Bytes(tidy_bytes.len() as u64));
    group.bench_function("tidy CSV of sectors to rows (153,600 rows)", |b| {
        b.iter(|| tidy::parse(black_box(&tidy_bytes), Path::new("bench.csv"), &def, geo).unwrap())
    });
    group.bench_function("tidy CSV of sectors to store Parquet (153,600 rows)", |b| {
        b.iter(|| {
            let f = tidy::parse(black_box(&tidy_bytes), Path::new("bench.csv"), &def, geo).unwrap();
            let (merged, _) =
                ingest::merge(None, vec![f], &def, Options::default(), geo, "bench").unwrap();
            merged.to_parquet().unwrap()
        })
    });
    group.finish();

    let cells = [
        "12153", "18,6", "1234.5", "0,125", "", "65363", "3170,5", "12", "2000", "7",
    ];
    let belgian_cells = [
        "12.153",
        "1.234,5",
        "18,6",
        "0,125",
        "65.363",
        "3.170,5",
        "12",
        "2.000",
        "7",
        "1.234.567",
    ];
    let mut numbers = c.benchmark_group("numbers");
    numbers.throughput(Throughput::Elements(cells.len() as u64));
    numbers.bench_function("tidy parse_count (10 cells)", |b| {
        b.iter(|| {
            for t in black_box(&cells) {
                black_box(parse_count(t).unwrap());
            }
        })
    });
    numbers.bench_function("Belgian parse (10 cells)", |b| {
        b.iter(|| {
            for t in black_box(&belgian_cells) {
                black_box(belgian::parse(t, NumberStyle::Belgian).unwrap());
            }
        })
    });
    numbers.finish();
}

criterion_group!(name = group; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(group);
