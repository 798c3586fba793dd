//! One year's barometer as flat arrays: the cells of every unit side by side, the references,
//! scores, composites and the ranking. [`score_year`] computes it; a [`Scoreboard`] lays it out
//! as rows, and `batch` writes its tables from it directly (one allocation per array rather
//! than per unit).

use super::{Cell, ReferenceValue, Scoreboard, tie_key, worse};
use crate::definition::{Definition, Reference};
use crate::error::data;
use crate::geo::{FLEMISH_REGION, Geography, Municipality, sector_municipality};
use crate::panel::{Panel, YearRows};
use crate::store::Status;
use anyhow::Result;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A cell's point: none (the value or the reference is missing).
const NO_POINT: u8 = 2;

/// The barometer of every unit of a panel for one year, in flat arrays. Cells are unit-major
/// (`[i * k + j]` is unit `i`, indicator `j`, units in code order); a missing count or value is
/// `NaN`.
#[derive(Debug, Default)]
pub struct Year<'a> {
    /// The year scored.
    pub year: i32,
    /// Unit codes, in code order.
    units: Vec<&'a str>,
    /// Each unit's municipality (a sector's own).
    munis: Vec<&'a Municipality>,
    /// Indicators scored (the definition's, in its order).
    k: usize,
    numerator: Vec<f64>,
    denominator: Vec<f64>,
    status: Vec<Status>,
    value: Vec<f64>,
    /// 0, 1 or [`NO_POINT`].
    point: Vec<u8>,
    /// Per unit its points and the indicators they rest on.
    scores: Vec<(u32, u32)>,
    composites: Vec<Option<f64>>,
    /// The display order: unit, rank and percentile.
    ranked: Vec<(usize, u32, f64)>,
    /// One reference per scored indicator, in definition order.
    pub references: Vec<ReferenceValue>,
    /// The municipality set the year's units belong to, as a label.
    pub municipality_set: String,
    /// Municipalities of that set without any row for this year (empty for sectors).
    pub absent: Vec<String>,
    /// Whether the units are statistical sectors (else municipalities).
    pub sectors: bool,
}

/// One unit of a [`Year`], as a row of its scoreboard.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'y> {
    year: &'y Year<'y>,
    i: usize,
    /// 1 = most at risk; ties share the lowest rank.
    pub rank: u32,
    /// Percentile rank (rank - 1) / (n - 1) from least (0) to most at risk (1), ties at the
    /// minimum.
    pub percentile: f64,
}

impl<'y> Unit<'y> {
    /// REFNIS code of the municipality, or the sector's 9-character code.
    pub fn nis(&self) -> &'y str {
        self.year.nis(self.i)
    }

    /// Dutch name of the municipality (the sector's municipality for a sector).
    pub fn name(&self) -> &'y str {
        self.year.name(self.i)
    }

    /// Number of points.
    pub fn score(&self) -> u32 {
        self.year.scores[self.i].0
    }

    /// Number of indicators the score rests on.
    pub fn indicators(&self) -> u32 {
        self.year.scores[self.i].1
    }

    /// Mean relative excess over the reference, in the worse direction.
    pub fn composite(&self) -> Option<f64> {
        self.year.composites[self.i]
    }

    /// 1 = the 10 % most at risk.
    pub fn decile(&self) -> u32 {
        ((self.rank as usize - 1) * 10 / self.year.units.len() + 1) as u32
    }

    /// The cell of indicator `j` (definition order).
    pub fn cell(&self, j: usize) -> Cell {
        self.year.cell(self.i, j)
    }
}

