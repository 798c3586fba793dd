//! The figures of a profile, computed from the store's counts: values per year for the
//! municipality and its areas, intervals, significance against Flanders, rank among
//! municipalities, and the evolution with trend tests.

use crate::barometer::{Row, score};
use crate::definition::{Definition, Direction, Indicator, Kind, Text, Unit};
use crate::geo::{FLEMISH_REGION, Geography};
use crate::indicators::{self, Level, VALUE};
use crate::stats::interval::{Interval, newcombe, poisson_rate, wilson};
use crate::stats::trend::{MannKendall, Ols, Verdict, sen_slope, verdict};
use crate::store::{Status, Store, col};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Confidence level of every interval and test in a profile.
pub const CONFIDENCE: f64 = 0.95;

/// Counts and value of one unit (municipality or area) in one year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Ratio (None when it cannot be computed).
    pub value: Option<f64>,
}

/// The store's counts, indexed for profiles: computed once, shared by all profiles of a run.
pub struct ProfileData {
    /// (unit, indicator) -> year -> (counts, status), for municipalities.
    municipal: BTreeMap<(String, String), BTreeMap<i32, (Counts, Status)>>,
    /// (area, indicator) -> year -> counts, for arrondissements, provinces and the region.
    areas: BTreeMap<(String, String), BTreeMap<i32, Counts>>,
    /// (indicator, year) -> values of all municipalities.
    all_values: BTreeMap<(String, i32), Vec<f64>>,
    /// Years present in the store.
    pub years: Vec<i32>,
}

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Series> {
    Ok(df.column(name)?.as_materialized_series())
}

fn counts_at(df: &DataFrame, i: usize) -> Result<Counts> {
    Ok(Counts {
        numerator: column(df, col::NUMERATOR)?.f64()?.get(i),
        denominator: column(df, col::DENOMINATOR)?.f64()?.get(i),
        value: column(df, VALUE)?.f64()?.get(i),
    })
}

impl ProfileData {
    /// Index the store (all years) with polars: municipal values and the three aggregate levels.
    pub fn new(store: &Store, geo: &Geography) -> Result<ProfileData> {
        let hierarchy = indicators::hierarchy(geo)?;
        let municipal_df = indicators::municipal(store, None).collect()?;
        let mut municipal: BTreeMap<(String, String), BTreeMap<i32, (Counts, Status)>> =
            BTreeMap::new();
        let mut all_values: BTreeMap<(String, i32), Vec<f64>> = BTreeMap::new();
        {
            let units = column(&municipal_df, col::UNIT)?.str()?;
            let inds = column(&municipal_df, col::INDICATOR)?.str()?;
            let years = column(&municipal_df, col::YEAR)?.i32()?;
            let stats = column(&municipal_df, col::STATUS)?.str()?;
            for i in 0..municipal_df.height() {
                let (Some(u), Some(ind), Some(y)) = (units.get(i), inds.get(i), years.get(i))
                else {
                    continue;
                };
                let counts = counts_at(&municipal_df, i)?;
                let status =
                    Status::parse(stats.get(i).unwrap_or_default()).unwrap_or(Status::Missing);
                if let Some(v) = counts.value {
                    all_values.entry((ind.to_owned(), y)).or_default().push(v);
                }
                municipal
                    .entry((u.to_owned(), ind.to_owned()))
                    .or_default()
                    .insert(y, (counts, status));
            }
        }
        let mut areas: BTreeMap<(String, String), BTreeMap<i32, Counts>> = BTreeMap::new();
        for level in [Level::Arrondissement, Level::Province, Level::Region] {
            let df = indicators::aggregate(indicators::municipal(store, None), &hierarchy, level)
                .collect()?;
            let codes = column(&df, level.column())?.str()?;
            let inds = column(&df, col::INDICATOR)?.str()?;
            let years = column(&df, col::YEAR)?.i32()?;
            for i in 0..df.height() {
                let (Some(a), Some(ind), Some(y)) = (codes.get(i), inds.get(i), years.get(i))
                else {
                    continue;
                };
                areas
                    .entry((a.to_owned(), ind.to_owned()))
                    .or_default()
                    .insert(y, counts_at(&df, i)?);
            }
        }
        Ok(ProfileData {
            municipal,
            areas,
            all_values,
            years: store.years()?,
        })
    }
}

