//! Statistical sectors: scoring a hand-computed sector store (references from summed counts,
//! points, aggregation sector -> municipality -> province -> Flanders, `--level municipality`
//! equal to a municipal store of the summed counts), and the sector demo's files (consistent with
//! their store, deterministic for a seed, scored by every command).

use assert_cmd::Command;
use barometer::barometer::{Scoreboard, score};
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::indicators::{self, Level, VALUE};
use barometer::store::{Record, Status, Store, StoreMeta};
use polars::prelude::*;
use std::path::Path;

const HEADER: &str = r#"
[barometer]
id = "two"
name = { nl = "Twee", en = "Two" }
source = "test"

[scoring]
reference = "flanders"
comparison = "strict"
"#;

/// Two share indicators `a` and `b`, higher is worse, Flemish reference, strict rule.
fn two() -> Definition {
    let indicator = |id: &str| {
        format!(
            "\n[[indicator]]\nid = \"{id}\"\nshort = \"{id}\"\nlabel = {{ nl = \"{id}\", en = \"{id}\" }}\n\
             numerator = {{ nl = \"{id}\", en = \"{id}\" }}\ndenominator = {{ nl = \"n\", en = \"n\" }}\n\
             unit = \"percent\"\nkind = \"share\"\ndirection = \"higher_is_worse\"\nsource = \"test\"\n"
        )
    };
    let text = format!("{HEADER}{}{}", indicator("a"), indicator("b"));
    Definition::parse(&text, "two.toml").unwrap()
}

fn rec(unit: &str, indicator: &str, num: Option<f64>, den: f64) -> Record {
    Record {
        unit: unit.into(),
        year: 2020,
        indicator: indicator.into(),
        numerator: num,
        denominator: Some(den),
        status: if num.is_some() {
            Status::Observed
        } else {
            Status::Suppressed
        },
        source: "test".into(),
    }
}

/// Five sectors: two of Genk, one of Hasselt (Limburg), two of Antwerpen, one suppressed.
fn sector_store() -> Store {
    let rows = [
        ("71016A00-", Some(30.0), 100.0, 20.0, 100.0),
        ("71016A01-", Some(10.0), 300.0, 90.0, 300.0),
        ("71022A00-", Some(5.0), 100.0, 40.0, 100.0),
        ("11002A00-", Some(60.0), 200.0, 20.0, 200.0),
        ("11002A01-", None, 50.0, 10.0, 50.0),
    ];
    let records = rows
        .iter()
        .flat_map(|&(u, a, da, b, db)| [rec(u, "a", a, da), rec(u, "b", Some(b), db)])
        .collect();
    Store::from_records(records, StoreMeta::default(), "sectors").unwrap()
}

/// The same counts summed per municipality by hand (the suppressed sector left out of `a`).
fn municipal_store() -> Store {
    let rows = [
        ("71016", 40.0, 400.0, 110.0, 400.0),
        ("71022", 5.0, 100.0, 40.0, 100.0),
        ("11002", 60.0, 200.0, 30.0, 250.0),
    ];
    let records = rows
        .iter()
        .flat_map(|&(u, a, da, b, db)| [rec(u, "a", Some(a), da), rec(u, "b", Some(b), db)])
        .collect();
    Store::from_records(records, StoreMeta::default(), "municipalities").unwrap()
}

fn board(store: &Store) -> Scoreboard {
    score(store, &two(), Geography::bundled(), 2020).unwrap()
}

fn row<'b>(b: &'b Scoreboard, nis: &str) -> &'b barometer::barometer::Row {
    b.rows.iter().find(|r| r.nis == nis).unwrap()
}

#[test]
fn sector_scores_against_the_flemish_sum_of_all_sectors() {
    let b = board(&sector_store());
    assert!(b.sectors);
    assert!(b.absent.is_empty(), "no absent list for sectors");
    assert_eq!(b.municipality_set, "2019-2024");
    let refs: Vec<f64> = b.references.iter().map(|r| r.value.unwrap()).collect();
    assert_eq!(refs, vec![105.0 / 700.0, 180.0 / 750.0]);
    let points =
        |nis| -> Vec<Option<bool>> { row(&b, nis).cells.iter().map(|c| c.point).collect() };
    let (t, f) = (Some(true), Some(false));
    assert_eq!(points("71016A00-"), vec![t, f]);
    assert_eq!(points("71016A01-"), vec![f, t]);
    assert_eq!(points("71022A00-"), vec![f, t]);
    assert_eq!(points("11002A00-"), vec![t, f]);
    assert_eq!(points("11002A01-"), vec![None, f]);
    let genk = row(&b, "71016A01-");
    assert_eq!((&*genk.name, &*genk.province), ("Genk", "70000"));
    assert_eq!(row(&b, "11002A01-").indicators, 1);
}

