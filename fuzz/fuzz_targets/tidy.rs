//! The tidy CSV reader (`ingest --tidy`) on arbitrary bytes, with the bundled definition and
//! geography.
#![no_main]
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::tidy;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static DEF: LazyLock<Definition> = LazyLock::new(Definition::bundled);

fuzz_target!(|data: &[u8]| {
    let _ = tidy::parse(data, Path::new("fuzz.csv"), &DEF, Geography::bundled());
});
