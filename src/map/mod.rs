//! Choropleth maps of the barometer: boundaries from GeoJSON joined to a year's scoreboard by
//! REFNIS code (mergers applied), a metric classed into colours, projected with the right aspect
//! ratio, and drawn as SVG (own writer: one `<path>` with a `<title>` per municipality), HTML
//! (the SVG with a tooltip), PNG (plotters) and GeoJSON for QGIS.

pub mod classify;
pub mod geometry;
pub mod joined;
pub mod model;
pub mod png;
pub mod svg;

pub use model::{Metric, Model, build};
