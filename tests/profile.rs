//! `barometer profile` as an analyst uses it: the Genk demo profile reproduces the published
//! figures of the seed, every file is written, and the report renders in headless Chromium with
//! every chart drawn and no console error (screenshot kept in target/tmp as a test artefact).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn barometer() -> Command {
    let mut cmd = Command::cargo_bin("barometer").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795482061");
    cmd
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(path).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

fn genk(dir: &Path, lang: &str) {
    barometer()
        .args([
            "profile",
            "--municipality",
            "GENK",
            "--from",
            "2008",
            "--year",
            "2013",
            "--lang",
            lang,
        ])
        .args(["--target", "kansarmoede-index:-50%@2025", "--out"])
        .arg(dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("report.html"));
}

#[test]
fn genk_reproduces_the_published_figures() {
    let dir = tempfile::tempdir().unwrap();
    genk(dir.path(), "nl");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    // Seed 003: 18,6 % verhoogde tegemoetkoming in 2013 (Limburg 14,1 %), 15,4 % in 2008.
    assert!(html.contains("Genk scoort in 2013 voor inwoners met verhoogde tegemoetkoming met 18,6 % hoger dan Limburg (14,1 %)"), "sentence missing");
    assert!(html.contains("van 15,4 % naar 18,6 %"));
    assert!(html.contains("12.153"), "Belgian thousands separator");
    assert!(html.contains("synthetische demodata"));
    for remote in ["<link", "src=\"http", "@import", "url(http"] {
        assert!(!html.contains(remote), "self-contained: no {remote}");
    }
    let rows = csv_rows(&dir.path().join("tables/years.csv"));
    let vt = rows
        .iter()
        .find(|r| &r[0] == "verhoogde-tegemoetkoming" && &r[1] == "2013" && &r[2] == "municipality")
        .unwrap();
    assert_eq!((&vt[4], &vt[5]), ("12153", "65363"));
    let indicators = csv_rows(&dir.path().join("tables/indicators.csv"));
    let vt = indicators
        .iter()
        .find(|r| &r[0] == "verhoogde-tegemoetkoming")
        .unwrap();
    let value: f64 = vt[3].parse().unwrap();
    assert!((value - 18.593).abs() < 0.001, "{value}");
    assert_eq!(&vt[15], "higher", "18,6 % vs Flanders is significant");
    let targets = csv_rows(&dir.path().join("tables/targets.csv"));
    assert_eq!(targets.len(), 1);
    for f in [
        "profile.xlsx",
        "charts/barometer.svg",
        "charts/barometer.png",
        "charts/oki-kleuter-trend.png",
        "charts/oki-kleuter-comparison.svg",
    ] {
        assert!(dir.path().join(f).metadata().unwrap().len() > 1000, "{f}");
    }
    let xlsx = std::fs::read(dir.path().join("profile.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip file");
}

#[test]
fn english_report_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    genk(dir.path(), "en");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("In 2013, Genk scores 18.6 % on inhabitants with increased reimbursement: higher than Limburg (14.1 %)"));
    barometer()
        .args(["profile", "--municipality", "Gnek", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("closest: 71016 Genk"));
    assert!(!dir.path().join("x").exists());
}

/// Headless Chromium as CI installs it (Debian's `chromium`); skipped with a message when absent.
fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium: .ci/run installs it"
        );
        eprintln!("skipped: no chromium installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    genk(dir.path(), "nl");
    let report = dir.path().join("report.html");
    let profile_dir = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let user_dir = format!("--user-data-dir={}", profile_dir.path().display());
    let url = format!("file://{}", report.display());
    let dom = std::process::Command::new(browser)
        .args(flags)
        .arg(&user_dir)
        .args(["--virtual-time-budget=5000", "--dump-dom", &url])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    let figures = stdout.matches("<figure").count();
    assert!(figures >= 10, "{figures} figures");
    assert!(
        stdout.contains(&format!("data-charts-drawn=\"{figures}\"")),
        "every chart drawn; console: {}",
        stderr
            .lines()
            .filter(|l| l.contains("CONSOLE"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let console_errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(console_errors.is_empty(), "{console_errors:?}");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("profile-genk.png");
    let status = std::process::Command::new(browser)
        .args(flags)
        .arg(&user_dir)
        .args(["--window-size=1200,2400", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(
        shot.metadata().unwrap().len() > 10_000,
        "screenshot kept at {}",
        shot.display()
    );
}