/// An area's figures for one year, beside the municipality's.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    /// Year.
    pub year: i32,
    /// The municipality.
    pub municipality: Counts,
    /// Status of the municipality's store row.
    pub status: Status,
    /// 95 % interval of the municipality's ratio.
    pub interval: Option<Interval>,
    /// Its arrondissement.
    pub arrondissement: Counts,
    /// Its province.
    pub province: Counts,
    /// The Flemish Region.
    pub flanders: Counts,
}

/// Whether the municipality differs significantly from Flanders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    /// Significantly higher than Flanders.
    Higher,
    /// Significantly lower.
    Lower,
    /// Not significantly different.
    NotSignificant,
    /// Cannot be tested (missing counts).
    Unknown,
}

/// The evolution between the first and the last year with a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Evolution {
    /// First year with a value.
    pub from: i32,
    /// Last year with a value.
    pub to: i32,
    /// Change of the numerator count.
    pub count_change: Option<f64>,
    /// Change of the value in display units (percentage points for percentages).
    pub point_change: f64,
    /// Relative change of the value (0.2 = +20 %).
    pub relative_change: Option<f64>,
    /// OLS fit of the display values on the year (3+ years).
    pub ols: Option<Ols>,
    /// Mann-Kendall test (4+ years).
    pub mann_kendall: Option<MannKendall>,
    /// Sen's slope per year, display units (4+ years).
    pub sen: Option<f64>,
    /// The verdict that follows from the tests.
    pub verdict: Verdict,
}

/// One indicator of a profile.
#[derive(Debug, Clone)]
pub struct IndicatorProfile {
    /// The indicator's definition.
    pub indicator: Indicator,
    /// Whether it is scored in the barometer.
    pub scored: bool,
    /// Figures per year from `from` to `year` (years without any data left out).
    pub years: Vec<YearFigures>,
    /// Rank among municipalities in the profile year (1 = most at risk) and their number.
    pub rank: Option<(usize, usize)>,
    /// Percentile rank in the profile year, 0 = least at risk, 1 = most at risk.
    pub percentile: Option<f64>,
    /// Interval method, for the output.
    pub interval_method: &'static str,
    /// Difference with Flanders (display units) and its interval, for shares (Newcombe).
    pub difference: Option<(f64, Interval)>,
    /// Significance of the gap with Flanders in the profile year.
    pub significance: Significance,
    /// Evolution from `from` to `year`.
    pub evolution: Option<Evolution>,
    /// The barometer point in the profile year (scored indicators).
    pub point: Option<bool>,
    /// The barometer reference ratio in the profile year (scored indicators).
    pub reference: Option<f64>,
}

impl IndicatorProfile {
    /// The figures of the profile year, if any.
    pub fn latest(&self) -> Option<&YearFigures> {
        self.years.last()
    }
}

/// A municipality's profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// REFNIS code.
    pub nis: String,
    /// Dutch name.
    pub name: String,
    /// Arrondissement code.
    pub arrondissement: String,
    /// Province code.
    pub province: String,
    /// Profile year.
    pub year: i32,
    /// First year of the evolution.
    pub from: i32,
    /// One entry per indicator with data: scored ones in definition order, then the others.
    pub indicators: Vec<IndicatorProfile>,
    /// The municipality's barometer row in the profile year.
    pub barometer: Option<Row>,
    /// Number of municipalities scored that year.
    pub scored_municipalities: usize,
}

