//! Merger harmonisation: rows of a year given in an older municipality set are restated in a
//! newer set by summing the counts of the municipalities that merged (docs/methodology.md,
//! "Municipality sets and mergers"). A suppressed part makes the merged row suppressed, a
//! missing or absent part makes it missing: never a smaller sum.

use crate::error::data;
use crate::geo::{Geography, MunicipalitySet};
use crate::store::{Record, Status};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};

/// One merged municipality as applied: which old codes were summed, for which rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The code in the target set.
    pub new_nis: String,
    /// The old codes summed into it, sorted.
    pub old: Vec<String>,
    /// Merged rows written.
    pub rows: usize,
    /// Years concerned.
    pub years: BTreeSet<i32>,
    /// Merged rows that are suppressed because a part was.
    pub suppressed: usize,
    /// Merged rows that are missing because a part was missing or absent.
    pub incomplete: usize,
}

/// The code `nis` (in force in `from`) has in `target`, following the mergers in between.
pub fn successor<'g>(
    geo: &'g Geography,
    nis: &'g str,
    from: &MunicipalitySet,
    target: &MunicipalitySet,
) -> &'g str {
    let mut code = nis;
    for m in geo.mergers() {
        let year: i32 = m.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        if year > from.from && year <= target.from && m.old_nis == code {
            code = &m.new_nis;
        }
    }
    code
}

/// The set a year's units are given in: the set in force that year when it holds them all,
/// else the oldest later set that does (the smallest harmonisation that explains the codes;
/// codes untouched by later mergers fit every later set too).
pub fn year_set<'g>(
    geo: &'g Geography,
    year: i32,
    units: &BTreeSet<&str>,
) -> Result<&'g MunicipalitySet> {
    let official = geo.set_for_year(year);
    let fitting = geo.sets_containing(units.iter().copied());
    if let Some(set) = fitting
        .iter()
        .find(|s| *s == &official || s.from > official.from)
    {
        return Ok(set);
    }
    geo.set_of_year_units(year, units.iter().copied())
        .map_err(data)
}

/// The newest municipality set among the years of `records`.
pub fn latest_set<'g>(
    geo: &'g Geography,
    records: &[&Record],
) -> Result<Option<&'g MunicipalitySet>> {
    let mut best: Option<&MunicipalitySet> = None;
    for (year, units) in units_by_year(records) {
        let set = year_set(geo, year, &units)?;
        if best.is_none_or(|b| set.from > b.from) {
            best = Some(set);
        }
    }
    Ok(best)
}

fn units_by_year<'r>(records: &[&'r Record]) -> BTreeMap<i32, BTreeSet<&'r str>> {
    let mut by_year: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
    for r in records {
        by_year.entry(r.year).or_default().insert(&r.unit);
    }
    by_year
}

/// Refuse to restate year `year`, given in `set`, in an older `target` set.
pub fn check_not_newer(year: i32, set: &MunicipalitySet, target: &MunicipalitySet) -> Result<()> {
    if set.from > target.from {
        return Err(data(format!(
            "year {year} is given in the municipality set {}, newer than the target set {}: \
             merged municipalities cannot be split; harmonise to {} or later",
            set.label(),
            target.label(),
            set.from
        )));
    }
    Ok(())
}

/// Rows restated in the target set, each with its tag, and the merges applied.
pub type Harmonised<T> = (Vec<(Record, T)>, Vec<Applied>);

