//! The barometer definition TOML (`--barometer`).
#![no_main]
use barometer::definition::Definition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Definition::parse(text, "fuzz.toml");
    }
});
