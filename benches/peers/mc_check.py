"""Statistical agreement of the NumPy peer's Monte Carlo with ours (different random streams, so
never byte-equal). Family-wise error rate ALPHA per check; every tolerance follows from it:

- nominal ranks (no noise): identical, unit by unit;
- rank quantiles (median, 5 %, 95 %): by the Dvoretzky-Kiefer-Wolfowitz inequality each empirical
  rank distribution lies within eps(R) = sqrt(ln(2/a) / (2R)) of the true one, for every rank at
  once, with probability 1 - a. Our type-1 quantile q at level p has F_ours(q) >= p and
  F_ours(q - 1) < p + 1/R, so the peer's distribution must give F_peer(q) >= p - e and
  F_peer(q - 1) <= p + 1/R + e with e = eps(R_ours) + eps(R_peer), a = ALPHA / (2 units);
- probabilities (point per indicator, eligibility): two-sample difference within z standard errors
  plus a continuity term, z the Bonferroni normal quantile for ALPHA over all comparisons;
- Sobol indices: our 95 % bootstrap interval and SALib's S +- conf overlap.
"""

import sys
from statistics import NormalDist

import numpy as np
import pandas as pd

ALPHA = 1e-3


def runs_of(path):
    with open(path) as f:
        for line in f:
            if line.startswith("# parameter runs:"):
                return int(line.split(":")[1])
    raise SystemExit(f"{path}: no '# parameter runs' line")


def check(ours_dir, peer, sorted_ranks, si):
    failures = []
    path = f"{ours_dir}/ranks.csv"
    r_ours, r_peer = runs_of(path), sorted_ranks.shape[0]
    ours = pd.read_csv(path, comment="#", dtype={"unit": str})
    if list(ours["unit"]) != list(peer["unit"]):
        sys.exit("MISMATCH: the units differ")
    n = len(ours)
    bad = (ours["nominal_rank"].to_numpy() != peer["nominal_rank"].to_numpy()).sum()
    if bad:
        failures.append(f"{bad} nominal ranks differ")
    a = ALPHA / (2 * n)
    eps = lambda r: np.sqrt(np.log(2 / a) / (2 * r))
    e = eps(r_ours) + eps(r_peer)
    worst = 0.0
    for col, p in (("median_rank", 0.5), ("rank_p5", 0.05), ("rank_p95", 0.95)):
        q = ours[col].to_numpy()
        le_q = np.empty(n)
        le_q1 = np.empty(n)
        for s in range(0, n, 512):
            block = sorted_ranks[:, s : s + 512].astype(np.int64)
            le_q[s : s + 512] = (block <= q[None, s : s + 512]).mean(0)
            le_q1[s : s + 512] = (block <= q[None, s : s + 512] - 1).mean(0)
        gap = np.maximum(p - le_q, le_q1 - p - 1 / r_ours)
        worst = max(worst, gap.max())
        if (gap > e).any():
            failures.append(f"{(gap > e).sum()} units: {col} outside the DKW band {e:.4f}")
    probs = [c for c in ours.columns if c.startswith("p_")]
    z = NormalDist().inv_cdf(1 - ALPHA / (2 * n * len(probs)))
    zmax = 0.0
    for c in probs:
        x, y = ours[c].to_numpy(), peer[c].to_numpy()
        pbar = (x * r_ours + y * r_peer) / (r_ours + r_peer)
        se = np.sqrt(pbar * (1 - pbar) * (1 / r_ours + 1 / r_peer))
        tol = z * se + 1 / r_ours + 1 / r_peer
        zmax = max(zmax, (np.abs(x - y) / np.maximum(se, 1e-12)).max())
        if (np.abs(x - y) > tol).any():
            failures.append(f"{c}: {(np.abs(x - y) > tol).sum()} units differ by more than {z:.1f} SE")
    if si is not None:
        ours_si = pd.read_csv(f"{ours_dir}/sobol.csv", comment="#").set_index("factor")
        for _, row in si.iterrows():
            o = ours_si.loc[row["factor"]]
            for kind in ("first", "total"):
                lo, hi = row[kind] - row[f"{kind}_conf"], row[kind] + row[f"{kind}_conf"]
                if hi < o[f"{kind}_lo"] or lo > o[f"{kind}_hi"]:
                    failures.append(
                        f"Sobol {kind} {row['factor']}: SALib {row[kind]:.3f} +- {row[f'{kind}_conf']:.3f}"
                        f" vs ours [{o[f'{kind}_lo']:.3f}, {o[f'{kind}_hi']:.3f}]"
                    )
    if failures:
        print("MISMATCH Monte Carlo peer vs ours:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(
        f"ok  NumPy Monte Carlo: {n} units, nominal ranks equal; rank quantiles within the DKW band"
        f" (worst gap {worst:.4f} <= {e:.4f}, runs {r_ours} vs {r_peer}); probabilities within"
        f" {z:.1f} SE (largest {zmax:.1f})" + ("; Sobol intervals overlap" if si is not None else "")
    )
