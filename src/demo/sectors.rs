//! The sector demo's data: statistical sectors (Statbel's 9-character codes) nested in the 300
//! municipalities of 2019-2024, spread in proportion to the demo's municipal populations, and
//! per sector, year and indicator a denominator and a drawn numerator from a model with
//! municipality and sector effects, trends and yearly noise; small numerators of publishers that
//! suppress them are suppressed. Deterministic for a seed, generated in parallel. Synthetic.

use super::catalogue::Template;
use crate::definition::{Direction, Kind};
use crate::geo::Geography;
use anyhow::{Result, bail};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Normal, Poisson};
use rayon::prelude::*;

/// Default number of sectors (about Belgium's 19,800).
pub const DEFAULT_SECTORS: usize = 20_000;
/// The municipality set the sectors nest in, used for every year: Statbel recodes sectors after
/// mergers, so one set keeps the codes stable over the years.
pub const SET_YEAR: i32 = 2019;
/// The year the model's base ratios and populations refer to.
const BASE_YEAR: i32 = 2012;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Number of sectors (at least one per municipality).
    pub sectors: usize,
    /// Years, ascending.
    pub years: Vec<i32>,
    /// The indicators, sorted by id (the store's order).
    pub indicators: Vec<Template>,
    /// Seed.
    pub seed: u64,
}

/// One statistical sector.
#[derive(Debug, Clone)]
pub struct Sector {
    /// 9-character code, e.g. `71016A00-`.
    pub code: String,
    /// Index of its municipality in [`Data::municipalities`].
    pub municipality: usize,
}

/// A municipality with its sectors.
#[derive(Debug, Clone)]
pub struct Municipality {
    /// REFNIS code.
    pub nis: String,
    /// Dutch name.
    pub name: String,
}

/// A numerator that was suppressed.
pub const SUPPRESSED: u32 = u32::MAX;

/// One cell: the numerator ([`SUPPRESSED`] when withheld) and the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Numerator count, or [`SUPPRESSED`].
    pub numerator: u32,
    /// Denominator count.
    pub denominator: u32,
}

/// The generated data: cells by sector, then year, then indicator.
#[derive(Debug)]
pub struct Data {
    /// The request.
    pub spec: Spec,
    /// Municipalities of the 2019 set, by code.
    pub municipalities: Vec<Municipality>,
    /// Sectors, sorted by code.
    pub sectors: Vec<Sector>,
    /// `sectors x years x indicators` cells.
    pub cells: Vec<Cell>,
}

impl Data {
    /// The cells of sector `s`: years x indicators.
    pub fn sector_cells(&self, s: usize) -> &[Cell] {
        let per = self.spec.years.len() * self.spec.indicators.len();
        &self.cells[s * per..(s + 1) * per]
    }

    /// Number of rows (cells).
    pub fn rows(&self) -> usize {
        self.cells.len()
    }
}

/// The code of the `i`-th sector of municipality `nis`: a section letter, two digits and `-` or
/// a digit, in ascending order (`A00-`, `A001`, `A01-`, ...; up to 5,200 per municipality).
fn sector_code(nis: &str, i: usize) -> String {
    let letter = char::from(b'A' + (i / 200) as u8);
    let rest = i % 200;
    let last = if rest.is_multiple_of(2) { '-' } else { '1' };
    format!("{nis}{letter}{:02}{last}", rest / 2)
}

/// Split `total` over `weights`: one each, the rest in proportion (largest remainders).
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let free = total - weights.len();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * free as f64).collect();
    let mut out: Vec<usize> = exact.iter().map(|e| 1 + e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a].fract(), exact[b].fract());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let short = total - out.iter().sum::<usize>();
    for &i in order.iter().take(short) {
        out[i] += 1;
    }
    out
}

/// Municipal effects drawn once per municipality and indicator.
struct Effects {
    /// Latent risk of the municipality.
    risk: Vec<f64>,
    /// Municipality x indicator level.
    level: Vec<f64>,
}

/// A sector's own draw stream: the seed's ChaCha8 generator on stream `s + 1`.
fn sector_rng(seed: u64, s: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(s as u64 + 1);
    rng
}