/// A stand-in definition for an indicator in the store that no definition declares.
fn undeclared(id: &str) -> Indicator {
    let text = |s: &str| Text {
        nl: s.to_owned(),
        en: s.to_owned(),
    };
    Indicator {
        id: id.to_owned(),
        short: id.chars().take(4).collect::<String>().to_uppercase(),
        label: text(id),
        numerator: text("teller uit de store"),
        denominator: text("noemer uit de store"),
        unit: Unit::Index,
        kind: Kind::Rate,
        max: None,
        direction: Direction::HigherIsWorse,
        source: "store".into(),
        reference: None,
        fixed_reference: None,
    }
}

/// The ratio's interval by the indicator's kind.
pub fn interval_for(kind: Kind, c: &Counts) -> Option<Interval> {
    let (n, d) = (c.numerator?, c.denominator?);
    match kind {
        Kind::Share => wilson(n, d, CONFIDENCE),
        Kind::Index | Kind::Rate => poisson_rate(n, d, CONFIDENCE),
    }
}

fn interval_method(kind: Kind) -> &'static str {
    match kind {
        Kind::Share => "Wilson score",
        Kind::Index | Kind::Rate => "exact Poisson (Garwood)",
    }
}

/// Build the profile of municipality `nis` for `year`, evolution from `from`.
pub fn build(
    data: &ProfileData,
    store: &Store,
    def: &Definition,
    geo: &Geography,
    nis: &str,
    year: i32,
    from: i32,
) -> Result<Profile> {
    let m = geo
        .municipality(nis)
        .ok_or_else(|| crate::error::usage(format!("unknown municipality {nis}")))?;
    let board = score(store, def, geo, year)?;
    let row = board.rows.iter().find(|r| r.nis == nis).cloned();
    let mut ids: Vec<(Indicator, bool)> =
        def.indicators.iter().map(|i| (i.clone(), true)).collect();
    ids.extend(def.context.iter().map(|i| (i.clone(), false)));
    for ((unit, ind), _) in data.municipal.range((nis.to_owned(), String::new())..) {
        if unit != nis {
            break;
        }
        if def.indicator(ind).is_none() {
            ids.push((undeclared(ind), false));
        }
    }
    let empty = BTreeMap::new();
    let mut indicators = Vec::new();
    for (ind, scored) in ids {
        let own = data
            .municipal
            .get(&(nis.to_owned(), ind.id.clone()))
            .unwrap_or(&empty);
        let area = |code: &str, y: i32| {
            data.areas
                .get(&(code.to_owned(), ind.id.clone()))
                .and_then(|s| s.get(&y))
                .copied()
                .unwrap_or_default()
        };
        let years: Vec<YearFigures> = (from..=year)
            .filter_map(|y| {
                let (c, status) = own.get(&y).copied()?;
                Some(YearFigures {
                    year: y,
                    municipality: c,
                    status,
                    interval: interval_for(ind.kind, &c),
                    arrondissement: area(&m.arrondissement, y),
                    province: area(&m.province, y),
                    flanders: area(FLEMISH_REGION, y),
                })
            })
            .collect();
        if years.is_empty() {
            continue;
        }
        let latest = years.last().filter(|f| f.year == year);
        let (rank, percentile) = match latest.and_then(|f| f.municipality.value) {
            Some(v) => rank_among(data, &ind, year, v),
            None => (None, None),
        };
        let (difference, significance) = match latest {
            Some(f) => significance(&ind, f),
            None => (None, Significance::Unknown),
        };
        let cell = row.as_ref().and_then(|r| {
            let k = def.indicators.iter().position(|i| i.id == ind.id)?;
            r.cells.get(k)
        });
        indicators.push(IndicatorProfile {
            evolution: evolution(&ind, &years),
            interval_method: interval_method(ind.kind),
            indicator: ind,
            scored,
            years,
            rank,
            percentile,
            difference,
            significance,
            point: cell.and_then(|c| c.point),
            reference: cell.and_then(|c| c.reference),
        });
    }
    Ok(Profile {
        nis: nis.to_owned(),
        name: m.name_nl.clone(),
        arrondissement: m.arrondissement.clone(),
        province: m.province.clone(),
        year,
        from,
        indicators,
        barometer: row,
        scored_municipalities: board.rows.len(),
    })
}

