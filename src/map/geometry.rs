//! Reading municipality boundaries from GeoJSON: polygons and multipolygons (rings kept, holes
//! included), the REFNIS key property detected or named, and the coordinate system detected
//! (WGS84 degrees or Belgian Lambert 72 metres) or declared.

use crate::error::{data, usage};
use serde_json::Value;

/// Property names that hold a REFNIS code, in the order they are tried.
pub const KEY_CANDIDATES: [&str; 10] = [
    "nis",
    "NIS5",
    "niscode",
    "NISCODE",
    "nis_code",
    "NIS_CODE",
    "AdMuKey",
    "CD_MUNTY_REFNIS",
    "refnis",
    "REFNIS",
];

/// A coordinate reference system we can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude/latitude in degrees (EPSG:4326, CRS84).
    Wgs84,
    /// Belgian Lambert 72 in metres (EPSG:31370).
    Lambert72,
}

impl Crs {
    /// Parse `--crs`: `wgs84`, `4326`, `lambert72`, `31370` (with or without `EPSG:`).
    pub fn parse(text: &str) -> Result<Crs, String> {
        let t = text.to_lowercase();
        match t.trim_start_matches("epsg:") {
            "wgs84" | "4326" | "crs84" => Ok(Crs::Wgs84),
            "lambert72" | "31370" => Ok(Crs::Lambert72),
            _ => Err(format!(
                "unknown --crs '{text}'; use wgs84 (EPSG:4326) or lambert72 (EPSG:31370)"
            )),
        }
    }

    /// The EPSG name.
    pub fn name(self) -> &'static str {
        match self {
            Crs::Wgs84 => "EPSG:4326 (WGS84)",
            Crs::Lambert72 => "EPSG:31370 (Belgian Lambert 72)",
        }
    }
}

/// A ring: closed list of points.
pub type Ring = Vec<[f64; 2]>;
/// A polygon: outer ring then holes.
pub type Polygon = Vec<Ring>;

/// One feature: its code and its polygons.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The key property as text (numbers zero-padded to 5 digits).
    pub code: String,
    /// The feature's properties as read.
    pub properties: serde_json::Map<String, Value>,
    /// Its polygons (a Polygon has one, a MultiPolygon several).
    pub polygons: Vec<Polygon>,
}

/// A layer of features in one coordinate system.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The features with a polygon geometry.
    pub features: Vec<Feature>,
    /// The key property used.
    pub key: String,
    /// The coordinate system.
    pub crs: Crs,
    /// Whether the CRS was detected (not declared).
    pub crs_detected: bool,
}

impl Layer {
    /// Bounding box (min x, min y, max x, max y) of all features.
    pub fn bounds(&self) -> [f64; 4] {
        bounds(self.features.iter().flat_map(|f| f.polygons.iter()))
    }
}

/// Bounding box of polygons.
pub fn bounds<'a>(polygons: impl Iterator<Item = &'a Polygon>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in polygons.flatten().flatten() {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

fn point(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    let (x, y) = (a.first()?.as_f64()?, a.get(1)?.as_f64()?);
    (x.is_finite() && y.is_finite()).then_some([x, y])
}

fn polygon(v: &Value) -> Option<Polygon> {
    v.as_array()?
        .iter()
        .map(|ring| {
            let r: Option<Ring> = ring.as_array()?.iter().map(point).collect();
            // At least three distinct positions: a ring of one repeated point encloses nothing.
            r.filter(|r| {
                let mut distinct: Vec<[u64; 2]> =
                    r.iter().map(|p| [p[0].to_bits(), p[1].to_bits()]).collect();
                distinct.sort_unstable();
                distinct.dedup();
                distinct.len() >= 3
            })
        })
        .collect::<Option<Polygon>>()
        .filter(|p| !p.is_empty())
}

/// The key value as a code: text as is (trimmed), whole numbers zero-padded to 5 digits.
fn code_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(|n| format!("{n:05}")),
        _ => None,
    }
}

