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
        // One bit flipped in the data pages of a valid store.
        "flipped-store" => {
            let mut bytes = store.to_vec();
            bytes[store.len() / 3] ^= 0x10;
            write("bad.parquet", &bytes);
        }
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

/// The fuzz corpus (fuzz/corpus/TARGET/, minimised after the runs in docs/fuzzing.md) replayed
/// through the same library entry points as the fuzz targets, on the stable toolchain: every
/// input found interesting, and every crash found and fixed (fuzz/corpus/*/crash-*), stays
/// without a panic.
#[test]
fn the_fuzz_corpus_replays_without_a_panic() {
    use barometer::allocate::{money, rule::Key, rule::Rule};
    use barometer::definition::Definition;
    use barometer::geo::Geography;
    use barometer::ingest::layout::{self, Layout};
    use barometer::ingest::mapping::Mapping;
    use barometer::ingest::{belgian, number, table, text, tidy};
    use barometer::map::{classify, geometry};

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let mut names = vec!["tidy", "sheet"];
    names.extend(layout::names());
    let layouts: Vec<Layout> = names.iter().map(|n| Layout::resolve(n).unwrap()).collect();
    let indicators = [None, Some("kansarmoede-index"), Some("leefloon")];
    let mapping_file: &[u8] = b"gemeente;jaar;teller;noemer;waarde\nGenk;2013;12153;65363;18,6\n71022;2014;<5;100;x\nAntwerpen;2019;1.234;5.678;21,7\n";
    let markers = vec!["<5".to_owned(), "x".to_owned(), "-".to_owned()];
    let mut replayed = 0;
    for target in [
        "number",
        "text",
        "tidy",
        "layout",
        "workbook",
        "definition",
        "allocation",
        "mapping",
        "geojson",
        "store",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            panic!("fuzz/corpus/{target} is missing");
        };
        for entry in entries {
            // (A running fuzzer may remove a file meanwhile.)
            let Ok(data) = std::fs::read(entry.unwrap().path()) else {
                continue;
            };
            let utf8 = std::str::from_utf8(&data).ok();
            match target {
                "number" => {
                    if let Some(t) = utf8 {
                        let _ = number::parse_count(t);
                        for style in [belgian::NumberStyle::Belgian, belgian::NumberStyle::Plain] {
                            if let Ok(v) = belgian::parse(t, style) {
                                assert!(v.is_finite(), "{t:?} parsed to {v}");
                            }
                            let _ = belgian::cell(t, style, &markers);
                        }
                        let _ = money::parse_euro(t);
                        let _ = Key::parse(t);
                        let _ = classify::Method::parse(t);
                        let _ = geometry::Crs::parse(t);
                    }
                }
                "text" => {
                    if let Some((&choice, bytes)) = data.split_first() {
                        let (decoded, _) = text::decode(bytes);
                        let _ = text::sniff_separator(decoded.lines().next().unwrap_or(""));
                        let sep = [Some(b';'), Some(b','), Some(b'\t'), Some(b'|'), None, None]
                            [usize::from(choice) % 6];
                        let _ = text::read_delimited(bytes, "fuzz.csv", sep);
                    }
                }
                "tidy" => {
                    let _ = tidy::parse(&data, Path::new("fuzz.csv"), &def, geo);
                }
                "layout" => {
                    if let Some((&choice, bytes)) = data.split_first() {
                        let l = &layouts[usize::from(choice) % layouts.len()];
                        let ind = indicators[usize::from(choice / 16) % indicators.len()];
                        let _ = layout::read_bytes(bytes, Path::new("fuzz.csv"), l, &def, geo, ind);
                    }
                }
                "workbook" => {
                    if table::read_workbook(&data, "fuzz.xlsx", None).is_ok() {
                        for l in [&layouts[1], &layouts[4]] {
                            let _ = layout::read_bytes(
                                &data,
                                Path::new("fuzz.xlsx"),
                                l,
                                &def,
                                geo,
                                Some("kansarmoede-index"),
                            );
                        }
                    }
                }
                "definition" => {
                    if let Some(t) = utf8 {
                        let _ = Definition::parse(t, "fuzz.toml");
                    }
                }
                "allocation" => {
                    if let Some(t) = utf8
                        && let Ok(rule) = Rule::parse(t, "fuzz.toml")
                    {
                        let _ = rule.check();
                        let _ = rule.describe();
                    }
                }
                "mapping" => {
                    if let Some(t) = utf8
                        && let Ok(m) = Mapping::parse(t, "fuzz.toml")
                    {
                        let l = Layout::Mappings("fuzz.toml".into(), vec![m]);
                        let _ = layout::read_bytes(
                            mapping_file,
                            Path::new("fuzz.csv"),
                            &l,
                            &def,
                            geo,
                            Some("kansarmoede-index"),
                        );
                    }
                }
                "geojson" => {
                    if let Some((&choice, bytes)) = data.split_first() {
                        let key = [None, Some("nis"), Some("CODE_INS")][usize::from(choice % 3)];
                        let crs = [
                            None,
                            Some(geometry::Crs::Wgs84),
                            Some(geometry::Crs::Lambert72),
                        ][usize::from((choice / 3) % 3)];
                        if let Ok(layer) = geometry::parse(bytes, "fuzz.geojson", key, crs) {
                            let _ = layer.bounds();
                        }
                    }
                }
                "store" => {
                    if let Ok(store) = Store::from_parquet(&data, "fuzz.parquet") {
                        let _ = store.records();
                        let _ = store.years();
                        let _ = store.indicators();
                    }
                }
                _ => unreachable!(),
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 50, "only {replayed} corpus files");
}
