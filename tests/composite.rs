//! Composite methods against independent references: PCA weights against NumPy
//! (tests/reference/pca_reference.py), and the definition's `weighting = "pca"` end to end.

use barometer::composite::pca;
use barometer::definition::{Definition, KINDERARMOEDE_TOML};
use barometer::geo::Geography;
use barometer::store::Store;

#[test]
fn pca_weights_match_numpy() {
    let text = std::fs::read_to_string("tests/reference/pca_reference.json").unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let columns: Vec<Vec<f64>> = reference["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let got = pca::weights(&columns).unwrap();
    let want: Vec<f64> = reference["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-10, "{got:?} vs NumPy {want:?}");
    }
    assert!((got.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn pca_weighting_scores_the_demo() {
    let text = KINDERARMOEDE_TOML.replacen(
        "[[indicator]]",
        "[composite]\nnormalisation = \"z_score\"\nweighting = \"pca\"\n\n[[indicator]]",
        1,
    );
    let def = Definition::parse(&text, "pca.toml").unwrap();
    let board = barometer::barometer::score(
        &Store::load(None).unwrap(),
        &def,
        Geography::bundled(),
        2023,
    )
    .unwrap();
    assert!(board.rows.iter().all(|r| r.composite.is_some()));
    // Ranks still follow the score first.
    assert!(board.rows.windows(2).all(|w| w[0].score >= w[1].score));
}
