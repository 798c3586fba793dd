//! The store (`--store FILE.parquet`): the Parquet reader, the store metadata and the records.
#![no_main]
use barometer::store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(store) = Store::from_parquet(data, "fuzz.parquet") {
        let _ = store.records();
        let _ = store.years();
        let _ = store.indicators();
    }
});
