//! Mapping files (`--layout FILE.toml`): parsing, then applying the mapping to a small table so
//! that a mapping that parses is also exercised.
#![no_main]
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::ingest::layout::{self, Layout};
use barometer::ingest::mapping::Mapping;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static DEF: LazyLock<Definition> = LazyLock::new(Definition::bundled);
const FILE: &[u8] = b"gemeente;jaar;teller;noemer;waarde\nGenk;2013;12153;65363;18,6\n71022;2014;<5;100;x\nAntwerpen;2019;1.234;5.678;21,7\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mapping) = Mapping::parse(text, "fuzz.toml") else {
        return;
    };
    let layout = Layout::Mappings("fuzz.toml".into(), vec![mapping]);
    let _ = layout::read_bytes(
        FILE,
        Path::new("fuzz.csv"),
        &layout,
        &DEF,
        Geography::bundled(),
        Some("kansarmoede-index"),
    );
});