/// Restate `records` in `target`; each record carries a tag (such as where it was read), and a
/// merged row carries its first part's tag. Rows already in `target` pass unchanged.
pub fn harmonise<T: Clone>(
    geo: &Geography,
    records: Vec<(Record, T)>,
    target: &MunicipalitySet,
) -> Result<Harmonised<T>> {
    let refs: Vec<&Record> = records.iter().map(|(r, _)| r).collect();
    let mut source_set: BTreeMap<i32, &MunicipalitySet> = BTreeMap::new();
    for (year, units) in units_by_year(&refs) {
        let set = year_set(geo, year, &units)?;
        check_not_newer(year, set, target)?;
        source_set.insert(year, set);
    }
    let mut out = Vec::with_capacity(records.len());
    // (new code, year, indicator) -> parts
    let mut groups: BTreeMap<(String, i32, String), Vec<(Record, T)>> = BTreeMap::new();
    for (r, tag) in records {
        let from = source_set[&r.year];
        if from == target {
            out.push((r, tag));
            continue;
        }
        let new = successor(geo, &r.unit, from, target).to_owned();
        groups
            .entry((new, r.year, r.indicator.clone()))
            .or_default()
            .push((r, tag));
    }
    let mut applied: BTreeMap<String, Applied> = BTreeMap::new();
    for ((new, year, indicator), tagged) in groups {
        let tag = tagged[0].1.clone();
        let parts: Vec<Record> = tagged.iter().map(|(r, _)| r.clone()).collect();
        let from = source_set[&year];
        let expected: BTreeSet<&str> = from
            .codes
            .iter()
            .filter(|c| successor(geo, c, from, target) == new)
            .map(String::as_str)
            .collect();
        let given: BTreeSet<&str> = parts.iter().map(|p| p.unit.as_str()).collect();
        if expected.len() == 1 && given == expected && new == parts[0].unit {
            out.extend(tagged);
            continue;
        }
        let complete = given == expected;
        let status = if !complete || parts.iter().any(|p| p.status == Status::Missing) {
            Status::Missing
        } else if parts.iter().any(|p| p.status == Status::Suppressed) {
            Status::Suppressed
        } else if parts.iter().any(|p| p.status == Status::Imputed) {
            Status::Imputed
        } else {
            Status::Observed
        };
        let sum = |f: fn(&Record) -> Option<f64>| -> Option<f64> {
            if !complete {
                return None;
            }
            parts.iter().map(f).sum::<Option<f64>>()
        };
        let numerator = if status.has_counts() {
            sum(|r| r.numerator)
        } else {
            None
        };
        let denominator = if status == Status::Missing {
            None
        } else {
            sum(|r| r.denominator)
        };
        let sources: BTreeSet<&str> = parts.iter().map(|p| p.source.as_str()).collect();
        let entry = applied.entry(new.clone()).or_insert_with(|| Applied {
            new_nis: new.clone(),
            old: expected.iter().map(|s| (*s).to_owned()).collect(),
            rows: 0,
            years: BTreeSet::new(),
            suppressed: 0,
            incomplete: 0,
        });
        entry.rows += 1;
        entry.years.insert(year);
        entry.suppressed += usize::from(status == Status::Suppressed);
        entry.incomplete += usize::from(!complete || status == Status::Missing);
        let record = Record {
            unit: new,
            year,
            indicator,
            numerator,
            denominator,
            status,
            source: sources.into_iter().collect::<Vec<_>>().join(" + "),
        };
        out.push((record, tag));
    }
    Ok((out, applied.into_values().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(unit: &str, year: i32, n: Option<f64>, d: Option<f64>, status: Status) -> Record {
        Record {
            unit: unit.into(),
            year,
            indicator: "kansarmoede-index".into(),
            numerator: n,
            denominator: d,
            status,
            source: "t.csv".into(),
        }
    }

    #[test]
    fn successors_follow_both_rounds_of_mergers() {
        let geo = Geography::bundled();
        let (s14, s25) = (&geo.sets()[0], &geo.sets()[2]);
        assert_eq!(successor(geo, "44011", s14, s25), "44083");
        assert_eq!(successor(geo, "11007", s14, s25), "11002");
        assert_eq!(successor(geo, "71016", s14, s25), "71016");
        assert_eq!(
            successor(geo, "71022", &geo.sets()[1], &geo.sets()[1]),
            "71022"
        );
    }

    #[test]
    fn counts_are_summed_and_suppression_spreads() {
        let geo = Geography::bundled();
        let target = &geo.sets()[1];
        let ob = Status::Observed;
        let rows = vec![
            // Deinze 2018 = Deinze + Nevele: (30 + 10) / (200 + 100).
            rec("44011", 2018, Some(30.0), Some(200.0), ob),
            rec("44049", 2018, Some(10.0), Some(100.0), ob),
            // Pelt 2017: Overpelt suppressed -> Pelt suppressed, denominator still summed.
            rec("72025", 2017, Some(5.0), Some(50.0), ob),
            rec("72029", 2017, None, Some(40.0), Status::Suppressed),
            // Kruisem 2016: Zingem absent -> missing, not smaller.
            rec("45017", 2016, Some(3.0), Some(30.0), ob),
            rec("71016", 2016, Some(1.0), Some(10.0), ob),
        ];
        let rows = rows.into_iter().map(|r| (r, ())).collect();
        let (out, applied) = harmonise(geo, rows, target).unwrap();
        let find = |u: &str, y: i32| {
            &out.iter()
                .find(|(r, _)| r.unit == u && r.year == y)
                .unwrap()
                .0
        };
        let deinze = find("44083", 2018);
        assert_eq!(
            (deinze.numerator, deinze.denominator, deinze.status),
            (Some(40.0), Some(300.0), ob)
        );
        let pelt = find("72043", 2017);
        assert_eq!(
            (pelt.numerator, pelt.denominator, pelt.status),
            (None, Some(90.0), Status::Suppressed)
        );
        let kruisem = find("45068", 2016);
        assert_eq!(
            (kruisem.numerator, kruisem.denominator, kruisem.status),
            (None, None, Status::Missing)
        );
        assert_eq!(find("71016", 2016).numerator, Some(1.0));
        assert_eq!(out.len(), 4);
        let names: Vec<(&str, usize)> = applied
            .iter()
            .map(|a| (a.new_nis.as_str(), a.old.len()))
            .collect();
        assert_eq!(names, vec![("44083", 2), ("45068", 2), ("72043", 2)]);
    }

    #[test]
    fn a_year_is_in_the_oldest_set_that_explains_its_codes() {
        let geo = Geography::bundled();
        let units = |c: &[&'static str]| c.iter().copied().collect::<BTreeSet<&str>>();
        // Pelt (2019) with Genk in 2018: the 2019 set, not 2025, though both hold the codes.
        let set = year_set(geo, 2018, &units(&["72043", "71016"])).unwrap();
        assert_eq!(set.label(), "2019-2024");
        assert_eq!(
            year_set(geo, 2018, &units(&["72025"])).unwrap().label(),
            "2014-2018"
        );
        assert_eq!(
            year_set(geo, 2026, &units(&["71016"])).unwrap().label(),
            "2025-"
        );
    }

    #[test]
    fn newer_sets_are_not_split() {
        let geo = Geography::bundled();
        let rows = vec![(
            rec("44083", 2020, Some(1.0), Some(2.0), Status::Observed),
            (),
        )];
        let msg = format!("{:#}", harmonise(geo, rows, &geo.sets()[0]).unwrap_err());
        assert!(msg.contains("cannot be split"), "{msg}");
    }
}
