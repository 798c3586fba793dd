//! Resampled numerators: one binomial or Poisson draw per cell and replication from a Walker
//! alias table (Walker 1977, Vose's construction 1991; Devroye 1986, section III.4). Each cell's
//! table covers the counts within four standard deviations of the mean (and one more) plus one
//! outcome for both tails, one bucket each, so a draw is one random `u64` (multiplied by the
//! number of buckets: the integer part picks the bucket, the fraction is compared with the
//! bucket's cut-off), one memory read and no branch to mispredict. A draw in the tails
//! (probability about 1e-4 or less) takes a second uniform and inverts the distribution
//! restricted to the tails by walking statrs' masses outward, so no part of the distribution is
//! cut off. Cells whose table would exceed 65,535 counts, or the
//! 256 MiB all tables may take, use rand_distr's exact samplers. Method and accuracy:
//! `docs/methodology.md`, section 16.

use rand::Rng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Binomial as ExactBinomial, Distribution, Poisson as ExactPoisson};
use statrs::distribution::{Binomial, Discrete, DiscreteCDF, Poisson};
use std::ops::Range;

/// Standard deviations covered by a table on each side of the mean (and one count more).
const SPREAD: f64 = 4.0;

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

    /// The largest possible count.
    fn top(self) -> u64 {
        match self {
            Law::Binomial { n, .. } => n,
            Law::Poisson { .. } => u64::MAX,
        }
    }

    /// `P(X = k + 1) / P(X = k)`.
    fn up(self, k: u64) -> f64 {
        match self {
            Law::Binomial { n, p } => (n - k) as f64 / (k + 1) as f64 * (p / (1.0 - p)),
            Law::Poisson { lambda } => lambda / (k + 1) as f64,
        }
    }
}

/// How one cell draws: a fixed count, an alias table, or rand_distr.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The fixed count's bits, or the smallest count of the table.
    lo: u64,
    /// Start of the table in `entries`, or index into `exact`.
    at: u32,
    /// Counts in the table, which has one bucket more for both tails; 0 for a fixed count.
    len: u32,
    /// Whether rand_distr draws (`at` indexes `exact`).
    exact: bool,
}

/// rand_distr's exact samplers, for cells whose table would be too long.
#[derive(Debug, Clone, Copy)]
enum Exact {
    Binomial(ExactBinomial),
    Poisson(ExactPoisson<f64>),
}

/// The resampling of every cell of a problem, set up once per run.
#[derive(Debug, Clone, Default)]
pub struct Draws {
    slots: Vec<Slot>,
    /// Alias tables: per bucket the 48-bit cut-off (high bits) and the alias (low 16 bits).
    entries: Vec<u64>,
    /// Per cell: its law and the masses below and above its table (read for the tails only).
    tails: Vec<(Law, f64, f64)>,
    exact: Vec<Exact>,
}

impl Draws {
    /// Samplers for `laws`, one per cell (`Err(v)`: the count is fixed at `v`).
    pub fn new(laws: impl IntoIterator<Item = Result<Law, f64>>) -> Draws {
        let mut d = Draws::default();
        for law in laws {
            let slot = match law {
                Err(v) => Slot::fixed(v),
                Ok(law) => d.slot(law),
            };
            d.slots.push(slot);
            d.tails
                .resize(d.slots.len(), (Law::Poisson { lambda: 0.0 }, 0.0, 0.0));
        }
        d
    }

