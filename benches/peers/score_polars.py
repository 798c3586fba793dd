"""Peer (a) in polars (Python), lazy: read the tidy CSV, score every unit-year, rank.

usage: score_polars.py TIDY.csv BAROMETER.toml OUT.csv [--year Y]
Output: nis,jaar,score,indicators,composite,rank (semantics: src/barometer.rs).
"""

import sys

import polars as pl

from definition import STATUSES_WITH_COUNTS, load

SCHEMA = {
    "nis": pl.String,
    "jaar": pl.Int32,
    "indicator": pl.String,
    "teller": pl.Float64,
    "noemer": pl.Float64,
    "status": pl.String,
    "bron": pl.String,
}


def main(tidy, toml, out, year=None):
    ids, signs, _, margin = load(toml)
    inds = pl.LazyFrame({"indicator": ids, "sign": signs})
    lf = pl.scan_csv(tidy, separator=";", schema=SCHEMA).drop("bron")
    if year is not None:
        lf = lf.filter(pl.col("jaar") == year)
    ok = (
        (pl.col("status").is_null() | pl.col("status").is_in(STATUSES_WITH_COUNTS))
        & pl.col("teller").is_not_null()
        & (pl.col("noemer") > 0)
    )
    known = pl.col("value").is_not_null()
    v, r, s = pl.col("value"), pl.col("ref"), pl.col("sign")
    cells = (
        lf.join(inds, on="indicator", how="inner")
        .with_columns(pl.when(ok).then(pl.col("teller") / pl.col("noemer")).alias("value"))
        .with_columns(
            (
                pl.col("teller").filter(known).sum()
                / pl.col("noemer").filter(known).sum()
            )
            .over("jaar", "indicator")
            .alias("ref")
        )
        .with_columns(
            ((s * (v - r)) > margin * r.abs()).alias("point"),
            pl.when(r != 0).then(s * (v - r) / r.abs()).alias("excess"),
        )
    )
    units = cells.group_by("jaar", "nis").agg(
        pl.col("point").sum().cast(pl.Int32).alias("score"),
        pl.col("point").count().cast(pl.Int32).alias("indicators"),
        pl.col("excess").mean().alias("composite"),
    )
    key = pl.struct(
        pl.col("score"), pl.col("composite").fill_null(float("-inf")).alias("c")
    )
    ranked = units.with_columns(
        key.rank("min", descending=True).over("jaar").cast(pl.Int32).alias("rank")
    ).sort("jaar", "rank", "nis")
    ranked.sink_csv(out)


if __name__ == "__main__":
    a = sys.argv[1:]
    y = int(a[a.index("--year") + 1]) if "--year" in a else None
    main(a[0], a[1], a[2], y)
