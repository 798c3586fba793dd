//! The store's counts as a compact panel, for scoring many years after one read: per year the
//! rows ordered by unit, with units and indicators as small integer ids instead of strings and
//! missing counts as NaN (a store's counts are finite, so NaN is free to mean "null").

use crate::store::{Identity, Keep, Status, Store, col};
use anyhow::Result;
use polars::prelude::*;
use polars_arrow::array::{Array, PrimitiveArray, View};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Flag in [`YearRows::status`]: the row's counts give a value (status exactly `observed` or
/// `imputed`, as `indicators::municipal` tests it).
const COUNTED: u8 = 0x80;

/// The rows of one year, ordered by unit id.
#[derive(Debug, Clone, Default)]
pub struct YearRows {
    /// Unit id (index into [`Panel::unit`]).
    pub unit: Vec<u32>,
    /// Indicator id (index into [`Panel::indicators`]).
    pub indicator: Vec<u16>,
    /// Numerator, NaN when null.
    pub numerator: Vec<f64>,
    /// Denominator, NaN when null.
    pub denominator: Vec<f64>,
    status: Vec<u8>,
}

impl YearRows {
    /// No rows (a year in the store without rows that were read).
    pub fn empty() -> &'static YearRows {
        static EMPTY: YearRows = YearRows {
            unit: Vec::new(),
            indicator: Vec::new(),
            numerator: Vec::new(),
            denominator: Vec::new(),
            status: Vec::new(),
        };
        &EMPTY
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.unit.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.unit.is_empty()
    }

    /// The status of row `i`.
    pub fn status(&self, i: usize) -> Status {
        match self.status[i] & !COUNTED {
            0 => Status::Observed,
            1 => Status::Suppressed,
            2 => Status::Missing,
            _ => Status::Imputed,
        }
    }

    /// The value of row `i`: numerator / denominator when its status allows counts, the
    /// numerator is known and the denominator positive (see `indicators::municipal`).
    pub fn value(&self, i: usize) -> Option<f64> {
        let (n, d) = (self.numerator[i], self.denominator[i]);
        (self.status[i] & COUNTED != 0 && !n.is_nan() && d > 0.0).then(|| n / d)
    }

    /// `n` rows of zeros, to be written in place.
    fn zeroed(n: usize) -> YearRows {
        YearRows {
            unit: vec![0; n],
            indicator: vec![0; n],
            numerator: vec![0.0; n],
            denominator: vec![0.0; n],
            status: vec![0; n],
        }
    }

    fn push(&mut self, unit: u32, indicator: u16, num: Option<f64>, den: Option<f64>, status: u8) {
        self.unit.push(unit);
        self.indicator.push(indicator);
        self.numerator.push(num.unwrap_or(f64::NAN));
        self.denominator.push(den.unwrap_or(f64::NAN));
        self.status.push(status);
    }

    /// Order the rows by unit id (stable), when they are not already.
    fn sort_by_unit(&mut self) {
        if self.unit.is_sorted() {
            return;
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_key(|&i| self.unit[i]);
        let rows = std::mem::take(self);
        for i in order {
            self.unit.push(rows.unit[i]);
            self.indicator.push(rows.indicator[i]);
            self.numerator.push(rows.numerator[i]);
            self.denominator.push(rows.denominator[i]);
            self.status.push(rows.status[i]);
        }
    }
}

/// Rows as columns for [`Panel::from_ids`]: row `order[k]` is the `k`-th in key order (unit,
/// year, indicator ascending, each key once, as a merge sorts them; store order, year first,
/// gives the same panel), units and indicators are ids into given names,
/// missing counts are NaN.
#[derive(Debug, Clone, Copy)]
pub struct IdColumns<'a> {
    /// Row numbers in key order (or store order).
    pub order: &'a [u32],
    /// Unit id of each row.
    pub unit: &'a [u32],
    /// Year of each row.
    pub year: &'a [i32],
    /// Indicator id of each row.
    pub indicator: &'a [u32],
    /// Numerator of each row (NaN: none).
    pub numerator: &'a [f64],
    /// Denominator of each row (NaN: none).
    pub denominator: &'a [f64],
    /// Status of each row.
    pub status: &'a [Status],
}

