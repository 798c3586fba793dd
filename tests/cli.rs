//! The `barometer` binary run on fixtures and on the bundled demo data, as a user would.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn barometer() -> Command {
    let mut cmd = Command::cargo_bin("barometer").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795482061");
    cmd
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn score_table_on_the_demo_in_dutch_and_english() {
    barometer()
        .args(["score", "--year", "2023"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Vlaamse kinderarmoedebarometer 2023 - 300 gemeenten",
        ))
        .stdout(predicate::str::contains("LET OP: synthetische demodata"))
        .stdout(predicate::str::contains("Rang  NIS"))
        .stdout(predicate::str::contains("2026-11-24T01:01:01Z"));
    barometer()
        .args(["score", "--year", "2023", "--lang", "en"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Flemish child-poverty barometer 2023 - 300 municipalities",
        ))
        .stdout(predicate::str::contains("Rank  NIS    Municipality"));
}

#[test]
fn csv_rows_carry_points_scores_and_the_run_record() {
    let out = barometer()
        .args(["score", "--year", "2013", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# tool: barometer "));
    assert!(text.contains("# data: SYNTHETIC demo data"));
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[4], "kansarmoede-index_value");
    let point_cols: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].ends_with("_point"))
        .collect();
    assert_eq!(point_cols.len(), 7);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    for r in &rows {
        let points = point_cols.iter().filter(|&&i| &r[i] == "1").count();
        assert_eq!(r[col("score")].parse::<usize>().unwrap(), points);
    }
    let genk = rows.iter().find(|r| &r[0] == "71016").unwrap();
    assert_eq!(&genk[1], "Genk");
    let vt: f64 = genk[col("verhoogde-tegemoetkoming-0-4_value")]
        .parse()
        .unwrap();
    assert!((vt - 11.6).abs() < 0.05, "{vt}");
    let vt_ref: f64 = genk[col("verhoogde-tegemoetkoming-0-4_reference")]
        .parse()
        .unwrap();
    assert!((vt_ref - 8.0).abs() < 0.05, "{vt_ref}");
}