/// Parse GeoJSON bytes; `origin` names the file in messages.
pub fn parse(
    bytes: &[u8],
    origin: &str,
    key: Option<&str>,
    crs: Option<Crs>,
) -> anyhow::Result<Layer> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        data(format!(
            "{origin}: not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .filter(|_| doc.get("type").and_then(Value::as_str) == Some("FeatureCollection"))
        .ok_or_else(|| {
            data(format!(
                "{origin}: not a GeoJSON FeatureCollection (TopoJSON or shapefiles: convert them to GeoJSON first, e.g. with ogr2ogr or mapshaper)"
            ))
        })?;
    let props = |f: &Value| {
        f.get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let key = match key {
        Some(k) => {
            if !features.iter().any(|f| props(f).contains_key(k)) {
                let first: Vec<String> = features.first().map(|f| props(f).keys().cloned().collect()).unwrap_or_default();
                return Err(usage(format!(
                    "{origin}: no feature has the property '{k}' given with --key; the first feature has: {}",
                    first.join(", ")
                )));
            }
            k.to_owned()
        }
        None => KEY_CANDIDATES
            .iter()
            .find(|k| features.iter().any(|f| props(f).contains_key(**k)))
            .map(|k| (*k).to_owned())
            .ok_or_else(|| {
                let first: Vec<String> = features.first().map(|f| props(f).keys().cloned().collect()).unwrap_or_default();
                usage(format!(
                    "{origin}: cannot find the REFNIS code property (tried {}); name it with --key (properties of the first feature: {})",
                    KEY_CANDIDATES.join(", "),
                    first.join(", ")
                ))
            })?,
    };
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let properties = props(f);
        let Some(code) = properties.get(&key).and_then(code_of) else {
            return Err(data(format!(
                "{origin}: feature {i} has no usable '{key}' value (a REFNIS code as text or number)"
            )));
        };
        let geom = f.get("geometry").unwrap_or(&Value::Null);
        let coords = geom.get("coordinates").unwrap_or(&Value::Null);
        let polygons = match geom.get("type").and_then(Value::as_str) {
            Some("Polygon") => polygon(coords).map(|p| vec![p]),
            Some("MultiPolygon") => coords
                .as_array()
                .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>()),
            Some(other) => {
                return Err(data(format!(
                    "{origin}: feature {i} ({key} {code}) is a {other}; municipality boundaries must be Polygon or MultiPolygon"
                )));
            }
            None => None,
        }
        .ok_or_else(|| {
            data(format!(
                "{origin}: feature {i} ({key} {code}) has no valid polygon coordinates (rings of at least 3 distinct [x, y] positions)"
            ))
        })?;
        out.push(Feature {
            code,
            properties,
            polygons,
        });
    }
    if out.is_empty() {
        return Err(data(format!(
            "{origin}: the FeatureCollection has no features"
        )));
    }
    let b = bounds(out.iter().flat_map(|f| f.polygons.iter()));
    if !(b[2] > b[0] && b[3] > b[1]) {
        return Err(data(format!(
            "{origin}: the features span no area (extent [{}, {}, {}, {}]); the coordinates are not municipality boundaries",
            b[0], b[1], b[2], b[3]
        )));
    }
    let detected = detect(b);
    let (crs, crs_detected) = match (crs, detected) {
        (Some(c), _) => (c, false),
        (None, Some(c)) => (c, true),
        (None, None) => {
            return Err(usage(format!(
                "{origin}: cannot tell the coordinate system from the extent [{:.0}, {:.0}, {:.0}, {:.0}]; declare it with --crs wgs84 or --crs lambert72 (other systems: reproject with ogr2ogr -t_srs EPSG:4326)",
                b[0], b[1], b[2], b[3]
            )));
        }
    };
    Ok(Layer {
        features: out,
        key,
        crs,
        crs_detected,
    })
}

/// Tell the CRS from the extent: degrees around Belgium, or Lambert 72 metres.
pub fn detect(b: [f64; 4]) -> Option<Crs> {
    if b[0] >= -180.0 && b[2] <= 180.0 && b[1] >= -90.0 && b[3] <= 90.0 {
        Some(Crs::Wgs84)
    } else if b[0] >= 0.0 && b[2] <= 320_000.0 && b[1] >= 0.0 && b[3] <= 260_000.0 {
        Some(Crs::Lambert72)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_key_and_crs() {
        let text = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"NIS5":11001},"geometry":{"type":"Polygon","coordinates":[[[150000,200000],[151000,200000],[151000,201000],[150000,200000]]]}}]}"#;
        let l = parse(text, "t.geojson", None, None).unwrap();
        assert_eq!(l.key, "NIS5");
        assert_eq!(l.features[0].code, "11001");
        assert_eq!(l.crs, Crs::Lambert72);
    }

    #[test]
    fn names_what_is_wrong() {
        let err = |t: &[u8]| format!("{:#}", parse(t, "t.geojson", None, None).unwrap_err());
        assert!(err(b"{").contains("t.geojson: not valid JSON at line 1"));
        assert!(err(br#"{"type":"Topology"}"#).contains("not a GeoJSON FeatureCollection"));
        let no_key = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"x"},"geometry":null}]}"#;
        assert!(err(no_key).contains("name it with --key"));
        let line = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nis":"11001"},"geometry":{"type":"LineString","coordinates":[]}}]}"#;
        assert!(err(line).contains("feature 0 (nis 11001) is a LineString"));
    }
}
