//! Speed of the sensitivity engine: one replication of the 300 x 7 barometer (nominal, all
//! methodological factors on the general path and on the precomputed tables, with resampled
//! counts under all factors and under the nominal choices), the resampling of the 2,100 numerators alone, Monte Carlo throughput on all cores, and one
//! replication of a COINr-style pipeline at COINr's example size (ASEM: 51 units x 49 indicators,
//! four levels) for comparison with COINr's published 0.208 s per replication.

use barometer::barometer::score_year;
use barometer::composite::aggregate::{Aggregation, up_tree};
use barometer::composite::coin::Coin;
use barometer::composite::impute;
use barometer::composite::normalise::{Normalisation, normalise};
use barometer::composite::treat::treat;
use barometer::definition::Definition;
use barometer::geo::Geography;
use barometer::panel::Panel;
use barometer::stats::montecarlo::{FACTORS, Factor, Options, Rule, Space, monte_carlo};
use barometer::stats::problem::{Problem, Ranker, Work};
use barometer::stats::tables::Tables;
use barometer::store::Store;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use std::hint::black_box;
use std::path::Path;

fn barometer_problem() -> Problem {
    let def = Definition::bundled();
    let panel = Panel::from_store(&Store::load(None).unwrap(), Some(&[2023])).unwrap();
    Problem::from_year(
        &score_year(&panel, &def, Geography::bundled(), 2023).unwrap(),
        &def,
    )
    .unwrap()
}

/// COINr's ASEM example, when `../shared/validation/asem/` has it.
fn asem() -> Option<Coin> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/validation/asem"
    ));
    let (data, meta) = (dir.join("ASEM_iData.csv"), dir.join("ASEM_iMeta.csv"));
    (data.exists() && meta.exists()).then(|| Coin::read(&data, &meta, &[]).expect("ASEM parses"))
}

/// One COINr-style replication: impute (column mean) or not, treat outliers or not, orient,
/// normalise (min-max 0-100 or z-score), perturb the indicator weights (+-25 %), aggregate up the
/// four levels (arithmetic or geometric), rank the index.
fn asem_replication(a: &Coin, u: &[f64; 5], seed: u64) -> Vec<u32> {
    let n = a.units.len();
    let mut normed: Vec<Vec<f64>> = Vec::with_capacity(a.denominated.len());
    let mut out = vec![0.0; n];
    let mut order = Vec::new();
    let geometric = u[3] >= 0.5;
    for (j, col) in a.denominated.iter().enumerate() {
        let mut x = col.clone();
        if u[0] >= 0.5 {
            impute::by_column(&mut x, false);
        }
        if u[1] >= 0.5 {
            treat(&mut x, 2.0, 3.5, 5);
        }
        x.iter_mut().for_each(|v| *v *= a.directions[j]);
        let method = if geometric {
            Normalisation::MinMax { lo: 1.0, hi: 100.0 }
        } else if u[2] >= 0.5 {
            Normalisation::ZScore
        } else {
            Normalisation::MinMax { lo: 0.0, hi: 100.0 }
        };
        normalise(method, &x, 0.0, &mut out, &mut order);
        normed.push(out.clone());
    }
    let mut state = seed ^ (u[4] * 4_294_967_296.0) as u64;
    let mut weights = a.weights.clone();
    for w in &mut weights[0] {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *w *= 0.75 + 0.5 * (state >> 11) as f64 / (1u64 << 53) as f64;
    }
    let method = if geometric {
        Aggregation::Geometric
    } else {
        Aggregation::Arithmetic
    };
    let levels = up_tree(method, normed, &a.tree, &weights);
    let index = &levels[levels.len() - 1][0];
    let mut ranks = vec![0u32; n];
    Ranker::default().rank(&vec![0.0; n], index, &mut ranks);
    ranks
}

fn benches(c: &mut Criterion) {
    let p = barometer_problem();
    let mut work = Work::default();
    c.bench_function("replication 300x7: nominal", |b| {
        b.iter(|| p.replicate(black_box(&p.nominal), None, &mut work))
    });
    let methods: Vec<Factor> = FACTORS
        .into_iter()
        .filter(|f| *f != Factor::Sampling)
        .collect();
    let space = Space::new(&p, methods.clone(), 1);
    let u = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
    let choice = space.choice(&p, &u);
    c.bench_function("replication 300x7: all methodological factors", |b| {
        b.iter(|| p.replicate(black_box(&choice), None, &mut work))
    });
    let tables = Tables::new(&p, &space);
    let levels = space.levels(&p, &u);
    c.bench_function(
        "replication 300x7: all methodological factors, tables",
        |b| b.iter(|| tables.replicate(&space, black_box(&levels), &mut work)),
    );
    let all = Space::new(&p, FACTORS.to_vec(), 1);
    let noisy = all.choice(&p, &[0.5; 7]);
    let samplers = p.samplers();
    c.bench_function("replication 300x7: with resampled counts", |b| {
        b.iter(|| p.replicate(black_box(&noisy), Some(&samplers), &mut work))
    });
    let sampling = Space::new(&p, vec![Factor::Sampling], 1);
    let seeds: Vec<_> = (0..1000)
        .map(|s| sampling.choice(&p, &[s as f64 / 1000.0]))
        .collect();
    let mut next = seeds.iter().cycle();
    c.bench_function(
        "replication 300x7: resampled counts, nominal choices",
        |b| b.iter(|| p.replicate(black_box(next.next().unwrap()), Some(&samplers), &mut work)),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    c.bench_function("resampled numerators only (2,100 draws)", |b| {
        b.iter(|| {
            (0..samplers.draws.len())
                .map(|c| samplers.draws.draw(c, &mut rng))
                .sum::<f64>()
        })
    });
    let runs = 20_000;
    let opts = Options {
        runs,
        seed: 1,
        rule: Rule::MinScore(4.0),
        budget: 4_500_000.0,
        key: p.den[..p.n()].to_vec(),
    };
    let mut group = c.benchmark_group("monte carlo 300x7, all cores");
    group.throughput(Throughput::Elements(runs));
    group.sample_size(10);
    group.bench_function("methodological factors", |b| {
        b.iter(|| monte_carlo(&p, &space, &opts, &|_| {}))
    });
    group.bench_function("methodological factors + sampling", |b| {
        b.iter(|| monte_carlo(&p, &all, &opts, &|_| {}))
    });
    group.bench_function("sampling", |b| {
        b.iter(|| monte_carlo(&p, &sampling, &opts, &|_| {}))
    });
    group.finish();
    match asem() {
        None => eprintln!(
            "skipped: replication ASEM 51x49 needs ../shared/validation/asem/ASEM_iData.csv and ASEM_iMeta.csv"
        ),
        Some(a) => {
            c.bench_function("replication ASEM 51x49, four levels (COINr example)", |b| {
                b.iter(|| asem_replication(black_box(&a), &[0.7, 0.7, 0.3, 0.7, 0.5], 3))
            });
        }
    }
}

criterion_group!(sensitivity, benches);
criterion_main!(sensitivity);