/// A store's rows, grouped by year, for scoring (see `barometer::score_panel`).
#[derive(Debug, Clone)]
pub struct Panel {
    /// The store the rows come from.
    pub identity: Identity,
    units: Vec<String>,
    indicators: Vec<String>,
    years: Vec<i32>,
    by_year: BTreeMap<i32, YearRows>,
}

impl Panel {
    /// The rows of the store at `path` whose year and indicator pass `keep` (each of `required`
    /// must be present), read one row group at a time into the panel, so memory holds the
    /// compact rows and one row group. Every row is checked as [`Store::open`] checks it; a
    /// store that is not sorted or not valid is read again with [`Store::open_filtered`], whose
    /// check accepts an unsorted valid store and names the first bad row of any other.
    pub fn open(path: &Path, required: &[i32], keep: &Keep<'_>) -> Result<Panel> {
        let mut builder = Builder::default();
        let identity = Store::scan(path, required, keep, &mut |part| builder.add(&part))?;
        if !builder.checked {
            return Panel::from_store(&Store::open_filtered(path, required, keep)?, None);
        }
        Ok(builder.finish(identity, None))
    }

    /// The rows of `years` of a store in memory (all rows when `None`).
    pub fn from_store(store: &Store, years: Option<&[i32]>) -> Result<Panel> {
        let year = store
            .frame
            .column(col::YEAR)?
            .as_materialized_series()
            .i32()?;
        let mut builder = Builder::default();
        match years {
            None => builder.add(&store.frame)?,
            Some(wanted) => {
                let mask: BooleanChunked = year
                    .iter()
                    .map(|y| y.is_some_and(|y| wanted.contains(&y)))
                    .collect();
                builder.add(&store.frame.filter(&mask)?)?;
            }
        }
        let present = year.iter().flatten().collect();
        Ok(builder.finish(store.identity(), Some(present)))
    }