#[test]
fn level_municipality_equals_a_municipal_store_of_the_summed_counts() {
    let geo = Geography::bundled();
    let summed = indicators::summed_to_municipalities(&sector_store(), geo).unwrap();
    assert!(summed.origin.ends_with("(summed to municipalities)"));
    let (a, b) = (board(&summed), board(&municipal_store()));
    assert!(!a.sectors);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.references, b.references);
    assert_eq!(a.absent.len(), 297);
    let scores: Vec<(&str, u32)> = a.rows.iter().map(|r| (r.nis.as_str(), r.score)).collect();
    assert_eq!(scores.len(), 3);
    assert!(scores.iter().all(|&(_, s)| s == 1), "{scores:?}");
}

/// The values at `level` per (area, indicator).
fn values(store: &Store, h: &DataFrame, level: Level) -> Vec<(String, String, Option<f64>)> {
    let df = indicators::aggregate(indicators::municipal(store, Some(2020)), h, level)
        .collect()
        .unwrap();
    let s = |c: &str| {
        df.column(c)
            .unwrap()
            .as_materialized_series()
            .str()
            .unwrap()
            .clone()
    };
    let (areas, inds) = (s(level.column()), s("indicator"));
    let v = df
        .column(VALUE)
        .unwrap()
        .as_materialized_series()
        .f64()
        .unwrap()
        .clone();
    (0..df.height())
        .map(|i| {
            (
                areas.get(i).unwrap().to_owned(),
                inds.get(i).unwrap().to_owned(),
                v.get(i),
            )
        })
        .collect()
}

#[test]
fn aggregation_sector_municipality_province_flanders_sums_the_parts() {
    let geo = Geography::bundled();
    let sectors = sector_store();
    let h = indicators::hierarchy_of(
        geo,
        [
            "71016A00-",
            "71016A01-",
            "71022A00-",
            "11002A00-",
            "11002A01-",
        ],
    )
    .unwrap();
    assert_eq!(h.height(), 5);
    let municipal = values(&sectors, &h, Level::Municipality);
    assert!(municipal.contains(&("71016".into(), "a".into(), Some(40.0 / 400.0))));
    assert!(municipal.contains(&("11002".into(), "b".into(), Some(30.0 / 250.0))));
    let summed = municipal_store();
    let mh = indicators::hierarchy(geo).unwrap();
    for level in [Level::Province, Level::Region] {
        assert_eq!(
            values(&sectors, &h, level),
            values(&summed, &mh, level),
            "{level:?}"
        );
    }
    let provinces = values(&sectors, &h, Level::Province);
    assert_eq!(
        provinces[2],
        ("70000".into(), "a".into(), Some(45.0 / 500.0))
    );
    assert_eq!(
        values(&sectors, &h, Level::Region),
        vec![
            ("02000".into(), "a".into(), Some(105.0 / 700.0)),
            ("02000".into(), "b".into(), Some(180.0 / 750.0)),
        ]
    );
}

#[test]
fn a_year_mixing_sectors_and_municipalities_is_refused() {
    let mut records = sector_store().records().unwrap();
    records.push(rec("71022", "a", Some(1.0), 10.0));
    let store = Store::from_records(records, StoreMeta::default(), "mixed").unwrap();
    let msg = format!(
        "{:#}",
        score(&store, &two(), Geography::bundled(), 2020).unwrap_err()
    );
    assert!(
        msg.contains("mixes statistical sectors (11002A00-) and municipalities (71022)"),
        "{msg}"
    );
}

fn barometer() -> Command {
    Command::cargo_bin("barometer").unwrap()
}

/// Write a small sector demo into `dir`.
fn demo(dir: &Path, seed: &str) {
    barometer()
        .args([
            "demo",
            "--units",
            "sectors",
            "--sectors",
            "450",
            "--years",
            "2017..2019",
        ])
        .args(["--indicators", "13", "--seed", seed, "--quiet", "--out"])
        .arg(dir)
        .assert()
        .success();
}

/// The rows without their source (which names the input file for the `sheet` layout).
fn counts(store: &Store) -> Vec<Record> {
    store
        .records()
        .unwrap()
        .into_iter()
        .map(|r| Record {
            source: String::new(),
            ..r
        })
        .collect()
}

