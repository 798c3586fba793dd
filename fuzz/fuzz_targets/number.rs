//! Numbers and locales: the tidy count reader, the Belgian/plain number and cell readers, euro
//! amounts, and the small option parsers (allocation keys, map classes, CRS names).
#![no_main]
use barometer::allocate::{money, rule::Key};
use barometer::ingest::{belgian, number};
use barometer::map::{classify, geometry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = number::parse_count(text);
    let markers = vec!["<5".to_owned(), "x".to_owned(), "-".to_owned()];
    for style in [belgian::NumberStyle::Belgian, belgian::NumberStyle::Plain] {
        if let Ok(v) = belgian::parse(text, style) {
            assert!(v.is_finite(), "{text:?} parsed to {v}");
        }
        let _ = belgian::cell(text, style, &markers);
    }
    let _ = money::parse_euro(text);
    let _ = Key::parse(text);
    let _ = classify::Method::parse(text);
    let _ = geometry::Crs::parse(text);
});
