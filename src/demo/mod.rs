//! The synthetic demo store: the 300 municipalities of 2019-2024 over 2008-2023, all barometer
//! indicators with numerators and denominators, made by a seeded generator with city and province
//! effects, counts consistent with population sizes, gradual trends and occasional suppressed
//! cells. Published figures (`anchors.csv`) are reproduced exactly. Synthetic: not real statistics.

pub mod anchors;
pub mod catalogue;
pub mod sector_files;
pub mod sectors;

use crate::definition::{Definition, Indicator, Kind};
use crate::geo::{FLEMISH_REGION, Geography};
use crate::store::{Record, Status, Store, StoreMeta};
use anchors::Anchor;
use anyhow::{Result, bail};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution, Normal};
use std::collections::BTreeMap;

/// Seed of the bundled demo store.
pub const SEED: u64 = 2014;
/// First year of the demo.
pub const FIRST_YEAR: i32 = 2008;
/// Last year of the demo.
pub const LAST_YEAR: i32 = 2023;
/// The municipality set the demo is harmonised to (its first year).
pub const SET_YEAR: i32 = 2019;
/// Origin shown for the bundled demo store.
pub const ORIGIN: &str = "<bundled demo store>";

/// Per indicator: Flemish base ratio in 2015, yearly log trend, loading on the latent risk,
/// and the denominator per inhabitant.
struct Profile {
    base: f64,
    trend: f64,
    loading: f64,
    per_inhabitant: f64,
}

fn profile(id: &str) -> Option<Profile> {
    let p = |base, trend, loading, per_inhabitant| Profile {
        base,
        trend,
        loading,
        per_inhabitant,
    };
    Some(match id {
        "kansarmoede-index" => p(0.125, 0.04, 1.0, 3.0 * 0.0105),
        "kinderen-zonder-werk" => p(0.11, -0.01, 0.9, 0.20),
        "verhoogde-tegemoetkoming-0-4" => p(0.085, 0.02, 0.8, 0.055),
        "leefloon-gezinnen" => p(0.009, 0.03, 1.2, 0.115),
        "oki-kleuter" => p(0.80, 0.01, 1.1, 0.033),
        "budgetmeters-elektriciteit" => p(0.015, -0.02, 0.9, 0.45),
        "inkomens-onder-20000" => p(0.41, -0.012, 0.3, 0.57),
        "verhoogde-tegemoetkoming" => p(0.15, 0.015, 0.7, 1.0),
        _ => return None,
    })
}

/// Municipalities with a known character: population in 2008 (0 = drawn) and latent risk effect.
fn known_character(nis: &str) -> Option<(f64, f64)> {
    Some(match nis {
        "11002" => (480_000.0, 1.0),  // Antwerpen
        "44021" => (240_000.0, 0.55), // Gent
        "31005" => (117_000.0, 0.3),  // Brugge
        "24062" => (95_000.0, 0.2),   // Leuven
        "12025" => (80_000.0, 0.6),   // Mechelen
        "41002" => (79_000.0, 0.45),  // Aalst
        "71022" => (72_000.0, 0.35),  // Hasselt
        "34022" => (74_000.0, 0.45),  // Kortrijk
        "46021" => (71_000.0, 0.6),   // Sint-Niklaas
        "35013" => (69_000.0, 0.7),   // Oostende
        "71016" => (64_273.0, 0.9),   // Genk
        "36015" => (57_000.0, 0.45),  // Roeselare
        "13040" => (40_000.0, 0.55),  // Turnhout
        "46025" => (28_000.0, 1.2),   // Temse: barometer 7 in 2014 (seed 000)
        "23088" => (0.0, 0.6),        // Vilvoorde
        "45041" => (0.0, 0.75),       // Ronse
        "34027" => (0.0, 0.65),       // Menen
        "11005" => (0.0, 0.6),        // Boom
        "24107" => (0.0, 0.4),        // Tienen
        "73028" => (90.0, -0.3),      // Herstappe, the smallest municipality
        _ => return None,
    })
}

fn province_effect(province: &str) -> f64 {
    match province {
        "10000" => 0.05,
        "20001" => -0.2,
        "30000" => -0.1,
        "40000" => -0.05,
        _ => 0.05,
    }
}

struct Unit {
    nis: String,
    province: String,
    population: Vec<f64>,
    risk: f64,
}

/// Years of the demo.
pub fn years() -> impl Iterator<Item = i32> + Clone {
    FIRST_YEAR..=LAST_YEAR
}

