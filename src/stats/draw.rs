//! Resampled numerators: one binomial or Poisson draw per cell and replication from a Walker
//! alias table (Walker 1977, Vose's construction 1991; Devroye 1986, section III.4). Each cell's
//! table covers the counts within four standard deviations of the mean (and one more) plus one
//! outcome for both tails, one bucket each, so a draw is one random `u64` (multiplied by the
//! number of buckets: the integer part picks the bucket, the fraction is compared with the
//! bucket's 48-bit cut-off), one 4-byte memory read (the cut-off's top 16 bits and the alias; the
//! low 32 bits are read only when the top bits tie, once in 65,536 draws) and no branch to
//! mispredict. A draw in the tails (probability about 1e-4 or less) takes a second uniform and
//! inverts the distribution restricted to the tails by walking statrs' masses outward, so no
//! part of the distribution is cut off. Cells whose table would exceed 65,535 counts, or the
//! 256 MiB all tables may take, use rand_distr's exact samplers. Method and accuracy:
//! `docs/methodology.md`, section 16.

use rand::Rng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Binomial as ExactBinomial, Distribution, Poisson as ExactPoisson};
use rayon::prelude::*;
use statrs::distribution::{Binomial, Discrete, DiscreteCDF, Poisson};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Replications drawn together by [`Draws::fill`], [`CHUNK`] cells at a time.
const GROUP: usize = 16;

// `fill` marks a chunk's rare outcomes with one bit per replication of a group in a `u16`.
const _: () = assert!(GROUP <= 16);

/// Cells whose tables the replications of a group read in turn while they are in cache.
const CHUNK: usize = 16;

/// Standard deviations covered by a table on each side of the mean (and one count more).
const SPREAD: f64 = 4.0;

/// Standard deviation up to which a table's tails are summed mass by mass (a few hundred
/// masses at most) rather than taken from statrs' incomplete beta and gamma functions.
const SUMMED_SD: f64 = 50.0;

/// Longest table (its outcomes and the tails must fit 16-bit aliases): beyond it a cell draws
/// with rand_distr.
const MAX_TABLE: usize = (1 << 16) - 1;

/// Table entries of all cells at most (256 MiB); cells beyond draw with rand_distr.
const MAX_ENTRIES: usize = 1 << 25;

/// `2^64` as a float, to scale probabilities to thresholds.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// The count distribution of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Law {
    /// Binomial with `n` trials and success probability `p`.
    Binomial { n: u64, p: f64 },
    /// Poisson with mean `lambda`.
    Poisson { lambda: f64 },
}

impl Law {
    /// `P(X = k)`.
    pub fn pmf(self, k: u64) -> f64 {
        match self {
            Law::Binomial { n, p } => Binomial::new(p, n).map_or(0.0, |d| d.pmf(k)),
            Law::Poisson { lambda } => Poisson::new(lambda).map_or(0.0, |d| d.pmf(k)),
        }
    }

    /// `P(X > k)`.
    pub fn sf(self, k: u64) -> f64 {
        match self {
            Law::Binomial { n, p } => Binomial::new(p, n).map_or(0.0, |d| d.sf(k)),
            Law::Poisson { lambda } => Poisson::new(lambda).map_or(0.0, |d| d.sf(k)),
        }
    }

    /// `P(X <= k)`.
    pub fn cdf(self, k: u64) -> f64 {
        match self {
            Law::Binomial { n, p } => Binomial::new(p, n).map_or(1.0, |d| d.cdf(k)),
            Law::Poisson { lambda } => Poisson::new(lambda).map_or(1.0, |d| d.cdf(k)),
        }
    }

    fn mean_sd(self) -> (f64, f64) {
        match self {
            Law::Binomial { n, p } => {
                let m = n as f64 * p;
                (m, (m * (1.0 - p)).sqrt())
            }
            Law::Poisson { lambda } => (lambda, lambda.sqrt()),
        }
    }

    /// The law as bits: equal keys, the same law (and the same table).
    fn key(self) -> (bool, u64, u64) {
        match self {
            Law::Binomial { n, p } => (true, n, p.to_bits()),
            Law::Poisson { lambda } => (false, 0, lambda.to_bits()),
        }
    }

    /// The largest possible count.
    fn top(self) -> u64 {
        match self {
            Law::Binomial { n, .. } => n,
            Law::Poisson { .. } => u64::MAX,
        }
    }

    /// `P(X < lo)` and `P(X > hi)`, given `P(X = lo)` and `P(X = hi)`: for a narrow law (standard
    /// deviation up to [`SUMMED_SD`]) the masses beyond, summed outward by the ratio of
    /// successive masses until they no longer change the sum (they fall off faster than
    /// geometrically beyond four standard deviations); else statrs' distribution functions.
    fn tails(self, lo: u64, hi: u64, at_lo: f64, at_hi: f64) -> (f64, f64) {
        if self.mean_sd().1 > SUMMED_SD {
            let below = if lo == 0 { 0.0 } else { self.cdf(lo - 1) };
            return (below, self.sf(hi));
        }
        let (mut below, mut pmf) = (0.0, at_lo);
        for k in (0..lo).rev() {
            pmf /= self.up(k);
            if pmf <= below * 1e-17 {
                break;
            }
            below += pmf;
        }
        let (mut above, mut pmf) = (0.0, at_hi);
        let mut k = hi;
        while k < self.top() {
            pmf *= self.up(k);
            if pmf <= above * 1e-17 {
                break;
            }
            above += pmf;
            k += 1;
        }
        (below, above)
    }