impl<'y> Year<'y> {
    /// The code of unit `i` (units in code order).
    pub fn nis(&self, i: usize) -> &'y str {
        self.units[i]
    }

    /// The name of unit `i`'s municipality.
    pub fn name(&self, i: usize) -> &'y str {
        &self.munis[i].name_nl
    }

    /// The cell of unit `i` and indicator `j` (definition order).
    pub fn cell(&self, i: usize, j: usize) -> Cell {
        let c = i * self.k + j;
        let known = |v: f64| (!v.is_nan()).then_some(v);
        Cell {
            numerator: known(self.numerator[c]),
            denominator: known(self.denominator[c]),
            status: self.status[c],
            value: known(self.value[c]),
            reference: self.references[j].value,
            point: (self.point[c] != NO_POINT).then_some(self.point[c] == 1),
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether no unit was scored.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The units in display order (rank, then code).
    pub fn rows(&self) -> impl Iterator<Item = Unit<'_>> {
        self.ranked.iter().map(move |&(i, rank, percentile)| Unit {
            year: self,
            i,
            rank,
            percentile,
        })
    }

    /// The scoreboard: one row per unit, in display order.
    pub fn board(&self) -> Scoreboard {
        // Each municipality's name and areas, shared by its units' rows.
        let mut shared: Vec<[Arc<str>; 3]> = Vec::new();
        let mut of_unit: Vec<usize> = Vec::with_capacity(self.len());
        for (i, m) in self.munis.iter().enumerate() {
            if i == 0 || !std::ptr::eq(*m, self.munis[i - 1]) {
                shared.push(
                    [&m.name_nl, &m.arrondissement, &m.province].map(|t| Arc::from(t.as_str())),
                );
            }
            of_unit.push(shared.len() - 1);
        }
        let rows = self
            .rows()
            .map(|u| {
                let [name, arrondissement, province] = shared[of_unit[u.i]].clone();
                super::Row {
                    nis: u.nis().to_owned(),
                    name,
                    arrondissement,
                    province,
                    cells: (0..self.k).map(|j| u.cell(j)).collect(),
                    score: u.score(),
                    indicators: u.indicators(),
                    composite: u.composite(),
                    rank: u.rank,
                    percentile: u.percentile,
                    decile: u.decile(),
                }
            })
            .collect();
        Scoreboard {
            year: self.year,
            rows,
            references: self.references.clone(),
            municipality_set: self.municipality_set.clone(),
            absent: self.absent.clone(),
            sectors: self.sectors,
        }
    }
}

