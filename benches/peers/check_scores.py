"""Check that a peer's scores and ranks equal ours, unit by unit and year by year.

usage: check_scores.py OURS.csv PEER.csv [--year Y]
OURS is `barometer score --format csv` (one year, with --year) or `barometer batch`'s
barometer.csv (all years; one row per indicator, deduplicated here). Score, indicators and rank
must be equal; the composite within 1e-8 (we write 9 decimals). Exit 1 on any difference.
"""

import sys

import polars as pl

TOL = 1e-8


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
    bad = j.filter(
        pl.col("score").is_null()
        | pl.col("score_peer").is_null()
        | (pl.col("score") != pl.col("score_peer"))
        | (pl.col("indicators") != pl.col("indicators_peer"))
        | (pl.col("rank") != pl.col("rank_peer"))
        | (pl.col("composite").is_null() != pl.col("composite_peer").is_null())
        | ((pl.col("composite") - pl.col("composite_peer")).abs() > TOL)
    )
    if bad.height or a.height == 0:
        print(f"MISMATCH {peer_path} vs {ours_path}: {bad.height} of {j.height} unit-years differ")
        print(bad.sort("year", "rank").head(10))
        sys.exit(1)
    print(f"ok  {peer_path}: {a.height} unit-years, {a['year'].n_unique()} year(s), scores and ranks equal")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[a.index("--year") + 1]) if "--year" in a else None)
