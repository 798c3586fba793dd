//! Monte Carlo and Sobol runs of the sensitivity engine: a fixture with a known answer, the
//! nominal replication against the scoring core, and byte-identical results across thread counts.

use barometer::barometer::{score, score_year};
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::panel::Panel;
use barometer::stats::montecarlo::{
    FACTORS, Factor, Options, Rule, Space, monte_carlo, nominal_ranks, sobol_rank_shift,
};
use barometer::stats::problem::{Problem, Work};
use barometer::stats::tables::Tables;
use barometer::store::Store;

/// The bundled demo's `year` as a problem for sensitivity runs.
fn problem(year: i32) -> Problem {
    let def = Definition::bundled();
    let panel = Panel::from_store(&Store::load(None).unwrap(), Some(&[year])).unwrap();
    Problem::from_year(
        &score_year(&panel, &def, Geography::bundled(), year).unwrap(),
        &def,
    )
    .unwrap()
}

/// Three units, three indicators with equal denominators (so the Flemish reference is the mean):
/// B leads A with all indicators or without the first, A leads B without the second or the
/// third, C is always last. Varying the indicator set (4 equally likely levels) swaps A and B
/// half of the time. Hand-computed composites: docs/methodology.md section 16.
fn swap_fixture() -> Problem {
    let mut p = problem(2023);
    let values = [[0.44, 0.30, 0.10], [0.30, 0.40, 0.14], [0.05, 0.05, 0.20]];
    p.units = vec!["A".into(), "B".into(), "C".into()];
    p.names = p.units.clone();
    p.indicators.truncate(3);
    p.sign = vec![1.0; 3];
    p.binomial = vec![true; 3];
    p.nominal.weights = vec![1.0; 3];
    p.num = (0..3).flat_map(|j| values.map(|v| v[j] * 1000.0)).collect();
    p.den = vec![1000.0; 9];
    p.present = vec![true; 9];
    p
}

#[test]
fn two_units_that_swap_half_of_the_time() {
    let p = swap_fixture();
    assert_eq!(nominal_ranks(&p), [2, 1, 3]);
    let space = Space::new(&p, vec![Factor::Indicators], 5);
    let levels: Vec<Vec<u32>> = [0.1, 0.3, 0.6, 0.9]
        .iter()
        .map(|&u| {
            let mut w = Work::default();
            p.replicate(&space.choice(&p, &[u]), None, &mut w);
            w.ranks
        })
        .collect();
    assert_eq!(
        levels,
        [vec![2, 1, 3], vec![2, 1, 3], vec![1, 2, 3], vec![1, 2, 3]]
    );
    let runs = 20_000;
    let opts = Options {
        runs,
        seed: 9,
        rule: Rule::Top(1),
        budget: 1000.0,
        key: vec![1.0; 3],
    };
    let s = monte_carlo(&p, &space, &opts, &|_| {});
    // P(A first) = 1/2; 4 standard errors of a proportion over 20,000 runs = 0.0141.
    let (a, b, c) = (&s.units[0], &s.units[1], &s.units[2]);
    assert!((a.eligible_probability - 0.5).abs() < 0.0142, "{a:?}");
    assert_eq!(a.eligible_probability + b.eligible_probability, 1.0);
    assert_eq!((a.rank_p5, a.rank_p95, b.rank_p5, b.rank_p95), (1, 2, 1, 2));
    assert_eq!(
        (c.rank_p5, c.median_rank, c.rank_p95, c.eligible_probability),
        (3, 3, 3, 0.0)
    );
    // The whole budget goes to the one eligible unit each time: 1000 euro expected in total.
    assert!((a.expected_amount + b.expected_amount - 1000.0).abs() < 1e-9);
    // Each run moves A and B by one rank or neither: mean shift = P(swap) x 2 / 3.
    assert!(
        (s.mean_rank_shift - 1.0 / 3.0).abs() < 0.01,
        "{}",
        s.mean_rank_shift
    );
}