/// Compute the barometer for `year` from a panel (see [`super::score_panel`]).
pub fn score_year<'a>(
    panel: &'a Panel,
    def: &Definition,
    geo: &'a Geography,
    year: i32,
) -> Result<Year<'a>> {
    let origin = &panel.identity.origin;
    let years = panel.years();
    if !years.contains(&year) {
        let span = match (years.first(), years.last()) {
            (Some(a), Some(b)) => format!("the store has {a}-{b}"),
            _ => "the store is empty".into(),
        };
        return Err(data(format!(
            "year {year} is not in the store {origin}: {span}; choose one of those years with --year"
        )));
    }
    let rows = panel.year(year).unwrap_or(YearRows::empty());
    let k = def.indicators.len();
    let position: Vec<Option<usize>> = panel
        .indicators()
        .iter()
        .map(|id| def.indicators.iter().position(|ind| ind.id == *id))
        .collect();
    // k cells per unit with a row for a scored indicator, in code order.
    let mut y = Year {
        year,
        k,
        ..Year::default()
    };
    // A row per cell, as usual: room for as many cells as rows (more are added as needed).
    y.numerator.reserve(rows.len());
    y.denominator.reserve(rows.len());
    y.status.reserve(rows.len());
    y.value.reserve(rows.len());
    let mut last = u32::MAX;
    for i in 0..rows.len() {
        let Some(p) = position[rows.indicator[i] as usize] else {
            continue;
        };
        if rows.unit[i] != last {
            last = rows.unit[i];
            y.units.push(panel.unit(last));
            let cells = y.numerator.len() + k;
            y.numerator.resize(cells, f64::NAN);
            y.denominator.resize(cells, f64::NAN);
            y.status.resize(cells, Status::Missing);
            y.value.resize(cells, f64::NAN);
        }
        let c = (y.units.len() - 1) * k + p;
        y.numerator[c] = rows.numerator[i];
        y.denominator[c] = rows.denominator[i];
        y.status[c] = rows.status(i);
        y.value[c] = rows.value(i).unwrap_or(f64::NAN);
    }
    // Each unit's municipality, looked up once (the sectors of one municipality are
    // neighbours in code order, and no municipality code is a sector code).
    y.munis.reserve(y.units.len());
    for unit in &y.units {
        if let (Some(code), Some(last)) = (sector_municipality(unit), y.munis.last())
            && last.nis == code
        {
            y.munis.push(last);
            continue;
        }
        let Some(m) = geo.municipality_of(unit) else {
            return Err(data(format!(
                "{origin}: unit '{unit}' is neither a known Flemish municipality nor a statistical \
                 sector of one; rebuild the store with `barometer ingest`"
            )));
        };
        y.munis.push(m);
    }
    let is_sector = |u: &&&str| sector_municipality(u).is_some();
    let sectors = y.units.iter().filter(is_sector).count();
    if sectors > 0 && sectors < y.units.len() {
        let (s, m) = (
            y.units.iter().find(is_sector),
            y.units.iter().find(|u| !is_sector(u)),
        );
        return Err(data(format!(
            "{origin}: year {year} mixes statistical sectors ({}) and municipalities ({}), so \
             Flemish totals would count areas twice; keep one level per store",
            s.copied().unwrap_or_default(),
            m.copied().unwrap_or_default()
        )));
    }
    y.sectors = sectors > 0;
    // The municipalities of the units (sectors of one municipality are neighbours in code
    // order), each once.
    let mut codes: Vec<&str> = y.munis.iter().map(|m| m.nis.as_str()).collect();
    codes.dedup();
    let set = geo.set_of_year_units(year, codes).map_err(data)?;
    y.municipality_set = set.label();
    // Which municipalities lack data is a question for municipal stores only.
    if !y.sectors {
        let present: BTreeSet<&str> = y.units.iter().copied().collect();
        y.absent = set
            .codes
            .iter()
            .filter(|c| !present.contains(c.as_str()))
            .cloned()
            .collect();
    }
    let flemish: Vec<bool> = y.munis.iter().map(|m| m.region == FLEMISH_REGION).collect();
    y.references = references(def, &y, &flemish);
    // Points and the composite's inputs (column-major, NaN where missing).
    let n = y.units.len();
    let mut values = vec![f64::NAN; n * k];
    y.point = vec![NO_POINT; n * k];
    y.scores.reserve(n);
    for i in 0..n {
        let (mut score, mut indicators) = (0, 0);
        for (j, ind) in def.indicators.iter().enumerate() {
            let c = i * k + j;
            let v = y.value[c];
            if v.is_nan() {
                continue;
            }
            values[j * n + i] = v;
            if let Some(r) = y.references[j].value {
                let point = worse(def, ind, v, r);
                y.point[c] = u8::from(point);
                score += u32::from(point);
                indicators += 1;
            }
        }
        y.scores.push((score, indicators));
    }
    let groups: Vec<&str> = y.munis.iter().map(|m| m.province.as_str()).collect();
    let signs: Vec<f64> = def.indicators.iter().map(|i| i.direction.sign()).collect();
    let refs: Vec<Option<f64>> = y.references.iter().map(|r| r.value).collect();
    y.composites = def
        .composite
        .compute(&values, &refs, &signs, &groups)
        .map_err(|e| data(format!("{}: {year}: {e}", def.origin)))?;
    let keys: Vec<(u32, i64)> = y
        .scores
        .iter()
        .zip(&y.composites)
        .map(|(&(score, _), &c)| risk_key(score, c))
        .collect();
    y.ranked = rank(&keys, &y.units);
    Ok(y)
}

