"""Peer (b) in NumPy (+ SALib for Sobol): Monte Carlo rank uncertainty of one year, vectorised
over replications in chunks of shape (runs, indicators, units).

usage: mc_numpy.py STORE.parquet BAROMETER.toml YEAR OUT_DIR [--runs R] [--vary F,...]
       [--sobol BASE] [--seed S] [--min-score K] [--budget B] [--key IND] [--check OURS_DIR]

Same model as `barometer sensitivity` (src/stats/montecarlo.rs, problem.rs; methodology
section 16) for the factors reference, cutoff, indicators and sampling; the other factors
(weights, normalisation, aggregation) are not implemented here. Writes OUT_DIR/ranks.csv and,
with --sobol, OUT_DIR/sobol.csv. With --check, compares with our ranks.csv/sobol.csv
(mc_check.py) and exits 1 on disagreement.
"""

import argparse
import os

import numpy as np
import pandas as pd
import polars as pl

from definition import STATUSES_WITH_COUNTS, load

FACTORS = ("reference", "cutoff", "indicators", "sampling")
CELLS_PER_CHUNK = 2_000_000  # runs x indicators x units per chunk: bounds memory


class Problem:
    """The scored year as (indicators, units) arrays, units sorted by code (problem.rs)."""

    def __init__(self, store, toml, year):
        ids, signs, shares, margin = load(toml)
        df = (  # polars reads the store (pyarrow has no filter kernel for its string_view)
            pl.scan_parquet(store)
            .filter((pl.col("year") == year) & pl.col("indicator").is_in(ids))
            .select("unit", "indicator", "numerator", "denominator", "status")
            .collect()
            .to_pandas()
        )
        if df.empty:
            raise SystemExit(f"{store}: no rows for {year}")
        units = np.sort(df["unit"].unique())
        i = np.searchsorted(units, df["unit"].to_numpy())
        j = df["indicator"].map({x: k for k, x in enumerate(ids)}).to_numpy()
        num, den = df["numerator"].to_numpy(float), df["denominator"].to_numpy(float)
        ok = df["status"].isin(STATUSES_WITH_COUNTS).to_numpy() & ~np.isnan(num) & (den > 0)
        k, n = len(ids), len(units)
        self.units, self.ids, self.margin = units, ids, margin
        self.num, self.den = np.zeros((k, n)), np.zeros((k, n))
        self.present = np.zeros((k, n), bool)
        self.num[j[ok], i[ok]], self.den[j[ok], i[ok]] = num[ok], den[ok]
        self.present[j[ok], i[ok]] = True
        self.sign = np.array(signs)[:, None]
        live = self.present & (self.num > 0)
        self.binom = live & np.array(shares)[:, None] & (self.den >= 1)
        self.pois = live & ~self.binom
        self.trials = np.rint(self.den[self.binom]).astype(np.int64)
        self.p = np.clip(self.num[self.binom] / self.den[self.binom], 0, 1)
        self.lam = self.num[self.pois]

    def resample(self, rng, m):
        """m resampled numerator sets (m, k, n): binomial for shares, Poisson otherwise."""
        a = np.zeros((m,) + self.num.shape)
        a[:, self.binom] = rng.binomial(self.trials, self.p, size=(m, self.trials.size))
        a[:, self.pois] = rng.poisson(self.lam, size=(m, self.lam.size))
        return a

    def replicate(self, a, ref_level, margin, dropped):
        """Scores and ranks of c replications: numerators a (c, k, n) or (k, n); per replication
        the reference level (0 Flemish, 1 mean, 2 median), the margin and the indicator left out
        (-1 none). Returns ranks (c, n) int32, points (c, k, n) bool, scores (c, n)."""
        c, (k, n) = len(ref_level), self.num.shape
        a = np.broadcast_to(a, (c, k, n))
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(self.present, a / self.den, np.nan)
            ref = (a * self.present).sum(2) / (self.den * self.present).sum(1)
            if (ref_level == 1).any():
                ref = np.where(ref_level[:, None] == 1, np.nanmean(v, 2), ref)
            if (ref_level == 2).any():
                ref = np.where(ref_level[:, None] == 2, np.nanmedian(v, 2), ref)
            r = ref[:, :, None]
            diff = self.sign * (v - r)
            points = diff > margin[:, None, None] * np.abs(r)
            excess = np.where(r != 0, diff / np.abs(r), np.nan)
        w = (np.arange(k)[None, :] != dropped[:, None]).astype(float)[:, :, None]
        score = (points * w).sum(1)
        counted = ~np.isnan(excess) & (w > 0)
        wsum = counted.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            comp = np.where(counted, excess, 0).sum(1) / wsum
        comp = np.where(wsum > 0, comp, -np.inf)
        return competition_ranks(score, comp), points, score