    /// `P(X = k + 1) / P(X = k)`.
    fn up(self, k: u64) -> f64 {
        match self {
            Law::Binomial { n, p } => (n - k) as f64 / (k + 1) as f64 * (p / (1.0 - p)),
            Law::Poisson { lambda } => lambda / (k + 1) as f64,
        }
    }
}

/// How one cell draws. Every cell reads one bucket of `entries`: its table's, or entry 0 (which
/// always yields outcome 0) for a fixed count and for the special cells. The count is `lo` plus
/// the outcome, unless the outcome is `rare`.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The smallest count of the table, the fixed count, or the index into `special`.
    lo: u32,
    /// Start of the table in `entries` (0 for a fixed count or a special cell).
    at: u32,
    /// Buckets: the table's counts and one for both tails; 1 for a fixed count or special cell.
    buckets: u32,
    /// The outcome that sends the cell to the rare path: the tails' bucket of a table, 0 for a
    /// special cell, [`NEVER`] for a fixed count.
    rare: u32,
}

/// The `rare` of a fixed count: no outcome reaches it.
const NEVER: u32 = u32::MAX;

/// What a row holds for a count that is not a whole number below `u32::MAX` (a draw of
/// rand_distr's Poisson sampler beyond it, or a fixed count that is not whole): the count itself
/// is kept aside as a [`Wide`]. Every other count, table counts and fixed counts included, is
/// below it.
pub const WIDE: u32 = u32::MAX;

/// A count that a row holds as [`WIDE`]: the index of its replication in the batch, its cell and
/// its value.
pub type Wide = (usize, usize, f64);

/// Cells drawn off the tables: rand_distr's exact samplers, for cells whose table would be too
/// long, and fixed counts that are not whole numbers below `2^32`.
#[derive(Debug, Clone, Copy)]
enum Special {
    Binomial(ExactBinomial),
    Poisson(ExactPoisson<f64>),
    Fixed(f64),
}

/// Cells whose tables one task builds (in parallel with the others).
const TASK: usize = 1024;

/// How one cell will draw, decided apart from the other cells.
#[derive(Clone, Copy)]
enum Plan {
    /// Always this count.
    Fixed(f64),
    /// An alias table over `lo..lo + len` and the tails.
    Table { law: Law, lo: u64, len: usize },
    /// rand_distr's sampler: its table would be too long.
    Exact(Law),
}

impl Plan {
    /// The plan of a cell drawn from `law`: a fixed count when the law has no spread, else a
    /// table of the counts within [`SPREAD`] standard deviations (and one more) unless it
    /// would be longer than [`MAX_TABLE`].
    fn of(law: Law) -> Plan {
        let (mean, sd) = law.mean_sd();
        if !(sd > 0.0 && sd.is_finite()) {
            return Plan::Fixed(mean.round());
        }
        let lo = (mean - SPREAD * sd - 1.0).floor().max(0.0) as u64;
        let hi = ((mean + SPREAD * sd + 1.0).ceil().min(law.top() as f64) as u64).max(lo);
        let len = (hi - lo + 1) as usize;
        if len >= MAX_TABLE || hi >= u64::from(u32::MAX) {
            return Plan::Exact(law);
        }
        Plan::Table { law, lo, len }
    }
}

/// One alias table: its slot (shared by the cells of its law), its law and the masses below
/// and above it (read for the tails only).
#[derive(Debug, Clone, Copy)]
struct Table {
    slot: Slot,
    law: Law,
    below: f64,
    above: f64,
}

/// One task's share of the tables: the tables (their tails' masses to fill in) and their
/// entries.
struct Part<'a> {
    tables: &'a mut [Table],
    entries: &'a mut [u32],
    low: &'a mut [u32],
}

/// Scratch space of [`alias`].
#[derive(Default)]
struct Scratch {
    prob: Vec<f64>,
    q: Vec<f64>,
    alias: Vec<usize>,
    small: Vec<usize>,
    large: Vec<usize>,
}

impl Part<'_> {
    /// Build the tables of the part's table cells: the masses of `lo..=hi` by the ratio of
    /// successive masses from statrs' `P(X = lo)`, the tails' mass as the rest, then the alias
    /// table into `entries` (per bucket the cut-off's top 16 bits and the alias) and `low`.
    fn build(self, scratch: &mut Scratch) {
        let base = self.tables.first().map_or(0, |t| t.slot.at) as usize;
        for table in self.tables {
            let (s, law) = (table.slot, table.law);
            let (lo, hi) = (u64::from(s.lo), u64::from(s.lo + s.rare) - 1);
            let prob = &mut scratch.prob;
            prob.clear();
            let first = law.pmf(lo);
            let mut pmf = first;
            for k in lo..=hi {
                prob.push(pmf);
                if k < hi {
                    pmf *= law.up(k);
                }
            }
            let (below, above) = law.tails(lo, hi, first, pmf);
            prob.push(below + above);
            let at = s.at as usize - base;
            let buckets = s.buckets as usize;
            alias(
                scratch,
                &mut self.entries[at..at + buckets],
                &mut self.low[at..at + buckets],
            );
            (table.below, table.above) = (below, above);
        }
    }
}

