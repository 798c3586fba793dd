//! The scoring core on the hand-computed five-municipality fixture (tests/fixtures/five/README.md).

use barometer::barometer::{Scoreboard, score};
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::{Options, merge, tidy};
use barometer::store::Store;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/five";

fn definition(replace: &[(&str, &str)]) -> Definition {
    let mut text = std::fs::read_to_string(format!("{FIXTURE}/barometer.toml")).unwrap();
    for (from, to) in replace {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    Definition::parse(&text, "five.toml").unwrap()
}

fn board(def: &Definition) -> Scoreboard {
    let geo = Geography::bundled();
    let file = tidy::read(Path::new(&format!("{FIXTURE}/tidy.csv")), def, geo).unwrap();
    let (merged, _) = merge(None, vec![file], def, Options::default(), geo, "five").unwrap();
    let store = merged.to_store().unwrap();
    score(&store, def, geo, 2020).unwrap()
}

fn points(b: &Scoreboard, nis: &str) -> Vec<Option<bool>> {
    b.rows
        .iter()
        .find(|r| r.nis == nis)
        .unwrap()
        .cells
        .iter()
        .map(|c| c.point)
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);

#[test]
fn flemish_reference_from_summed_counts_strict() {
    let b = board(&definition(&[]));
    let refs: Vec<f64> = b.references.iter().map(|r| r.value.unwrap()).collect();
    assert!(close(refs[0], 147.0 / 1100.0));
    assert!(close(refs[1], 320.0 / 600.0));
    assert!(close(refs[2], 85.0 / 1000.0));
    assert_eq!(points(&b, "71016"), vec![T, T, F]);
    assert_eq!(points(&b, "71022"), vec![T, T, T]);
    assert_eq!(points(&b, "11002"), vec![T, T, T]);
    assert_eq!(points(&b, "24062"), vec![F, F, T]);
    assert_eq!(points(&b, "31005"), vec![F, None, F]);
    let order: Vec<(&str, u32, u32, u32)> = b
        .rows
        .iter()
        .map(|r| (r.nis.as_str(), r.score, r.indicators, r.rank))
        .collect();
    assert_eq!(
        order,
        vec![
            ("71022", 3, 3, 1),
            ("11002", 3, 3, 2),
            ("71016", 2, 3, 3),
            ("24062", 1, 3, 4),
            ("31005", 0, 2, 5)
        ]
    );
    let (ra, rb, rc) = (147.0 / 1100.0, 320.0 / 600.0, 0.085);
    let hasselt = ((0.135 - ra) / ra + (rb - 0.5) / rb + (0.2 - rc) / rc) / 3.0;
    assert!(close(b.rows[0].composite.unwrap(), hasselt));
    let percentiles: Vec<f64> = b.rows.iter().map(|r| r.percentile).collect();
    assert_eq!(percentiles, vec![1.0, 0.75, 0.5, 0.25, 0.0]);
    let deciles: Vec<u32> = b.rows.iter().map(|r| r.decile).collect();
    assert_eq!(deciles, vec![1, 3, 5, 7, 9]);
}

#[test]
fn mean_and_median_references() {
    let b = board(&definition(&[(
        "reference = \"flanders\"",
        "reference = \"mean\"",
    )]));
    assert!(close(b.references[0].value.unwrap(), 0.7475 / 5.0));
    assert_eq!(points(&b, "71022")[0], F, "0.135 is below the mean 0.1495");
    let b = board(&definition(&[(
        "reference = \"flanders\"",
        "reference = \"median\"",
    )]));
    assert!(close(b.references[0].value.unwrap(), 0.135));
    assert_eq!(
        points(&b, "71022")[0],
        F,
        "at the median: no point under the strict rule"
    );
    assert_eq!(b.references[1].municipalities_with_value, 4);
    assert!(
        close(b.references[1].value.unwrap(), 0.5),
        "median of 0.4, 0.5, 0.5, 0.8"
    );
}

#[test]
fn relative_margin() {
    let def = definition(&[(
        "comparison = \"strict\"",
        "comparison = \"margin\"\nmargin = 0.1",
    )]);
    let b = board(&def);
    assert_eq!(points(&b, "71016"), vec![T, T, F]);
    assert_eq!(points(&b, "71022"), vec![F, F, T]);
    assert_eq!(points(&b, "11002"), vec![T, F, T]);
    assert_eq!(points(&b, "24062"), vec![F, F, T]);
}

#[test]
fn fixed_reference_per_indicator() {
    let def = definition(&[(
        "direction = \"higher_is_worse\"\nsource = \"test\"",
        "direction = \"higher_is_worse\"\nsource = \"test\"\nreference = \"fixed\"\nfixed_reference = 25.0",
    )]);
    let b = board(&def);
    assert!(close(b.references[0].value.unwrap(), 0.25));
    let a_points: Vec<_> = ["71016", "71022", "11002", "24062", "31005"]
        .iter()
        .map(|n| points(&b, n)[0])
        .collect();
    assert_eq!(a_points, vec![T, F, F, F, F]);
}

#[test]
fn missing_year_is_a_clear_error() {
    let def = definition(&[]);
    let geo = Geography::bundled();
    let file = tidy::read(Path::new(&format!("{FIXTURE}/tidy.csv")), &def, geo).unwrap();
    let (merged, _) = merge(
        None,
        vec![file],
        &def,
        Options::default(),
        geo,
        "five.parquet",
    )
    .unwrap();
    let store = merged.to_store().unwrap();
    let msg = format!("{:#}", score(&store, &def, geo, 2030).unwrap_err());
    assert!(
        msg.contains("year 2030 is not in the store five.parquet: the store has 2020-2020"),
        "{msg}"
    );
}

#[test]
fn demo_scores_equal_their_points_every_year() {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let store = Store::load(None).unwrap();
    for year in store.years().unwrap() {
        let b = score(&store, &def, geo, year).unwrap();
        assert_eq!(b.rows.len(), 300, "{year}");
        for r in &b.rows {
            let points = r.cells.iter().filter(|c| c.point == Some(true)).count() as u32;
            assert_eq!(r.score, points, "{} {year}", r.nis);
            assert!(r.score <= r.indicators && r.indicators <= 7);
        }
        let mut ranks: Vec<u32> = b.rows.iter().map(|r| r.rank).collect();
        ranks.sort_unstable();
        assert_eq!(ranks[0], 1);
        // Ranks follow the score: a higher score never has a worse rank.
        for w in b.rows.windows(2) {
            assert!(w[0].score >= w[1].score && w[0].rank <= w[1].rank);
        }
    }
}

#[test]
fn a_store_with_an_unknown_unit_is_an_error_not_a_panic() {
    use barometer::store::{Record, Status, StoreMeta};
    let rec = Record {
        unit: "99999".into(),
        year: 2020,
        indicator: "a".into(),
        numerator: Some(1.0),
        denominator: Some(10.0),
        status: Status::Observed,
        source: "elsewhere".into(),
    };
    let store = Store::from_records(vec![rec], StoreMeta::default(), "foreign.parquet").unwrap();
    let msg = format!(
        "{:#}",
        score(&store, &definition(&[]), Geography::bundled(), 2020).unwrap_err()
    );
    assert!(
        msg.contains("foreign.parquet: unit '99999' is not a known Flemish municipality"),
        "{msg}"
    );
}

/// The `[composite]` table: percentile ranks after mean imputation (hand-computed in
/// tests/fixtures/five/README.md), then given weights that tie Hasselt and Antwerpen.
#[test]
fn configured_composites_are_hand_computed() {
    let composite = |b: &Scoreboard, nis: &str| {
        let row = b.rows.iter().find(|r| r.nis == nis).unwrap();
        (row.composite.unwrap(), row.rank)
    };
    let def = definition(&[(
        "[[indicator]]",
        "[composite]\nnormalisation = \"percent_rank\"\nimputation = \"mean\"\n\n[[indicator]]",
    )]);
    let b = board(&def);
    for (nis, want, rank) in [
        ("71016", 2.0 / 3.0, 3),
        ("71022", 2.0 / 3.0, 1),
        ("11002", 1.75 / 3.0, 2),
        ("24062", 1.0 / 6.0, 4),
        ("31005", 0.5 / 3.0, 5),
    ] {
        let (got, r) = composite(&b, nis);
        assert!(close(got, want), "{nis}: {got} != {want}");
        assert_eq!(r, rank, "{nis}");
    }
    let def = definition(&[(
        "[[indicator]]",
        "[composite]\nnormalisation = \"percent_rank\"\nimputation = \"mean\"\n\
         weighting = \"given\"\nweights = [2, 1, 1]\n\n[[indicator]]",
    )]);
    let b = board(&def);
    assert_eq!(composite(&b, "71022"), (0.625, 1));
    assert_eq!(composite(&b, "11002"), (0.625, 1));
    assert_eq!(composite(&b, "71016"), (0.75, 3));
}

#[test]
fn a_bad_composite_table_names_the_key() {
    let text = std::fs::read_to_string(format!("{FIXTURE}/barometer.toml"))
        .unwrap()
        .replacen(
            "[[indicator]]",
            "[composite]\naggregation = \"geometrisch\"\n\n[[indicator]]",
            1,
        );
    let e = Definition::parse(&text, "five.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("five.toml") && e.contains("geometrisch") && e.contains("`geometric`"),
        "{e}"
    );
}