    /// A panel of `rows` (checked as a store's rows are), whose unit and indicator ids name
    /// `units` and `indicators`; rows whose year fails `keep` are left out, every year counts
    /// as present. Built on all cores, one range of rows each, without sorting: key order
    /// keeps each year's rows in unit order.
    pub fn from_ids(
        identity: Identity,
        units: &[String],
        indicators: &[String],
        rows: IdColumns<'_>,
        keep: &(dyn Fn(i32) -> bool + Sync),
    ) -> Panel {
        let IdColumns { order, .. } = rows;
        // One pass: the years present and kept, the units used, the indicators in order of
        // appearance (as a store read row by row numbers them).
        let (mut present, mut kept) = (BTreeSet::new(), BTreeSet::new());
        let mut used = vec![false; units.len()];
        let mut indicator_ids: Vec<Option<u16>> = vec![None; indicators.len()];
        let mut panel_indicators = Vec::new();
        let mut last_year = None;
        let mut keeping = false;
        for &i in order {
            let i = i as usize;
            let year = rows.year[i];
            if last_year != Some(year) {
                last_year = Some(year);
                keeping = keep(year);
                if present.insert(year) && keeping {
                    kept.insert(year);
                }
            }
            if !keeping {
                continue;
            }
            used[rows.unit[i] as usize] = true;
            let ind = rows.indicator[i] as usize;
            if indicator_ids[ind].is_none() {
                indicator_ids[ind] = Some(panel_indicators.len() as u16);
                panel_indicators.push(indicators[ind].clone());
            }
        }
        let (sorted, unit_ids) = code_order(units, |u| used[u as usize]);
        let years: Vec<i32> = kept.into_iter().collect();
        let codes = Status::ALL.map(|s| status_code(Some(s.as_str())).0);
        // Ranges of rows, each counted per year, then written in parallel straight into its
        // place in each year's columns: a year's rows stay in `order`, range after range,
        // with no copy from per-range pieces and no growing columns.
        let pieces = 4 * rayon::current_num_threads();
        let mut cuts: Vec<usize> = (0..=pieces).map(|k| order.len() * k / pieces).collect();
        cuts.dedup();
        // The year slot of each of a range's rows, in turn (`None`: a year not kept).
        let kept_years: &[i32] = &years;
        let slots = |w: &[usize]| {
            let mut last = None;
            let mut slot = None;
            order[w[0]..w[1]].iter().map(move |&i| {
                let year = rows.year[i as usize];
                if last != Some(year) {
                    last = Some(year);
                    slot = kept_years.binary_search(&year).ok();
                }
                (i as usize, slot)
            })
        };
        let counts: Vec<Vec<usize>> = cuts
            .par_windows(2)
            .map(|w| {
                let mut n = vec![0; years.len()];
                for (_, slot) in slots(w) {
                    if let Some(s) = slot {
                        n[s] += 1;
                    }
                }
                n
            })
            .collect();
        let mut columns: Vec<YearRows> = (0..years.len())
            .map(|s| YearRows::zeroed(counts.iter().map(|n| n[s]).sum()))
            .collect();
        // Each range's part of each year's columns.
        let mut parts: Vec<Vec<Part<'_>>> = counts.iter().map(|_| Vec::new()).collect();
        for (s, year) in columns.iter_mut().enumerate() {
            let mut rest = Part::of(year);
            for (part, n) in parts.iter_mut().zip(&counts) {
                let (this, after) = rest.split(n[s]);
                part.push(this);
                rest = after;
            }
        }
        cuts.par_windows(2).zip(parts).for_each(|(w, mut part)| {
            let mut at = vec![0; years.len()];
            for (i, slot) in slots(w) {
                let Some(s) = slot else {
                    continue;
                };
                let (p, k) = (&mut part[s], at[s]);
                at[s] += 1;
                p.unit[k] = unit_ids[rows.unit[i] as usize];
                let ind = indicator_ids[rows.indicator[i] as usize];
                p.indicator[k] = ind.expect("numbered in the first pass");
                p.numerator[k] = rows.numerator[i];
                p.denominator[k] = rows.denominator[i];
                p.status[k] = codes[rows.status[i] as usize];
            }
        });
        let by_year = years.iter().copied().zip(columns).collect();
        Panel {
            identity,
            units: sorted.iter().map(|&u| units[u as usize].clone()).collect(),
            indicators: panel_indicators,
            years: present.into_iter().collect(),
            by_year,
        }
    }

    /// Every year present in the store rows read, ascending.
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    /// The rows of `year`, if any were read.
    pub fn year(&self, year: i32) -> Option<&YearRows> {
        self.by_year.get(&year)
    }

    /// The code of unit `id`.
    pub fn unit(&self, id: u32) -> &str {
        &self.units[id as usize]
    }

    /// The indicator ids, indexed by [`YearRows::indicator`].
    pub fn indicators(&self) -> &[String] {
        &self.indicators
    }
}

/// The unit ids that pass `used`, in the order of their codes, and each id's number in that
/// order (unused ids: 0).
fn code_order(units: &[String], used: impl Fn(u32) -> bool) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..units.len() as u32).filter(|&u| used(u)).collect();
    order.sort_by(|&a, &b| units[a as usize].cmp(&units[b as usize]));
    let mut number = vec![0u32; units.len()];
    for (n, &id) in order.iter().enumerate() {
        number[id as usize] = n as u32;
    }
    (order, number)
}

/// Consecutive rows of a [`YearRows`], written in place by one task.
struct Part<'a> {
    unit: &'a mut [u32],
    indicator: &'a mut [u16],
    numerator: &'a mut [f64],
    denominator: &'a mut [f64],
    status: &'a mut [u8],
}

