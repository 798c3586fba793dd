//! The geometry joined with the results, as GeoJSON for QGIS: the input features that were drawn,
//! their geometry unchanged (same coordinate system), their properties plus the barometer's.

use super::geometry::Layer;
use super::model::Model;
use crate::barometer::Scoreboard;
use crate::definition::Definition;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The FeatureCollection; features whose code did not join keep their properties only.
pub fn geojson(
    layer: &Layer,
    model: &Model,
    board: &Scoreboard,
    def: &Definition,
    source: &[u8],
) -> Value {
    let merged: BTreeMap<&str, &str> = model
        .report
        .merged
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    let rows: BTreeMap<&str, _> = board.rows.iter().map(|r| (r.nis.as_str(), r)).collect();
    let shapes: BTreeMap<&str, _> = model.shapes.iter().map(|s| (s.nis.as_str(), s)).collect();
    // The geometry is copied from the input document as it was.
    let doc: Value = serde_json::from_slice(source).unwrap_or(Value::Null);
    let originals = doc["features"].as_array().cloned().unwrap_or_default();
    let features: Vec<Value> = layer
        .features
        .iter()
        .zip(originals)
        .filter_map(|(f, original)| {
            let code = merged.get(f.code.as_str()).copied().unwrap_or(f.code.as_str());
            let row = rows.get(code)?;
            let shape = shapes.get(code)?;
            let mut props = f.properties.clone();
            props.insert("bar_nis".into(), json!(row.nis));
            props.insert("bar_name".into(), json!(&*row.name));
            props.insert("bar_year".into(), json!(board.year));
            props.insert("bar_score".into(), json!(row.score));
            props.insert("bar_indicators".into(), json!(row.indicators));
            props.insert("bar_rank".into(), json!(row.rank));
            props.insert("bar_decile".into(), json!(row.decile));
            props.insert("bar_value".into(), json!(shape.value));
            props.insert("bar_class".into(), json!(shape.class));
            props.insert("bar_colour".into(), json!(super::classify::hex(shape.fill)));
            for (ind, c) in def.indicators.iter().zip(&row.cells) {
                props.insert(format!("bar_{}", ind.short.to_lowercase()), json!(c.point.map(u8::from)));
            }
            Some(json!({"type": "Feature", "properties": props, "geometry": original["geometry"].clone()}))
        })
        .collect();
    let mut out = json!({"type": "FeatureCollection", "features": features});
    if let Some(crs) = doc.get("crs") {
        out["crs"] = crs.clone();
    }
    out
}