fn year_index(year: i32) -> usize {
    (year - FIRST_YEAR) as usize
}

/// Linear interpolation of `points` (year, value) over the demo years, constant outside them.
fn interpolate(points: &[(i32, f64)]) -> Vec<f64> {
    years()
        .map(|y| {
            let before = points.iter().rev().find(|(py, _)| *py <= y);
            let after = points.iter().find(|(py, _)| *py >= y);
            match (before, after) {
                (Some(&(y0, v0)), Some(&(y1, v1))) if y1 > y0 => {
                    v0 + (v1 - v0) * f64::from(y - y0) / f64::from(y1 - y0)
                }
                (Some(&(_, v)), _) | (None, Some(&(_, v))) => v,
                (None, None) => 0.0,
            }
        })
        .collect()
}

fn units(geo: &Geography, anchors: &[Anchor], rng: &mut ChaCha8Rng) -> Vec<Unit> {
    let size = Normal::new(9.5_f64, 0.7).expect("valid normal");
    let risk_noise = Normal::new(0.0_f64, 0.2).expect("valid normal");
    let growth = Normal::new(0.006_f64, 0.003).expect("valid normal");
    geo.set_for_year(SET_YEAR)
        .codes
        .iter()
        .map(|nis| {
            let m = geo.municipality(nis).expect("set codes are municipalities");
            let known = known_character(nis);
            let drawn = size.sample(rng).exp().clamp(2_500.0, 60_000.0);
            let p0 = match known {
                Some((p, _)) if p > 0.0 => p,
                _ => drawn,
            };
            let g = growth.sample(rng);
            let noise = risk_noise.sample(rng);
            // Urban municipalities carry more child-poverty risk than rural and suburban ones.
            let urban = 0.2 * (p0 / 15_000.0).ln().max(-1.0);
            let risk = province_effect(&m.province)
                + known.map_or(urban + noise, |(_, r)| r + noise * 0.2);
            // Published population figures pin the series (all-inhabitant denominators).
            let pinned: Vec<(i32, f64)> = anchors
                .iter()
                .filter(|a| &a.nis == nis && a.indicator == "verhoogde-tegemoetkoming")
                .filter_map(|a| Some((a.year, a.denominator?.ln())))
                .collect();
            let population = if pinned.len() >= 2 {
                interpolate_log_extrapolating(&pinned)
            } else {
                years()
                    .map(|y| p0 * (1.0 + g).powi(y - FIRST_YEAR))
                    .collect()
            };
            Unit {
                nis: nis.clone(),
                province: m.province.clone(),
                population,
                risk,
            }
        })
        .collect()
}

/// Geometric interpolation and extrapolation of a population through pinned (year, ln value).
fn interpolate_log_extrapolating(pinned: &[(i32, f64)]) -> Vec<f64> {
    let (y0, l0) = pinned[0];
    let (y1, l1) = pinned[pinned.len() - 1];
    let slope = (l1 - l0) / f64::from(y1 - y0);
    years()
        .map(|y| (l0 + slope * f64::from(y - y0)).exp())
        .collect()
}

/// One indicator's series for every unit: ratio and denominator per year.
struct Series {
    ratio: Vec<Vec<f64>>,
    denominator: Vec<Vec<f64>>,
}

fn cap(ind: &Indicator) -> f64 {
    match ind.kind {
        Kind::Index => ind.max.unwrap_or(f64::INFINITY) * 0.95,
        _ => 0.95,
    }
}

fn expected(ind: &Indicator, prof: &Profile, units: &[Unit], rng: &mut ChaCha8Rng) -> Series {
    let level = Normal::new(0.0_f64, 0.2).expect("valid normal");
    let yearly = Normal::new(0.0_f64, 0.04).expect("valid normal");
    let share = Normal::new(0.0_f64, 0.08).expect("valid normal");
    let slope = Normal::new(0.0_f64, 0.01).expect("valid normal");
    let mut ratio = Vec::with_capacity(units.len());
    let mut denominator = Vec::with_capacity(units.len());
    for u in units {
        let own = level.sample(rng);
        let own_slope = slope.sample(rng);
        let share_factor = share.sample(rng).exp();
        let mut r = Vec::new();
        let mut d = Vec::new();
        for y in years() {
            let t = f64::from(y - 2015);
            let log_r = prof.base.ln()
                + prof.trend * t
                + prof.loading * u.risk
                + own
                + own_slope * t
                + yearly.sample(rng);
            r.push(log_r.exp().min(cap(ind)));
            d.push(
                (u.population[year_index(y)] * prof.per_inhabitant * share_factor)
                    .round()
                    .max(1.0),
            );
        }
        ratio.push(r);
        denominator.push(d);
    }
    Series { ratio, denominator }
}