impl<'a> Part<'a> {
    /// All the rows of `rows`.
    fn of(rows: &'a mut YearRows) -> Part<'a> {
        Part {
            unit: &mut rows.unit,
            indicator: &mut rows.indicator,
            numerator: &mut rows.numerator,
            denominator: &mut rows.denominator,
            status: &mut rows.status,
        }
    }

    /// The first `n` rows and the rest.
    fn split(self, n: usize) -> (Part<'a>, Part<'a>) {
        let (unit, u) = self.unit.split_at_mut(n);
        let (indicator, i) = self.indicator.split_at_mut(n);
        let (numerator, nu) = self.numerator.split_at_mut(n);
        let (denominator, d) = self.denominator.split_at_mut(n);
        let (status, st) = self.status.split_at_mut(n);
        (
            Part {
                unit,
                indicator,
                numerator,
                denominator,
                status,
            },
            Part {
                unit: u,
                indicator: i,
                numerator: nu,
                denominator: d,
                status: st,
            },
        )
    }
}

/// The stored code of a status text and whether it is known. Null reads as observed without
/// counts (the store check accepts it); an unknown text is left for the store check to name.
fn status_code(text: Option<&str>) -> (u8, bool) {
    match text.map(|t| (t, Status::parse(t))) {
        Some((t, Some(s))) => {
            let counted = matches!(t, "observed" | "imputed");
            (s as u8 | if counted { COUNTED } else { 0 }, true)
        }
        Some((_, None)) | None => (Status::Observed as u8, false),
    }
}

/// Collects row groups into a panel, checking each row as the store check does.
#[derive(Default)]
struct Builder {
    units: Vec<String>,
    unit_ids: HashMap<String, u32>,
    indicators: Vec<String>,
    statuses: Vec<(Option<String>, (u8, bool))>,
    by_year: BTreeMap<i32, YearRows>,
    /// The previous row's key (unit id, year, indicator id), for the order check.
    last: Option<(u32, i32, u16)>,
    /// Whether any row was added (the order check starts true).
    started: bool,
    /// No row failed a check: keys present, counts finite and not negative, statuses known.
    checked: bool,
    /// Keys so far strictly ascending in store order (year, unit, indicator) and in the order
    /// of stores written before it (unit, year, indicator): either makes every key unique.
    ascending: [bool; 2],
}

impl Builder {
    fn unit_id(&mut self, unit: &str) -> u32 {
        if let Some(&id) = self.unit_ids.get(unit) {
            return id;
        }
        let id = self.units.len() as u32;
        self.units.push(unit.to_owned());
        self.unit_ids.insert(unit.to_owned(), id);
        id
    }

    fn indicator_id(&mut self, indicator: &str, guess: usize) -> u16 {
        if self.indicators.get(guess).is_some_and(|i| i == indicator) {
            return guess as u16;
        }
        if let Some(i) = self.indicators.iter().position(|i| i == indicator) {
            return i as u16;
        }
        self.indicators.push(indicator.to_owned());
        (self.indicators.len() - 1) as u16
    }

    /// The code of a status text, parsed once per distinct text.
    fn status(&mut self, text: Option<&str>) -> (u8, bool) {
        if let Some((_, code)) = self.statuses.iter().find(|(t, _)| t.as_deref() == text) {
            return *code;
        }
        let code = status_code(text);
        self.statuses.push((text.map(str::to_owned), code));
        code
    }

