//! Maps: the hand-made geometries under tests/fixtures/geo (always) and the boundary files in
//! ../shared/geo (when present): one shape per municipality, colours matching the classes, holes,
//! mergers, the mismatch report, the HTML tooltip, GeoJSON for QGIS, and bad input.

use assert_cmd::Command;
use barometer::barometer::score;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::map::classify::{Method, YLORRD8, hex};
use barometer::map::geometry::{self, Crs};
use barometer::map::model::Options;
use barometer::map::{Metric, build, svg};
use barometer::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn barometer() -> Command {
    let mut cmd = Command::cargo_bin("barometer").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795482061");
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/geo")
        .join(name)
}

fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geo")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is not present", p.display());
        None
    }
}

/// `data-nis` -> (fill, data-class) for every municipality path of an SVG.
fn paths(svg: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for part in svg.split("<path class=\"m\"").skip(1) {
        let attr = |name: &str| {
            let start = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            part[start..start + part[start..].find('"').unwrap()].to_owned()
        };
        let nis = attr("data-nis");
        assert!(
            out.insert(nis.clone(), (attr("fill"), attr("data-class")))
                .is_none(),
            "{nis} drawn twice"
        );
    }
    out
}

fn model_for(
    path: &Path,
    year: i32,
    metric: Metric,
) -> (barometer::map::Model, barometer::barometer::Scoreboard) {
    let def = Definition::bundled();
    let store = Store::load(None).unwrap();
    let geo = Geography::bundled();
    let board = score(&store, &def, geo, year).unwrap();
    let layer = geometry::parse(&std::fs::read(path).unwrap(), "t", None, None).unwrap();
    let opts = Options {
        metric,
        method: Method::Quantile(5),
        lang: Lang::Nl,
        source: vec!["Bron: test".into()],
    };
    (build(&layer, &board, &def, geo, &opts).unwrap(), board)
}

#[test]
fn handmade_geometry_joins_merges_and_reports() {
    let (model, board) = model_for(&fixture("vier.geojson"), 2023, Metric::Score);
    let svg = svg::svg(&model);
    let p = paths(&svg);
    assert_eq!(
        p.keys().cloned().collect::<Vec<_>>(),
        ["11001", "11002", "12041", "71016"]
    );
    for (nis, (fill, class)) in &p {
        let row = board.rows.iter().find(|r| &r.nis == nis).unwrap();
        assert_eq!(class, &row.score.to_string());
        assert_eq!(fill, &hex(YLORRD8[row.score as usize]), "{nis}");
    }
    // Antwerpen keeps its hole: two rings in one evenodd path; Aartselaar (the enclave) is drawn later.
    let antwerpen = svg.split("data-nis=\"11002\"").nth(1).unwrap();
    let d = &antwerpen[antwerpen.find(" d=\"").unwrap()..];
    assert_eq!(d[..d.find("\">").unwrap()].matches('M').count(), 2);
    assert!(svg.find("data-nis=\"11002\"").unwrap() < svg.find("data-nis=\"11001\"").unwrap());
    assert_eq!(
        model.report.merged,
        [("12030".to_owned(), "12041".to_owned())]
    );
    assert_eq!(model.report.geometry_only, ["11099"]);
    assert_eq!(model.report.outside, 1);
    assert_eq!(model.report.store_only.len(), 300 - 4);
    // The shared edge between Antwerpen (province 10000) and Genk (70000) is a province border;
    // the edges between Antwerpen and its enclave Aartselaar (same province) are not.
    assert!(!model.province_edges.is_empty());
    let hole_edges = model
        .province_edges
        .iter()
        .filter(|[a, b]| {
            let inside = |p: &[f64; 2]| {
                let s = &model
                    .shapes
                    .iter()
                    .find(|s| s.nis == "11001")
                    .unwrap()
                    .polygons[0][0];
                s.iter()
                    .any(|q| (q[0] - p[0]).abs() < 1e-6 && (q[1] - p[1]).abs() < 1e-6)
            };
            inside(a) && inside(b)
        })
        .count();
    assert_eq!(hole_edges, 0);
    // Aspect ratio: a square of 0.3 by 0.3 degrees at about 51° N is cos(51°) as wide as tall.
    let s = model.shapes.iter().find(|s| s.nis == "11002").unwrap();
    let ring = &s.polygons[0][0];
    let w = ring.iter().map(|p| p[0]).fold(f64::MIN, f64::max)
        - ring.iter().map(|p| p[0]).fold(f64::MAX, f64::min);
    let h = ring.iter().map(|p| p[1]).fold(f64::MIN, f64::max)
        - ring.iter().map(|p| p[1]).fold(f64::MAX, f64::min);
    assert!(
        ((w / h) - 51.4f64.to_radians().cos()).abs() < 0.02,
        "{}",
        w / h
    );
}

