//! Rows as columns: unit, indicator and source strings are interned (a few thousand distinct
//! values over millions of rows), counts are plain `f64` (NaN for an empty cell; real counts are
//! checked finite), and each row keeps the line it was read from. This is what a file becomes
//! when read, and what a merge sorts and writes.

use crate::error::Location;
use crate::store::{Record, Status, Store};
use anyhow::Result;
use std::collections::HashMap;

/// The hasher of the string tables: fast, and fixed (the tables are looked up, never iterated).
type Fast = foldhash::fast::FixedState;

/// Distinct strings, numbered in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    ids: HashMap<String, u32, Fast>,
    names: Vec<String>,
}

impl Interner {
    /// The number of `s`, adding it when new.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct strings");
        self.ids.insert(s.to_owned(), id);
        self.names.push(s.to_owned());
        id
    }

    /// The string numbered `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// All strings, by number.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Each string's position in sorted order, by number (so that comparing ranks compares
    /// the strings).
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut rank = vec![0; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }
}

/// Values looked up by cell text, remembering the last one (rows repeat it) and which one came
/// after each (rows cycle through indicators and sources in the same order).
pub struct Lookup<T> {
    entries: Vec<(String, T)>,
    index: HashMap<String, usize, Fast>,
    /// Per entry, the entry asked for right after it the last time (`usize::MAX`: none yet).
    next: Vec<usize>,
    last: usize,
}

impl<T: Clone> Default for Lookup<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone> Lookup<T> {
    /// An empty table.
    pub fn new() -> Self {
        Lookup {
            entries: Vec::new(),
            index: HashMap::default(),
            next: Vec::new(),
            last: 0,
        }
    }

    /// The value for `key`, made by `make` the first time.
    pub fn get(&mut self, key: &str, make: impl FnOnce(&str) -> T) -> T {
        if let Some((k, v)) = self.entries.get(self.last)
            && same(k, key)
        {
            return v.clone();
        }
        let guess = self.next.get(self.last).copied().unwrap_or(usize::MAX);
        let at = match self.entries.get(guess) {
            Some((k, _)) if same(k, key) => guess,
            _ => {
                let at = self.find(key, make);
                if let Some(n) = self.next.get_mut(self.last) {
                    *n = at;
                }
                at
            }
        };
        self.last = at;
        self.entries[at].1.clone()
    }

    /// The entry of `key`, added (with `make`) when new.
    fn find(&mut self, key: &str, make: impl FnOnce(&str) -> T) -> usize {
        // A few distinct values (indicators) are found faster by comparing than by hashing.
        let found = if self.entries.len() <= 16 {
            self.entries.iter().position(|(k, _)| same(k, key))
        } else {
            self.index.get(key).copied()
        };
        found.unwrap_or_else(|| {
            self.entries.push((key.to_owned(), make(key)));
            self.index.insert(key.to_owned(), self.entries.len() - 1);
            self.next.push(usize::MAX);
            self.entries.len() - 1
        })
    }
}

/// Whether `a` and `b` are the same text, compared eight bytes at a time in line (cells are
/// short: a call to `memcmp` would cost more than the comparison).
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("eight bytes"));
    let (x, y) = (a.chunks_exact(8), b.chunks_exact(8));
    let (xr, yr) = (x.remainder(), y.remainder());
    x.zip(y).all(|(p, q)| word(p) == word(q)) && xr.iter().zip(yr).all(|(p, q)| p == q)
}

