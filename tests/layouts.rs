//! Every publisher layout on a small hand-written file: the exact canonical rows it must give
//! (`tests/fixtures/layouts/*/expected.csv`), and what the report says about the rest.

use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::report::Report;
use barometer::ingest::{self, Options};
use barometer::store::{Record, Status};
use std::path::Path;

const DIR: &str = "tests/fixtures/layouts";

/// Ingest `files` in `layout` into a new store; the store's rows and the report.
fn ingest(layout: &str, files: &[&str], indicator: Option<&str>) -> (Vec<Record>, Report) {
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let layout = Layout::resolve(layout).unwrap();
    let parsed: Vec<_> = files
        .iter()
        .map(|f| layout::read(Path::new(f), &layout, &def, geo, indicator).unwrap())
        .collect();
    let (store, report) =
        ingest::merge(None, parsed, &def, Options::default(), geo, "mem").unwrap();
    (store.records().unwrap(), report)
}

/// The rows of an expected.csv (tidy format with status and source), sorted like the store.
fn expected(name: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(format!("{DIR}/{name}/expected.csv")).unwrap();
    let num = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
    let mut rows: Vec<Record> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(';').collect();
            Record {
                unit: c[0].into(),
                year: c[1].parse().unwrap(),
                indicator: c[2].into(),
                numerator: num(c[3]),
                denominator: num(c[4]),
                status: Status::parse(c[5]).unwrap(),
                source: c[6].into(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    rows
}

fn assert_rows(got: &[Record], want: &[Record]) {
    assert_eq!(got.len(), want.len(), "got {got:#?}");
    for (g, w) in got.iter().zip(want) {
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9 * b.abs().max(1.0),
            (a, b) => a == b,
        };
        assert!(
            g.key() == w.key()
                && close(g.numerator, w.numerator)
                && close(g.denominator, w.denominator)
                && g.status == w.status
                && g.source == w.source,
            "got {g:?}\nwant {w:?}"
        );
    }
}

fn rejections(report: &Report) -> Vec<String> {
    report
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.location, r.reason))
        .collect()
}

#[test]
fn sheet_long_windows_1252_names_belgian_numbers_and_a_merger() {
    let file = format!("{DIR}/sheet-long/analyse.csv");
    let (rows, report) = ingest("sheet", &[&file], Some("kansarmoede-index"));
    assert_rows(&rows, &expected("sheet-long"));
    let rej = rejections(&report);
    assert_eq!(rej.len(), 2, "{rej:?}");
    assert!(
        rej[0].starts_with(&format!(
            "{file}:10, column 'gemeente': unknown municipality name 'Sint-Niklas'; closest: 46021 Sint-Niklaas"
        )),
        "{rej:?}"
    );
    assert!(
        rej[1].starts_with(&format!(
            "{file}:11, column 'teller': '12.5' is not a number"
        )),
        "{rej:?}"
    );
    assert_eq!(report.unknown_units, 1);
    assert!(report.notes.iter().any(|n| n.contains("Windows-1252")));
    let f = &report.files[0];
    assert_eq!((f.read, f.kept, f.suppressed, f.rejected), (10, 8, 4, 2));
    // Deinze (44011) and Nevele (44049) of 2018 are restated as the merged Deinze (44083).
    assert_eq!(report.target, "2019-2024");
    assert_eq!(report.merges.len(), 1);
    assert_eq!(report.merges[0].old, vec!["44011", "44049"]);
    assert_eq!(report.merges[0].suppressed, 1);
}

#[test]
fn sheet_wide_bom_tabs_and_years_as_columns() {
    let (rows, report) = ingest("sheet", &[&format!("{DIR}/sheet-wide/wide.csv")], None);
    assert_rows(&rows, &expected("sheet-wide"));
    assert!(report.rejected.is_empty(), "{:?}", rejections(&report));
    assert!(report.notes.iter().any(|n| n.contains("UTF-8 with BOM")));
}

#[test]
fn statbel_denominators_combine_with_a_numerator_file() {
    let pop = format!("{DIR}/statbel/bevolking.txt");
    let num = format!("{DIR}/statbel/vt-teller.csv");
    let def = Definition::bundled();
    let geo = Geography::bundled();
    let statbel = Layout::resolve("statbel").unwrap();
    let mapping = Layout::resolve(&format!("{DIR}/statbel/vt-teller.toml")).unwrap();
    let files = vec![
        layout::read(Path::new(&pop), &statbel, &def, geo, None).unwrap(),
        layout::read(Path::new(&num), &mapping, &def, geo, None).unwrap(),
    ];
    assert_eq!(
        files[0].skipped, 2,
        "Brussels and an arrondissement are skipped"
    );
    let (store, report) = ingest::merge(None, files, &def, Options::default(), geo, "mem").unwrap();
    assert_rows(&store.records().unwrap(), &expected("statbel"));
    assert_eq!(report.combined, 2);
    // The population of the other indicators has no numerator here: reported, not stored.
    let rej = rejections(&report);
    assert_eq!(rej.len(), 4, "{rej:?}");
    assert!(
        rej.iter().all(|r| r.contains("only the denominator")),
        "{rej:?}"
    );
    assert!(
        rej[0].starts_with(&format!(
            "{pop}:2: only the denominator of unit 71016, year 2020"
        )),
        "{rej:?}"
    );
}

