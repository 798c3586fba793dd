//! The bad-input corpus (tests/bad-inputs/cases.toml): every case runs the real `barometer`
//! binary in a fresh folder and must fail with the declared exit code and message fragment,
//! without a panic, and without creating, changing or removing any file in the folder.

use barometer::store::{FORMAT_VERSION, Store, StoreMeta};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    args: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    copy: BTreeMap<String, String>,
    generate: Option<String>,
    exit: i32,
    error: String,
    #[serde(default)]
    also: Vec<String>,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs")
}

/// Every file under `dir` (relative path -> bytes), folders included as empty entries.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if entry.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), None);
                stack.push(path);
            } else {
                out.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// The differences between two snapshots, for a failure message.
fn changes(
    before: &BTreeMap<String, Option<Vec<u8>>>,
    after: &BTreeMap<String, Option<Vec<u8>>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in after {
        match before.get(k) {
            None => out.push(format!("created {k}")),
            Some(b) if b != v => out.push(format!("changed {k}")),
            _ => {}
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        out.push(format!("removed {k}"));
    }
    out
}

/// The store every case folder starts with: files/valid.csv ingested by the binary.
fn valid_store(bin: &Path) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        corpus().join("files/valid.csv"),
        dir.path().join("valid.csv"),
    )
    .unwrap();
    let out = Command::new(bin)
        .args(["ingest", "--tidy", "valid.csv", "--store", "store.parquet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(dir.path().join("store.parquet")).unwrap()
}

fn generate(kind: &str, dir: &Path, store: &[u8]) {
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    match kind {
        // A 2 MB cell: the message must stay short and the reader fast.
        "long-cell" => write(
            "long.csv",
            format!(
                "nis;jaar;indicator;teller;noemer\n71016;2013;verhoogde-tegemoetkoming;{};5\n",
                "1".repeat(2_000_000)
            )
            .as_bytes(),
        ),
        "long-header" => write(
            "long.csv",
            format!("nis;jaar;indicator;teller;noemer{}\n", ";x".repeat(300_000)).as_bytes(),
        ),
        // A 2 MB municipality name: name matching must not compare it letter by letter with
        // every name (that took a minute and gigabytes before).
        "long-name" => write(
            "long.csv",
            format!(
                "gemeente;jaar;teller;noemer\nG{}nk;2013;1;5\n",
                "e".repeat(2_000_000)
            )
            .as_bytes(),
        ),
        "csv-store" => write("bad.parquet", b"nis;jaar;indicator;teller;noemer\n"),
        "empty-store" => write("bad.parquet", b""),
        "truncated-store" => write("bad.parquet", &store[..store.len() / 2]),
        "newer-store" => {
            let meta = StoreMeta {
                format_version: FORMAT_VERSION + 1,
                ..StoreMeta::default()
            };
            let newer = Store::from_records(vec![], meta, "test").unwrap();
            write("bad.parquet", &newer.to_parquet().unwrap());
        }
        other => panic!("unknown generate kind '{other}'"),
    }
}

/// Run one case; `Err` describes every way it failed.
fn run_case(case: &Case, bin: &Path, store: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("store.parquet"), store).unwrap();
    for (name, text) in &case.files {
        std::fs::write(root.join(name), text).unwrap();
    }
    for (name, source) in &case.copy {
        std::fs::copy(corpus().join("files").join(source), root.join(name)).unwrap();
    }
    if let Some(kind) = &case.generate {
        generate(kind, root, store);
    }
    let before = snapshot(root);
    let out = Command::new(bin)
        .args(&case.args)
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1795482061")
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let after = snapshot(root);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit) {
        problems.push(format!(
            "exit code {:?}, expected {}",
            out.status.code(),
            case.exit
        ));
    }
    for fragment in std::iter::once(&case.error).chain(&case.also) {
        if !stderr.contains(fragment.as_str()) {
            problems.push(format!("the message lacks {fragment:?}"));
        }
    }
    if !stderr.starts_with("error: ") {
        problems.push("the message does not start with 'error: '".into());
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("it panicked".into());
    }
    if stderr.len() > 20_000 {
        problems.push(format!("the message is {} bytes long", stderr.len()));
    }
    let changed = changes(&before, &after);
    if !changed.is_empty() {
        problems.push(format!("files touched: {}", changed.join(", ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown: String = stderr.chars().take(1500).collect();
        Err(format!(
            "case '{}' (barometer {}):\n    {}\n    stderr: {shown}",
            case.name,
            case.args.join(" "),
            problems.join("\n    ")
        ))
    }
}

#[test]
fn every_bad_input_fails_cleanly_and_touches_nothing() {
    let text = std::fs::read_to_string(corpus().join("cases.toml")).unwrap();
    let manifest: Manifest = toml::from_str(&text).unwrap();
    let cases = manifest.case;
    assert!(cases.len() >= 40, "the corpus holds {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "case names are unique");

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_barometer"));
    let store = valid_store(&bin);
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(case) = cases.get(i) else { break };
                    if let Err(e) = run_case(case, &bin, &store) {
                        failures.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
