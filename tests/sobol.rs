//! The Sobol estimator against the Ishigami function's analytic indices and against SALib on
//! SALib's own design (`tests/fixtures/salib/`, made by `ishigami.py` there).

use barometer::stats::sobol::{Design, analyse, ishigami, ishigami_indices};
use std::f64::consts::PI;

const A: f64 = 7.0;
const B: f64 = 0.1;

fn inside(v: f64, (lo, hi): (f64, f64)) -> bool {
    lo <= v && v <= hi
}

#[test]
fn ishigami_analytic_indices_fall_in_the_bootstrap_intervals() {
    let design = Design::random(8192, 3, 7);
    let y: Vec<f64> = (0..design.len())
        .map(|r| {
            let x: Vec<f64> = design.row(r).iter().map(|u| -PI + 2.0 * PI * u).collect();
            ishigami(&x, A, B)
        })
        .collect();
    let idx = analyse(&y, 3, 1000, 11);
    let (first, total) = ishigami_indices(A, B);
    for i in 0..3 {
        assert!(
            inside(first[i], idx[i].first_interval),
            "S{} {:?} vs {}",
            i + 1,
            idx[i],
            first[i]
        );
        assert!(
            inside(total[i], idx[i].total_interval),
            "ST{} {:?} vs {}",
            i + 1,
            idx[i],
            total[i]
        );
        // and the intervals are informative, not the whole line
        assert!(idx[i].total_interval.1 - idx[i].total_interval.0 < 0.1);
    }
}

#[test]
fn agrees_with_salib_on_the_same_design() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/salib");
    let design = std::fs::read_to_string(format!("{dir}/design.csv")).unwrap();
    let y: Vec<f64> = design
        .lines()
        .map(|l| {
            let x: Vec<f64> = l.split(',').map(|v| v.parse().unwrap()).collect();
            ishigami(&x, A, B)
        })
        .collect();
    assert_eq!(y.len(), 1024 * 5);
    let ours = analyse(&y, 3, 1000, 3);
    let salib = std::fs::read_to_string(format!("{dir}/salib.csv")).unwrap();
    let rows: Vec<Vec<f64>> = salib
        .lines()
        .filter(|l| l.starts_with('x'))
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    for (i, r) in rows.iter().enumerate() {
        let (s1, s1_conf, st, st_conf) = (r[0], r[1], r[2], r[3]);
        // SALib's estimate inside our 95 % interval ...
        assert!(
            inside(s1, ours[i].first_interval),
            "x{}: SALib S1 {s1} vs {:?}",
            i + 1,
            ours[i]
        );
        assert!(
            inside(st, ours[i].total_interval),
            "x{}: SALib ST {st} vs {:?}",
            i + 1,
            ours[i]
        );
        // ... and ours inside SALib's (estimate +- its 95 % half-width).
        assert!(
            (ours[i].first - s1).abs() <= s1_conf,
            "x{}: S1 {} vs SALib {s1} +- {s1_conf}",
            i + 1,
            ours[i].first
        );
        // Total effects use the same (Jansen) estimator in both: equal up to rounding of the design.
        assert!(
            (ours[i].total - st).abs() < 1e-6,
            "x{}: ST {} vs SALib {st} (conf {st_conf})",
            i + 1,
            ours[i].total
        );
    }
}