/// Generate the data for `spec`; `tick` is called once per finished sector.
pub fn generate(spec: Spec, geo: &Geography, tick: impl Fn() + Sync) -> Result<Data> {
    let mut master = ChaCha8Rng::seed_from_u64(spec.seed);
    let anchors = super::anchors::bundled()?;
    let units = super::units(geo, &anchors, &mut master);
    if spec.sectors < units.len() {
        bail!(
            "--sectors {} is too few: every one of the {} municipalities needs at least one sector",
            spec.sectors,
            units.len()
        );
    }
    if spec.sectors > units.len() * 5_200 {
        bail!("--sectors {} is too many for the code scheme", spec.sectors);
    }
    let base_index = super::year_index(SET_YEAR);
    let population: Vec<f64> = units.iter().map(|u| u.population[base_index]).collect();
    let counts = apportion(spec.sectors, &population);
    let k = spec.indicators.len();
    let level_noise = Normal::new(0.0_f64, 0.15).expect("valid normal");
    let effects = Effects {
        risk: units.iter().map(|u| u.risk).collect(),
        level: (0..units.len() * k)
            .map(|_| level_noise.sample(&mut master))
            .collect(),
    };
    let mut municipalities = Vec::with_capacity(units.len());
    let mut sectors = Vec::with_capacity(spec.sectors);
    let mut sector_population = Vec::with_capacity(spec.sectors);
    let weight = Normal::new(0.0_f64, 0.6).expect("valid normal");
    for (m, u) in units.iter().enumerate() {
        municipalities.push(Municipality {
            nis: u.nis.clone(),
            name: geo
                .municipality(&u.nis)
                .map_or_else(String::new, |x| x.name_nl.clone()),
        });
        let w: Vec<f64> = (0..counts[m])
            .map(|_| weight.sample(&mut master).exp())
            .collect();
        let sum: f64 = w.iter().sum();
        for (i, wi) in w.iter().enumerate() {
            sectors.push(Sector {
                code: sector_code(&u.nis, i),
                municipality: m,
            });
            sector_population.push(population[m] * wi / sum);
        }
    }
    let per = spec.years.len() * k;
    let mut cells = vec![
        Cell {
            numerator: 0,
            denominator: 0
        };
        sectors.len() * per
    ];
    cells
        .par_chunks_mut(per.max(1))
        .enumerate()
        .for_each(|(s, out)| {
            let m = sectors[s].municipality;
            let mut rng = sector_rng(spec.seed, s);
            fill_sector(
                &spec,
                effects.risk[m],
                &effects.level[m * k..(m + 1) * k],
                sector_population[s],
                &mut rng,
                out,
            );
            tick();
        });
    Ok(Data {
        spec,
        municipalities,
        sectors,
        cells,
    })
}

/// Draw one sector's cells (years x indicators).
fn fill_sector(
    spec: &Spec,
    municipal_risk: f64,
    levels: &[f64],
    population: f64,
    rng: &mut ChaCha8Rng,
    out: &mut [Cell],
) {
    let k = spec.indicators.len();
    let sector_risk = Normal::new(0.0_f64, 0.35)
        .expect("valid normal")
        .sample(rng);
    let growth = Normal::new(0.004_f64, 0.01)
        .expect("valid normal")
        .sample(rng);
    let own = Normal::new(0.0_f64, 0.2).expect("valid normal");
    let slope = Normal::new(0.0_f64, 0.01).expect("valid normal");
    let yearly = Normal::new(0.0_f64, 0.05).expect("valid normal");
    let size = Normal::new(0.0_f64, 0.1).expect("valid normal");
    let per_indicator: Vec<(f64, f64, f64)> = (0..k)
        .map(|_| (own.sample(rng), slope.sample(rng), size.sample(rng).exp()))
        .collect();
    for (y, &year) in spec.years.iter().enumerate() {
        let t = f64::from(year - BASE_YEAR);
        let people = population * (1.0 + growth).powf(f64::from(year - SET_YEAR));
        for (i, ind) in spec.indicators.iter().enumerate() {
            let (own, slope, size) = per_indicator[i];
            let shift = ind.trend * t
                + ind.loading * (municipal_risk + sector_risk)
                + levels[i]
                + own
                + slope * t
                + yearly.sample(rng);
            // Shares move on the logit scale (they stay well inside 0-1 in the tails of 20,000
            // sectors), rates on the log scale.
            let modelled = match ind.kind {
                Kind::Rate => (ind.base.ln() + shift).exp(),
                _ => {
                    let odds = ind.base / (1.0 - ind.base) * shift.exp();
                    odds / (1.0 + odds)
                }
            }
            .min(0.95);
            let ratio = match ind.direction {
                Direction::HigherIsWorse => modelled,
                Direction::LowerIsWorse => 1.0 - modelled,
            };
            let denominator = (people * ind.per_inhabitant * size).round().max(1.0) as u32;
            let numerator = draw(ind.kind, ratio, denominator, rng);
            out[y * k + i] = Cell {
                numerator: if ind.suppresses && (1..5).contains(&numerator) {
                    SUPPRESSED
                } else {
                    numerator
                },
                denominator,
            };
        }
    }
}