    /// Add the rows of `frame` (the store's columns), checking each. Strings are compared by
    /// their 16-byte views first (equal views within one array are equal strings), so a row
    /// whose unit, indicator and status repeat a recent row's costs no string comparison; the
    /// rows go to the year they belong to, looked up when the year changes.
    fn add(&mut self, frame: &DataFrame) -> Result<()> {
        if !self.started {
            self.started = true;
            self.checked = true;
            self.ascending = [true; 2];
        }
        if frame.height() == 0 {
            return Ok(());
        }
        let s = |name: &str| -> Result<StringChunked> {
            Ok(frame
                .column(name)?
                .as_materialized_series()
                .str()?
                .rechunk()
                .into_owned())
        };
        let n = |name: &str| -> Result<Float64Chunked> {
            Ok(frame
                .column(name)?
                .as_materialized_series()
                .f64()?
                .rechunk()
                .into_owned())
        };
        let (units, inds, stats) = (s(col::UNIT)?, s(col::INDICATOR)?, s(col::STATUS)?);
        let (nums, dens) = (n(col::NUMERATOR)?, n(col::DENOMINATOR)?);
        let years = frame
            .column(col::YEAR)?
            .as_materialized_series()
            .i32()?
            .rechunk();
        let (units, inds, stats) = (
            units.downcast_as_array(),
            inds.downcast_as_array(),
            stats.downcast_as_array(),
        );
        let (nums, dens, years) = (
            nums.downcast_as_array(),
            dens.downcast_as_array(),
            years.downcast_as_array(),
        );
        let count = |a: &PrimitiveArray<f64>, k: usize| a.is_valid(k).then(|| a.value(k));
        let (mut unit, mut unit_view) = (u32::MAX, None);
        let (mut ind, mut ind_views) = (0u16, Vec::<Option<View>>::new());
        let (mut status, mut status_view) = (0u8, None);
        let mut rows: Option<(i32, YearRows)> = None;
        for k in 0..units.len() {
            if !(units.is_valid(k) && years.is_valid(k) && inds.is_valid(k)) {
                self.checked = false;
                continue;
            }
            let y = years.value(k);
            let view = units.views()[k];
            if unit_view != Some(view) {
                let u = units.value(k);
                if u.is_empty() {
                    self.checked = false;
                    continue;
                }
                unit = self.unit_id(u);
                unit_view = Some(view);
            }
            let view = inds.views()[k];
            let guess = ind as usize + 1;
            if ind_views.get(guess).copied().flatten() == Some(view) {
                ind = guess as u16;
            } else if ind_views.get(ind as usize).copied().flatten() != Some(view) {
                let i = inds.value(k);
                if i.is_empty() {
                    self.checked = false;
                    continue;
                }
                ind = self.indicator_id(i, guess);
                if ind_views.len() <= ind as usize {
                    ind_views.resize(ind as usize + 1, None);
                }
                ind_views[ind as usize] = Some(view);
            }
            let view = stats.is_valid(k).then(|| stats.views()[k]);
            if status_view != Some(view) {
                let (code, known) = self.status(view.map(|_| stats.value(k)));
                status = code;
                status_view = Some(view);
                self.checked &= known;
            }
            let (num, den) = (count(nums, k), count(dens, k));
            let bad = |v: Option<f64>| v.is_some_and(|v| !v.is_finite() || v < 0.0);
            if self.checked && (bad(num) || bad(den) || !self.ascends(unit, y, ind)) {
                self.checked = false;
            }
            self.last = Some((unit, y, ind));
            if rows.as_ref().is_some_and(|(at, _)| *at != y)
                && let Some((at, done)) = rows.take()
            {
                self.by_year.insert(at, done);
            }
            let (_, r) =
                rows.get_or_insert_with(|| (y, self.by_year.remove(&y).unwrap_or_default()));
            r.push(unit, ind, num, den, status);
        }
        if let Some((at, done)) = rows {
            self.by_year.insert(at, done);
        }
        Ok(())
    }

