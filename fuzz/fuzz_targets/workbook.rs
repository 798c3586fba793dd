//! Workbooks (xlsx/xls/ods via calamine): the table reader, then the sheet and stadsmonitor
//! layouts on the same bytes.
#![no_main]
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::table;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static DEF: LazyLock<Definition> = LazyLock::new(Definition::bundled);
static LAYOUTS: LazyLock<Vec<Layout>> = LazyLock::new(|| {
    ["sheet", "stadsmonitor"]
        .into_iter()
        .map(|n| Layout::resolve(n).expect("bundled layout"))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    if table::read_workbook(data, "fuzz.xlsx", None).is_err() {
        return;
    }
    for layout in LAYOUTS.iter() {
        let _ = layout::read_bytes(
            data,
            Path::new("fuzz.xlsx"),
            layout,
            &DEF,
            Geography::bundled(),
            Some("kansarmoede-index"),
        );
    }
});