/// Rank (1 = most at risk) with ties at the minimum, and the SVI percentile rank.
fn rank_among(
    data: &ProfileData,
    ind: &Indicator,
    year: i32,
    v: f64,
) -> (Option<(usize, usize)>, Option<f64>) {
    let Some(values) = data.all_values.get(&(ind.id.clone(), year)) else {
        return (None, None);
    };
    let s = ind.direction.sign();
    let worse = values.iter().filter(|&&x| s * (x - v) > 0.0).count();
    let better = values.iter().filter(|&&x| s * (x - v) < 0.0).count();
    let n = values.len();
    let percentile = if n > 1 {
        better as f64 / (n - 1) as f64
    } else {
        1.0
    };
    (Some((worse + 1, n)), Some(percentile))
}

/// Difference with Flanders: Newcombe interval for shares; for rates and indices whether the
/// municipality's exact Poisson interval excludes the Flemish value.
fn significance(ind: &Indicator, f: &YearFigures) -> (Option<(f64, Interval)>, Significance) {
    let (m, fl) = (&f.municipality, &f.flanders);
    let (Some(v), Some(fv)) = (m.value, fl.value) else {
        return (None, Significance::Unknown);
    };
    let side = |higher: bool| {
        if higher {
            Significance::Higher
        } else {
            Significance::Lower
        }
    };
    match ind.kind {
        Kind::Share => {
            let (Some(k1), Some(n1), Some(k2), Some(n2)) =
                (m.numerator, m.denominator, fl.numerator, fl.denominator)
            else {
                return (None, Significance::Unknown);
            };
            match newcombe(k1, n1, k2, n2, CONFIDENCE) {
                Some(ci) if ci.excludes(0.0) => (
                    Some((ind.display(v - fv), ci.scaled(ind.unit.scale()))),
                    side(v > fv),
                ),
                Some(ci) => (
                    Some((ind.display(v - fv), ci.scaled(ind.unit.scale()))),
                    Significance::NotSignificant,
                ),
                None => (None, Significance::Unknown),
            }
        }
        Kind::Index | Kind::Rate => match f.interval {
            Some(ci) if ci.excludes(fv) => (None, side(v > fv)),
            Some(_) => (None, Significance::NotSignificant),
            None => (None, Significance::Unknown),
        },
    }
}

fn evolution(ind: &Indicator, years: &[YearFigures]) -> Option<Evolution> {
    let points: Vec<(f64, f64, Option<f64>)> = years
        .iter()
        .filter_map(|f| {
            Some((
                f64::from(f.year),
                ind.display(f.municipality.value?),
                f.municipality.numerator,
            ))
        })
        .collect();
    let (first, last) = (points.first()?, points.last()?);
    if points.len() < 2 {
        return None;
    }
    let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    let ols = Ols::fit(&xs, &ys, CONFIDENCE);
    let mann_kendall = MannKendall::test(&ys);
    let sen = mann_kendall.as_ref().and_then(|_| sen_slope(&xs, &ys));
    Some(Evolution {
        from: first.0 as i32,
        to: last.0 as i32,
        count_change: first.2.zip(last.2).map(|(a, b)| b - a),
        point_change: last.1 - first.1,
        relative_change: (first.1 != 0.0).then(|| last.1 / first.1 - 1.0),
        verdict: verdict(mann_kendall.as_ref(), sen, ols.as_ref(), CONFIDENCE),
        ols,
        mann_kendall,
        sen,
    })
}