/// A numerator: binomial for a share, Poisson for a rate.
fn draw(kind: Kind, ratio: f64, denominator: u32, rng: &mut ChaCha8Rng) -> u32 {
    match kind {
        Kind::Rate => Poisson::new(ratio * f64::from(denominator))
            .map_or(0.0, |p| p.sample(rng))
            .round() as u32,
        _ => Binomial::new(u64::from(denominator), ratio.clamp(0.0, 1.0))
            .map_or(0, |b| b.sample(rng)) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::catalogue::templates;

    fn spec(sectors: usize, seed: u64) -> Spec {
        let mut indicators = templates(12);
        indicators.sort_by(|a, b| a.id.cmp(&b.id));
        Spec {
            sectors,
            years: vec![2010, 2011],
            indicators,
            seed,
        }
    }

    #[test]
    fn codes_follow_statbels_scheme_and_nest_in_their_municipality() {
        for i in [0, 1, 2, 199, 200, 5_199] {
            let code = sector_code("71016", i);
            assert_eq!(
                crate::geo::sector_municipality(&code),
                Some("71016"),
                "{code}"
            );
        }
        assert_eq!(sector_code("71016", 0), "71016A00-");
        assert_eq!(sector_code("71016", 3), "71016A011");
        assert_eq!(sector_code("71016", 200), "71016B00-");
        let mut codes: Vec<String> = (0..500).map(|i| sector_code("11002", i)).collect();
        let before = codes.clone();
        codes.sort();
        assert_eq!(codes, before, "codes are made in sorted order");
    }

    #[test]
    fn apportion_is_proportional_exact_and_at_least_one() {
        assert_eq!(apportion(13, &[1.0, 1.0, 8.0]), vec![2, 2, 9]);
        assert_eq!(apportion(3, &[1.0, 100.0, 1.0]), vec![1, 1, 1]);
        let a = apportion(1000, &[3.0, 1.0, 1.0]);
        assert_eq!(a.iter().sum::<usize>(), 1000);
        assert!(a[0] > 2 * a[1]);
    }

    #[test]
    fn deterministic_for_a_seed_and_consistent() {
        let geo = Geography::bundled();
        let a = generate(spec(400, 5), geo, || {}).unwrap();
        let b = generate(spec(400, 5), geo, || {}).unwrap();
        let c = generate(spec(400, 6), geo, || {}).unwrap();
        assert_eq!(a.cells, b.cells);
        assert_ne!(a.cells, c.cells);
        assert_eq!(a.sectors.len(), 400);
        assert_eq!(a.municipalities.len(), 300);
        assert_eq!(a.rows(), 400 * 2 * 12);
        let mut codes: Vec<&str> = a.sectors.iter().map(|s| s.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 400, "codes are unique and sorted");
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        let antwerp = a
            .sectors
            .iter()
            .filter(|s| s.code.starts_with("11002"))
            .count();
        assert!(antwerp > 5, "Antwerp gets many sectors ({antwerp})");
        for (s, sector) in a.sectors.iter().enumerate() {
            for (j, cell) in a.sector_cells(s).iter().enumerate() {
                let ind = &a.spec.indicators[j % 12];
                assert!(cell.denominator >= 1);
                if cell.numerator == SUPPRESSED {
                    assert!(ind.suppresses, "{} {}", sector.code, ind.id);
                } else if ind.kind == Kind::Share {
                    assert!(cell.numerator <= cell.denominator);
                }
            }
        }
    }
}
