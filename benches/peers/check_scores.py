"""Check that a peer's scores and ranks equal ours, unit by unit and year by year.

usage: check_scores.py OURS.csv PEER.csv [--year Y]
OURS is `barometer score --format csv` (one year, with --year) or `barometer batch`'s
barometer.csv (all years; `--table units`: one row per unit-year, or the long table: one row per
indicator, deduplicated here). Score, indicators and rank
must be equal and the composite within 1e-8 (we write 9 decimals). Ranks must be equal, except
where two composites differ by floating-point rounding only (relative 1e-12: the same mean summed
in another order): there a rank may be any within that near-tie, computed from the peer's full
precision composites. Such cases are counted and printed. Exit 1 on any other difference.
"""

import sys

import numpy as np
import polars as pl

TOL = 1e-8
ULP_TIE = 1e-12


def near_tie_band(df):
    """Lowest and highest rank each unit-year could take if composites within ULP_TIE were tied."""
    out = []
    for (_, score), g in df.group_by("year", "score"):
        c = g["composite"].fill_null(-np.inf).to_numpy()
        tol = ULP_TIE * np.maximum(1.0, np.abs(np.where(np.isfinite(c), c, 0)))
        srt = np.sort(c)
        above = len(srt) - np.searchsorted(srt, c + tol, "right")
        at_least = len(srt) - np.searchsorted(srt, c - tol, "left")
        out.append(g.select("year", "unit").with_columns(
            pl.Series("above", above), pl.Series("at_least", at_least), pl.lit(score).alias("score")))
    band = pl.concat(out)
    better = df.group_by("year", "score").len().with_columns(
        pl.col("len").sum().over("year").alias("total"))
    better = better.sort("year", "score", descending=[False, True]).with_columns(
        (pl.col("len").cum_sum().over("year") - pl.col("len")).alias("higher"))
    return band.join(better.select("year", "score", "higher"), on=["year", "score"]).select(
        "year", "unit",
        (pl.col("higher") + pl.col("above") + 1).alias("rank_lo"),
        (pl.col("higher") + pl.col("at_least")).alias("rank_hi"))


def ours(path, year):
    df = pl.read_csv(path, comment_prefix="#", infer_schema_length=0)
    if year is not None:
        df = df.rename({"nis": "unit"}).with_columns(pl.lit(str(year)).alias("year"))
    return df.select("year", "unit", "score", "indicators", "composite", "rank").unique()


def main(ours_path, peer_path, year=None):
    a = ours(ours_path, year)
    b = pl.read_csv(peer_path, infer_schema_length=0).rename({"jaar": "year", "nis": "unit"})
    cast = [pl.col("year", "score", "indicators", "rank").cast(pl.Int64), pl.col("composite").cast(pl.Float64)]
    a, b = a.with_columns(cast), b.with_columns(cast)
    j = a.join(b, on=["year", "unit"], how="full", suffix="_peer", coalesce=True)
    j = j.join(near_tie_band(b), on=["year", "unit"], how="left")
    in_band = pl.col("rank").is_between(pl.col("rank_lo"), pl.col("rank_hi")) & pl.col(
        "rank_peer"
    ).is_between(pl.col("rank_lo"), pl.col("rank_hi"))
    near = j.filter((pl.col("rank") != pl.col("rank_peer")) & in_band).height
    bad = j.filter(
        pl.col("score").is_null()
        | pl.col("score_peer").is_null()
        | (pl.col("score") != pl.col("score_peer"))
        | (pl.col("indicators") != pl.col("indicators_peer"))
        | ((pl.col("rank") != pl.col("rank_peer")) & ~in_band.fill_null(False))
        | (pl.col("composite").is_null() != pl.col("composite_peer").is_null())
        | ((pl.col("composite") - pl.col("composite_peer")).abs() > TOL)
    )
    if bad.height or a.height == 0:
        print(f"MISMATCH {peer_path} vs {ours_path}: {bad.height} of {j.height} unit-years differ")
        print(bad.sort("year", "rank").head(10))
        sys.exit(1)
    ties = f" ({near} ranks differ only within floating-point near-ties)" if near else ""
    print(f"ok  {peer_path}: {a.height} unit-years, {a['year'].n_unique()} year(s), scores and ranks equal{ties}")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[a.index("--year") + 1]) if "--year" in a else None)
