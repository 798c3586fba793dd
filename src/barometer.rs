//! The scoring core: per unit (municipality or statistical sector) and year each indicator's
//! value, the reference, the point;
//! the score (number of points), a continuous composite to order equal scores, the rank,
//! percentile rank and decile. Formulas and sources: `docs/methodology.md`.

use crate::definition::{Comparison, Definition, Indicator, Reference};
use crate::error::data;
use crate::geo::{FLEMISH_REGION, Geography, Municipality, sector_municipality};
use crate::lang::Lang;
use crate::panel::{Panel, YearRows};
use crate::store::{Status, Store};
use anyhow::Result;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One indicator's outcome for one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Numerator count.
    pub numerator: Option<f64>,
    /// Denominator count.
    pub denominator: Option<f64>,
    /// Status of the store row (`Missing` when there is no row).
    pub status: Status,
    /// Ratio numerator / denominator.
    pub value: Option<f64>,
    /// The reference ratio it is compared with.
    pub reference: Option<f64>,
    /// 1 when worse than the reference, 0 when not, `None` when the value or reference is missing.
    pub point: Option<bool>,
}

/// One unit's barometer (a municipality, or a statistical sector in a sector store).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// REFNIS code of the municipality, or the sector's 9-character code.
    pub nis: String,
    /// Dutch name of the municipality (the sector's municipality for a sector).
    pub name: Arc<str>,
    /// REFNIS code of the arrondissement.
    pub arrondissement: Arc<str>,
    /// REFNIS code of the province.
    pub province: Arc<str>,
    /// One cell per scored indicator, in definition order.
    pub cells: Vec<Cell>,
    /// Number of points.
    pub score: u32,
    /// Number of indicators the score rests on.
    pub indicators: u32,
    /// Mean relative excess over the reference, in the worse direction.
    pub composite: Option<f64>,
    /// 1 = most at risk; ties share the lowest rank.
    pub rank: u32,
    /// Percentile rank (rank - 1) / (n - 1) from least (0) to most at risk (1), ties at the minimum.
    pub percentile: f64,
    /// 1 = the 10 % most at risk.
    pub decile: u32,
}

/// The reference used for one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceValue {
    /// Indicator id.
    pub indicator: String,
    /// Which rule produced it.
    pub method: Reference,
    /// The reference ratio (`None` when it cannot be computed).
    pub value: Option<f64>,
    /// Municipalities with a value for this indicator.
    pub municipalities_with_value: usize,
}

/// The barometer of every unit in the store for one year.
#[derive(Debug, Clone)]
pub struct Scoreboard {
    /// The year scored.
    pub year: i32,
    /// Rows in display order (rank, then REFNIS code).
    pub rows: Vec<Row>,
    /// One reference per scored indicator, in definition order.
    pub references: Vec<ReferenceValue>,
    /// The municipality set the year's units belong to, as a label.
    pub municipality_set: String,
    /// Municipalities of that set without any row in the store for this year (empty for a
    /// sector store).
    pub absent: Vec<String>,
    /// Whether the rows are statistical sectors (else municipalities).
    pub sectors: bool,
}

impl Scoreboard {
    /// What the rows are, in the plural: "gemeenten" or "statistische sectoren".
    pub fn units_word(&self, lang: Lang) -> &'static str {
        if self.sectors {
            lang.pick("statistische sectoren", "statistical sectors")
        } else {
            lang.pick("gemeenten", "municipalities")
        }
    }
}

/// Compute the barometer for `year`.
pub fn score(store: &Store, def: &Definition, geo: &Geography, year: i32) -> Result<Scoreboard> {
    score_panel(&Panel::from_store(store, Some(&[year]))?, def, geo, year)
}

