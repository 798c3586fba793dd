//! The store's counts as a compact panel, for scoring many years after one read: per year the
//! rows ordered by unit, with units and indicators as small integer ids instead of strings and
//! missing counts as NaN (a store's counts are finite, so NaN is free to mean "null").

use crate::store::{Identity, Keep, Status, Store, col};
use anyhow::Result;
use polars::prelude::*;
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

/// One row for [`Panel::from_ids`]: unit and indicator as ids into the given names.
#[derive(Debug, Clone, Copy)]
pub struct IdRow {
    /// Unit id.
    pub unit: u32,
    /// Year.
    pub year: i32,
    /// Indicator id.
    pub indicator: u32,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Status.
    pub status: Status,
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

    /// A panel of rows given by interned ids in store order (unit, year, indicator ascending,
    /// each key once, counts checked as a store's are): `units` and `indicators` name the ids.
    /// Rows whose year fails `keep` are left out; every year of `rows` counts as present.
    pub fn from_ids(
        identity: Identity,
        units: &[String],
        indicators: &[String],
        rows: impl Iterator<Item = IdRow>,
        keep: &dyn Fn(i32) -> bool,
    ) -> Panel {
        let mut builder = Builder::default();
        let mut unit_ids = vec![None; units.len()];
        let mut indicator_ids = vec![None; indicators.len()];
        // Rows come unit by unit, so the year changes every few rows: its slot (None: not
        // kept) is looked up only then, and the status code only when the status changes.
        let mut slots: HashMap<i32, Option<YearRows>> = HashMap::new();
        let mut current: Option<(i32, YearRows)> = None;
        let mut status = (
            Status::Observed,
            status_code(Some(Status::Observed.as_str())).0,
        );
        for row in rows {
            if current.as_ref().is_none_or(|(y, _)| *y != row.year) {
                if let Some((y, rows)) = current.take() {
                    slots.insert(y, Some(rows));
                }
                match slots
                    .entry(row.year)
                    .or_insert_with(|| keep(row.year).then(YearRows::default))
                {
                    Some(rows) => current = Some((row.year, std::mem::take(rows))),
                    None => continue,
                }
            }
            let Some((_, rows)) = current.as_mut() else {
                continue;
            };
            let unit = *unit_ids[row.unit as usize]
                .get_or_insert_with(|| builder.unit_id(&units[row.unit as usize]));
            let ind = *indicator_ids[row.indicator as usize].get_or_insert_with(|| {
                builder.indicator_id(&indicators[row.indicator as usize], 0)
            });
            if row.status != status.0 {
                status = (row.status, status_code(Some(row.status.as_str())).0);
            }
            rows.push(unit, ind, row.numerator, row.denominator, status.1);
        }
        if let Some((y, rows)) = current {
            slots.insert(y, Some(rows));
        }
        let present = slots.keys().copied().collect();
        builder.by_year = slots
            .into_iter()
            .filter_map(|(y, rows)| Some((y, rows?)))
            .collect();
        builder.finish(identity, Some(present))
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
    /// No row failed a check: keys present and strictly ascending, counts finite and not
    /// negative, statuses known.
    checked: bool,
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

    fn add(&mut self, frame: &DataFrame) -> Result<()> {
        if !self.started {
            self.started = true;
            self.checked = true;
        }
        let s = |name: &str| -> Result<StringChunked> {
            Ok(frame.column(name)?.as_materialized_series().str()?.clone())
        };
        let n = |name: &str| -> Result<Float64Chunked> {
            Ok(frame.column(name)?.as_materialized_series().f64()?.clone())
        };
        let (units, inds, stats) = (s(col::UNIT)?, s(col::INDICATOR)?, s(col::STATUS)?);
        let (nums, dens) = (n(col::NUMERATOR)?, n(col::DENOMINATOR)?);
        let years = frame.column(col::YEAR)?.as_materialized_series().i32()?;
        let (mut unit, mut unit_text) = (u32::MAX, String::new());
        let (mut status_code_now, mut status_text) = (0u8, None::<Option<String>>);
        let mut guess = 0;
        let rows = units.iter().zip(years.iter()).zip(inds.iter());
        let counts = nums.iter().zip(dens.iter()).zip(stats.iter());
        for (((u, y), i), ((num, den), st)) in rows.zip(counts) {
            let (Some(u), Some(y), Some(i)) = (u, y, i) else {
                self.checked = false;
                continue;
            };
            if u.is_empty() || i.is_empty() {
                self.checked = false;
                continue;
            }
            if u != unit_text {
                unit = self.unit_id(u);
                unit_text.clear();
                unit_text.push_str(u);
            }
            let ind = self.indicator_id(i, guess);
            guess = ind as usize + 1;
            if status_text.as_ref().map(Option::as_deref) != Some(st) {
                status_text = Some(st.map(str::to_owned));
                let (code, known) = self.status(st);
                status_code_now = code;
                self.checked &= known;
            }
            let bad = |v: Option<f64>| v.is_some_and(|v| !v.is_finite() || v < 0.0);
            if self.checked && (bad(num) || bad(den) || !self.ascends(unit, y, ind)) {
                self.checked = false;
            }
            self.last = Some((unit, y, ind));
            self.by_year
                .entry(y)
                .or_default()
                .push(unit, ind, num, den, status_code_now);
        }
        Ok(())
    }

    /// Whether the key (unit, year, indicator) comes strictly after the previous row's.
    fn ascends(&self, unit: u32, year: i32, ind: u16) -> bool {
        let Some((u, y, i)) = self.last else {
            return true;
        };
        let units = || self.units[u as usize].cmp(&self.units[unit as usize]);
        let inds = || self.indicators[i as usize].cmp(&self.indicators[ind as usize]);
        let same = std::cmp::Ordering::Equal;
        (if u == unit { same } else { units() })
            .then(y.cmp(&year))
            .then_with(|| if i == ind { same } else { inds() })
            .is_lt()
    }

    /// The panel, with unit ids renumbered in code order and each year's rows ordered by unit.
    fn finish(self, identity: Identity, present: Option<BTreeSet<i32>>) -> Panel {
        let mut order: Vec<u32> = (0..self.units.len() as u32).collect();
        order.sort_by(|&a, &b| self.units[a as usize].cmp(&self.units[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
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
        write_parquet(&mut buf, &StoreMeta::default(), frame.height(), |s, n| {
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
        let all = |_: i32, _: &str| true;
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
        let msg = format!("{:#}", Panel::open(&path, &[], &|_, _| true).unwrap_err());
        assert!(
            msg.contains("row 5 (71022 2022 leefloon-gezinnen): count -1"),
            "{msg}"
        );
    }
}
