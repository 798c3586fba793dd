//! The bundled municipality sets checked against the boundary files in ../shared/geo/ (skipped
//! with a message when that folder is absent).

use barometer::geo::Geography;
use std::collections::BTreeSet;
use std::path::Path;

fn features(name: &str) -> Option<Vec<serde_json::Value>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geo")
        .join(name);
    if !path.exists() {
        eprintln!("skipped: {} is not present", path.display());
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    Some(v["features"].as_array().unwrap().clone())
}

fn flemish(code: &str) -> bool {
    matches!(code.as_bytes()[0], b'1' | b'3' | b'4' | b'7')
        || code.starts_with("23")
        || code.starts_with("24")
}

#[test]
fn the_300_set_matches_the_2019_boundaries() {
    let Some(features) = features("municipalities-2019-wgs84.geojson") else {
        return;
    };
    let geo = Geography::bundled();
    let set = &geo.set_for_year(2019).codes;
    let mut seen = BTreeSet::new();
    for f in &features {
        let p = &f["properties"];
        if p["region"] != "02000" {
            continue;
        }
        let nis = p["nis"].as_str().unwrap();
        seen.insert(nis.to_owned());
        let m = geo
            .municipality(nis)
            .unwrap_or_else(|| panic!("{nis} unknown"));
        assert_eq!(
            m.name_nl.to_lowercase(),
            p["name_nl"].as_str().unwrap().to_lowercase(),
            "{nis}"
        );
        assert_eq!(
            m.arrondissement,
            p["arrondissement"].as_str().unwrap(),
            "{nis}"
        );
        assert_eq!(m.province, p["province"].as_str().unwrap(), "{nis}");
    }
    assert_eq!(&seen, set);
    assert_eq!(seen.len(), 300);
}

#[test]
fn the_308_set_matches_the_pre_2019_boundaries() {
    let Some(features) = features("municipalities-pre2019-lambert72.geojson") else {
        return;
    };
    let geo = Geography::bundled();
    let codes: BTreeSet<String> = features
        .iter()
        .map(|f| format!("{:05}", f["properties"]["NIS5"].as_u64().unwrap()))
        .filter(|c| flemish(c))
        .collect();
    assert_eq!(&codes, &geo.set_for_year(2018).codes);
    assert_eq!(codes.len(), 308);
}