/// Compute the barometer for `year` from a panel: what [`score`] computes, for scoring many
/// years of one store read once (`batch`).
pub fn score_panel(
    panel: &Panel,
    def: &Definition,
    geo: &Geography,
    year: i32,
) -> Result<Scoreboard> {
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
    let empty = Cell {
        numerator: None,
        denominator: None,
        status: Status::Missing,
        value: None,
        reference: None,
        point: None,
    };
    // One row of k cells per unit with a row for a scored indicator, in code order.
    let known = |v: f64| (!v.is_nan()).then_some(v);
    let (mut units, mut grid): (Vec<&str>, Vec<Vec<Cell>>) = (Vec::new(), Vec::new());
    let mut last = u32::MAX;
    for i in 0..rows.len() {
        let Some(p) = position[rows.indicator[i] as usize] else {
            continue;
        };
        if rows.unit[i] != last {
            last = rows.unit[i];
            units.push(panel.unit(last));
            grid.push(vec![empty.clone(); k]);
        }
        let cells = grid.last_mut().expect("a row per unit");
        cells[p] = Cell {
            numerator: known(rows.numerator[i]),
            denominator: known(rows.denominator[i]),
            status: rows.status(i),
            value: rows.value(i),
            ..empty.clone()
        };
    }
    // Each unit's municipality, looked up once (the sectors of one municipality are
    // neighbours in code order, and no municipality code is a sector code).
    let mut munis: Vec<&Municipality> = Vec::with_capacity(units.len());
    for unit in &units {
        if let (Some(code), Some(last)) = (sector_municipality(unit), munis.last())
            && last.nis == code
        {
            munis.push(last);
            continue;
        }
        let Some(m) = geo.municipality_of(unit) else {
            return Err(data(format!(
                "{origin}: unit '{unit}' is neither a known Flemish municipality nor a statistical \
                 sector of one; rebuild the store with `barometer ingest`"
            )));
        };
        munis.push(m);
    }
    let is_sector = |u: &&&str| sector_municipality(u).is_some();
    let sectors = units.iter().filter(is_sector).count();
    if sectors > 0 && sectors < units.len() {
        let (s, m) = (
            units.iter().find(is_sector),
            units.iter().find(|u| !is_sector(u)),
        );
        return Err(data(format!(
            "{origin}: year {year} mixes statistical sectors ({}) and municipalities ({}), so \
             Flemish totals would count areas twice; keep one level per store",
            s.copied().unwrap_or_default(),
            m.copied().unwrap_or_default()
        )));
    }
    // The municipalities of the units (sectors of one municipality are neighbours in code
    // order), each once.
    let mut codes: Vec<&str> = munis.iter().map(|m| m.nis.as_str()).collect();
    codes.dedup();
    let set = geo.set_of_year_units(year, codes).map_err(data)?;
    let flemish: Vec<bool> = munis.iter().map(|m| m.region == FLEMISH_REGION).collect();
    let references = references(def, &grid, &flemish);
    // Points and the composite's inputs (column-major, NaN where missing).
    let n = units.len();
    let mut values = vec![f64::NAN; n * k];
    let mut scores = Vec::with_capacity(n);
    for (i, cells) in grid.iter_mut().enumerate() {
        let (mut score, mut indicators) = (0, 0);
        for (j, (cell, ind)) in cells.iter_mut().zip(&def.indicators).enumerate() {
            cell.reference = references[j].value;
            cell.point = match (cell.value, cell.reference) {
                (Some(v), Some(r)) => Some(worse(def, ind, v, r)),
                _ => None,
            };
            score += u32::from(cell.point == Some(true));
            indicators += u32::from(cell.point.is_some());
            if let Some(v) = cell.value {
                values[j * n + i] = v;
            }
        }
        scores.push((score, indicators));
    }
    let groups: Vec<&str> = munis.iter().map(|m| m.province.as_str()).collect();
    let signs: Vec<f64> = def.indicators.iter().map(|i| i.direction.sign()).collect();
    let refs: Vec<Option<f64>> = references.iter().map(|r| r.value).collect();
    let composites = def
        .composite
        .compute(&values, &refs, &signs, &groups)
        .map_err(|e| data(format!("{}: {year}: {e}", def.origin)))?;
    // The rows in display order, with rank, percentile and decile.
    let keys: Vec<(u32, i64)> = scores
        .iter()
        .zip(&composites)
        .map(|(&(score, _), &c)| risk_key(score, c))
        .collect();
    let ranked = rank(&keys, &units);
    // Each municipality's name and areas, shared by its units' rows.
    let mut shared: Vec<[Arc<str>; 3]> = Vec::new();
    let mut of_unit: Vec<usize> = Vec::with_capacity(n);
    for (i, m) in munis.iter().enumerate() {
        if i == 0 || !std::ptr::eq(*m, munis[i - 1]) {
            shared
                .push([&m.name_nl, &m.arrondissement, &m.province].map(|t| Arc::from(t.as_str())));
        }
        of_unit.push(shared.len() - 1);
    }
    let mut out: Vec<Row> = Vec::with_capacity(n);
    for (i, rank, percentile) in ranked {
        let [name, arrondissement, province] = shared[of_unit[i]].clone();
        out.push(Row {
            nis: units[i].to_owned(),
            name,
            arrondissement,
            province,
            cells: std::mem::take(&mut grid[i]),
            score: scores[i].0,
            indicators: scores[i].1,
            composite: composites[i],
            rank,
            percentile,
            decile: ((rank as usize - 1) * 10 / n + 1) as u32,
        });
    }
    // Which municipalities lack data is a question for municipal stores only.
    let absent = if sectors > 0 {
        Vec::new()
    } else {
        let present: BTreeSet<&str> = out.iter().map(|r| r.nis.as_str()).collect();
        set.codes
            .iter()
            .filter(|c| !present.contains(c.as_str()))
            .cloned()
            .collect()
    };
    Ok(Scoreboard {
        year,
        rows: out,
        references,
        municipality_set: set.label(),
        absent,
        sectors: sectors > 0,
    })
}

