//! Outputs under faults and repetition: a process killed (SIGKILL) while writing leaves the old
//! complete file or the new complete file, never a partial one; a normal run leaves no temporary
//! file; and every command gives byte-identical outputs run after run and whatever the number of
//! threads (the run record's time pinned with SOURCE_DATE_EPOCH).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EPOCH: &str = "1795482061";

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_barometer"))
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

fn run(dir: &Path, args: &[&str], threads: &str) {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "barometer {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The relative path of every file under `dir`, without reading any (a file may vanish while a
/// killed or running write renames it).
fn paths(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}

/// Every file under `dir`: relative path -> bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    paths(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut temps: Vec<String> = paths(dir)
        .into_iter()
        .filter(|k| k.ends_with(".tmp"))
        .collect();
    temps.sort();
    temps
}

/// Every command and output kind, written under `o/` in `dir`.
fn every_output(dir: &Path, threads: &str) {
    let geo = fixture("tests/fixtures/geo/vier.geojson");
    let valid = fixture("tests/bad-inputs/files/valid.csv");
    let runs: Vec<Vec<&str>> = vec![
        vec!["demo", "--out", "o/demo.parquet"],
        vec!["demo", "--out", "o/demo.csv"],
        vec!["ingest", "--tidy", &valid, "--store", "o/store.parquet"],
        vec!["score", "--year", "2023", "--out", "o/score.csv"],
        vec!["score", "--year", "2023", "--out", "o/score.json"],
        vec![
            "rank",
            "--year",
            "2023",
            "--compare-year",
            "2018",
            "--out",
            "o/rank.csv",
        ],
        vec![
            "rank",
            "--year",
            "2023",
            "--compare-year",
            "2018",
            "--out",
            "o/rank.json",
        ],
        vec!["rank", "--year", "2023", "--out", "o/rank.xlsx"],
        vec![
            "allocate",
            "--year",
            "2023",
            "--budget",
            "4500000",
            "--out",
            "o/alloc.csv",
        ],
        vec![
            "allocate",
            "--year",
            "2023",
            "--budget",
            "4500000",
            "--out",
            "o/alloc.json",
        ],
        vec![
            "allocate",
            "--year",
            "2023",
            "--budget",
            "4500000",
            "--out",
            "o/alloc.xlsx",
        ],
        vec![
            "map",
            "--year",
            "2023",
            "--geometry",
            &geo,
            "--out",
            "o/map.svg",
            "--geojson-out",
            "o/map.geojson",
        ],
        vec![
            "map",
            "--year",
            "2023",
            "--geometry",
            &geo,
            "--out",
            "o/map.html",
        ],
        vec![
            "map",
            "--year",
            "2023",
            "--geometry",
            &geo,
            "--out",
            "o/map.png",
        ],
        vec!["chart", "bars", "--year", "2023", "--out", "o/bars.svg"],
        vec!["chart", "grid", "--year", "2023", "--out", "o/grid.png"],
        vec![
            "profile",
            "--municipality",
            "Genk",
            "--from",
            "2015",
            "--out",
            "o/profile",
        ],
        vec![
            "batch",
            "--years",
            "2021..2023",
            "--out",
            "o/batch",
            "--quiet",
        ],
        vec![
            "sensitivity",
            "--year",
            "2023",
            "--runs",
            "100",
            "--sobol",
            "32",
            "--bootstrap",
            "20",
            "--out",
            "o/sensitivity",
            "--quiet",
        ],
    ];
    for args in &runs {
        run(dir, args, threads);
    }
}

#[test]
fn every_output_is_byte_identical_across_runs_and_thread_counts() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let again = tempfile::tempdir().unwrap();
    every_output(one.path(), "1");
    every_output(two.path(), "2");
    every_output(again.path(), "2");
    let (a, b, c) = (files(one.path()), files(two.path()), files(again.path()));
    let kinds: std::collections::BTreeSet<&str> = a
        .keys()
        .filter_map(|k| k.rsplit_once('.').map(|(_, ext)| ext))
        .collect();
    for kind in [
        "csv", "json", "parquet", "svg", "png", "html", "xlsx", "geojson",
    ] {
        assert!(kinds.contains(kind), "no {kind} output among {kinds:?}");
    }
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b[*k] != **v || c[*k] != **v)
        .map(|(k, _)| k)
        .collect();
    assert!(
        differ.is_empty(),
        "outputs differ between runs or thread counts: {differ:?}"
    );
    // A normal run leaves no temporary file behind.
    for dir in [one.path(), two.path(), again.path()] {
        assert_eq!(temporaries(dir), Vec::<String>::new());
    }
}