/// The resampling of every cell of a problem, set up once per run.
#[derive(Debug, Clone)]
pub struct Draws {
    slots: Vec<Slot>,
    /// Alias tables: per bucket the top 16 bits of the 48-bit cut-off (high half) and the alias
    /// (low half). Entry 0 (cut-off 0, alias 0) is the one bucket of fixed counts and special
    /// cells.
    entries: Vec<u32>,
    /// Per bucket the low 32 bits of the cut-off, read only when the uniform's top 16 bits
    /// within the bucket equal the cut-off's (probability 2^-16): the hot tables take 4 bytes
    /// a bucket, and the comparison is the full 48-bit one.
    low: Vec<u32>,
    /// The tables, in the order of their places in `entries` (cells with the same law share
    /// one).
    tables: Vec<Table>,
    /// Per cell the count its rare outcome gives (`lo + rare`; [`NEVER`] for a fixed count),
    /// so that a drawn row shows a rare outcome by comparison alone.
    rare: Vec<u32>,
    special: Vec<Special>,
    /// The cells that draw (all but fixed counts), in cell order, and their slots.
    live: Vec<u32>,
    live_slots: Vec<Slot>,
    /// Per cell its fixed count (0 for a cell that draws).
    base: Vec<u32>,
    /// Sums of the fixed counts of the cells before each cell (and of all cells, last).
    fixed_sums: Vec<u64>,
    /// Distinct for each set of samplers built (clones share it): tells a buffer whose fixed
    /// counts it holds.
    id: u64,
}

