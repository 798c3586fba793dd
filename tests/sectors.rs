//! Statistical sectors: the sector demo's files are consistent (the tidy CSV and the `sheet`
//! layout ingest to the rows of the written store) and deterministic for a seed.

use assert_cmd::Command;
use barometer::definition::Definition;
use barometer::store::{Record, Store};
use std::path::Path;

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