    /// Whether the key (unit, year, indicator) comes strictly after the previous row's in
    /// store order or in the older unit-first order, as all keys before it did.
    fn ascends(&mut self, unit: u32, year: i32, ind: u16) -> bool {
        let Some((u, y, i)) = self.last else {
            return true;
        };
        let same = std::cmp::Ordering::Equal;
        let units = if u == unit {
            same
        } else {
            self.units[u as usize].cmp(&self.units[unit as usize])
        };
        let years = y.cmp(&year);
        // Both orders look at the indicators only when unit and year are the same.
        let inds = if i == ind || years != same || units != same {
            same
        } else {
            self.indicators[i as usize].cmp(&self.indicators[ind as usize])
        };
        let by_year = years.then(units).then(inds).is_lt();
        let by_unit = units.then(years).then(inds).is_lt();
        self.ascending[0] &= by_year;
        self.ascending[1] &= by_unit;
        self.ascending.contains(&true)
    }

    /// The panel, with unit ids renumbered in code order and each year's rows ordered by unit.
    fn finish(self, identity: Identity, present: Option<BTreeSet<i32>>) -> Panel {
        let (order, rank) = code_order(&self.units, |_| true);
        let mut by_year = self.by_year;
        for rows in by_year.values_mut() {
            for u in &mut rows.unit {
                *u = rank[*u as usize];
            }
            rows.sort_by_unit();
        }
        let mut units = self.units;
        let sorted = order
            .iter()
            .map(|&id| std::mem::take(&mut units[id as usize]))
            .collect();
        let years = present.map_or_else(
            || by_year.keys().copied().collect(),
            |p| p.into_iter().collect(),
        );
        Panel {
            identity,
            units: sorted,
            indicators: self.indicators,
            years,
            by_year,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barometer::score_panel;
    use crate::definition::Definition;
    use crate::geo::Geography;
    use crate::store::{Record, StoreMeta, write_parquet};

    fn store() -> Store {
        let records = ["11002", "71016", "71022"]
            .iter()
            .flat_map(|unit| {
                (2022..=2023).map(move |year| Record {
                    unit: (*unit).into(),
                    year,
                    indicator: "leefloon-gezinnen".into(),
                    numerator: (unit != &"71022").then_some(f64::from(year - 2000)),
                    denominator: Some(100.0 + f64::from(unit.len() as u32)),
                    status: if unit == &"71022" {
                        Status::Suppressed
                    } else {
                        Status::Observed
                    },
                    source: "t".into(),
                })
            })
            .collect();
        Store::from_records(records, StoreMeta::default(), "mem").unwrap()
    }

    /// Write `frame` as a store file as it is (unsorted or invalid rows included).
    fn save(frame: &DataFrame, path: &Path) {
        let mut buf = Vec::new();
        let all = [(0, frame.height())];
        write_parquet(&mut buf, &StoreMeta::default(), &all, |s, n| {
            Ok(frame.slice(s as i64, n))
        })
        .unwrap();
        std::fs::write(path, buf).unwrap();
    }

    fn scores(panel: &Panel) -> Vec<(String, u32, Option<f64>)> {
        let (def, geo) = (Definition::bundled(), Geography::bundled());
        let board = score_panel(panel, &def, geo, 2023).unwrap();
        let row = |r: &crate::barometer::Row| (r.nis.clone(), r.score, r.composite);
        board.rows.iter().map(row).collect()
    }

    #[test]
    fn a_store_file_reads_as_the_store_in_memory_sorted_or_not() {
        let store = store();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.parquet");
        store.save(&path).unwrap();
        let all = Keep::all();
        let expected = scores(&Panel::from_store(&store, None).unwrap());
        assert_eq!(expected.len(), 3);
        assert_eq!(
            scores(&Panel::open(&path, &[2023], &all).unwrap()),
            expected
        );
        // Rows in reverse order: accepted (the store check allows an unsorted valid store).
        save(&store.frame.reverse(), &path);
        assert_eq!(scores(&Panel::open(&path, &[], &all).unwrap()), expected);
        let panel = Panel::open(&path, &[], &all).unwrap();
        assert_eq!(panel.years(), [2022, 2023]);
        let rows = panel.year(2023).unwrap();
        assert!(rows.unit.is_sorted(), "each year's rows by unit");
        assert_eq!(rows.value(0), Some(23.0 / 105.0));
        assert_eq!((rows.status(2), rows.value(2)), (Status::Suppressed, None));
    }

    /// A row as (unit, indicator, numerator bits, denominator bits, status).
    type Plain = (String, String, u64, u64, Status);

    /// Each year's rows, in panel order.
    fn rows_of(panel: &Panel) -> Vec<(i32, Vec<Plain>)> {
        let years = panel.years().iter();
        years
            .map(|&y| {
                let r = panel.year(y).unwrap_or(YearRows::empty());
                let rows = (0..r.len())
                    .map(|i| {
                        (
                            panel.unit(r.unit[i]).to_owned(),
                            panel.indicators()[r.indicator[i] as usize].clone(),
                            r.numerator[i].to_bits(),
                            r.denominator[i].to_bits(),
                            r.status(i),
                        )
                    })
                    .collect();
                (y, rows)
            })
            .collect()
    }

    #[test]
    fn years_read_from_one_year_and_shared_row_groups_match_the_store_in_memory() {
        // 2020: 40,000 rows, a row group of its own (skipped or taken whole from its
        // statistics); 2021-2023: 1,000 rows each, one shared row group (decoded and masked).
        let sizes = [(2020, 40_000), (2021, 1_000), (2022, 1_000), (2023, 1_000)];
        let records: Vec<Record> = sizes
            .into_iter()
            .flat_map(|(year, units)| {
                (0..units).flat_map(move |u| {
                    ["a", "b"].map(|ind| Record {
                        unit: format!("{}", 10_000 + u),
                        year,
                        indicator: ind.into(),
                        numerator: (u % 5 != 0).then_some(f64::from(u % 17)),
                        denominator: Some(f64::from(20 + u % 31)),
                        status: if u % 5 == 0 {
                            Status::Suppressed
                        } else {
                            Status::Observed
                        },
                        source: "t".into(),
                    })
                })
            })
            .collect();
        let store = Store::from_records(records, StoreMeta::default(), "mem").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.parquet");
        store.save(&path).unwrap();
        for years in [&[2020][..], &[2022], &[2020, 2023], &[2021, 2022, 2023]] {
            let read = Panel::open(&path, years, &Keep::years(years)).unwrap();
            // A panel of a store in memory lists the store's other years too, without rows.
            let mut expected = rows_of(&Panel::from_store(&store, Some(years)).unwrap());
            expected.retain(|(y, _)| years.contains(y));
            assert_eq!(rows_of(&read), expected, "{years:?}");
            assert_eq!(read.years(), years, "only the years asked for");
        }
        // Rows by year and indicator, as `allocate` reads them: 2022 whole, earlier years' "b".
        let keep = Keep::rows(|y| y <= 2022, |y, i| y == 2022 || i == "b");
        let read = Panel::open(&path, &[2022], &keep).unwrap();
        let all = rows_of(&Panel::from_store(&store, None).unwrap());
        let expected: Vec<_> = all
            .into_iter()
            .filter(|(y, _)| *y <= 2022)
            .map(|(y, rows)| {
                (
                    y,
                    rows.into_iter()
                        .filter(|r| y == 2022 || r.1 == "b")
                        .collect(),
                )
            })
            .collect();
        assert_eq!(rows_of(&read), expected);
    }

    #[test]
    fn both_store_orders_pass_the_panel_order_check_and_no_other_does() {
        let frame = store().frame;
        let by_unit = frame
            .sort(
                [col::UNIT, col::YEAR, col::INDICATOR],
                SortMultipleOptions::default(),
            )
            .unwrap();
        assert_ne!(frame, by_unit, "the two orders differ for this store");
        let twice = frame.vstack(&frame.slice(-1, 1)).unwrap();
        for (rows, ok) in [
            (&frame, true),
            (&by_unit, true),
            (&frame.reverse(), false),
            (&twice, false),
        ] {
            let mut builder = Builder::default();
            builder.add(rows).unwrap();
            assert_eq!(builder.checked, ok, "{rows}");
        }
    }

    #[test]
    fn a_panel_from_ids_is_the_panel_of_the_same_store() {
        // 40 units interned in reverse code order, 3 years, 2 indicators, some counts missing;
        // enough rows for several pieces, one year left out.
        let names: Vec<String> = (0..40)
            .rev()
            .map(|u| (10_000 + 37 * u).to_string())
            .collect();
        let indicators = [
            "leefloon-gezinnen".to_string(),
            "kansarmoede-index".to_string(),
        ];
        let (mut unit, mut year, mut ind) = (Vec::new(), Vec::new(), Vec::new());
        let (mut num, mut den, mut status) = (Vec::new(), Vec::new(), Vec::new());
        let mut records = Vec::new();
        for u in 0..40u32 {
            for y in 2021..=2023 {
                for i in 0..2u32 {
                    let k = records.len();
                    let suppressed = k % 7 == 3;
                    let n = (!suppressed).then_some(k as f64);
                    let st = if suppressed {
                        Status::Suppressed
                    } else {
                        Status::Observed
                    };
                    records.push(Record {
                        unit: names[u as usize].clone(),
                        year: y,
                        indicator: indicators[i as usize].clone(),
                        numerator: n,
                        denominator: Some(1_000.0 + k as f64),
                        status: st,
                        source: "t".into(),
                    });
                    unit.push(u);
                    year.push(y);
                    ind.push(i);
                    num.push(n.unwrap_or(f64::NAN));
                    den.push(1_000.0 + k as f64);
                    status.push(st);
                }
            }
        }
        let mut order: Vec<u32> = (0..records.len() as u32).collect();
        order.sort_by_key(|&k| records[k as usize].key());
        let store = Store::from_records(records.clone(), StoreMeta::default(), "mem").unwrap();
        let columns = IdColumns {
            order: &order,
            unit: &unit,
            year: &year,
            indicator: &ind,
            numerator: &num,
            denominator: &den,
            status: &status,
        };
        let keep = |y: i32| y != 2022;
        let ours = Panel::from_ids(store.identity(), &names, &indicators, columns, &keep);
        let expected = Panel::from_store(&store, Some(&[2021, 2023])).unwrap();
        assert_eq!(ours.years(), [2021, 2022, 2023]);
        assert_eq!(ours.years(), expected.years());
        assert_eq!(ours.indicators(), expected.indicators());
        assert!(ours.year(2022).is_none());
        for y in [2021, 2023] {
            let (a, b) = (ours.year(y).unwrap(), expected.year(y).unwrap());
            assert_eq!(a.len(), 80);
            let rows = |p: &Panel, r: &YearRows| -> Vec<_> {
                (0..r.len())
                    .map(|i| {
                        let (n, d) = (r.numerator[i].to_bits(), r.denominator[i].to_bits());
                        (
                            p.unit(r.unit[i]).to_owned(),
                            r.indicator[i],
                            n,
                            d,
                            r.status[i],
                        )
                    })
                    .collect()
            };
            assert_eq!(rows(&ours, a), rows(&expected, b), "{y}");
            assert!(a.unit.is_sorted());
        }
    }

    #[test]
    fn a_bad_row_is_named_as_the_store_check_names_it() {
        let mut frame = store().frame;
        let negative: Float64Chunked = (0..frame.height())
            .map(|i| Some(if i == 4 { -1.0 } else { 100.0 }))
            .collect();
        frame
            .with_column(Column::from(
                negative.into_series().with_name(col::DENOMINATOR.into()),
            ))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        save(&frame, &path);
        let msg = format!("{:#}", Panel::open(&path, &[], &Keep::all()).unwrap_err());
        assert!(
            msg.contains("row 5 (71016 2023 leefloon-gezinnen): count -1"),
            "{msg}"
        );
    }
}