#[test]
fn json_output_to_a_file_is_atomic_and_complete() {
    let dir = tmp();
    let out = dir.path().join("b.json");
    barometer()
        .args(["score", "--year", "2023", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        listing(dir.path()),
        vec!["b.json"],
        "no temporary files left"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["municipalities"].as_array().unwrap().len(), 300);
    assert_eq!(v["run"]["parameters"]["year"], "2023");
    assert_eq!(v["run"]["store"]["synthetic"], true);
    assert_eq!(v["references"].as_array().unwrap().len(), 7);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let run = || {
        barometer()
            .args(["score", "--year", "2020", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn ingest_then_score_the_fixture() {
    let dir = tmp();
    let store = dir.path().join("five.parquet");
    barometer()
        .args([
            "ingest",
            "--barometer",
            "tests/fixtures/five/barometer.toml",
            "--tidy",
            "tests/fixtures/five/tidy.csv",
            "--store",
        ])
        .arg(&store)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "15 added, 0 unchanged, 0 replaced, 0 rejected",
        ));
    let first = std::fs::read(&store).unwrap();
    // Re-ingesting the same file changes nothing.
    barometer()
        .args([
            "ingest",
            "--barometer",
            "tests/fixtures/five/barometer.toml",
            "--tidy",
            "tests/fixtures/five/tidy.csv",
            "--store",
        ])
        .arg(&store)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 added, 15 unchanged"))
        .stdout(predicate::str::contains("unchanged:"));
    assert_eq!(std::fs::read(&store).unwrap(), first);
    let out = barometer()
        .args([
            "score",
            "--year",
            "2020",
            "--barometer",
            "tests/fixtures/five/barometer.toml",
            "--format",
            "csv",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let ranked: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| &l[..5])
        .collect();
    assert_eq!(ranked, vec!["71022", "11002", "71016", "24062", "31005"]);
    assert!(text.contains("# input: tests/fixtures/five/tidy.csv sha256 "));
}

#[test]
fn demo_round_trips_through_tidy_csv() {
    let dir = tmp();
    let csv = dir.path().join("demo.csv");
    let store = dir.path().join("demo.parquet");
    barometer()
        .args(["demo", "--out"])
        .arg(&csv)
        .assert()
        .success();
    barometer()
        .args(["ingest", "--tidy"])
        .arg(&csv)
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let score = |extra: &[&std::ffi::OsStr]| {
        let out = barometer()
            .args(["score", "--year", "2017", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(score(&[]), score(&["--store".as_ref(), store.as_os_str()]));
}

/// A bad input: the command fails with `code`, says `fragment`, and creates or changes no file.
fn refuses(args: &[&str], files: &[(&str, &str)], code: i32, fragment: &str) {
    let dir = tmp();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    let before = listing(dir.path());
    barometer()
        .current_dir(dir.path())
        .args(args)
        .assert()
        .code(code)
        .stderr(predicate::str::contains(fragment));
    assert_eq!(listing(dir.path()), before, "no output file for {args:?}");
}

const HEADER: &str = "nis;jaar;indicator;teller;noemer\n";

#[test]
fn bad_rows_are_named_with_file_line_and_column() {
    let ingest = [
        "ingest",
        "--strict",
        "--tidy",
        "in.csv",
        "--store",
        "s.parquet",
    ];
    let cases: &[(&str, &str)] = &[
        (
            "71016;2013;kansarmoede-index;20;100\n11999;2013;kansarmoede-index;1;10\n",
            "in.csv:3, column 'nis': unknown REFNIS code '11999'",
        ),
        (
            "71016;2013;kansarmoede-index;-3;100\n",
            "in.csv:2, column 'teller': negative count -3",
        ),
        (
            "71016;2013;kansarmoede-index;120;100\n",
            "in.csv:2, column 'teller': numerator 120 is above the denominator",
        ),
        (
            "71016;2013;kansarmoede;20;100\n",
            "in.csv:2, column 'indicator': unknown indicator 'kansarmoede'; did you mean 'kansarmoede-index'?",
        ),
        (
            "71016;1870;kansarmoede-index;20;100\n",
            "in.csv:2, column 'jaar': year 1870 is out of range",
        ),
        (
            "71016;2013;kansarmoede-index;12.153;20000\n",
            "in.csv:2, column 'teller': '12.153' is ambiguous",
        ),
        (
            "71016;2013;kansarmoede-index;NaN;100\n",
            "'NaN' is not a finite number",
        ),
        (
            "70000;2013;kansarmoede-index;1;100\n",
            "'70000' is the province Limburg, an aggregate",
        ),
        (
            "71016;2013;kansarmoede-index;20\n",
            "in.csv:2: 4 fields where the header has 5",
        ),
    ];
    for (rows, fragment) in cases {
        let text = format!("{HEADER}{rows}");
        refuses(&ingest, &[("in.csv", &text)], 1, fragment);
    }
}

#[test]
fn duplicates_and_conflicts_name_both_places() {
    let text = format!(
        "{HEADER}71016;2013;kansarmoede-index;20;100\n71016;2013;kansarmoede-index;21;100\n"
    );
    refuses(
        &["ingest", "--tidy", "in.csv", "--store", "s.parquet"],
        &[("in.csv", &text)],
        1,
        "duplicate row for unit 71016, year 2013, indicator 'kansarmoede-index': in.csv:2 and in.csv:3",
    );
    let a = format!("{HEADER}71016;2013;kansarmoede-index;20;100\n");
    let b = format!("{HEADER}71016;2013;kansarmoede-index;21;100\n");
    refuses(
        &["ingest", "--tidy", "a.csv", "b.csv", "--store", "s.parquet"],
        &[("a.csv", &a), ("b.csv", &b)],
        1,
        "a.csv:2 and b.csv:2",
    );
    // Against an existing store: an error naming the source, unless --replace.
    let dir = tmp();
    write(dir.path(), "a.csv", &a);
    write(dir.path(), "b.csv", &b);
    let ingest = |file: &str, replace: bool| {
        let mut cmd = barometer();
        cmd.current_dir(dir.path())
            .args(["ingest", "--tidy", file, "--store", "s.parquet"]);
        if replace {
            cmd.arg("--replace");
        }
        cmd.assert()
    };
    ingest("a.csv", false).success();
    let stored = std::fs::read(dir.path().join("s.parquet")).unwrap();
    ingest("b.csv", false)
        .code(1)
        .stderr(predicate::str::contains(
            "already in the store from 'a.csv'",
        ));
    assert_eq!(
        std::fs::read(dir.path().join("s.parquet")).unwrap(),
        stored,
        "store untouched"
    );
    ingest("b.csv", true)
        .success()
        .stdout(predicate::str::contains("1 replaced"));
}

#[test]
fn mixed_municipality_sets_are_refused() {
    let text = format!(
        "{HEADER}44011;2018;kansarmoede-index;20;100\n44083;2018;kansarmoede-index;21;100\n"
    );
    refuses(
        &["ingest", "--tidy", "in.csv", "--store", "s.parquet"],
        &[("in.csv", &text)],
        1,
        "year 2018 mixes municipality sets",
    );
}

#[test]
fn file_level_problems() {
    let ingest = ["ingest", "--tidy", "in.csv", "--store", "s.parquet"];
    refuses(&ingest, &[("in.csv", "")], 1, "in.csv: the file is empty");
    refuses(
        &ingest,
        &[("in.csv", HEADER)],
        1,
        "has a header but no data rows",
    );
    refuses(
        &ingest,
        &[("in.csv", "nis;jaar;indicator;teller;noemer;extra\n")],
        1,
        "unknown column 'extra'",
    );
    refuses(
        &["ingest", "--tidy", "nope.csv"],
        &[],
        1,
        "cannot read nope.csv",
    );
    refuses(
        &["score", "--year", "2023", "--store", "s.parquet"],
        &[("s.parquet", "not parquet")],
        1,
        "s.parquet is not a barometer store",
    );
    refuses(
        &["score", "--year", "2023", "--barometer", "b.toml"],
        &[("b.toml", "[barometer]\nid = 1\n")],
        1,
        "b.toml: invalid barometer definition",
    );
}

#[test]
fn usage_and_data_errors_have_distinct_exit_codes() {
    refuses(&["score"], &[], 2, "--year");
    refuses(
        &["score", "--year", "twenty"],
        &[],
        2,
        "invalid value 'twenty'",
    );
    refuses(
        &["score", "--year", "2023", "--out", "x.pdf"],
        &[],
        2,
        "cannot tell the format",
    );
    refuses(
        &["score", "--year", "2031"],
        &[],
        1,
        "year 2031 is not in the store <bundled demo store>: the store has 2008-2023",
    );
}

#[test]
fn every_command_shows_an_example_in_its_help() {
    for cmd in ["score", "ingest", "demo", "check"] {
        barometer()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
    barometer()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("barometer"))
        .args(["score", "--year", "2023", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn lenient_ingest_keeps_good_rows_and_writes_the_rejected_ones_beside_the_store() {
    let dir = tmp();
    let text = format!(
        "{HEADER}71016;2013;kansarmoede-index;20;100\n11999;2013;kansarmoede-index;1;10\n\
         71022;2013;kansarmoede-index;12.153;20000\n"
    );
    write(dir.path(), "in.csv", &text);
    barometer()
        .current_dir(dir.path())
        .args(["ingest", "--tidy", "in.csv", "--store", "s.parquet"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "read     in.csv (sha256 ",
        ))
        .stdout(predicate::str::contains(
            "3 rows read, 1 kept (0 suppressed), 0 skipped, 2 rejected",
        ))
        .stdout(predicate::str::contains(
            "rejected 2 rows (1 with an unknown municipality):\n  in.csv:3, column 'nis': unknown REFNIS code '11999'",
        ))
        .stdout(predicate::str::contains("1 added, 0 unchanged, 0 replaced, 2 rejected"))
        .stdout(predicate::str::contains("rejected rows written to s.rejected.csv"));
    assert_eq!(
        listing(dir.path()),
        vec!["in.csv", "s.parquet", "s.rejected.csv"]
    );
    let side = std::fs::read_to_string(dir.path().join("s.rejected.csv")).unwrap();
    assert!(side.starts_with("# tool: barometer "), "{side}");
    let body: Vec<&str> = side.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(body[0], "file,line,column,reason");
    assert!(
        body[1].starts_with("in.csv,3,nis,unknown REFNIS code '11999'"),
        "{side}"
    );
    assert!(
        body[2].starts_with("in.csv,4,teller,'12.153' is ambiguous"),
        "{side}"
    );
    assert_eq!(body.len(), 3);
}

#[test]
fn check_reports_and_writes_nothing() {
    let text =
        format!("{HEADER}71016;2013;kansarmoede-index;20;100\n11999;2013;kansarmoede-index;1;10\n");
    let dir = tmp();
    write(dir.path(), "in.csv", &text);
    barometer()
        .current_dir(dir.path())
        .args(["check", "--layout", "tidy", "in.csv"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "in.csv:3, column 'nis': unknown REFNIS code '11999'",
        ))
        .stdout(predicate::str::contains("check    nothing written"))
        .stderr(predicate::str::contains("1 row(s) would be rejected"));
    assert_eq!(listing(dir.path()), vec!["in.csv"]);
    refuses(
        &["check", "--layout", "excel", "in.csv"],
        &[("in.csv", &text)],
        2,
        "unknown layout 'excel'",
    );
    refuses(
        &["ingest", "in.csv", "--store", "s.parquet"],
        &[("in.csv", &text)],
        2,
        "name the layout of the files",
    );
}

#[test]
fn publisher_files_merge_old_codes_and_re_ingest_changes_nothing() {
    let dir = tmp();
    let store = dir.path().join("s.parquet");
    let ingest = |layout: &str, file: &str| {
        let mut cmd = barometer();
        cmd.args(["ingest", "--layout", layout, file, "--store"])
            .arg(&store);
        cmd.assert()
    };
    let swing = "tests/fixtures/layouts/swing/upload.csv";
    ingest("swing", swing)
        .success()
        .stdout(predicate::str::contains(
            "merge    72025 Neerpelt + 72029 Overpelt -> 72043 Pelt: 1 rows (2018), 0 suppressed, 0 missing",
        ))
        .stdout(predicate::str::contains("5 added"));
    let first = std::fs::read(&store).unwrap();
    ingest("swing", swing)
        .success()
        .stdout(predicate::str::contains("0 added, 5 unchanged"));
    assert_eq!(
        std::fs::read(&store).unwrap(),
        first,
        "re-ingest changes nothing"
    );
    // A new indicator and year: added, the rest untouched.
    ingest("oki", "tests/fixtures/layouts/oki/oki-2013.csv")
        .success()
        .stdout(predicate::str::contains("3 added, 0 unchanged"));
}

#[test]
fn batch_writes_parquet_csv_and_manifest() {
    let dir = tmp();
    let out = dir.path().join("uit");
    barometer()
        .args(["batch", "--years", "2021..2023", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        listing(&out),
        ["barometer.csv", "barometer.parquet", "manifest.json"]
    );
    let csv = std::fs::read_to_string(out.join("barometer.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(rows[0].starts_with("barometer,year,unit,name,indicator,numerator,denominator"));
    // 3 years x 300 municipalities x 7 indicators
    assert_eq!(rows.len() - 1, 3 * 300 * 7);
    assert!(csv.contains("# command: batch"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["runs"][0]["parameters"]["years"], "2021,2022,2023");
    assert_eq!(manifest["files"][0]["rows"], 6300);
    let parquet = std::fs::read(out.join("barometer.parquet")).unwrap();
    assert_eq!(
        manifest["files"][0]["sha256"],
        barometer::store::sha256_hex(&parquet)
    );
    // The batch agrees with `score` for the same year: its rank-1 municipality of 2022.
    let scored = barometer()
        .args(["score", "--year", "2022", "--format", "csv"])
        .output()
        .unwrap();
    let scored = String::from_utf8(scored.stdout).unwrap();
    let top = scored
        .lines()
        .filter(|l| !l.starts_with('#'))
        .nth(1)
        .unwrap();
    let nis = top.split(',').next().unwrap();
    let prefix = format!("kinderarmoede,2022,{nis},");
    let batch_rows: Vec<&&str> = rows.iter().filter(|r| r.starts_with(&prefix)).collect();
    assert_eq!(batch_rows.len(), 7);
    assert!(
        batch_rows.iter().all(|r| r.ends_with(",1,1,1")),
        "{batch_rows:?}"
    );
}

#[test]
fn batch_writes_only_the_format_asked_for() {
    let dir = tmp();
    // `batch` of the unit table of 2022-2023 (600 rows) in `format` into `out`.
    let batch = |format: &str, out: &Path| {
        barometer()
            .args(["batch", "--years", "2022..2023", "--table", "units"])
            .args(["--format", format, "--out"])
            .arg(out)
            .assert()
            .success()
    };
    let run = |format: &str| {
        let out = dir.path().join(format);
        batch(format, &out);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(manifest["runs"][0]["parameters"]["format"], format);
        for file in manifest["files"].as_array().unwrap() {
            let bytes = std::fs::read(out.join(file["file"].as_str().unwrap())).unwrap();
            assert_eq!(file["sha256"], barometer::store::sha256_hex(&bytes));
            assert_eq!(file["rows"], 600);
        }
        out
    };
    let data = |out: &Path| -> Vec<String> {
        let csv = std::fs::read_to_string(out.join("barometer.csv")).unwrap();
        csv.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let both = run("both");
    let csv = run("csv");
    let parquet = run("parquet");
    // Into a folder holding both tables: the one not written this time is named.
    batch("csv", &both)
        .stderr(predicate::str::contains(
            "barometer.parquet is left from an earlier run",
        ))
        .stderr(predicate::str::contains("barometer.csv is left").not());
    batch("both", &both).stderr(predicate::str::contains("left from an earlier run").not());
    assert_eq!(
        listing(&both),
        ["barometer.csv", "barometer.parquet", "manifest.json"]
    );
    assert_eq!(listing(&csv), ["barometer.csv", "manifest.json"]);
    assert_eq!(listing(&parquet), ["barometer.parquet", "manifest.json"]);
    assert_eq!(data(&csv), data(&both));
    assert_eq!(data(&csv).len(), 601);
    let table = |out: &Path| {
        use polars_io::SerReader;
        let file = std::fs::File::open(out.join("barometer.parquet")).unwrap();
        polars_io::prelude::ParquetReader::new(file)
            .finish()
            .unwrap()
    };
    assert!(table(&parquet).equals_missing(&table(&both)));
    assert_eq!(table(&parquet).height(), 600);
}

#[test]
fn batch_unit_table_matches_score_for_every_unit() {
    let dir = tmp();
    let out = dir.path().join("uit");
    barometer()
        .args([
            "batch",
            "--years",
            "2021..2023",
            "--table",
            "units",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("barometer.csv")).unwrap();
    assert!(csv.contains("# parameter table: units"));
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        rows[0],
        "barometer,year,unit,name,score,indicators,composite,rank,percentile,decile"
    );
    assert_eq!(rows.len() - 1, 3 * 300);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][1]["rows"], 900);
    assert_eq!(manifest["columns"][4], "score");
    // Each 2022 row carries what `score` gives that unit: score, indicators, composite, rank,
    // percentile, decile (the last six columns of both).
    let scored = barometer()
        .args(["score", "--year", "2022", "--format", "csv"])
        .output()
        .unwrap();
    let scored = String::from_utf8(scored.stdout).unwrap();
    let tail = |line: &str| line.rsplitn(7, ',').take(6).collect::<Vec<_>>().join(",");
    let expected: Vec<(String, String)> = scored
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| (l.split(',').next().unwrap().to_owned(), tail(l)))
        .collect();
    let got: Vec<(String, String)> = rows[1..]
        .iter()
        .filter(|l| l.starts_with("kinderarmoede,2022,"))
        .map(|l| (l.split(',').nth(2).unwrap().to_owned(), tail(l)))
        .collect();
    assert_eq!(got.len(), 300);
    assert_eq!(got, expected);
}

#[test]
fn batch_from_a_tidy_file_reports_and_keeps_rejected_rows() {
    let dir = tmp();
    let tidy = dir.path().join("demo.csv");
    barometer()
        .args(["demo", "--out"])
        .arg(&tidy)
        .assert()
        .success();
    let mut text = std::fs::read_to_string(&tidy).unwrap();
    let lines = text.lines().count();
    text.push_str("71016;2023;geen-indicator;5;10;;\n");
    std::fs::write(&tidy, &text).unwrap();
    let out = dir.path().join("uit");
    barometer()
        .args([
            "batch",
            "--years",
            "2022..2023",
            "--table",
            "units",
            "--tidy",
        ])
        .arg(&tidy)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 rejected"));
    assert_eq!(
        listing(&out),
        [
            "barometer.csv",
            "barometer.parquet",
            "manifest.json",
            "rejected.csv"
        ]
    );
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(
        rejected.contains(&format!("demo.csv,{},indicator,", lines + 1))
            && rejected.contains("geen-indicator"),
        "{rejected}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][2]["file"], "rejected.csv");
    assert_eq!(manifest["files"][2]["rows"], 1);
    assert_eq!(manifest["files"][1]["rows"], 600);
    let run = &manifest["runs"][0];
    assert!(
        run["parameters"]["tidy"]
            .as_str()
            .unwrap()
            .ends_with("demo.csv")
    );
    assert_eq!(
        run["store"]["sha256"],
        barometer::store::sha256_hex(text.as_bytes())
    );
    // --strict: the rejected row is an error and nothing is written.
    let strict = dir.path().join("streng");
    barometer()
        .args(["batch", "--years", "2023", "--strict", "--tidy"])
        .arg(&tidy)
        .arg("--out")
        .arg(&strict)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("geen-indicator"));
    assert!(!strict.exists());
    // A store and tidy files at once: a usage error.
    barometer()
        .args(["batch", "--years", "2023", "--store", "s.parquet", "--tidy"])
        .arg(&tidy)
        .arg("--out")
        .arg(&strict)
        .assert()
        .code(2);
}

#[test]
fn batch_keeps_the_years_asked_for_restated_as_with_every_year() {
    // 2018 in the municipality set before the 2019 mergers (Deinze 44011, Nevele 44049),
    // 2020 in the set after (Deinze 44083): every year of the file is restated in the newest.
    let dir = tmp();
    let text = format!(
        "{HEADER}44011;2018;kansarmoede-index;20;100\n44049;2018;kansarmoede-index;5;50\n\
         71016;2018;kansarmoede-index;30;100\n44083;2020;kansarmoede-index;24;150\n\
         71016;2020;kansarmoede-index;31;100\n71016;2020;geen-indicator;1;2\n"
    );
    let tidy = write(dir.path(), "in.csv", &text);
    let run = |years: &str, out: &str| {
        let assert = barometer()
            .args(["batch", "--table", "units", "--years", years, "--tidy"])
            .arg(&tidy)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        let rows: Vec<String> = std::fs::read_to_string(dir.path().join(out).join("barometer.csv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains("2018"))
            .map(str::to_owned)
            .collect();
        (stderr, rows)
    };
    let (all_err, all) = run("2018,2020", "alle");
    let (one_err, one) = run("2018", "een");
    assert_eq!(one, all, "2018 alone as among every year");
    assert!(one.iter().any(|l| l.contains("44083")), "{one:?}");
    assert!(!one.iter().any(|l| l.contains("44011")), "{one:?}");
    // Every row is kept, skipped (a year not asked for) or rejected, and said so.
    assert!(
        all_err.contains("6 rows read, 5 kept") && all_err.contains("0 skipped, 1 rejected"),
        "{all_err}"
    );
    assert!(
        one_err.contains("6 rows read, 3 kept") && one_err.contains("2 skipped, 1 rejected"),
        "{one_err}"
    );
}

#[test]
fn batch_rejects_bad_years_with_a_usage_error() {
    let dir = tmp();
    barometer()
        .args(["batch", "--years", "2023..2012", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("runs backwards"));
    barometer()
        .args(["batch", "--years", "1990", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("year 1990 is not in the store"));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn sensitivity_is_reproducible_to_the_byte() {
    let dir = tmp();
    let run = |name: &str| {
        let out = dir.path().join(name);
        barometer()
            .args([
                "sensitivity",
                "--year",
                "2023",
                "--runs",
                "2000",
                "--sobol",
                "64",
                "--bootstrap",
                "50",
                "--seed",
                "7",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("gemiddelde rangverschuiving"));
        (
            std::fs::read(out.join("ranks.csv")).unwrap(),
            std::fs::read(out.join("sobol.csv")).unwrap(),
            std::fs::read(out.join("sensitivity.xlsx")).unwrap(),
        )
    };
    let (a, b) = (run("a"), run("b"));
    assert_eq!(a, b);
    // The workbook holds the same numbers: ranks as numbers, probabilities as fractions.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("a/sensitivity.xlsx")).unwrap();
    use calamine::{DataType, Reader};
    assert_eq!(book.sheet_names(), ["Rangen", "Sobol", "Uitvoering"]);
    let sheet = book.worksheet_range("Rangen").unwrap();
    let csv_rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(&a.0[..])
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(sheet.height(), csv_rows.len() + 1);
    for (r, row) in csv_rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate().take(row.len() - 1).skip(2) {
            let cell = sheet.get((r + 1, c)).unwrap().as_f64().unwrap();
            assert!(
                (cell - text.parse::<f64>().unwrap()).abs() < 1e-9,
                "{r} {c}"
            );
        }
    }
    let ranks = String::from_utf8(a.0).unwrap();
    assert!(ranks.contains(
        "# parameter vary: reference,cutoff,weights,normalisation,aggregation,indicators,sampling"
    ));
    assert_eq!(ranks.lines().filter(|l| !l.starts_with('#')).count(), 301);
    let sobol = String::from_utf8(a.1).unwrap();
    assert!(sobol.contains("\nsampling,"));
    let units = std::fs::read_to_string(dir.path().join("a/sobol_units.csv")).unwrap();
    assert_eq!(
        units,
        std::fs::read_to_string(dir.path().join("b/sobol_units.csv")).unwrap()
    );
    assert_eq!(units.lines().filter(|l| !l.starts_with('#')).count(), 301);
    assert!(units.contains("unit,name,first_reference,"));
}

#[test]
fn sensitivity_writes_only_the_csv_tables_when_asked() {
    let dir = tmp();
    let run = |name: &str, format: &str| {
        let out = dir.path().join(name);
        barometer()
            .args(["sensitivity", "--year", "2023", "--runs", "300"])
            .args(["--sobol", "32", "--bootstrap", "20", "--format", format])
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
    };
    run("all", "all");
    let csv = run("csv", "csv");
    let names = |name: &str| {
        let mut files: Vec<String> = std::fs::read_dir(dir.path().join(name))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        files
    };
    assert_eq!(names("csv"), ["ranks.csv", "sobol.csv", "sobol_units.csv"]);
    assert!(names("all").contains(&"sensitivity.xlsx".to_owned()));
    assert!(names("all").contains(&"ranks.png".to_owned()));
    // The same tables either way (but for the time they were written).
    let table = |path: std::path::PathBuf| {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("# generated_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for file in ["ranks.csv", "sobol.csv", "sobol_units.csv"] {
        assert_eq!(
            table(dir.path().join("all").join(file)),
            table(dir.path().join("csv").join(file)),
            "{file}"
        );
    }
    assert!(
        String::from_utf8_lossy(&csv.get_output().stderr).is_empty(),
        "no note in a fresh folder"
    );
    // Over an earlier run with every file, the files this run did not write are named.
    let over = barometer()
        .args([
            "sensitivity",
            "--year",
            "2023",
            "--runs",
            "300",
            "--sobol",
            "0",
        ])
        .args(["--format", "csv", "--out"])
        .arg(dir.path().join("all"))
        .assert()
        .success();
    let notes = String::from_utf8_lossy(&over.get_output().stderr).into_owned();
    for left in [
        "sensitivity.xlsx",
        "sobol_units.csv",
        "ranks.png",
        "sobol.svg",
    ] {
        assert!(
            notes.contains(&format!("{left} is left from an earlier run")),
            "{notes}"
        );
    }
    assert!(!notes.contains("ranks.csv is left"), "{notes}");
}

#[test]
fn sensitivity_rejects_unknown_factors() {
    let dir = tmp();
    barometer()
        .args([
            "sensitivity",
            "--year",
            "2023",
            "--vary",
            "gewichten",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown factor 'gewichten'"));
}
