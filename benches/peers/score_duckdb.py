"""Peer (a) in DuckDB SQL: read_csv with explicit types, the Flemish reference as a grouped
aggregate, points and composite per unit-year, rank() window per year.

usage: score_duckdb.py TIDY.csv BAROMETER.toml OUT.csv [--year Y]
Output: nis,jaar,score,indicators,composite,rank (semantics: src/barometer.rs).
"""

import sys

import duckdb

from definition import STATUSES_WITH_COUNTS, load

SQL = """
WITH raw AS (
  SELECT nis, jaar, indicator, teller, noemer, status
  FROM read_csv($tidy, delim = ';', header = true, auto_detect = false,
    columns = {'nis': 'VARCHAR', 'jaar': 'INTEGER', 'indicator': 'VARCHAR',
               'teller': 'DOUBLE', 'noemer': 'DOUBLE', 'status': 'VARCHAR', 'bron': 'VARCHAR'})
  WHERE $year IS NULL OR jaar = $year
),
cells AS (
  SELECT r.jaar, r.nis, r.indicator, i.sign,
    CASE WHEN (r.status IS NULL OR r.status IN (@statuses@))
              AND r.teller IS NOT NULL AND r.noemer > 0
         THEN r.teller / r.noemer END AS value,
    CASE WHEN value IS NOT NULL THEN r.teller END AS n,
    CASE WHEN value IS NOT NULL THEN r.noemer END AS d
  FROM raw r JOIN (VALUES @indicators@) AS i(indicator, sign) USING (indicator)
),
refs AS (
  SELECT jaar, indicator, sum(n) / nullif(sum(d), 0) AS ref
  FROM cells GROUP BY jaar, indicator
),
marks AS (
  SELECT c.jaar, c.nis,
    c.sign * (c.value - f.ref) > $margin * abs(f.ref) AS point,
    CASE WHEN f.ref <> 0 THEN c.sign * (c.value - f.ref) / abs(f.ref) END AS excess
  FROM cells c JOIN refs f USING (jaar, indicator)
),
units AS (
  SELECT jaar, nis, count(*) FILTER (WHERE point)::INTEGER AS score,
    count(point)::INTEGER AS indicators, avg(excess) AS composite
  FROM marks GROUP BY jaar, nis
)
SELECT jaar, nis, score, indicators, composite,
  rank() OVER (PARTITION BY jaar
               ORDER BY score DESC, coalesce(composite, '-inf'::DOUBLE) DESC)::INTEGER AS rank
FROM units ORDER BY jaar, rank, nis
"""


def main(tidy, toml, out, year=None):
    ids, signs, _, margin = load(toml)
    indicators = ", ".join(f"('{i}', {s})" for i, s in zip(ids, signs))
    statuses = ", ".join(f"'{s}'" for s in STATUSES_WITH_COUNTS)
    sql = SQL.replace("@indicators@", indicators).replace("@statuses@", statuses)
    con = duckdb.connect()
    con.sql(sql, params={"tidy": tidy, "year": year, "margin": margin}).write_csv(out)


if __name__ == "__main__":
    a = sys.argv[1:]
    y = int(a[a.index("--year") + 1]) if "--year" in a else None
    main(a[0], a[1], a[2], y)