/// A small deterministic generator for the kill delays (the test is reproducible).
/// Start `args(k)` and SIGKILL it at seeded random moments up to past a full run (`full`
/// seconds), until enough kills landed while `target` was being written; after each kill,
/// `target` must be absent (if it was before, or if `fresh`: removed before each run) or equal
/// to one of `versions`, never partial. Returns the kills and those caught writing.
fn kill_while_writing<'a>(
    d: &Path,
    args: impl Fn(usize) -> Vec<&'a str>,
    target: &str,
    versions: &[Vec<u8>],
    full: f64,
    fresh: bool,
) -> (usize, usize) {
    let path = d.join(target);
    let mut rng = Lcg(8);
    let (mut kills, mut caught_writing) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    while kills < 60 && !(kills >= 12 && caught_writing >= 4) && Instant::now() < deadline {
        if fresh {
            let _ = std::fs::remove_file(&path);
        }
        let before = std::fs::read(&path).ok();
        let mut child = Command::new(bin())
            .args(args(kills))
            .current_dir(d)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every other kill: anywhere from the start to past the end of a full run, most often
        // near the end, where the file is written; the others a few milliseconds after the
        // temporary file appears, so that the write itself is hit even when it is a small
        // part of the run.
        let started = Instant::now();
        if kills % 2 == 0 {
            let at = full * (0.2 + 0.95 * rng.unit().sqrt());
            std::thread::sleep(Duration::from_secs_f64(at));
        } else {
            while temporaries(d).is_empty()
                && child.try_wait().unwrap().is_none()
                && started.elapsed().as_secs_f64() < 3.0 * full
            {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_secs_f64(0.003 * rng.unit()));
        }
        let at = started.elapsed().as_secs_f64();
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        kills += 1;
        let left = temporaries(d);
        if !left.is_empty() {
            caught_writing += 1;
        }
        match std::fs::read(&path) {
            Err(_) => assert!(
                before.is_none(),
                "the previous {target} disappeared (kill {kills})"
            ),
            Ok(now) => {
                let which = versions.iter().position(|v| *v == now);
                assert!(
                    which.is_some(),
                    "kill {kills} after {at:.3} s ({status}) left a partial {target} of {} bytes",
                    now.len()
                );
            }
        }
        // The leftovers of a killed write: removed by a later write once stale; clear them
        // here so that the next kill's are counted anew.
        for t in left {
            std::fs::remove_file(d.join(t)).unwrap();
        }
    }
    assert!(
        caught_writing >= 1,
        "no kill out of {kills} landed while {target} was being written (a full run takes \
         {full:.3} s); the test did not exercise the write"
    );
    (kills, caught_writing)
}

#[test]
fn a_kill_while_ingesting_leaves_no_store_or_a_complete_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(d, &["demo", "--seed", "3", "--out", "in.csv"], "2");
    let ingest = ["ingest", "--tidy", "in.csv", "--store", "big.parquet"];
    let start = Instant::now();
    run(d, &ingest, "2");
    let full = start.elapsed().as_secs_f64();
    let complete = std::fs::read(d.join("big.parquet")).unwrap();
    let (kills, caught) = kill_while_writing(
        d,
        |_| ingest.to_vec(),
        "big.parquet",
        &[complete],
        full,
        true,
    );
    eprintln!("{kills} kills, {caught} while writing the store (a full run takes {full:.3} s)");
}

struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_kill_while_writing_leaves_the_old_or_the_new_file_never_a_partial_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two complete versions of a 2.5 MB tidy CSV (the demo store with two seeds).
    let demo = |seed: &str, out: &str| {
        let start = Instant::now();
        run(d, &["demo", "--seed", seed, "--out", out], "2");
        start.elapsed()
    };
    let t1 = demo("1", "one.csv");
    let t2 = demo("2", "two.csv");
    let versions = [
        std::fs::read(d.join("one.csv")).unwrap(),
        std::fs::read(d.join("two.csv")).unwrap(),
    ];
    assert_ne!(versions[0], versions[1]);
    assert!(versions[0].len() > 1_000_000);
    let full = t1.max(t2).as_secs_f64();

    let (kills, caught_writing) = kill_while_writing(
        d,
        |k| {
            let seed = if k % 2 == 0 { "1" } else { "2" };
            vec!["demo", "--seed", seed, "--out", "big.csv"]
        },
        "big.csv",
        &versions,
        full,
        false,
    );
    eprintln!("{kills} kills, {caught_writing} while writing (a full run takes {full:.3} s)");

    // A later run removes the stale temporary file a killed run left for its target.
    let stale = d.join(".big.csv.kill01.tmp");
    std::fs::write(&stale, &versions[0][..1000]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(2 * 3600))
        .unwrap();
    run(d, &["demo", "--seed", "1", "--out", "big.csv"], "2");
    assert_eq!(std::fs::read(d.join("big.csv")).unwrap(), versions[0]);
    assert_eq!(temporaries(d), Vec::<String>::new());
}