#[test]
fn lambert_fixture_with_numeric_codes() {
    let layer = geometry::parse(
        &std::fs::read(fixture("lambert.geojson")).unwrap(),
        "l",
        None,
        None,
    )
    .unwrap();
    assert_eq!((layer.crs, layer.key.as_str()), (Crs::Lambert72, "NIS5"));
    let (model, _) = model_for(
        &fixture("lambert.geojson"),
        2023,
        Metric::Indicator("kansarmoede-index".into()),
    );
    assert_eq!(model.shapes.len(), 3);
    // Lambert 72 is drawn in metres: 7 km wide, 11 km tall per unit square.
    let ring = &model
        .shapes
        .iter()
        .find(|s| s.nis == "71016")
        .unwrap()
        .polygons[0][0];
    let w = ring[1][0] - ring[0][0];
    let h = ring[0][1] - ring[2][1];
    assert!((w / h - 7.0 / 33.0).abs() < 1e-6, "{}", w / h);
}

#[test]
fn the_2019_boundaries_give_300_shapes_in_score_colours() {
    let Some(path) = shared("municipalities-2019-wgs84.geojson") else {
        return;
    };
    let (model, board) = model_for(&path, 2023, Metric::Score);
    let p = paths(&svg::svg(&model));
    assert_eq!(p.len(), 300);
    assert!(model.report.store_only.is_empty() && model.report.geometry_only.is_empty());
    assert_eq!(model.report.outside, 281);
    for r in &board.rows {
        assert_eq!(p[&r.nis].0, hex(YLORRD8[r.score as usize]), "{}", r.nis);
    }
    // Flanders is drawn about 2,6 times as wide as tall (250 km by 95 km).
    let pts: Vec<[f64; 2]> = model
        .shapes
        .iter()
        .flat_map(|s| s.polygons.iter().flatten().flatten().copied())
        .collect();
    let span = |k: usize| {
        pts.iter().map(|p| p[k]).fold(f64::MIN, f64::max)
            - pts.iter().map(|p| p[k]).fold(f64::MAX, f64::min)
    };
    let ratio = span(0) / span(1);
    assert!((2.4..2.9).contains(&ratio), "{ratio}");
}

#[test]
fn the_pre2019_boundaries_are_merged_into_the_300() {
    let Some(path) = shared("municipalities-pre2019-lambert72.geojson") else {
        return;
    };
    let (model, _) = model_for(&path, 2023, Metric::Rank);
    assert_eq!(model.shapes.len(), 300);
    assert_eq!(model.report.merged.len(), 15);
    assert!(model.report.store_only.is_empty());
}

#[test]
fn command_writes_svg_png_html_and_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let g = fixture("vier.geojson");
    let out = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let o = barometer()
        .args([
            "map",
            "--year",
            "2023",
            "--geometry",
            g.to_str().unwrap(),
            "--out",
            &out("k.html"),
            "--geojson-out",
            &out("k.geojson"),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("1 oude codes samengevoegd: 12030->12041"),
        "{err}"
    );
    assert!(
        err.contains("codes in de geometrie zonder gegevens: 11099"),
        "{err}"
    );
    let html = std::fs::read_to_string(out("k.html")).unwrap();
    assert!(html.contains("data-tip=\"Antwerpen (11002): score "));
    assert!(html.contains("KAI ●") || html.contains("KAI ·"));
    assert!(html.contains("mousemove"));
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("k.geojson")).unwrap()).unwrap();
    let f = gj["features"].as_array().unwrap();
    assert_eq!(f.len(), 4);
    assert_eq!(f[0]["properties"]["nis"], "11002");
    assert!(f[0]["properties"]["bar_score"].is_u64());
    barometer()
        .args([
            "map",
            "--year",
            "2023",
            "--geometry",
            g.to_str().unwrap(),
            "--out",
            &out("k.png"),
        ])
        .assert()
        .success();
    assert_eq!(&std::fs::read(out("k.png")).unwrap()[1..4], b"PNG");
}

#[test]
fn without_geometry_it_says_where_to_get_it_and_bad_input_is_named() {
    barometer()
        .args(["map", "--year", "2023", "--out", "k.svg"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Statbel"))
        .stderr(predicates::str::contains("--geometry FILE"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.geojson");
    std::fs::write(&bad, "{\"type\":\"FeatureCollection\",\n\"features\": [}").unwrap();
    let svg = dir.path().join("k.svg");
    barometer()
        .args([
            "map",
            "--year",
            "2023",
            "--geometry",
            bad.to_str().unwrap(),
            "--out",
            svg.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "bad.geojson: not valid JSON at line 2",
        ));
    assert!(!svg.exists());
    barometer()
        .args([
            "map",
            "--year",
            "2023",
            "--geometry",
            fixture("vier.geojson").to_str().unwrap(),
            "--key",
            "code",
            "--out",
            svg.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no feature has the property 'code'",
        ));
    barometer()
        .args([
            "map",
            "--year",
            "2023",
            "--geometry",
            fixture("vier.geojson").to_str().unwrap(),
            "--classes",
            "natural",
            "--metric",
            "rank",
            "--out",
            svg.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown classes 'natural'"));
    assert!(!svg.exists());
}

#[test]
fn charts_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, file) in [("bars", "b.svg"), ("grid", "g.png")] {
        let p = dir.path().join(file);
        barometer()
            .args([
                "chart",
                kind,
                "--year",
                "2023",
                "--top",
                "20",
                "--out",
                p.to_str().unwrap(),
            ])
            .assert()
            .success();
        let bytes = std::fs::read(&p).unwrap();
        if file.ends_with("svg") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("1. Antwerpen"), "{}", &text[..500]);
            assert!(text.matches("<rect").count() >= 20);
        } else {
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }
}