/// Bend a unit's ratios so they pass through its anchors, smoothly in log space.
fn anchor_units(ind: &Indicator, series: &mut Series, units: &[Unit], anchors: &[&Anchor]) {
    for (i, u) in units.iter().enumerate() {
        let mine: Vec<&&Anchor> = anchors.iter().filter(|a| a.nis == u.nis).collect();
        if mine.is_empty() {
            continue;
        }
        let deltas: Vec<(i32, f64)> = mine
            .iter()
            .map(|a| {
                let target = a.value / ind.unit.scale();
                (
                    a.year,
                    target.ln() - series.ratio[i][year_index(a.year)].ln(),
                )
            })
            .collect();
        for (k, d) in interpolate(&deltas).into_iter().enumerate() {
            series.ratio[i][k] = (series.ratio[i][k] * d.exp()).min(cap(ind));
        }
        for a in &mine {
            if let Some(den) = a.denominator {
                series.denominator[i][year_index(a.year)] = den;
            }
        }
    }
}

fn members(area: &str, units: &[Unit], geo: &Geography) -> Vec<usize> {
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            area == FLEMISH_REGION
                || u.province == area
                || geo
                    .municipality(&u.nis)
                    .is_some_and(|m| m.arrondissement == area)
        })
        .map(|(i, _)| i)
        .collect()
}

/// Scale the free units of each anchored area so the expected area value meets the anchor,
/// interpolating the scale over years to keep series smooth.
fn anchor_areas(
    ind: &Indicator,
    series: &mut Series,
    units: &[Unit],
    anchors: &[&Anchor],
    fixed: &[bool],
    geo: &Geography,
) {
    let mut areas: Vec<&str> = anchors
        .iter()
        .filter(|a| geo.area(&a.nis).is_some())
        .map(|a| a.nis.as_str())
        .collect();
    areas.sort_by_key(|a| (*a != FLEMISH_REGION, *a));
    areas.dedup();
    for area in areas {
        let idx = members(area, units, geo);
        let points: Vec<(i32, f64)> = anchors
            .iter()
            .filter(|a| a.nis == area)
            .map(|a| {
                let k = year_index(a.year);
                let target = a.value / ind.unit.scale();
                let (mut fixed_num, mut free_num, mut den) = (0.0, 0.0, 0.0);
                for &i in &idx {
                    let num = series.ratio[i][k] * series.denominator[i][k];
                    den += series.denominator[i][k];
                    if fixed[i] {
                        fixed_num += num
                    } else {
                        free_num += num
                    }
                }
                (a.year, ((target * den - fixed_num) / free_num).ln())
            })
            .collect();
        for (k, s) in interpolate(&points).into_iter().enumerate() {
            for &i in idx.iter().filter(|&&i| !fixed[i]) {
                series.ratio[i][k] = (series.ratio[i][k] * s.exp()).min(cap(ind));
            }
        }
    }
}

fn draw(ind: &Indicator, ratio: f64, den: f64, rng: &mut ChaCha8Rng) -> f64 {
    match ind.kind {
        Kind::Share => Binomial::new(den as u64, ratio.clamp(0.0, 1.0))
            .map(|b| b.sample(rng) as f64)
            .unwrap_or((ratio * den).round()),
        _ => {
            let mean = ratio * den;
            let noise = Normal::new(0.0_f64, den.sqrt()).map_or(0.0, |n| n.sample(rng));
            (mean + noise).round().clamp(0.0, cap(ind) * den)
        }
    }
}

/// One drawn cell: numerator (None unless observed), denominator, status.
type Cell = (Option<f64>, f64, Status);

