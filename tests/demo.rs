//! The bundled demo store: complete, synthetic, deterministic, and reproducing the published
//! figures of the seed documents (data/demo/anchors.csv).

use barometer::definition::Definition;
use barometer::demo;
use barometer::geo::Geography;
use barometer::indicators::{self, Level, VALUE};
use barometer::lang::Lang;
use barometer::report::format::number;
use barometer::store::{Status, Store};
use polars::prelude::*;

fn store() -> Store {
    Store::load(None).unwrap()
}

/// The value of `indicator` for `nis` (municipality or area) in `year`, in display units.
fn value(store: &Store, nis: &str, year: i32, indicator: &str) -> f64 {
    let geo = Geography::bundled();
    let def = Definition::bundled();
    let scale = def.indicator(indicator).unwrap().unit.scale();
    let (frame, key) = match geo.area(nis).map(|a| a.level.as_str()) {
        None => (
            indicators::municipal(store, Some(year)).collect().unwrap(),
            "unit",
        ),
        Some(level) => {
            let level = match level {
                "province" => Level::Province,
                "arrondissement" => Level::Arrondissement,
                _ => Level::Region,
            };
            let h = indicators::hierarchy(geo).unwrap();
            (
                indicators::aggregate(indicators::municipal(store, Some(year)), &h, level)
                    .collect()
                    .unwrap(),
                level.column(),
            )
        }
    };
    let found = frame
        .lazy()
        .filter(
            col(key)
                .eq(lit(nis))
                .and(col("indicator").eq(lit(indicator))),
        )
        .collect()
        .unwrap();
    assert_eq!(found.height(), 1, "{nis} {year} {indicator}");
    found
        .column(VALUE)
        .unwrap()
        .as_materialized_series()
        .f64()
        .unwrap()
        .get(0)
        .unwrap()
        * scale
}

#[test]
fn reproduces_the_published_figures_of_the_seeds() {
    let s = store();
    let fmt = |v: f64, d: usize| number(v, d, Lang::Nl);
    // Genk, omgevingsanalyse 2014 (seed 003): verhoogde tegemoetkoming 15,4 % (2008), 18,6 % (2013).
    assert_eq!(
        fmt(value(&s, "71016", 2008, "verhoogde-tegemoetkoming"), 1),
        "15,4"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "verhoogde-tegemoetkoming"), 1),
        "18,6"
    );
    assert_eq!(
        fmt(value(&s, "70000", 2013, "verhoogde-tegemoetkoming"), 1),
        "14,1"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2012, "kansarmoede-index"), 1),
        "18,1"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2008, "kansarmoede-index"), 1),
        "19,5"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "kinderen-zonder-werk"), 1),
        "21,4"
    );
    assert_eq!(
        fmt(value(&s, "70000", 2013, "kinderen-zonder-werk"), 1),
        "15,3"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "leefloon-gezinnen"), 2),
        "1,14"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "oki-kleuter") * 100.0, 2),
        "158,55"
    );
    assert_eq!(
        fmt(value(&s, "02000", 2013, "oki-kleuter") * 100.0, 1),
        "77,5"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "budgetmeters-elektriciteit"), 1),
        "3,2"
    );
    assert_eq!(
        fmt(value(&s, "70000", 2013, "budgetmeters-elektriciteit"), 1),
        "1,6"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "inkomens-onder-20000"), 1),
        "48,0"
    );
    assert_eq!(
        fmt(value(&s, "02000", 2013, "inkomens-onder-20000"), 1),
        "42,9"
    );
    assert_eq!(
        fmt(value(&s, "71016", 2013, "verhoogde-tegemoetkoming-0-4"), 1),
        "11,6"
    );
    assert_eq!(
        fmt(value(&s, "02000", 2013, "verhoogde-tegemoetkoming-0-4"), 1),
        "8,0"
    );
    // Kortrijk (seed 001): from 7,5 % in 2009 to 18,0 % in 2012.
    assert_eq!(fmt(value(&s, "34022", 2009, "kansarmoede-index"), 1), "7,5");
    assert_eq!(
        fmt(value(&s, "34022", 2012, "kansarmoede-index"), 1),
        "18,0"
    );
    // Flemish Region (Opgroeien, docs/domain.md).
    assert_eq!(
        fmt(value(&s, "02000", 2017, "kansarmoede-index"), 2),
        "13,76"
    );
    assert_eq!(
        fmt(value(&s, "02000", 2020, "kansarmoede-index"), 2),
        "13,65"
    );
    assert_eq!(
        fmt(value(&s, "02000", 2021, "kansarmoede-index"), 1),
        "12,7"
    );
}

#[test]
fn genk_counts_are_the_published_counts() {
    let rec = store()
        .records()
        .unwrap()
        .into_iter()
        .find(|r| r.unit == "71016" && r.year == 2013 && r.indicator == "verhoogde-tegemoetkoming")
        .unwrap();
    assert_eq!(
        (rec.numerator, rec.denominator),
        (Some(12153.0), Some(65363.0))
    );
    assert!(rec.source.contains("seed 003"));
}

#[test]
fn complete_synthetic_and_deterministic() {
    let s = store();
    assert!(s.meta.synthetic);
    assert!(s.meta.description.starts_with("SYNTHETIC"));
    assert_eq!(s.years().unwrap(), (2008..=2023).collect::<Vec<_>>());
    let def = Definition::bundled();
    assert_eq!(s.frame.height(), 300 * 16 * def.all_indicators().count());
    let records = s.records().unwrap();
    let count = |st: Status| records.iter().filter(|r| r.status == st).count();
    assert!(
        count(Status::Suppressed) > 0,
        "some small cells are suppressed"
    );
    assert!(count(Status::Missing) > 0, "some cells are missing");
    assert!(count(Status::Observed) > records.len() * 95 / 100);
    for r in &records {
        if let (Some(n), Some(d)) = (r.numerator, r.denominator) {
            assert!(
                n >= 0.0 && n <= d * 4.0 && n.fract() == 0.0 && d.fract() == 0.0,
                "{r:?}"
            );
        }
    }
    assert_eq!(demo::generate(demo::SEED).unwrap().sha256, s.sha256);
    assert_ne!(demo::generate(demo::SEED + 1).unwrap().sha256, s.sha256);
}

#[test]
fn temse_has_the_maximum_score_of_seed_000() {
    let b =
        barometer::barometer::score(&store(), &Definition::bundled(), Geography::bundled(), 2013)
            .unwrap();
    let temse = b.rows.iter().find(|r| r.nis == "46025").unwrap();
    assert_eq!(temse.score, 7);
    let genk = b.rows.iter().find(|r| r.nis == "71016").unwrap();
    // Genk 2013: "wat leefloon betreft scoren we net wat lager dan het Vlaams gemiddelde".
    let leefloon = Definition::bundled()
        .indicators
        .iter()
        .position(|i| i.id == "leefloon-gezinnen")
        .unwrap();
    assert_eq!(genk.cells[leefloon].point, Some(false));
    assert_eq!(genk.score, 6);
}
