//! Every ingest layout (`--layout`): the first byte picks the layout (tidy, sheet with its
//! long/wide sniffing, and each bundled publisher or source mapping), the rest is the file.
#![no_main]
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static DEF: LazyLock<Definition> = LazyLock::new(Definition::bundled);
static LAYOUTS: LazyLock<Vec<Layout>> = LazyLock::new(|| {
    let mut names = vec!["tidy", "sheet"];
    names.extend(layout::names());
    names
        .into_iter()
        .map(|n| Layout::resolve(n).expect("bundled layout"))
        .collect()
});
const INDICATORS: [Option<&str>; 3] = [None, Some("kansarmoede-index"), Some("leefloon")];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let layout = &LAYOUTS[usize::from(choice) % LAYOUTS.len()];
    let indicator = INDICATORS[usize::from(choice / 16) % INDICATORS.len()];
    let _ = layout::read_bytes(
        bytes,
        Path::new("fuzz.csv"),
        layout,
        &DEF,
        Geography::bundled(),
        indicator,
    );
});