#[test]
fn nominal_replication_reproduces_the_scoring_core() {
    let (store, def) = (Store::load(None).unwrap(), Definition::bundled());
    for year in [2012, 2023] {
        let board = score(&store, &def, Geography::bundled(), year).unwrap();
        let p = problem(year);
        let ranks = nominal_ranks(&p);
        for row in &board.rows {
            let i = p.units.iter().position(|u| *u == row.nis).unwrap();
            assert_eq!(ranks[i], row.rank, "{year} {}", row.nis);
        }
    }
}

#[test]
fn results_are_identical_whatever_the_thread_count() {
    let p = problem(2023);
    let space = Space::new(&p, FACTORS.to_vec(), 42);
    // Without sampling the replications run on the precomputed tables.
    let methods = Space::new(&p, FACTORS[..6].to_vec(), 42);
    let opts = Options {
        runs: 1000,
        seed: 42,
        rule: Rule::MinScore(4.0),
        budget: 4_500_000.0,
        key: p.den[..p.n()].to_vec(),
    };
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    monte_carlo(&p, &space, &opts, &|_| {}),
                    sobol_rank_shift(&p, &space, 32, 100, 42),
                    monte_carlo(&p, &methods, &opts, &|_| {}),
                    sobol_rank_shift(&p, &methods, 32, 100, 42),
                )
            })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    // Varying everything moves ranks: the intervals are not all degenerate.
    assert!(one.0.units.iter().any(|u| u.rank_p95 > u.rank_p5 + 10));
}

/// The precomputed tables give the same scores, composites and ranks, to the bit, as the general
/// replication, over every level of every methodological factor (weight sets sampled).
#[test]
fn tables_reproduce_the_general_replication() {
    let p = problem(2023);
    let methods: Vec<Factor> = FACTORS
        .into_iter()
        .filter(|f| *f != Factor::Sampling)
        .collect();
    let space = Space::new(&p, methods, 3);
    let tables = Tables::new(&p, &space);
    let (mut general, mut fast) = (Work::default(), Work::default());
    let mut checked = 0;
    let centre = |l: usize, of: usize| (l as f64 + 0.5) / of as f64;
    for reference in 0..3 {
        for cutoff in 0..3 {
            for normalisation in 0..4 {
                for aggregation in 0..3 {
                    for indicators in 0..=p.k() {
                        let weights = (reference * 7 + indicators * 3 + cutoff) % 64;
                        let u = [
                            centre(reference, 3),
                            centre(cutoff, 3),
                            centre(weights, 64),
                            centre(normalisation, 4),
                            centre(aggregation, 3),
                            centre(indicators, p.k() + 1),
                        ];
                        let levels = space.levels(&p, &u);
                        p.replicate(&space.choice(&p, &u), None, &mut general);
                        tables.replicate(&space, &levels, &mut fast);
                        assert_eq!(general.ranks, fast.ranks, "{levels:?}");
                        assert_eq!(general.weighted, fast.weighted, "{levels:?}");
                        let bits =
                            |w: &Work| w.composite.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&general), bits(&fast), "{levels:?}");
                        assert_eq!(
                            general.points,
                            tables.points(levels.reference, levels.margin)
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 3 * 3 * 4 * 3 * 8);
}

/// Per-unit Sobol indices of the rank on the swap fixture with one factor: A's and B's ranks
/// depend on it alone (total index about 1), C's rank never changes (no index).
#[test]
fn per_unit_sobol_indices_of_the_rank() {
    let p = swap_fixture();
    let space = Space::new(&p, vec![Factor::Indicators], 5);
    let s = sobol_rank_shift(&p, &space, 1024, 100, 3);
    let a = s.units[0].as_ref().unwrap();
    assert!((a.1[0] - 1.0).abs() < 0.15, "{a:?}");
    assert!((a.0[0] - 1.0).abs() < 0.15, "{a:?}");
    assert_eq!(s.units[2], None);
    assert_eq!(s.units[0], s.units[1]);
}