def tie_key(c):
    """The composite rounded to 12 significant digits, as barometer::tie_key: composites equal in
    exact arithmetic but apart in the last bits (another order of summation) tie. Rust's round
    is half away from zero; 10**e is exact for the exponents met here."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        fin = np.isfinite(c) & (c != 0)
        e = np.where(fin, 11 - np.floor(np.log10(np.abs(np.where(fin, c, 1.0)))), 0)
        scale = 10.0**e
        ok = fin & np.isfinite(scale) & (scale != 0)
        x = c * scale
        r = np.copysign(np.floor(np.abs(x) + 0.5), x) / scale
    return np.where(ok, r, c)


def competition_ranks(score, comp):
    """Rank 1 = highest score, then highest composite (compared by tie_key); ties share the
    lowest rank."""
    comp = tie_key(comp)
    order = np.lexsort((-comp, -score), axis=-1)
    s, c = np.take_along_axis(score, order, -1), np.take_along_axis(comp, order, -1)
    pos = np.arange(1, score.shape[-1] + 1)
    new = np.ones_like(s, bool)
    new[:, 1:] = (s[:, 1:] != s[:, :-1]) | (c[:, 1:] != c[:, :-1])
    ranked = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    ranks = np.empty_like(order, dtype=np.int32)
    np.put_along_axis(ranks, order, ranked.astype(np.int32), -1)
    return ranks


def levels(prob, factors, u):
    """Map a design (m, d) of uniforms to per-replication choices (montecarlo.rs, Space)."""
    m, k = len(u), prob.num.shape[0]
    lvl = lambda col, n_levels: np.minimum((col * n_levels).astype(int), n_levels - 1)
    ref, margin = np.zeros(m, int), np.full(m, prob.margin)
    dropped, noise = np.full(m, -1), None
    for f, col in zip(factors, u.T):
        if f == "reference":
            ref = lvl(col, 3)
        elif f == "cutoff":
            margin = prob.margin + 0.05 * lvl(col, 3)
        elif f == "indicators":
            dropped = lvl(col, k + 1) - 1
        elif f == "sampling":
            noise = col
    return ref, margin, dropped, noise


def evaluate(prob, factors, u, rng, sink):
    """Run the replications of design u in chunks; sink(ranks, points, score) per chunk.
    Rows with the same sampling number share one resampled data set (as our seed does)."""
    k, n = prob.num.shape
    chunk = max(1, CELLS_PER_CHUNK // (k * n))
    for s in range(0, len(u), chunk):
        ref, margin, dropped, noise = levels(prob, factors, u[s : s + chunk])
        if noise is None:
            a = prob.num
        else:
            uniq, inv = np.unique(noise, return_inverse=True)
            a = prob.resample(rng, len(uniq))[inv]
        sink(*prob.replicate(a, ref, margin, dropped))


def monte_carlo(prob, factors, runs, rng, min_score, budget, key):
    k, n = prob.num.shape
    nominal = prob.replicate(prob.num, np.zeros(1, int), np.full(1, prob.margin), np.full(1, -1))[0][0]
    dtype = np.uint16 if n < 2**16 else np.uint32
    ranks = np.empty((runs, n), dtype)
    acc = {"row": 0, "points": np.zeros((k, n)), "eligible": np.zeros(n), "cents": np.zeros(n)}
    cents_budget = round(budget * 100)

    def sink(r, points, score):
        m, row = len(r), acc["row"]
        ranks[row : row + m] = r
        acc["row"] += m
        acc["points"] += points.sum(0)
        elig = score >= min_score - 1e-9
        acc["eligible"] += elig.sum(0)
        ksum = (elig * key).sum(1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(elig & (ksum > 0), np.floor(cents_budget * key / ksum), 0)
        acc["cents"] += share.sum(0)

    evaluate(prob, factors, rng.random((runs, len(factors))), rng, sink)
    ranks.sort(axis=0)
    at = lambda p: ranks[max(1, int(np.ceil(p * runs))) - 1]
    out = pd.DataFrame(
        {
            "unit": prob.units,
            "nominal_rank": nominal,
            "median_rank": at(0.5),
            "rank_p5": at(0.05),
            "rank_p95": at(0.95),
        }
    )
    for j, i in enumerate(prob.ids):
        out[f"p_point_{i}"] = acc["points"][j] / runs
    out["p_eligible"] = acc["eligible"] / runs
    out["expected_amount"] = (acc["cents"] / runs / 100).round(2)
    return out, ranks, nominal


def sobol(prob, factors, base, seed, rng):
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": len(factors), "names": list(factors), "bounds": [[0, 1]] * len(factors)}
    u = sample.sample(problem, base, calc_second_order=False, seed=seed)
    nominal = prob.replicate(prob.num, np.zeros(1, int), np.full(1, prob.margin), np.full(1, -1))[0][0]
    ys = []
    evaluate(prob, factors, u, rng, lambda r, *_: ys.append(np.abs(r - nominal).mean(1)))
    si = analyze.analyze(
        problem, np.concatenate(ys), calc_second_order=False, num_resamples=1000, seed=seed
    )
    return pd.DataFrame(
        {"factor": factors, "first": si["S1"], "first_conf": si["S1_conf"],
         "total": si["ST"], "total_conf": si["ST_conf"]}
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("toml")
    ap.add_argument("year", type=int)
    ap.add_argument("out")
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--vary", default="sampling")
    ap.add_argument("--sobol", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-score", type=float, default=4.0)
    ap.add_argument("--budget", type=float, default=4_500_000.0)
    ap.add_argument("--key", default=None)
    ap.add_argument("--check", default=None, help="our sensitivity output folder")
    a = ap.parse_args()
    factors = [f for f in a.vary.split(",") if f]
    if any(f not in FACTORS for f in factors):
        raise SystemExit(f"--vary: the peer implements {','.join(FACTORS)}")
    prob = Problem(a.store, a.toml, a.year)
    key_id = a.key or ("kinderen-zonder-werk" if "kinderen-zonder-werk" in prob.ids else prob.ids[0])
    key = prob.den[prob.ids.index(key_id)]
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    summary, ranks, nominal = monte_carlo(prob, factors, a.runs, rng, a.min_score, a.budget, key)
    summary.to_csv(os.path.join(a.out, "ranks.csv"), index=False)
    si = None
    if a.sobol:
        si = sobol(prob, factors, a.sobol, a.seed, rng)
        si.to_csv(os.path.join(a.out, "sobol.csv"), index=False)
    if a.check:
        import mc_check

        mc_check.check(a.check, summary, ranks, si)


if __name__ == "__main__":
    main()
