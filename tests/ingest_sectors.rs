//! Statistical sectors in ingest: tidy and `sheet` files at sector level, the per-year check of
//! municipality sets through each sector's municipality, and no merger harmonisation of sectors.

use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::report::Report;
use barometer::ingest::{self, Options};
use barometer::store::Record;

/// Ingest files (layout, file name, contents) into a new store.
fn ingest(files: &[(&str, &str, &[u8])], opts: Options) -> anyhow::Result<(Vec<Record>, Report)> {
    let (def, geo) = (Definition::bundled(), Geography::bundled());
    let dir = tempfile::tempdir()?;
    let mut parsed = Vec::new();
    for (layout, name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text)?;
        parsed.push(layout::read(
            &path,
            &Layout::resolve(layout)?,
            &def,
            geo,
            None,
        )?);
    }
    let (merged, report) = ingest::merge(None, parsed, &def, opts, geo, "mem")?;
    Ok((merged.records()?, report))
}

fn row(r: &Record) -> String {
    format!(
        "{} {} {:?} {:?} {}",
        r.unit,
        r.year,
        r.numerator,
        r.denominator,
        r.status.as_str()
    )
}

#[test]
fn tidy_and_sheet_files_of_sectors_ingest() {
    let tidy = b"nis;jaar;indicator;teller;noemer\n\
        71016A00-;2020;kansarmoede-index;3;40\n\
        71016A01-;2020;kansarmoede-index;;12\n\
        44083B129;2020;kansarmoede-index;0;7\n\
        71016ZZZZ;2020;kansarmoede-index;1;9\n";
    let sheet = b"nis;jaar;indicator;teller;noemer\r\n\
        71016A00-;2021;kansarmoede-index;1.234;5.000\r\n\
        71016A01-;2021;kansarmoede-index;<5;1.020\r\n";
    let (rows, report) = ingest(
        &[("tidy", "s.csv", tidy), ("sheet", "s-sheet.csv", sheet)],
        Options::default(),
    )
    .unwrap();
    let rows: Vec<String> = rows.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            "44083B129 2020 Some(0.0) Some(7.0) observed",
            "71016A00- 2020 Some(3.0) Some(40.0) observed",
            "71016A01- 2020 None Some(12.0) suppressed",
            "71016ZZZZ 2020 Some(1.0) Some(9.0) observed",
            "71016A00- 2021 Some(1234.0) Some(5000.0) observed",
            "71016A01- 2021 None Some(1020.0) suppressed",
        ]
    );
    assert!(report.rejected.is_empty());
    assert!(report.merges.is_empty());
    assert_eq!(report.target, "2019-2024");
}

#[test]
fn a_year_of_sectors_lies_in_one_municipality_set() {
    // Sectors of the old Deinze (44011) and of the merged Deinze (44083) in one year.
    let tidy = b"nis;jaar;indicator;teller;noemer\n\
        44011A00-;2018;kansarmoede-index;3;40\n\
        44083A00-;2018;kansarmoede-index;3;40\n";
    let msg = format!(
        "{:#}",
        ingest(&[("tidy", "s.csv", tidy)], Options::default()).unwrap_err()
    );
    assert!(
        msg.contains("year 2018 mixes municipality sets") && msg.contains("44011"),
        "{msg}"
    );
}

#[test]
fn sectors_are_not_merged() {
    // Municipalities of 2018 in the 2014 set (Deinze and Nevele, merged in 2019), of 2020 in the
    // 2019 set, and sectors of 2017 in the 2014 set.
    let tidy = b"nis;jaar;indicator;teller;noemer\n\
        44011;2018;kansarmoede-index;30;200\n\
        44049;2018;kansarmoede-index;10;100\n\
        44083;2020;kansarmoede-index;35;310\n\
        44011A00-;2017;kansarmoede-index;3;40\n\
        71016A00-;2017;kansarmoede-index;2;20\n";
    let (rows, report) = ingest(&[("tidy", "s.csv", tidy)], Options::default()).unwrap();
    let rows: Vec<String> = rows.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            "44011A00- 2017 Some(3.0) Some(40.0) observed",
            "71016A00- 2017 Some(2.0) Some(20.0) observed",
            "44083 2018 Some(40.0) Some(300.0) observed",
            "44083 2020 Some(35.0) Some(310.0) observed",
        ]
    );
    assert_eq!(report.merges.len(), 1);
    assert!(
        report.notes.iter().any(|n| n.contains(
            "the statistical sectors of 2017 lie in municipalities of the set 2014-2018, not \
             2019-2024; sectors are not merged"
        ) && n.ends_with("they are kept as given")),
        "{:?}",
        report.notes
    );
    // Asked for the 2019 set explicitly: refused, not half done.
    let opts = Options {
        target_year: Some(2019),
        ..Options::default()
    };
    let msg = format!(
        "{:#}",
        ingest(&[("tidy", "s.csv", tidy)], opts).unwrap_err()
    );
    assert!(
        msg.contains("sectors are not merged") && msg.contains("--municipality-set 2019"),
        "{msg}"
    );
}