/// Move the drawn numerators of large free units so an area's value equals its anchor exactly
/// (to the published precision), spreading the difference in proportion to the denominators.
fn settle_area(counts: &mut [Vec<Cell>], idx: &[usize], fixed: &[bool], k: usize, target: f64) {
    let (mut num, mut den) = (0.0, 0.0);
    for &i in idx {
        if let (Some(n), d, _) = counts[i][k] {
            num += n;
            den += d;
        }
    }
    let total = (target * den).round() - num;
    let mut free: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| !fixed[i] && counts[i][k].0.is_some() && counts[i][k].1 >= 1000.0)
        .collect();
    free.sort_by(|&a, &b| counts[b][k].1.total_cmp(&counts[a][k].1).then(a.cmp(&b)));
    let free_den: f64 = free.iter().map(|&i| counts[i][k].1).sum();
    let mut left = total;
    for &i in &free {
        let step = (total * counts[i][k].1 / free_den).round();
        if let Some(n) = &mut counts[i][k].0 {
            *n += step;
        }
        left -= step;
    }
    if let Some(&i) = free.first()
        && let Some(n) = &mut counts[i][k].0
    {
        *n += left;
    }
}

/// Generate the demo store for `seed`.
pub fn generate(seed: u64) -> Result<Store> {
    let geo = Geography::bundled();
    let def = Definition::bundled();
    let anchors = anchors::bundled()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let units = units(geo, &anchors, &mut rng);
    let sources: BTreeMap<(String, i32, String), String> = anchors
        .iter()
        .map(|a| {
            (
                (a.nis.clone(), a.year, a.indicator.clone()),
                a.source.clone(),
            )
        })
        .collect();
    let mut records = Vec::new();
    for ind in def.all_indicators() {
        let Some(prof) = profile(&ind.id) else {
            bail!(
                "the demo generator has no profile for indicator '{}'",
                ind.id
            );
        };
        let mine: Vec<&Anchor> = anchors.iter().filter(|a| a.indicator == ind.id).collect();
        let fixed: Vec<bool> = units
            .iter()
            .map(|u| mine.iter().any(|a| a.nis == u.nis))
            .collect();
        let mut series = expected(ind, &prof, &units, &mut rng);
        anchor_units(ind, &mut series, &units, &mine);
        anchor_areas(ind, &mut series, &units, &mine, &fixed, geo);
        // Small shares of these publishers are suppressed (1 to 4), as they publish them.
        let suppresses = matches!(
            ind.id.as_str(),
            "leefloon-gezinnen" | "budgetmeters-elektriciteit"
        );
        let mut counts: Vec<Vec<Cell>> = Vec::with_capacity(units.len());
        for (i, u) in units.iter().enumerate() {
            let mut row = Vec::new();
            for y in years() {
                let k = year_index(y);
                let den = series.denominator[i][k];
                let exact = mine.iter().find(|a| a.nis == u.nis && a.year == y);
                let num = match exact {
                    Some(a) => a
                        .numerator
                        .unwrap_or((a.value / ind.unit.scale() * den).round()),
                    None => draw(ind, series.ratio[i][k], den, &mut rng),
                };
                let cell = if exact.is_none() && rng.random_bool(0.002) {
                    (None, den, Status::Missing)
                } else if suppresses && num > 0.0 && num < 5.0 {
                    (None, den, Status::Suppressed)
                } else {
                    (Some(num), den, Status::Observed)
                };
                row.push(cell);
            }
            counts.push(row);
        }
        for a in mine.iter().filter(|a| geo.area(&a.nis).is_some()) {
            let idx = members(&a.nis, &units, geo);
            settle_area(
                &mut counts,
                &idx,
                &fixed,
                year_index(a.year),
                a.value / ind.unit.scale(),
            );
        }
        for (i, u) in units.iter().enumerate() {
            for y in years() {
                let (numerator, den, status) = counts[i][year_index(y)];
                let source = match sources.get(&(u.nis.clone(), y, ind.id.clone())) {
                    Some(s) => format!("demo (synthetic), published figure: {s}"),
                    None => "demo (synthetic)".to_owned(),
                };
                records.push(Record {
                    unit: u.nis.clone(),
                    year: y,
                    indicator: ind.id.clone(),
                    numerator,
                    denominator: (status != Status::Missing).then_some(den),
                    status,
                    source,
                });
            }
        }
    }
    let meta = StoreMeta {
        synthetic: true,
        description: format!(
            "SYNTHETIC demo data (seed {seed}), not real statistics: the 300 municipalities of \
             2019-2024 over {FIRST_YEAR}-{LAST_YEAR}; published figures for Genk, Kortrijk, Limburg \
             and Flanders reproduced from the seed documents"
        ),
        ..StoreMeta::default()
    };
    Store::from_records(records, meta, ORIGIN)
}

/// The bundled demo store (generated deterministically on use).
pub fn bundled_store() -> Result<Store> {
    generate(SEED)
}
