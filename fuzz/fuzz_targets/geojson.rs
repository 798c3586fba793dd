//! GeoJSON boundaries for `map`: the key property (sniffed or named) and the coordinates.
#![no_main]
use barometer::map::geometry::{self, Crs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let key = match choice % 3 {
        0 => None,
        1 => Some("nis"),
        _ => Some("CODE_INS"),
    };
    let crs = match (choice / 3) % 3 {
        0 => None,
        1 => Some(Crs::Wgs84),
        _ => Some(Crs::Lambert72),
    };
    if let Ok(layer) = geometry::parse(bytes, "fuzz.geojson", key, crs) {
        let _ = layer.bounds();
    }
});