/// The next [`Draws::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Draws {
    /// Samplers for `laws`, one per cell (`Err(v)`: the count is fixed at `v`). The cells are
    /// planned and their tables laid out in cell order, then the tables are built in parallel.
    pub fn new(laws: impl IntoIterator<Item = Result<Law, f64>>) -> Draws {
        let laws = laws.into_iter();
        let cells = laws.size_hint().0;
        let mut d = Draws {
            slots: Vec::with_capacity(cells),
            entries: Vec::new(),
            low: Vec::new(),
            tables: Vec::new(),
            rare: Vec::with_capacity(cells),
            special: Vec::new(),
            live: Vec::new(),
            live_slots: Vec::new(),
            base: Vec::with_capacity(cells),
            fixed_sums: Vec::with_capacity(cells + 1),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        };
        let mut end = 1;
        d.fixed_sums.push(0);
        // Cells with the same law (common: the same small counts recur across units) share a
        // table, built once: fewer tables to build, and fewer to keep in cache while drawing.
        let mut seen: HashMap<(bool, u64, u64), Slot, foldhash::fast::FixedState> =
            HashMap::default();
        for law in laws {
            let plan = law.map_or_else(Plan::Fixed, Plan::of);
            let slot = match plan {
                Plan::Table { law, .. } => {
                    let key = law.key();
                    match seen.get(&key) {
                        Some(&slot) => slot,
                        None => {
                            let slot = d.add(plan, &mut end);
                            if slot.at > 0 {
                                d.tables.push(Table {
                                    slot,
                                    law,
                                    below: 0.0,
                                    above: 0.0,
                                });
                                seen.insert(key, slot);
                            }
                            slot
                        }
                    }
                }
                _ => d.add(plan, &mut end),
            };
            let before = d.fixed_sums.last().copied().unwrap_or(0);
            if slot.rare == NEVER {
                d.rare.push(NEVER);
                d.base.push(slot.lo);
                d.fixed_sums.push(before + u64::from(slot.lo));
            } else {
                d.fixed_sums.push(before);
                d.rare.push(slot.lo + slot.rare);
                d.base.push(0);
                d.live.push(d.slots.len() as u32);
                d.live_slots.push(slot);
            }
            d.slots.push(slot);
        }
        // Zeroed by the system as the tasks first write them (in parallel), not written here.
        d.entries = vec![0; end];
        d.low = vec![0; end];
        let mut parts = Vec::new();
        let (mut entries, mut low) = (&mut d.entries[1..], &mut d.low[1..]);
        for tables in d.tables.chunks_mut(TASK) {
            let len: usize = tables.iter().map(|t| t.slot.buckets as usize).sum();
            let (e, rest) = std::mem::take(&mut entries).split_at_mut(len);
            let (l, rest_low) = std::mem::take(&mut low).split_at_mut(len);
            (entries, low) = (rest, rest_low);
            parts.push(Part {
                tables,
                entries: e,
                low: l,
            });
        }
        parts
            .into_par_iter()
            .for_each_init(Scratch::default, |scratch, part| part.build(scratch));
        d
    }

    /// A cell whose count is always `v`.
    fn fixed(&mut self, v: f64) -> Slot {
        if v >= 0.0 && v < f64::from(u32::MAX) && v.fract() == 0.0 {
            Slot {
                lo: v as u32,
                at: 0,
                buckets: 1,
                rare: NEVER,
            }
        } else {
            self.add_special(Special::Fixed(v))
        }
    }

    /// A cell drawn by `s` on the rare path.
    fn add_special(&mut self, s: Special) -> Slot {
        self.special.push(s);
        Slot {
            lo: (self.special.len() - 1) as u32,
            at: 0,
            buckets: 1,
            rare: 0,
        }
    }

    /// The slot of the next cell, as `plan` says: its table at `end` (which it advances)
    /// unless all tables would then exceed [`MAX_ENTRIES`], when it draws with rand_distr as a
    /// cell with too long a table does.
    fn add(&mut self, plan: Plan, end: &mut usize) -> Slot {
        let law = match plan {
            Plan::Fixed(v) => return self.fixed(v),
            Plan::Table { lo, len, .. } if *end + len < MAX_ENTRIES => {
                let at = *end;
                *end += len + 1;
                return Slot {
                    lo: lo as u32,
                    at: at as u32,
                    buckets: len as u32 + 1,
                    rare: len as u32,
                };
            }
            Plan::Table { law, .. } | Plan::Exact(law) => law,
        };
        let exact = match law {
            Law::Binomial { n, p } => ExactBinomial::new(n, p).map(Special::Binomial).ok(),
            Law::Poisson { lambda } => ExactPoisson::new(lambda).map(Special::Poisson).ok(),
        };
        match exact {
            Some(exact) => self.add_special(exact),
            None => self.fixed(law.mean_sd().0.round()),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The counts of `cells` that never change (0 for a cell that draws): a row that
    /// [`Draws::fill`] draws into must hold them first.
    pub fn fixed_counts(&self, cells: Range<usize>) -> &[u32] {
        &self.base[cells]
    }

    /// This set of samplers' identity (the same for its clones).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// One draw of each cell in `cells` for each replication of `rngs`: replication `b`'s draws
    /// into `out[b * stride..][..cells.len()]` and their sum into `sums[b]`. The cells with a
    /// fixed count are not written: each row must hold [`Draws::fixed_counts`] already (a
    /// missing cell or a zero numerator, more than half the cells of the sector demo, costs
    /// nothing). Per replication one wyrand stream (seeded from its `rng`) gives one uniform per
    /// cell that draws, in cell order: one table read and no branch. The replications of a
    /// group take [`CHUNK`] such cells in turn, so they read those cells' tables while they are
    /// in cache; each adds its draws up as integers and marks a chunk in which one of them was
    /// rare. rand_distr's samplers and the tails, rare, are drawn after, in the marked chunks
    /// only, further from each replication's `rng`; such a count that is not a whole number
    /// below [`WIDE`] leaves [`WIDE`] in the row and is pushed onto `wide`. A replication draws
    /// the same numbers in any batch.
    pub fn fill(
        &self,
        cells: Range<usize>,
        rngs: &mut [ChaCha8Rng],
        (out, stride): (&mut [u32], usize),
        sums: &mut [f64],
        wide: &mut Vec<Wide>,
    ) {
        let len = cells.len();
        let first = self.live.partition_point(|&c| (c as usize) < cells.start);
        let last = self.live.partition_point(|&c| (c as usize) < cells.end);
        let (live, slots) = (&self.live[first..last], &self.live_slots[first..last]);
        let fixed = self.fixed_sums[cells.end] - self.fixed_sums[cells.start];
        // Per chunk of live cells, bit `b`: replication `b` of the group drew a rare outcome.
        let mut marks = vec![0u16; live.len().div_ceil(CHUNK)];
        for (g, (rngs, sums)) in rngs
            .chunks_mut(GROUP)
            .zip(sums.chunks_mut(GROUP))
            .enumerate()
        {
            let out = &mut out[g * GROUP * stride..];
            let m = rngs.len();
            let mut streams = [Wyrand(0); GROUP];
            for (s, rng) in streams.iter_mut().zip(rngs.iter_mut()) {
                *s = Wyrand::from(rng);
            }
            let mut drawn = [0u64; GROUP];
            let chunks = live.chunks(CHUNK).zip(slots.chunks(CHUNK));
            for ((live, slots), mark) in chunks.zip(marks.iter_mut()) {
                *mark = 0;
                for (b, stream) in streams[..m].iter_mut().enumerate() {
                    let row = &mut out[b * stride..][..len];
                    let (mut sum, mut rare) = (0u64, false);
                    for (&c, s) in live.iter().zip(slots) {
                        let outcome = self.outcome(s, stream.next_u64());
                        let count = s.lo + outcome;
                        row[c as usize - cells.start] = count;
                        sum += u64::from(count);
                        rare |= outcome == s.rare;
                    }
                    drawn[b] += sum;
                    *mark |= u16::from(rare) << b;
                }
            }
            for (b, (rng, sum)) in rngs.iter_mut().zip(sums.iter_mut()).enumerate() {
                let row = &mut out[b * stride..][..len];
                let marked = marks.iter().enumerate().filter(|(_, m)| *m >> b & 1 == 1);
                // The counts in the row (below 2^32 each, so their sum fits), then the wide ones.
                let (mut whole, mut rest) = (drawn[b] + fixed, 0.0);
                for (k, _) in marked {
                    let chunk = &live[k * CHUNK..(k * CHUNK + CHUNK).min(live.len())];
                    let at = (g * GROUP + b, cells.start);
                    let (old, new, far) = self.redraw(chunk, at, rng, row, wide);
                    whole = whole - old + new;
                    rest += far;
                }
                // Exact whenever the sum of the counts is below 2^53.
                *sum = whole as f64 + rest;
            }
        }
    }

    /// Draw the special cells and the tails among the `chunk` of live cells of one
    /// replication's draws `row` (replication `b` of the batch, its row starting at cell `start`)
    /// from `rng`: the cells whose draw is their rare count (the count one past a table, or a
    /// special cell's index, which a special cell always draws), in cell order. A replacement
    /// that is not a whole number below [`WIDE`] goes to `wide`. Returns the sum of the counts
    /// replaced, that of the replacements kept in the row, and that of the wide ones (added in
    /// cell order).
    fn redraw(
        &self,
        chunk: &[u32],
        (b, start): (usize, usize),
        rng: &mut ChaCha8Rng,
        row: &mut [u32],
        wide: &mut Vec<Wide>,
    ) -> (u64, u64, f64) {
        let (mut old, mut new, mut far) = (0u64, 0u64, 0.0);
        for &c in chunk {
            let c = c as usize;
            let o = &mut row[c - start];
            if *o != self.rare[c] {
                continue;
            }
            old += u64::from(*o);
            let s = &self.slots[c];
            let v = if s.rare == 0 && s.buckets == 1 {
                self.special(s, rng)
            } else {
                self.tail(c, rng.next_u64()) as f64
            };
            if v >= 0.0 && v < f64::from(WIDE) && v.fract() == 0.0 {
                *o = v as u32;
                new += u64::from(*o);
            } else {
                *o = WIDE;
                wide.push((b, c, v));
                far += v;
            }
        }
        (old, new, far)
    }

    /// The outcome of slot `s` for the uniform `x`: a bucket of its table or its alias.
    #[inline]
    fn outcome(&self, s: &Slot, x: u64) -> u32 {
        // x buckets / 2^64: the integer part is the bucket, the rest the uniform within it.
        let scaled = u128::from(x) * u128::from(s.buckets);
        let bucket = (scaled >> 64) as u32;
        let at = (s.at + bucket) as usize;
        let entry = self.entries[at];
        // The 48-bit fraction against the 48-bit cut-off, the top 16 bits first.
        let (top, cut) = ((scaled as u64) >> 48, u64::from(entry >> 16));
        let fraction = ((scaled as u64) >> 16) as u32;
        let own = if top == cut {
            fraction < self.low[at]
        } else {
            top < cut
        };
        // Not a branch: `own` is as good as a coin toss.
        std::hint::select_unpredictable(own, bucket, entry & 0xFFFF)
    }

    /// The draw of special cell `s`.
    #[cold]
    fn special(&self, s: &Slot, rng: &mut ChaCha8Rng) -> f64 {
        match self.special[s.lo as usize] {
            Special::Binomial(d) => d.sample(rng) as f64,
            Special::Poisson(d) => d.sample(rng),
            Special::Fixed(v) => v,
        }
    }

    /// One draw of cell `c`.
    #[inline]
    pub fn draw(&self, c: usize, rng: &mut ChaCha8Rng) -> f64 {
        let s = &self.slots[c];
        if s.rare == NEVER {
            return f64::from(s.lo);
        }
        if s.rare == 0 && s.buckets == 1 {
            return self.special(s, rng);
        }
        let outcome = self.outcome(s, rng.next_u64());
        if outcome == s.rare {
            return self.tail(c, rng.next_u64()) as f64;
        }
        f64::from(s.lo + outcome)
    }

    /// Table cell `c`'s law and the masses below and above its table.
    fn tails_of(&self, c: usize) -> (Law, f64, f64) {
        let at = self.slots[c].at;
        let t = self.tables[self.tables.partition_point(|t| t.slot.at < at)];
        (t.law, t.below, t.above)
    }

    /// A count outside table cell `c`'s table, for the uniform `y / 2^64`: by inversion of
    /// the distribution restricted to the tails (walking the masses outward from the table).
    #[cold]
    fn tail(&self, c: usize, y: u64) -> u64 {
        let s = self.slots[c];
        let (lo, hi) = (u64::from(s.lo), u64::from(s.lo + s.rare));
        let (law, below, above) = self.tails_of(c);
        let u = y as f64 / TWO_64 * (below + above);
        if u < below {
            // The largest k < lo with P(k <= X < lo) > below - u ... i.e. walk down from lo - 1.
            let rest = below - u;
            let mut k = lo - 1;
            let mut mass = law.pmf(k);
            while mass < rest && k > 0 {
                k -= 1;
                mass += law.pmf(k);
            }
            k
        } else {
            let rest = u - below;
            let mut k = hi;
            let mut mass = law.pmf(k);
            while mass <= rest && k < law.top() {
                k += 1;
                let p = law.pmf(k);
                if p == 0.0 {
                    break;
                }
                mass += p;
            }
            k
        }
    }
}

/// wyrand (Wang Yi's generator of wyhash, as in the `fastrand` crate): the uniforms of one
/// column's table draws, one addition and one 64 x 64 -> 128-bit product a number, seeded with
/// one of the replication's ChaCha8 numbers.
#[derive(Clone, Copy)]
struct Wyrand(u64);

impl Wyrand {
    fn from(rng: &mut ChaCha8Rng) -> Wyrand {
        Wyrand(rng.next_u64())
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xA076_1D64_78BD_642F);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xE703_7ED1_A0B4_28DB);
        (t as u64) ^ (t >> 64) as u64
    }
}

