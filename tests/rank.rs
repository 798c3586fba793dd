//! Ranking: a property test on random stores (the ranking is a permutation of the municipalities
//! consistent with the scores) and the `rank` command with movement, CSV, JSON and XLSX.

use assert_cmd::Command;
use barometer::barometer::score;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::store::{Record, Status, Store, StoreMeta};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn barometer() -> Command {
    let mut cmd = Command::cargo_bin("barometer").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795482061");
    cmd
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn ranking_is_a_permutation_consistent_with_scores(
        n in 2usize..40,
        seeds in prop::collection::vec((1u32..100, 100u32..200), 7 * 40),
    ) {
        let geo = Geography::bundled();
        let def = Definition::bundled();
        let codes: Vec<String> = geo.set_for_year(2023).codes.iter().take(n).cloned().collect();
        let mut records = Vec::new();
        for (u, code) in codes.iter().enumerate() {
            for (k, ind) in def.indicators.iter().enumerate() {
                let (num, den) = seeds[u * 7 + k];
                records.push(Record {
                    unit: code.clone(),
                    year: 2023,
                    indicator: ind.id.clone(),
                    // Few distinct values, so that ties in score and composite occur.
                    numerator: Some(f64::from(num % 5 * 10)),
                    denominator: Some(f64::from(den / 50 * 50)),
                    status: Status::Observed,
                    source: "proptest".into(),
                });
            }
        }
        let store = Store::from_records(records, StoreMeta::default(), "mem").unwrap();
        let board = score(&store, &def, geo, 2023).unwrap();
        let seen: BTreeSet<&str> = board.rows.iter().map(|r| r.nis.as_str()).collect();
        prop_assert_eq!(seen.len(), n);
        prop_assert_eq!(seen, codes.iter().map(String::as_str).collect::<BTreeSet<_>>());
        let key = |r: &barometer::barometer::Row| (r.score, r.composite.unwrap_or(f64::NEG_INFINITY));
        for a in &board.rows {
            // Competition rank: 1 + the number of municipalities strictly more at risk.
            let above = board.rows.iter().filter(|b| {
                let (ka, kb) = (key(a), key(b));
                kb.0 > ka.0 || (kb.0 == ka.0 && kb.1 > ka.1)
            }).count();
            prop_assert_eq!(a.rank as usize, above + 1);
            for b in &board.rows {
                if a.score > b.score {
                    prop_assert!(a.rank < b.rank);
                }
            }
        }
        prop_assert!(board.rows.windows(2).all(|w| w[0].rank <= w[1].rank));
    }
}

#[test]
fn movement_since_a_comparison_year() {
    let out = barometer()
        .args([
            "rank",
            "--year",
            "2023",
            "--compare-year",
            "2018",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    let mut moved = 0;
    for r in &rows {
        let rank: i64 = r[col("rank")].parse().unwrap();
        let prev: i64 = r[col("previous_rank")].parse().unwrap();
        let score: i64 = r[col("score")].parse().unwrap();
        let prev_score: i64 = r[col("previous_score")].parse().unwrap();
        assert_eq!(r[col("rank_change")].parse::<i64>().unwrap(), prev - rank);
        assert_eq!(
            r[col("score_change")].parse::<i64>().unwrap(),
            score - prev_score
        );
        moved += usize::from(prev != rank);
    }
    assert!(moved > 100, "only {moved} municipalities moved");
    barometer()
        .args(["rank", "--year", "2023", "--compare-year", "2018"])
        .assert()
        .success()
        .stdout(predicates::str::contains("beweging sinds 2018"))
        .stdout(predicates::str::contains("Δ = vorige rang - rang"));
}

#[test]
fn json_and_xlsx() {
    let out = barometer()
        .args([
            "rank",
            "--year",
            "2023",
            "--compare-year",
            "2020",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["compare_year"], 2020);
    let m = &v["municipalities"][0];
    assert_eq!(
        m["movement"]["rank_change"].as_i64().unwrap(),
        m["movement"]["previous_rank"].as_i64().unwrap() - m["rank"].as_i64().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("r.xlsx");
    barometer()
        .args(["rank", "--year", "2023", "--out", x.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(&std::fs::read(&x).unwrap()[..2], b"PK");
    let o = barometer()
        .args(["rank", "--year", "2023", "--compare-year", "2023"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
