//! Intervals and trend tests against reference values computed independently with SciPy 1.17,
//! statsmodels 0.15 and pymannkendall 1.4 (tests/reference/stats_reference.py, whose output is
//! tests/reference/stats_reference.json).

use barometer::stats::interval::{newcombe, poisson_exact, wilson};
use barometer::stats::trend::{MannKendall, Ols, Verdict, sen_slope, verdict};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("reference/stats_reference.json")).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * b.abs().max(1.0),
        "{a} vs reference {b}"
    );
}

#[test]
fn wilson_matches_statsmodels() {
    for case in reference()["wilson"].as_array().unwrap() {
        let ci = wilson(f(&case["k"]), f(&case["n"]), 0.95).unwrap();
        close(ci.lower, f(&case["ci"][0]), 1e-10);
        close(ci.upper, f(&case["ci"][1]), 1e-10);
    }
}

#[test]
fn exact_poisson_matches_scipy() {
    for case in reference()["poisson"].as_array().unwrap() {
        let ci = poisson_exact(f(&case["k"]), 0.95).unwrap();
        close(ci.lower, f(&case["ci"][0]), 1e-8);
        close(ci.upper, f(&case["ci"][1]), 1e-8);
    }
}

#[test]
fn newcombe_matches_statsmodels() {
    for case in reference()["newcombe"].as_array().unwrap() {
        let ci = newcombe(
            f(&case["k1"]),
            f(&case["n1"]),
            f(&case["k2"]),
            f(&case["n2"]),
            0.95,
        )
        .unwrap();
        close(ci.lower, f(&case["ci"][0]), 1e-10);
        close(ci.upper, f(&case["ci"][1]), 1e-10);
    }
}

#[test]
fn ols_matches_scipy_and_statsmodels() {
    let r = &reference()["ols"];
    let xs: Vec<f64> = r["years"].as_array().unwrap().iter().map(f).collect();
    let ys: Vec<f64> = r["values"].as_array().unwrap().iter().map(f).collect();
    let fit = Ols::fit(&xs, &ys, 0.95).unwrap();
    close(fit.slope, f(&r["slope"]), 1e-10);
    close(fit.intercept, f(&r["intercept"]), 1e-8);
    close(fit.slope_interval.lower, f(&r["slope_ci"][0]), 1e-10);
    close(fit.slope_interval.upper, f(&r["slope_ci"][1]), 1e-10);
    close(fit.predict(2025.0), f(&r["predict_2025"]), 1e-10);
    let pi = fit.prediction_interval(2025.0);
    close(pi.lower, f(&r["prediction_interval_2025"][0]), 1e-9);
    close(pi.upper, f(&r["prediction_interval_2025"][1]), 1e-9);
}

#[test]
fn mann_kendall_and_sen_match_pymannkendall() {
    for case in reference()["mann_kendall"].as_array().unwrap() {
        let ys: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
        let xs: Vec<f64> = (0..ys.len()).map(|i| i as f64).collect();
        let mk = MannKendall::test(&ys).unwrap();
        close(mk.s, f(&case["s"]), 1e-12);
        close(mk.var_s, f(&case["var_s"]), 1e-12);
        close(mk.z, f(&case["z"]), 1e-10);
        close(mk.p, f(&case["p"]), 1e-9);
        close(sen_slope(&xs, &ys).unwrap(), f(&case["sen_slope"]), 1e-12);
    }
}

#[test]
fn verdicts_follow_the_tests() {
    let rising = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let xs: Vec<f64> = (0..6).map(f64::from).collect();
    let mk = MannKendall::test(&rising);
    let v = verdict(
        mk.as_ref(),
        sen_slope(&xs, &rising),
        Ols::fit(&xs, &rising, 0.95).as_ref(),
        0.95,
    );
    assert_eq!(v, Verdict::Rising);
    let flat = [3.0, 1.0, 4.0, 1.0, 5.0, 2.0];
    let mk = MannKendall::test(&flat);
    assert_eq!(
        verdict(mk.as_ref(), sen_slope(&xs, &flat), None, 0.95),
        Verdict::NoClearTrend
    );
    assert_eq!(verdict(None, None, None, 0.95), Verdict::TooFewYears);
    assert!(MannKendall::test(&[1.0, 2.0, 3.0]).is_none());
}