#[test]
fn sector_demo_files_ingest_to_the_written_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    demo(&out, "3");
    let def = Definition::from_file(&out.join("barometer.toml")).unwrap();
    assert_eq!(def.indicators.len(), 13);
    let written = Store::open(&out.join("store.parquet")).unwrap();
    assert!(written.meta.synthetic);
    assert_eq!(written.frame.height(), 450 * 3 * 13);
    let rows = written.records().unwrap();
    assert!(rows.iter().all(|r| r.unit.len() == 9));
    assert!(
        rows.iter().any(|r| r.numerator.is_none()),
        "some suppressed cells"
    );
    for (layout, file) in [("tidy", "tidy.csv"), ("sheet", "sheet.csv")] {
        let store = dir.path().join(format!("{layout}.parquet"));
        barometer()
            .args(["ingest", "--strict", "--layout", layout])
            .arg(out.join(file))
            .arg("--barometer")
            .arg(out.join("barometer.toml"))
            .arg("--store")
            .arg(&store)
            .assert()
            .success();
        let ingested = Store::open(&store).unwrap();
        assert_eq!(counts(&ingested), counts(&written), "{layout}");
        if layout == "tidy" {
            assert_eq!(ingested.records().unwrap(), rows, "sources too");
        }
    }
}

#[test]
fn sector_demo_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, file: &str| std::fs::read(dir.path().join(name).join(file)).unwrap();
    demo(&dir.path().join("a"), "9");
    demo(&dir.path().join("b"), "9");
    demo(&dir.path().join("c"), "10");
    for file in ["tidy.csv", "sheet.csv", "barometer.toml"] {
        assert_eq!(read("a", file), read("b", file), "{file}");
    }
    assert_ne!(read("a", "tidy.csv"), read("c", "tidy.csv"));
}

#[test]
fn every_command_runs_on_a_sector_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    barometer()
        .args([
            "demo",
            "--units",
            "sectors",
            "--sectors",
            "320",
            "--years",
            "2022..2023",
        ])
        .args(["--indicators", "4", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let run = |args: &[&str]| {
        let output = barometer()
            .args(args)
            .arg("--store")
            .arg(out.join("store.parquet"))
            .arg("--barometer")
            .arg(out.join("barometer.toml"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let data_rows = |csv: &str| csv.lines().filter(|l| !l.starts_with('#')).count() - 1;
    let sectors = run(&["score", "--year", "2023", "--format", "csv"]);
    assert_eq!(data_rows(&sectors), 320);
    assert!(
        sectors.contains("\n71016A00-,Genk,"),
        "sector rows name their municipality"
    );
    let municipal = run(&[
        "score",
        "--year",
        "2023",
        "--format",
        "csv",
        "--level",
        "municipality",
    ]);
    assert_eq!(data_rows(&municipal), 300);
    assert!(
        municipal.contains("# parameter level: municipality"),
        "{municipal}"
    );
    let ranked = run(&["rank", "--year", "2023", "--compare-year", "2022"]);
    assert!(
        ranked.contains("320 statistische sectoren gerangschikt"),
        "{ranked}"
    );
    let alloc = run(&[
        "allocate",
        "--year",
        "2023",
        "--budget",
        "100000",
        "--min-score",
        "2",
    ]);
    assert!(alloc.contains("statistische sectoren"), "{alloc}");
    let batch = dir.path().join("batch");
    run(&[
        "batch",
        "--years",
        "2022..2023",
        "--quiet",
        "--out",
        batch.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(batch.join("barometer.csv")).unwrap();
    assert_eq!(data_rows(&csv), 320 * 2 * 4);
    let sens = dir.path().join("sens");
    run(&[
        "sensitivity",
        "--year",
        "2023",
        "--runs",
        "16",
        "--quiet",
        "--out",
        sens.to_str().unwrap(),
    ]);
    let ranks = std::fs::read_to_string(sens.join("ranks.csv")).unwrap();
    assert_eq!(data_rows(&ranks), 320);
}

#[test]
fn batch_from_tidy_files_equals_batch_from_their_store_at_both_levels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    demo(&out, "5");
    let batch = |input: &[&str], level: &str, name: &str| {
        let to = dir.path().join(name);
        barometer()
            .args([
                "batch",
                "--years",
                "2017..2019",
                "--quiet",
                "--level",
                level,
            ])
            .args(
                input
                    .iter()
                    .map(|a| a.replace("OUT", out.to_str().unwrap())),
            )
            .arg("--barometer")
            .arg(out.join("barometer.toml"))
            .arg("--out")
            .arg(&to)
            .assert()
            .success();
        let csv = std::fs::read_to_string(to.join("barometer.csv")).unwrap();
        let (comments, rows): (Vec<&str>, Vec<&str>) =
            csv.lines().partition(|l| l.starts_with('#'));
        (comments.join("\n"), rows.join("\n"))
    };
    for level in ["units", "municipality"] {
        let (_, stored) = batch(
            &["--store", "OUT/store.parquet"],
            level,
            &format!("s-{level}"),
        );
        let (comments, tidy) = batch(&["--tidy", "OUT/tidy.csv"], level, &format!("t-{level}"));
        assert_eq!(tidy.lines().count(), stored.lines().count(), "{level}");
        assert!(tidy == stored, "{level}: the tables differ");
        assert!(comments.contains("# parameter tidy: "), "{comments}");
    }
}
