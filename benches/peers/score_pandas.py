"""Peer (a) in pandas: read the tidy CSV (pyarrow engine, explicit dtypes), score every
unit-year with groupby/transform, competition-rank within each year.

usage: score_pandas.py TIDY.csv BAROMETER.toml OUT.csv [--year Y]
Output: nis,jaar,score,indicators,composite,rank (semantics: src/barometer.rs).
"""

import sys

import numpy as np
import pandas as pd

from definition import STATUSES_WITH_COUNTS, load

DTYPES = {
    "nis": "string[pyarrow]",
    "jaar": "int32",
    "indicator": "string[pyarrow]",
    "teller": "float64",
    "noemer": "float64",
    "status": "string[pyarrow]",
}


def main(tidy, toml, out, year=None):
    ids, signs, _, margin = load(toml)
    df = pd.read_csv(
        tidy, sep=";", engine="pyarrow", dtype=DTYPES, usecols=list(DTYPES)
    )
    if year is not None:
        df = df[df["jaar"] == year]
    sign = df["indicator"].map(dict(zip(ids, signs)))
    df = df.assign(sign=sign)[sign.notna()]
    ok = (
        (df["status"].isna() | df["status"].isin(STATUSES_WITH_COUNTS))
        & df["teller"].notna()
        & (df["noemer"] > 0)
    ).to_numpy(dtype=bool)
    num = df["teller"].where(ok)
    den = df["noemer"].where(ok)
    g = pd.DataFrame({"jaar": df["jaar"], "indicator": df["indicator"], "n": num, "d": den})
    sums = g.groupby(["jaar", "indicator"], sort=False)[["n", "d"]].transform("sum")
    ref = (sums["n"] / sums["d"].where(sums["d"] > 0)).to_numpy()
    value = (num / den).to_numpy()
    s = df["sign"].to_numpy()
    known = ~np.isnan(value) & ~np.isnan(ref)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = np.where(known, s * (value - ref) > margin * np.abs(ref), False)
        excess = np.where(ref != 0, s * (value - ref) / np.abs(ref), np.nan)
    cells = pd.DataFrame(
        {
            "jaar": df["jaar"].to_numpy(),
            "nis": df["nis"].to_numpy(),
            "point": point.astype(np.int32),
            "known": known.astype(np.int32),
            "excess": excess,
        }
    )
    units = (
        cells.groupby(["jaar", "nis"], sort=False)
        .agg(score=("point", "sum"), indicators=("known", "sum"), composite=("excess", "mean"))
        .reset_index()
    )
    units["c"] = units["composite"].fillna(-np.inf)
    units = units.sort_values(
        ["jaar", "score", "c", "nis"], ascending=[True, False, False, True], ignore_index=True
    )
    new = (
        units["jaar"].ne(units["jaar"].shift())
        | units["score"].ne(units["score"].shift())
        | units["c"].ne(units["c"].shift())
    )
    pos = units.groupby("jaar").cumcount() + 1
    units["rank"] = pos.where(new).ffill().astype(np.int32)
    units[["jaar", "nis", "score", "indicators", "composite", "rank"]].to_csv(out, index=False)


if __name__ == "__main__":
    a = sys.argv[1:]
    y = int(a[a.index("--year") + 1]) if "--year" in a else None
    main(a[0], a[1], a[2], y)
