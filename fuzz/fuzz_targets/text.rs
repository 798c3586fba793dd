//! Text decoding (UTF-8 with or without BOM, Windows-1252), separator sniffing and reading
//! delimited text into a table, with the separator sniffed or given by the first byte.
#![no_main]
use barometer::ingest::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let (decoded, _) = text::decode(bytes);
    let first = decoded.lines().next().unwrap_or("");
    let _ = text::sniff_separator(first);
    let sep = match choice % 6 {
        0 => Some(b';'),
        1 => Some(b','),
        2 => Some(b'\t'),
        3 => Some(b'|'),
        _ => None,
    };
    let _ = text::read_delimited(bytes, "fuzz.csv", sep);
});