/// The reference of each scored indicator from the year's cells. The Flemish value sums the
/// numerators and denominators of the cells with a value of the units in the Flemish Region
/// (`flemish`, per unit), in unit order: never a mean of rates.
fn references(def: &Definition, y: &Year<'_>, flemish: &[bool]) -> Vec<ReferenceValue> {
    let methods: Vec<Reference> = def
        .indicators
        .iter()
        .map(|i| def.reference_for(i))
        .collect();
    // One pass over the units: per indicator the Flemish sums (in unit order), the number of
    // values and, for a mean or median, the values.
    let k = def.indicators.len();
    let (mut num, mut den, mut count) = (vec![0.0; k], vec![0.0; k], vec![0; k]);
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); k];
    let or_zero = |v: f64| if v.is_nan() { 0.0 } else { v };
    for (i, &flemish) in flemish.iter().enumerate() {
        for j in 0..k {
            let c = i * k + j;
            let v = y.value[c];
            if v.is_nan() {
                continue;
            }
            count[j] += 1;
            if flemish {
                num[j] += or_zero(y.numerator[c]);
                den[j] += or_zero(y.denominator[c]);
            }
            if matches!(methods[j], Reference::Mean | Reference::Median) {
                values[j].push(v);
            }
        }
    }
    def.indicators
        .iter()
        .enumerate()
        .map(|(j, ind)| {
            let values = &mut values[j];
            let value = match methods[j] {
                Reference::Flanders => (den[j] > 0.0).then(|| num[j] / den[j]),
                Reference::Mean => {
                    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
                }
                Reference::Median => super::median(values),
                Reference::Fixed => ind.fixed_reference.map(|v| v / ind.unit.scale()),
            };
            ReferenceValue {
                indicator: ind.id.clone(),
                method: methods[j],
                value,
                municipalities_with_value: count[j],
            }
        })
        .collect()
}

/// Order key: higher score, then higher composite (missing lowest) is more at risk. The
/// composite's [`tie_key`] as an integer in the order of `f64::total_cmp`.
fn risk_key(score: u32, composite: Option<f64>) -> (u32, i64) {
    let c = composite.map_or(f64::NEG_INFINITY, tie_key).to_bits() as i64;
    (score, c ^ (((c >> 63) as u64) >> 1) as i64)
}

/// The display order of units with risk `keys` (most at risk first, then by code `units`),
/// as (unit, rank, percentile): ties share the lowest rank; the percentile is the ascending
/// rank with ties at the minimum, (rank - 1) / (n - 1).
fn rank(keys: &[(u32, i64)], units: &[&str]) -> Vec<(usize, u32, f64)> {
    // The keys sorted with their units (no lookups while sorting).
    let mut sorted: Vec<((u32, i64), usize)> = keys.iter().copied().zip(0..).collect();
    // Units in code order (as a panel gives them) need no string comparison for ties.
    if units.is_sorted() {
        sorted.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    } else {
        sorted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| units[a.1].cmp(units[b.1])));
    }
    let n = sorted.len();
    let mut out: Vec<(usize, u32, f64)> = Vec::with_capacity(n);
    for (at, &(key, i)) in sorted.iter().enumerate() {
        let rank = match out.last() {
            Some(&(_, rank, _)) if sorted[at - 1].0 == key => rank,
            _ => at as u32 + 1,
        };
        out.push((i, rank, 0.0));
    }
    // 1 + rows strictly less at risk: sorted most at risk first, that is n - 1 - (the last
    // index of the tie group).
    let mut end = n;
    for at in (0..n).rev() {
        if at + 1 < n && sorted[at].0 != sorted[at + 1].0 {
            end = at + 1;
        }
        out[at].2 = if n > 1 {
            (n - end) as f64 / (n - 1) as f64
        } else {
            1.0
        };
    }
    out
}
