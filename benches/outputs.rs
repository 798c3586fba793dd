//! Speed of the regional outputs on the bundled demo (300 municipalities): ranking with a
//! comparison year, a choropleth map (model + SVG, and PNG), an allocation with floor and cap;
//! and the sharing core over 20,000 units (statistical sectors) with synthetic keys.
//! The map uses ../shared/geo/municipalities-2019-wgs84.geojson when present, else a synthetic
//! grid of 300 squares of 64 vertices each.

use barometer::allocate::plan::allocate;
use barometer::allocate::rule::Rule;
use barometer::allocate::share::{Claim, share};
use barometer::barometer::score;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::map::classify::Method;
use barometer::map::geometry;
use barometer::map::model::Options;
use barometer::map::{Metric, build, png::MapChart, svg};
use barometer::rank::Ranking;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn geometry_bytes(geo: &Geography) -> Vec<u8> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geo/municipalities-2019-wgs84.geojson");
    if let Ok(bytes) = std::fs::read(shared) {
        return bytes;
    }
    let codes: Vec<&String> = geo.set_for_year(2023).codes.iter().collect();
    let features: Vec<serde_json::Value> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let (x0, y0) = (2.5 + (i % 20) as f64 * 0.1, 50.7 + (i / 20) as f64 * 0.05);
            let ring: Vec<[f64; 2]> = (0..=64)
                .map(|k| {
                    let t = k as f64 / 64.0 * 4.0;
                    let (dx, dy) = match t as usize {
                        0 => (t, 0.0),
                        1 => (1.0, t - 1.0),
                        2 => (3.0 - t, 1.0),
                        _ => (0.0, (4.0 - t).max(0.0)),
                    };
                    [x0 + dx * 0.1, y0 + dy * 0.05]
                })
                .collect();
            serde_json::json!({"type": "Feature", "properties": {"nis": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features}))
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let store = barometer::demo::bundled_store().unwrap();
    let bytes = geometry_bytes(geo);
    let rule = Rule::parse(
        "[allocation]\nname = \"bench\"\n[eligibility]\nmin_score = 5\n[key]\npreset = \"children\"\n[bounds]\nfloor = 25000\ncap = 550000\n",
        "bench.toml",
    )
    .unwrap();
    c.bench_function("rank 300 municipalities with a comparison year", |b| {
        b.iter(|| {
            let now = score(black_box(&store), &def, geo, 2023).unwrap();
            let before = score(&store, &def, geo, 2018).unwrap();
            Ranking::new(now, Some(&before))
        })
    });
    let board = score(&store, &def, geo, 2023).unwrap();
    let opts = Options {
        metric: Metric::Score,
        method: Method::Jenks(5),
        lang: Lang::Nl,
        source: vec!["bench".into()],
    };
    c.bench_function(
        "map 300 municipalities: parse GeoJSON, join, class, project, SVG",
        |b| {
            b.iter(|| {
                let layer = geometry::parse(black_box(&bytes), "bench", None, None).unwrap();
                svg::svg(&build(&layer, &board, &def, geo, &opts).unwrap())
            })
        },
    );
    let layer = geometry::parse(&bytes, "bench", None, None).unwrap();
    let model = build(&layer, &board, &def, geo, &opts).unwrap();
    c.bench_function("map 300 municipalities: PNG at 300 dpi", |b| {
        b.iter(|| barometer::chart::png(&MapChart(black_box(&model))).unwrap())
    });
    c.bench_function(
        "allocate 4.5 million over 300 municipalities (score >= 5, floor, cap)",
        |b| b.iter(|| allocate(black_box(&board), &store, &rule, 450_000_000, None).unwrap()),
    );
    // 20,000 statistical sectors: keys 0-2,000 children, floor 500 euro, cap 5,000 euro.
    let claims: Vec<Claim> = (0..20_000u64)
        .map(|i| Claim {
            key: ((i * 2_654_435_761) % 2_000) as f64,
            min: 50_000,
            max: Some(500_000),
        })
        .collect();
    c.bench_function("share 45 million over 20,000 units (floor and cap)", |b| {
        b.iter(|| share(black_box(4_500_000_000), &claims).unwrap())
    });
}

criterion_group!(name = group; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(group);
