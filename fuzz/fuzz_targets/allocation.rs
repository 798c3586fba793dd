//! The allocation TOML (`allocate --rule`): parsing and the rule's own consistency check.
#![no_main]
use barometer::allocate::rule::Rule;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(rule) = Rule::parse(text, "fuzz.toml")
    {
        let _ = rule.check();
        let _ = rule.describe();
    }
});