/// Rows as columns; row `i` is `unit[i]`, `year[i]`, ... read at `line[i]` of its place.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Unit codes.
    pub units: Interner,
    /// Indicator ids.
    pub indicators: Interner,
    /// Sources.
    pub sources: Interner,
    /// Where rows were read (`file` or `file[sheet]`), each from the row index it starts at.
    places: Vec<(usize, String)>,
    /// Unit of each row.
    pub unit: Vec<u32>,
    /// Year of each row.
    pub year: Vec<i32>,
    /// Indicator of each row.
    pub indicator: Vec<u32>,
    /// Numerator of each row (NaN: none).
    pub numerator: Vec<f64>,
    /// Denominator of each row (NaN: none).
    pub denominator: Vec<f64>,
    /// Status of each row.
    pub status: Vec<Status>,
    /// Source of each row.
    pub source: Vec<u32>,
    /// 1-based line of each row in its place.
    pub line: Vec<u64>,
    /// Year and unit of rows read, checked and left out because their year was not asked for
    /// (one entry per run of rows with the same pair): their years still count when the
    /// municipality set of the rows is chosen.
    pub elsewhere: Vec<(i32, u32)>,
}

/// A count as stored in a column: NaN for none.
pub fn to_column(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// A count from a column.
pub fn from_column(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

impl Rows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.unit.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.unit.is_empty()
    }

    /// Remove every row and string, keeping the memory for reuse.
    pub fn clear(&mut self) {
        for interner in [&mut self.units, &mut self.indicators, &mut self.sources] {
            interner.ids.clear();
            interner.names.clear();
        }
        self.places.clear();
        self.unit.clear();
        self.year.clear();
        self.indicator.clear();
        self.numerator.clear();
        self.denominator.clear();
        self.status.clear();
        self.source.clear();
        self.line.clear();
        self.elsewhere.clear();
    }

    /// Make room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.unit.reserve(n);
        self.year.reserve(n);
        self.indicator.reserve(n);
        self.numerator.reserve(n);
        self.denominator.reserve(n);
        self.status.reserve(n);
        self.source.reserve(n);
        self.line.reserve(n);
    }

    /// Rows pushed from now on were read in `place`.
    pub fn set_place(&mut self, place: &str) {
        if self.places.last().is_none_or(|(_, p)| p != place) {
            self.places.push((self.len(), place.to_owned()));
        }
    }

    /// Add a row (read at `line` of the current place).
    pub fn push(&mut self, r: &Record, line: u64) {
        let (u, i, s) = (
            self.units.id(&r.unit),
            self.indicators.id(&r.indicator),
            self.sources.id(&r.source),
        );
        self.push_ids(u, r.year, i, r.numerator, r.denominator, r.status, s, line);
    }

    /// Add every row of `store`, read at its row number (from 1) in the store, straight from
    /// its columns: a string that repeats the row before's is not looked up again, and no row
    /// becomes a [`Record`] (a store of millions of rows merges without a `String` per cell).
    pub fn push_store(&mut self, store: &Store) -> Result<()> {
        let c = store.columns()?;
        self.set_place(&store.origin);
        self.reserve(store.frame.height());
        // The id of the last string seen in a column, and that string.
        fn cached<'a>(last: &mut (u32, Option<&'a str>), names: &mut Interner, v: &'a str) -> u32 {
            if last.1 != Some(v) {
                *last = (names.id(v), Some(v));
            }
            last.0
        }
        let mut last: [(u32, Option<&str>); 3] = [(0, None); 3];
        let rows = c.unit.iter().zip(c.year.iter()).zip(c.indicator.iter());
        let rows = rows.zip(c.source.iter());
        let counts = c.numerator.iter().zip(c.denominator.iter());
        let counts = counts.zip(c.status.iter());
        for (k, ((((unit, year), ind), src), ((num, den), stat))) in rows.zip(counts).enumerate() {
            let status = store.status_of(k, stat.unwrap_or_default())?;
            let [lu, li, ls] = &mut last;
            let u = cached(lu, &mut self.units, unit.unwrap_or_default());
            let i = cached(li, &mut self.indicators, ind.unwrap_or_default());
            let source = cached(ls, &mut self.sources, src.unwrap_or_default());
            let year = year.unwrap_or_default();
            self.push_ids(u, year, i, num, den, status, source, k as u64 + 1);
        }
        Ok(())
    }

    /// Add a row by interned numbers.
    #[allow(clippy::too_many_arguments)]
    pub fn push_ids(
        &mut self,
        unit: u32,
        year: i32,
        indicator: u32,
        numerator: Option<f64>,
        denominator: Option<f64>,
        status: Status,
        source: u32,
        line: u64,
    ) {
        self.unit.push(unit);
        self.year.push(year);
        self.indicator.push(indicator);
        self.numerator.push(to_column(numerator));
        self.denominator.push(to_column(denominator));
        self.status.push(status);
        self.source.push(source);
        self.line.push(line);
    }

    /// Append `other`'s rows (and places), renumbering its strings.
    pub fn append(&mut self, other: &Rows) {
        let map = |mine: &mut Interner, theirs: &Interner| -> Vec<u32> {
            theirs.names().iter().map(|n| mine.id(n)).collect()
        };
        let units = map(&mut self.units, &other.units);
        let inds = map(&mut self.indicators, &other.indicators);
        let srcs = map(&mut self.sources, &other.sources);
        let base = self.len();
        for (start, place) in &other.places {
            if self.places.last().is_none_or(|(_, p)| p != place) {
                self.places.push((base + start, place.clone()));
            }
        }
        self.unit
            .extend(other.unit.iter().map(|&u| units[u as usize]));
        self.year.extend_from_slice(&other.year);
        self.indicator
            .extend(other.indicator.iter().map(|&i| inds[i as usize]));
        self.numerator.extend_from_slice(&other.numerator);
        self.denominator.extend_from_slice(&other.denominator);
        self.status.extend_from_slice(&other.status);
        self.source
            .extend(other.source.iter().map(|&s| srcs[s as usize]));
        self.line.extend_from_slice(&other.line);
        self.elsewhere.extend(
            other
                .elsewhere
                .iter()
                .map(|&(year, u)| (year, units[u as usize])),
        );
    }

    /// Row `i` as a record.
    pub fn record(&self, i: usize) -> Record {
        Record {
            unit: self.units.name(self.unit[i]).to_owned(),
            year: self.year[i],
            indicator: self.indicators.name(self.indicator[i]).to_owned(),
            numerator: from_column(self.numerator[i]),
            denominator: from_column(self.denominator[i]),
            status: self.status[i],
            source: self.sources.name(self.source[i]).to_owned(),
        }
    }

    /// Where row `i` was read.
    pub fn location(&self, i: usize) -> Location {
        let at = self.places.partition_point(|(start, _)| *start <= i);
        Location {
            file: at
                .checked_sub(1)
                .map_or_else(String::new, |k| self.places[k].1.clone()),
            line: self.line[i],
            column: None,
        }
    }

    /// Whether rows `a` and `b` give the same counts and status.
    pub fn same_counts(&self, a: usize, b: usize) -> bool {
        let eq = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
        eq(self.numerator[a], self.numerator[b])
            && eq(self.denominator[a], self.denominator[b])
            && self.status[a] == self.status[b]
    }

    /// How many rows are suppressed.
    pub fn suppressed(&self) -> u64 {
        self.status
            .iter()
            .filter(|&&s| s == Status::Suppressed)
            .count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(unit: &str, source: &str) -> Record {
        Record {
            unit: unit.into(),
            year: 2020,
            indicator: "kansarmoede-index".into(),
            numerator: None,
            denominator: Some(3.0),
            status: Status::Suppressed,
            source: source.into(),
        }
    }

    #[test]
    fn append_renumbers_and_keeps_places() {
        let mut a = Rows::default();
        a.set_place("a.csv");
        a.push(&rec("71016", "x"), 2);
        let mut b = Rows::default();
        b.set_place("b.csv");
        b.push(&rec("71022", "y"), 5);
        b.push(&rec("71016", "x"), 6);
        a.append(&b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.units.names(), ["71016", "71022"]);
        assert_eq!(a.record(2), rec("71016", "x"));
        assert_eq!(a.location(0).to_string(), "a.csv:2");
        assert_eq!(a.location(2).to_string(), "b.csv:6");
        assert!(a.same_counts(0, 1));
        assert_eq!(a.suppressed(), 3);
        assert_eq!(a.units.ranks(), [0, 1]);
    }
}
