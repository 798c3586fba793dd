"""The practical floor of workload (a): polars reads the tidy CSV and nothing else.

usage: read_floor.py TIDY.csv
"""

import sys

import polars as pl

from score_polars import SCHEMA

df = pl.read_csv(sys.argv[1], separator=";", schema=SCHEMA)
print(df.height, file=sys.stderr)