#[test]
fn swing_missing_codes_unknown_locations_and_old_codes() {
    let (rows, report) = ingest("swing", &[&format!("{DIR}/swing/upload.csv")], None);
    assert_rows(&rows, &expected("swing"));
    assert!(report.rejected.is_empty(), "{:?}", rejections(&report));
    assert_eq!(
        report.files[0].skipped, 2,
        "the 99991 row and the province row"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("location 99991 (Vlaanderen, locatie onbekend)"))
    );
    assert_eq!(report.merges[0].new_nis, "72043");
    assert_eq!(report.merges[0].old, vec!["72025", "72029"]);
}

#[test]
fn oki_on_the_older_x100_scale_is_recognised() {
    let (rows, report) = ingest("oki", &[&format!("{DIR}/oki/oki-2013.csv")], None);
    assert_rows(&rows, &expected("oki"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("read on the x100 scale"))
    );
}

#[test]
fn budget_meters_read_what_the_definition_declares() {
    let (rows, report) = ingest(
        "budgetmeters",
        &[&format!("{DIR}/budgetmeters/fluvius.csv")],
        None,
    );
    assert_rows(&rows, &expected("budgetmeters"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("'budgetmeters-gas' is not in the barometer definition"))
    );
}

#[test]
fn a_user_mapping_reads_a_new_layout() {
    let (rows, report) = ingest(
        &format!("{DIR}/mapping/leefloon-procent.toml"),
        &[&format!("{DIR}/mapping/ocmw.csv")],
        None,
    );
    assert_rows(&rows, &expected("mapping"));
    assert_eq!(report.files[0].skipped, 1);
}

/// Gemeente, NIS code, teller, noemer of one sheet row.
type Cells = (&'static str, f64, &'static str, &'static str);

#[test]
fn stadsmonitor_workbook_with_a_sheet_per_indicator() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinderarmoede.xlsx");
    let mut book = Workbook::new();
    let header = [
        "gemeente",
        "NIS-code",
        "indicator",
        "jaar",
        "teller",
        "noemer",
        "waarde",
    ];
    let sheets: [(&str, &str, Vec<Cells>); 2] = [
        (
            "Kansarmoede",
            "Aandeel geboorten in kansarme gezinnen",
            vec![
                ("Genk", 71016.0, "1021", "5432"),
                ("Nevele", 44049.0, "<5", "410"),
            ],
        ),
        (
            "Budgetmeters",
            "Actieve budgetmeters elektriciteit",
            vec![
                ("Genk", 71016.0, "825", "25780"),
                ("Deinze", 44011.0, "60", "1.234"),
                ("Hasselt", 71022.0, "12,5,0", "100"),
            ],
        ),
    ];
    for (name, label, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        ws.write_string(0, 0, "Bron: Gemeente- en Stadsmonitor")
            .unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        for (i, (gemeente, nis, teller, noemer)) in rows.iter().enumerate() {
            let r = 3 + i as u32;
            ws.write_string(r, 0, *gemeente).unwrap();
            ws.write_number(r, 1, *nis).unwrap();
            ws.write_string(r, 2, label).unwrap();
            ws.write_number(r, 3, 2018.0).unwrap();
            // Numbers as Excel numbers, except the suppressed cell and a Belgian text cell.
            match teller.parse::<f64>() {
                Ok(v) => ws.write_number(r, 4, v).unwrap(),
                Err(_) => ws.write_string(r, 4, *teller).unwrap(),
            };
            match noemer.parse::<f64>() {
                Ok(v) if !noemer.contains('.') => ws.write_number(r, 5, v).unwrap(),
                _ => ws.write_string(r, 5, *noemer).unwrap(),
            };
        }
    }
    book.save(&path).unwrap();
    let file = path.to_str().unwrap();
    let (rows, report) = ingest("stadsmonitor", &[file], None);
    let src = "Gemeente- en Stadsmonitor";
    let want = |unit: &str, ind: &str, n: Option<f64>, d: f64, status| Record {
        unit: unit.into(),
        year: 2018,
        indicator: ind.into(),
        numerator: n,
        denominator: Some(d),
        status,
        source: src.into(),
    };
    let (ka, bm, ob) = (
        "kansarmoede-index",
        "budgetmeters-elektriciteit",
        Status::Observed,
    );
    assert_rows(
        &rows,
        &[
            want("44011", bm, Some(60.0), 1234.0, ob),
            want("44049", ka, None, 410.0, Status::Suppressed),
            want("71016", bm, Some(825.0), 25780.0, ob),
            want("71016", ka, Some(1021.0), 5432.0, ob),
        ],
    );
    let rej = rejections(&report);
    assert_eq!(rej.len(), 1, "{rej:?}");
    assert!(
        rej[0].starts_with(&format!(
            "{file}[Budgetmeters]:6, column 'teller': '12,5,0' is not a number"
        )),
        "{rej:?}"
    );
    assert_eq!(report.files[0].read, 5);
}
