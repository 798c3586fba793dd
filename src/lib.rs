//! barometer: the Flemish kinderarmoedebarometer (child-poverty barometer) from municipal open
//! data. The pipeline, module by module: `ingest` -> `store` -> `indicators` -> `barometer`,
//! with `geo` (municipalities and mergers), `definition` (barometers as TOML data), `demo`
//! (the synthetic bundled store) and `report` / `run_record` for outputs.

pub mod allocate;
pub mod atomic;
pub mod barometer;
pub mod batch;
pub mod chart;
pub mod composite;
pub mod definition;
pub mod demo;
pub mod error;
pub mod export;
pub mod geo;
pub mod indicators;
pub mod ingest;
pub mod lang;
pub mod map;
pub mod names;
pub mod panel;
pub mod profile;
pub mod rank;
pub mod report;
pub mod run_record;
pub mod stats;
pub mod store;