    fn slot(&mut self, law: Law) -> Slot {
        let (mean, sd) = law.mean_sd();
        if !(sd > 0.0 && sd.is_finite()) {
            return Slot::fixed(mean.round());
        }
        let lo = (mean - SPREAD * sd - 1.0).floor().max(0.0) as u64;
        let hi = ((mean + SPREAD * sd + 1.0).ceil().min(law.top() as f64) as u64).max(lo);
        let len = (hi - lo + 1) as usize;
        if len >= MAX_TABLE || self.entries.len() + len >= MAX_ENTRIES {
            let exact = match law {
                Law::Binomial { n, p } => ExactBinomial::new(n, p).map(Exact::Binomial).ok(),
                Law::Poisson { lambda } => ExactPoisson::new(lambda).map(Exact::Poisson).ok(),
            };
            let Some(exact) = exact else {
                return Slot::fixed(mean.round());
            };
            self.exact.push(exact);
            return Slot {
                lo: 0,
                at: (self.exact.len() - 1) as u32,
                len: 0,
                exact: true,
            };
        }
        // Probabilities of lo..=hi by the ratio of successive masses from statrs' P(X = lo),
        // then the tails' mass as the rest.
        let below = if lo == 0 { 0.0 } else { law.cdf(lo - 1) };
        let above = law.sf(hi);
        let mut prob = Vec::with_capacity(len + 1);
        let mut pmf = law.pmf(lo);
        for k in lo..=hi {
            prob.push(pmf);
            if k < hi {
                pmf *= law.up(k);
            }
        }
        prob.push(below + above);
        let at = self.entries.len();
        self.entries.extend(alias(&prob));
        self.tails.push((law, below, above));
        Slot {
            lo,
            at: at as u32,
            len: len as u32,
            exact: false,
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

    /// Bytes of the tables.
    pub fn table_bytes(&self) -> usize {
        self.entries.len() * 8 + self.slots.len() * size_of::<Slot>()
    }

    /// One draw of each cell in `cells` into `out` (resized), one xoshiro256++ uniform per
    /// cell (seeded from `rng`; cells with a fixed count ignore theirs). The table look-ups do
    /// not depend on each other, so their memory reads overlap. rand_distr's samplers and the
    /// tails, rare, are drawn after, further from `rng`.
    pub fn fill(&self, cells: Range<usize>, rng: &mut ChaCha8Rng, out: &mut Vec<f64>) {
        let mut stream = Xoshiro::from(rng);
        let mut rare = false;
        out.clear();
        out.extend(self.slots[cells.clone()].iter().map(|s| {
            let x = stream.next_u64();
            if s.len == 0 {
                rare |= s.exact;
                f64::from_bits(s.lo)
            } else {
                let k = self.pick(s, x);
                rare |= k == s.lo + u64::from(s.len);
                k as f64
            }
        }));
        if !rare {
            return;
        }
        for (i, c) in cells.enumerate() {
            let s = &self.slots[c];
            if s.len == 0 {
                if s.exact {
                    out[i] = self.draw(c, rng);
                }
            } else if out[i] == (s.lo + u64::from(s.len)) as f64 {
                out[i] = self.tail(c, rng.next_u64()) as f64;
            }
        }
    }

    /// The outcome of table slot `s` for the uniform `x`: a count, or `lo + len` for the tails.
    #[inline]
    fn pick(&self, s: &Slot, x: u64) -> u64 {
        // x (len + 1) / 2^64: the integer part is the bucket, the rest the uniform within it.
        let scaled = u128::from(x) * u128::from(s.len + 1);
        let bucket = (scaled >> 64) as usize;
        let entry = self.entries[s.at as usize + bucket];
        let fraction = (scaled as u64) >> 16;
        s.lo + if fraction < entry >> 16 {
            bucket as u64
        } else {
            entry & 0xFFFF
        }
    }

    /// One draw of cell `c`.
    #[inline]
    pub fn draw(&self, c: usize, rng: &mut ChaCha8Rng) -> f64 {
        let s = self.slots[c];
        if s.len == 0 {
            return match (s.exact, self.exact.get(s.at as usize)) {
                (true, Some(Exact::Binomial(d))) => d.sample(rng) as f64,
                (true, Some(Exact::Poisson(d))) => d.sample(rng),
                _ => f64::from_bits(s.lo),
            };
        }
        let k = self.pick(&s, rng.next_u64());
        if k == s.lo + u64::from(s.len) {
            return self.tail(c, rng.next_u64()) as f64;
        }
        k as f64
    }

    /// A count outside table cell `c`'s table, for the uniform `y / 2^64`: by inversion of
    /// the distribution restricted to the tails (walking the masses outward from the table).
    #[cold]
    fn tail(&self, c: usize, y: u64) -> u64 {
        let s = self.slots[c];
        let (law, below, above) = self.tails[c];
        let u = y as f64 / TWO_64 * (below + above);
        if u < below {
            // The largest k < lo with P(k <= X < lo) > below - u ... i.e. walk down from lo - 1.
            let rest = below - u;
            let mut k = s.lo - 1;
            let mut mass = law.pmf(k);
            while mass < rest && k > 0 {
                k -= 1;
                mass += law.pmf(k);
            }
            k
        } else {
            let rest = u - below;
            let mut k = s.lo + u64::from(s.len);
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

/// xoshiro256++ (Blackman and Vigna, Scrambled linear pseudorandom number generators, ACM
/// Trans. Math. Softw. 47(4), 2021): the uniforms of one column's table draws, about twice as
/// fast as ChaCha8, seeded with four of the replication's ChaCha8 numbers.
struct Xoshiro([u64; 4]);

impl Xoshiro {
    fn from(rng: &mut ChaCha8Rng) -> Xoshiro {
        let mut s = [0; 4].map(|_: u64| rng.next_u64());
        if s == [0; 4] {
            s[0] = 1; // the one state it must not start from
        }
        Xoshiro(s)
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
}

impl Slot {
    fn fixed(v: f64) -> Slot {
        Slot {
            lo: v.to_bits(),
            at: 0,
            len: 0,
            exact: false,
        }
    }
}

/// Walker's alias table (Vose's construction) for the probabilities `prob`, one bucket per
/// outcome: bucket `i` yields `i` when the uniform within it falls below its cut-off, else its
/// alias. Packed as `cut << 16 | alias`, the cut-off a 48-bit fraction.
fn alias(prob: &[f64]) -> Vec<u64> {
    let m = prob.len();
    let total: f64 = prob.iter().sum();
    let mut q: Vec<f64> = (0..m).map(|i| prob[i] / total * m as f64).collect();
    let mut alias: Vec<usize> = (0..m).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..m).partition(|&i| q[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        alias[s] = l;
        q[l] -= 1.0 - q[s];
        if q[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // Left over by rounding: keep their own outcome.
    for i in large.into_iter().chain(small) {
        q[i] = 1.0;
    }
    const FULL: f64 = 281_474_976_710_656.0; // 2^48
    q.iter()
        .zip(alias)
        .enumerate()
        .map(|(i, (&q, a))| {
            // A full bucket yields its own outcome whatever the cut-off.
            let (cut, a) = if q >= 1.0 {
                (0, i)
            } else {
                ((q * FULL) as u64, a)
            };
            cut << 16 | a as u64
        })
        .collect()
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
            let m = s.len as usize + 1;
            let mut implied = vec![0.0; m];
            for (i, &e) in d.entries[s.at as usize..][..m].iter().enumerate() {
                let cut = (e >> 16) as f64 / 2f64.powi(48);
                implied[i] += cut / m as f64;
                implied[(e & 0xFFFF) as usize] += (1.0 - cut) / m as f64;
            }
            for (k, &p) in implied.iter().enumerate().take(s.len as usize) {
                let want = law.pmf(s.lo + k as u64);
                assert!((p - want).abs() < 1e-12, "{law:?} k={k} {p} {want}");
            }
            let (_, below, above) = d.tails[c];
            assert!(
                (implied[s.len as usize] - below - above).abs() < 1e-12,
                "{law:?}"
            );
        }
    }

    /// A draw in the tails is the inversion of the distribution restricted to them: over a grid
    /// of uniforms, the count's distribution function brackets the uniform.
    #[test]
    fn tails_invert_the_distribution_function() {
        let d = Draws::new(LAWS.map(Ok));
        for (c, law) in LAWS.into_iter().enumerate() {
            let s = d.slots[c];
            let (_, below, above) = d.tails[c];
            for i in 0..=1024u64 {
                let y = (i << 54).saturating_sub(u64::from(i == 1024));
                let k = d.tail(c, y);
                let u = y as f64 / TWO_64 * (below + above);
                let tol = 1e-15;
                if u < below {
                    assert!(k < s.lo, "{law:?} y={y} k={k}");
                    assert!(law.cdf(k) + tol > u, "{law:?} y={y} k={k}");
                    assert!(k == 0 || law.cdf(k - 1) <= u + tol, "{law:?} y={y} k={k}");
                } else {
                    let rest = above - (u - below); // P(X > k) must fall below it, P(X > k - 1) not
                    assert!(k >= s.lo + u64::from(s.len), "{law:?} y={y} k={k}");
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

    /// The same through [`Draws::fill`], the path replications take: 200,000 columns of the
    /// seven laws plus a small share of a sector (8 of 53).
    #[test]
    fn filled_columns_follow_the_laws() {
        let mut laws = LAWS.to_vec();
        laws.push(Law::Binomial {
            n: 53,
            p: 8.0 / 53.0,
        });
        let d = Draws::new(laws.iter().copied().map(Ok));
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let mut out = Vec::new();
        let mut x = vec![Vec::new(); laws.len()];
        for _ in 0..200_000 {
            d.fill(0..laws.len(), &mut rng, &mut out);
            x.iter_mut().zip(&out).for_each(|(x, &v)| x.push(v as u64));
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

    /// The first outputs of xoshiro256++ from state [1, 2, 3, 4], as the reference C code
    /// (prng.di.unimi.it/xoshiro256plusplus.c) gives them.
    #[test]
    fn xoshiro_matches_its_reference() {
        let mut x = Xoshiro([1, 2, 3, 4]);
        let out: Vec<u64> = (0..3).map(|_| x.next_u64()).collect();
        assert_eq!(out, [41_943_041, 58_720_359, 3_588_806_011_781_223]);
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
        assert!(matches!(d.exact[..], [Exact::Poisson(_)]));
        assert!((d.draw(2, &mut rng) - 1e12).abs() < 1e7);
    }
}