/// Walker's alias table (Vose's construction) for the probabilities `scratch.prob`, one bucket
/// per outcome: bucket `i` yields `i` when the uniform within it falls below its cut-off (a
/// 48-bit fraction), else its alias. Per bucket the cut-off's top 16 bits and the alias into
/// `entries`, its low 32 bits into `low`.
fn alias(scratch: &mut Scratch, entries: &mut [u32], low: &mut [u32]) {
    let Scratch {
        prob,
        q,
        alias,
        small,
        large,
    } = scratch;
    let m = prob.len();
    let total: f64 = prob.iter().sum();
    q.clear();
    q.extend(prob.iter().map(|&p| p / total * m as f64));
    alias.clear();
    alias.extend(0..m);
    small.clear();
    large.clear();
    for (i, &x) in q.iter().enumerate() {
        if x < 1.0 { &mut *small } else { &mut *large }.push(i);
    }
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        alias[s] = l;
        q[l] -= 1.0 - q[s];
        if q[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // Left over by rounding: keep their own outcome.
    for &i in large.iter().chain(small.iter()) {
        q[i] = 1.0;
    }
    const FULL: f64 = 281_474_976_710_656.0; // 2^48
    for (i, ((&q, &a), (e, l))) in q
        .iter()
        .zip(alias.iter())
        .zip(entries.iter_mut().zip(low.iter_mut()))
        .enumerate()
    {
        // A full bucket yields its own outcome whatever the cut-off.
        let (cut, a) = if q >= 1.0 {
            (0, i)
        } else {
            ((q * FULL) as u64, a)
        };
        *e = ((cut >> 32) as u32) << 16 | a as u32;
        *l = cut as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const LAWS: [Law; 7] = [
        Law::Binomial { n: 20, p: 0.3 },
        Law::Binomial { n: 5000, p: 0.02 },
        Law::Binomial { n: 60, p: 0.97 },
        Law::Poisson { lambda: 0.4 },
        Law::Poisson { lambda: 3.5 },
        Law::Poisson { lambda: 800.0 },
        Law::Binomial { n: 3, p: 0.001 },
    ];

    /// Each alias table yields every count of its range with statrs' probability, and the tails
    /// with the rest, to 1e-12.
    #[test]
    fn alias_tables_carry_the_probabilities() {
        let d = Draws::new(LAWS.map(Ok));
        for (c, law) in LAWS.into_iter().enumerate() {
            let s = d.slots[c];
            let m = s.buckets as usize;
            let mut implied = vec![0.0; m];
            let at = s.at as usize;
            for (i, (&e, &low)) in d.entries[at..][..m].iter().zip(&d.low[at..]).enumerate() {
                let cut = (u64::from(e >> 16) << 32 | u64::from(low)) as f64 / 2f64.powi(48);
                implied[i] += cut / m as f64;
                implied[(e & 0xFFFF) as usize] += (1.0 - cut) / m as f64;
            }
            for (k, &p) in implied.iter().enumerate().take(s.rare as usize) {
                let want = law.pmf(u64::from(s.lo) + k as u64);
                assert!((p - want).abs() < 1e-12, "{law:?} k={k} {p} {want}");
            }
            let (_, below, above) = d.tails_of(c);
            assert!(
                (implied[s.rare as usize] - below - above).abs() < 1e-12,
                "{law:?}"
            );
            // The summed tails are statrs' distribution functions (to the error of the ratio walk).
            let (lo, hi) = (u64::from(s.lo), u64::from(s.lo + s.rare) - 1);
            let want = (if lo == 0 { 0.0 } else { law.cdf(lo - 1) }, law.sf(hi));
            for (got, want) in [(below, want.0), (above, want.1)] {
                assert!((got - want).abs() <= 1e-9 * want, "{law:?} {got} {want}");
            }
        }
    }

    /// Cells with the same law share one table (and its tails); the others keep their own.
    #[test]
    fn cells_of_one_law_share_a_table() {
        let (a, b) = (LAWS[0], LAWS[3]);
        let d = Draws::new([Ok(a), Ok(b), Ok(a), Err(4.0), Ok(a)]);
        let alone = |law: Law| Draws::new([Ok(law)]);
        let (da, db) = (alone(a), alone(b));
        assert_eq!(d.slots[0].at, d.slots[2].at);
        assert_eq!(d.slots[0].at, d.slots[4].at);
        assert_ne!(d.slots[0].at, d.slots[1].at);
        assert_eq!(d.entries.len(), da.entries.len() + db.entries.len() - 1);
        for (c, one) in [(0, &da), (1, &db), (2, &da), (4, &da)] {
            let (s, t) = (d.slots[c], one.slots[0]);
            assert_eq!(
                d.entries[s.at as usize..][..s.buckets as usize],
                one.entries[t.at as usize..][..t.buckets as usize]
            );
            assert_eq!(d.tails_of(c), one.tails_of(0));
        }
    }

    /// A draw in the tails is the inversion of the distribution restricted to them: over a grid
    /// of uniforms, the count's distribution function brackets the uniform.
    #[test]
    fn tails_invert_the_distribution_function() {
        let d = Draws::new(LAWS.map(Ok));
        for (c, law) in LAWS.into_iter().enumerate() {
            let s = d.slots[c];
            let (_, below, above) = d.tails_of(c);
            for i in 0..=1024u64 {
                let y = (i << 54).saturating_sub(u64::from(i == 1024));
                let k = d.tail(c, y);
                let u = y as f64 / TWO_64 * (below + above);
                let tol = 1e-15;
                if u < below {
                    assert!(k < u64::from(s.lo), "{law:?} y={y} k={k}");
                    assert!(law.cdf(k) + tol > u, "{law:?} y={y} k={k}");
                    assert!(k == 0 || law.cdf(k - 1) <= u + tol, "{law:?} y={y} k={k}");
                } else {
                    let rest = above - (u - below); // P(X > k) must fall below it, P(X > k - 1) not
                    assert!(k >= u64::from(s.lo + s.rare), "{law:?} y={y} k={k}");
                    assert!(law.sf(k) < rest + tol, "{law:?} y={y} k={k}");
                    assert!(law.sf(k - 1) + tol >= rest, "{law:?} y={y} k={k}");
                }
            }
        }
    }

    /// 200,000 seeded draws per law: mean and variance within 5 standard errors, and Pearson's
    /// chi-square against statrs' probabilities (counts with expectation below 5 pooled into the
    /// tails) below the 1e-6 critical value. Seeded, so the test cannot flake.
    #[test]
    fn draws_follow_the_binomial_and_poisson_laws() {
        let d = Draws::new(LAWS.map(Ok));
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (c, law) in LAWS.into_iter().enumerate() {
            let x: Vec<u64> = (0..200_000).map(|_| d.draw(c, &mut rng) as u64).collect();
            follows(law, &x);
        }
    }

    /// The same through [`Draws::fill`], the path replications take: 199,998 columns of the
    /// seven laws plus a small share of a sector (8 of 53), three replications a batch.
    #[test]
    fn filled_columns_follow_the_laws() {
        let mut laws = LAWS.to_vec();
        laws.push(Law::Binomial {
            n: 53,
            p: 8.0 / 53.0,
        });
        let d = Draws::new(laws.iter().copied().map(Ok));
        let mut rngs = [13, 14, 15].map(ChaCha8Rng::seed_from_u64);
        let k = laws.len();
        let (mut out, mut sums, mut wide) = (d.fixed_counts(0..k).repeat(3), [0.0; 3], vec![]);
        let mut x = vec![Vec::new(); k];
        for _ in 0..200_000 / 3 {
            d.fill(0..k, &mut rngs, (&mut out, k), &mut sums, &mut wide);
            assert!(wide.is_empty());
            for (row, sum) in out.chunks(k).zip(sums) {
                assert_eq!(row.iter().map(|&v| u64::from(v)).sum::<u64>() as f64, sum);
                x.iter_mut()
                    .zip(row)
                    .for_each(|(x, &v)| x.push(u64::from(v)));
            }
        }
        for (law, x) in laws.into_iter().zip(&x) {
            follows(law, x);
        }
    }

    /// Mean and variance of the draws `x` within 5 standard errors of `law`'s, and Pearson's
    /// chi-square against statrs' probabilities (counts with expectation below 5 pooled into
    /// the tails) below the 1e-6 critical value.
    fn follows(law: Law, x: &[u64]) {
        let m = x.len();
        let (mu, sd) = law.mean_sd();
        let mean = x.iter().sum::<u64>() as f64 / m as f64;
        let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
        assert!(
            (mean - mu).abs() < 5.0 * sd / (m as f64).sqrt(),
            "{law:?} mean {mean}"
        );
        // Var of the sample variance ~ (mu4 - sd^4) / m; bound mu4 by 3 sd^4 + sd^2.
        let se_var = ((2.0 * sd.powi(4) + sd.powi(2)) / m as f64).sqrt();
        assert!((var - sd * sd).abs() < 5.0 * se_var, "{law:?} var {var}");
        // Bins: each count from lo to hi with expectation >= 5, the rest pooled.
        let lo = (0..).find(|&k| law.cdf(k) * m as f64 >= 5.0).unwrap();
        let hi = (lo..)
            .find(|&k| (1.0 - law.cdf(k)) * (m as f64) < 5.0)
            .unwrap();
        let mut seen = vec![0.0; (hi - lo + 1) as usize];
        for &v in x {
            seen[(v.clamp(lo, hi) - lo) as usize] += 1.0;
        }
        let mut chi2 = 0.0;
        for (k, seen) in (lo..=hi).zip(&seen) {
            let p = match k {
                _ if k == lo => law.cdf(lo),
                _ if k == hi => 1.0 - law.cdf(hi - 1),
                _ => law.pmf(k),
            };
            chi2 += (seen - p * m as f64).powi(2) / (p * m as f64);
        }
        // Chi-square quantile at 1 - 1e-6 (Wilson-Hilferty) for bins - 1 degrees of freedom.
        let df = (hi - lo) as f64;
        let z = 4.753_424;
        let critical = df * (1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt()).powi(3);
        assert!(chi2 < critical.max(24.0), "{law:?} chi2 {chi2} df {df}");
    }

    /// The counts of replication `b`: its row and its wide counts, by cell.
    fn counts(row: &[u32], b: usize, wide: &[Wide]) -> Vec<f64> {
        let mut x: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        for &(_, c, v) in wide.iter().filter(|w| w.0 == b) {
            assert_eq!(row[c], WIDE);
            x[c] = v;
        }
        assert!(x.iter().all(|&v| v != f64::from(WIDE)));
        x
    }

    /// The sum handed back with each row is the sum of its counts: exact for whole counts, with
    /// draws in the tails and special cells spread over many chunks; a count that is not a whole
    /// number below `u32::MAX` stays out of the row (which holds [`WIDE`] there) and is added
    /// after the others, in cell order.
    #[test]
    fn sums_are_the_rows_sums() {
        for extra in [None, Some(Err(2.5)), Some(Err(1e17))] {
            let laws: Vec<Result<Law, f64>> = (0..200)
                .map(|i| match i % 4 {
                    0 => Ok(Law::Poisson { lambda: 0.4 }),
                    1 => Ok(LAWS[i % LAWS.len()]),
                    2 => Err(i as f64),
                    _ => Ok(Law::Poisson { lambda: 3.5 }),
                })
                .chain(extra)
                .chain([Ok(Law::Poisson { lambda: 1e12 })])
                .collect();
            let d = Draws::new(laws);
            let (k, batch) = (d.len(), GROUP + 3);
            let mut rngs: Vec<ChaCha8Rng> =
                (0..batch as u64).map(ChaCha8Rng::seed_from_u64).collect();
            let (mut out, mut sums) = (d.fixed_counts(0..k).repeat(batch), vec![0.0; batch]);
            let (mut tails, mut wide) = (0, vec![]);
            for _ in 0..300 {
                wide.clear();
                d.fill(0..k, &mut rngs, (&mut out, k), &mut sums, &mut wide);
                // Each row's last cell, Poisson(1e12), is wide; so is the extra cell but 2.5.
                let per_row = 1 + usize::from(extra.is_some());
                assert_eq!(wide.len(), batch * per_row, "{extra:?}");
                for (b, (row, &sum)) in out.chunks(k).zip(&sums).enumerate() {
                    let x = counts(row, b, &wide);
                    let whole: f64 = x.iter().filter(|v| **v < 1e9 && v.fract() == 0.0).sum();
                    let far: f64 = x.iter().filter(|v| !(**v < 1e9 && v.fract() == 0.0)).sum();
                    assert_eq!((whole + far).to_bits(), sum.to_bits(), "{extra:?}");
                    tails += row
                        .iter()
                        .zip(&d.slots)
                        .filter(|&(&v, s)| s.at > 0 && !(s.lo..s.lo + s.rare).contains(&v))
                        .count();
                }
            }
            assert!(tails > 10, "{tails} draws in the tails");
        }
    }

    /// A replication draws the same numbers in a batch as alone, tails and special cells
    /// included, in batches of more and of fewer replications than a group.
    #[test]
    fn batches_draw_what_each_replication_draws_alone() {
        let laws = LAWS.iter().copied().map(Ok).chain([
            Ok(Law::Poisson { lambda: 1e12 }),
            Err(2.5),
            Ok(Law::Binomial { n: 4, p: 0.999 }),
        ]);
        let d = Draws::new(laws);
        let k = d.len();
        for batch in [3, GROUP + 5] {
            let seeds: Vec<u64> = (0..batch as u64).map(|b| 1000 + b).collect();
            let mut rngs: Vec<ChaCha8Rng> = seeds
                .iter()
                .map(|&s| ChaCha8Rng::seed_from_u64(s))
                .collect();
            let (mut out, mut sums) = (d.fixed_counts(0..k).repeat(batch), vec![0.0; batch]);
            let mut wide = vec![];
            for _ in 0..500 {
                wide.clear();
                d.fill(0..k, &mut rngs, (&mut out, k), &mut sums, &mut wide);
            }
            for (b, &seed) in seeds.iter().enumerate() {
                let mut rng = [ChaCha8Rng::seed_from_u64(seed)];
                let (mut alone, mut sum, mut one) = (d.fixed_counts(0..k).to_vec(), [0.0], vec![]);
                for _ in 0..500 {
                    one.clear();
                    d.fill(0..k, &mut rng, (&mut alone, k), &mut sum, &mut one);
                }
                let row = &out[b * k..(b + 1) * k];
                assert_eq!(alone, row);
                assert_eq!(counts(&alone, 0, &one), counts(row, b, &wide));
                assert_eq!(sum[0], sums[b]);
                assert_eq!(rng[0].next_u64(), rngs[b].next_u64());
            }
        }
    }

    /// wyrand's first outputs from state 0, computed from its definition with Python's exact
    /// integers (the state advances by 0xA0761D6478BD642F; the output is the xor of the two
    /// halves of `state * (state ^ 0xE7037ED1A0B428DB)`).
    #[test]
    fn wyrand_follows_its_definition() {
        let mut w = Wyrand(0);
        let out: Vec<u64> = (0..3).map(|_| w.next_u64()).collect();
        assert_eq!(
            out,
            [
                1_233_057_930_238_600_590,
                14_892_235_431_655_409_005,
                7_060_326_114_132_480_676
            ]
        );
    }

    #[test]
    fn degenerate_and_large_cells() {
        let d = Draws::new([
            Err(7.0),
            Ok(Law::Binomial { n: 10, p: 1.0 }),
            Ok(Law::Poisson { lambda: 1e12 }),
        ]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(d.draw(0, &mut rng), 7.0);
        assert_eq!(d.draw(1, &mut rng), 10.0);
        assert!(matches!(d.special[..], [Special::Poisson(_)]));
        assert!((d.draw(2, &mut rng) - 1e12).abs() < 1e7);
    }
}