/// Whether value `v` is worse than reference `r` under the definition's comparison rule.
pub fn worse(def: &Definition, ind: &Indicator, v: f64, r: f64) -> bool {
    let margin = match def.scoring.comparison {
        Comparison::Strict => 0.0,
        Comparison::Margin => def.scoring.margin.unwrap_or(0.0),
    };
    ind.direction.sign() * (v - r) > margin * r.abs()
}

/// The reference of each scored indicator from the year's cells (one row of cells per unit, units in code
/// order). The Flemish value sums the numerators and denominators of the cells with a value
/// of the units in the Flemish Region (`flemish`, per unit), in unit order: never a mean of
/// rates.
fn references(def: &Definition, grid: &[Vec<Cell>], flemish: &[bool]) -> Vec<ReferenceValue> {
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
    for (cells, &flemish) in grid.iter().zip(flemish) {
        for (j, c) in cells.iter().enumerate() {
            let Some(v) = c.value else { continue };
            count[j] += 1;
            if flemish {
                num[j] += c.numerator.unwrap_or(0.0);
                den[j] += c.denominator.unwrap_or(0.0);
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
                Reference::Median => median(values),
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

/// The median (mean of the two middle values for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Order key: higher score, then higher composite (missing lowest) is more at risk. The
/// composite's [`tie_key`] as an integer in the order of `f64::total_cmp`.
fn risk_key(score: u32, composite: Option<f64>) -> (u32, i64) {
    let c = composite.map_or(f64::NEG_INFINITY, tie_key).to_bits() as i64;
    (score, c ^ (((c >> 63) as u64) >> 1) as i64)
}

/// A composite rounded to 12 significant digits for ranking, so that two composites equal in
/// exact arithmetic but apart in the last bits (another order of summation) share a rank.
pub fn tie_key(composite: f64) -> f64 {
    if composite == 0.0 || !composite.is_finite() {
        return composite;
    }
    let scale = 10f64.powi(11 - composite.abs().log10().floor() as i32);
    if !scale.is_finite() || scale == 0.0 {
        return composite;
    }
    (composite * scale).round() / scale
}

/// The display order of units with risk `keys` (most at risk first, then by code `units`),
/// as (unit, rank, percentile): ties share the lowest rank; the percentile is the ascending
/// rank with ties at the minimum, (rank - 1) / (n - 1).
fn rank(keys: &[(u32, i64)], units: &[&str]) -> Vec<(usize, u32, f64)> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Units in code order (as a panel gives them) need no string comparison for ties.
    if units.is_sorted() {
        order.sort_unstable_by(|&a, &b| keys[b].cmp(&keys[a]).then(a.cmp(&b)));
    } else {
        order.sort_by(|&a, &b| keys[b].cmp(&keys[a]).then_with(|| units[a].cmp(units[b])));
    }
    let n = order.len();
    let mut out: Vec<(usize, u32, f64)> = Vec::with_capacity(n);
    for (at, &i) in order.iter().enumerate() {
        let rank = match out.last() {
            Some(&(prev, rank, _)) if keys[prev] == keys[i] => rank,
            _ => at as u32 + 1,
        };
        out.push((i, rank, 0.0));
    }
    // 1 + rows strictly less at risk: sorted most at risk first, that is n - 1 - (the last
    // index of the tie group).
    let mut end = n;
    for at in (0..n).rev() {
        if at + 1 < n && keys[order[at]] != keys[order[at + 1]] {
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

#[cfg(test)]
mod tests {
    use super::tie_key;

    #[test]
    fn composites_apart_in_the_last_bits_tie() {
        let (a, b) = (0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1);
        assert_ne!(a, b, "summation order changes the last bit");
        assert_eq!(tie_key(a), tie_key(b));
        assert!(
            tie_key(0.600_000_000_01) > tie_key(0.6),
            "a real difference stays"
        );
        assert_eq!(tie_key(-2.5e-7), -2.5e-7);
        assert_eq!(tie_key(0.0), 0.0);
        assert_eq!(tie_key(f64::NEG_INFINITY), f64::NEG_INFINITY);
    }
}
