#!/usr/bin/env bash
# Side-by-side comparison of barometer with the tools users would pick instead: pandas, polars
# (Python), DuckDB SQL, and NumPy + SALib for the Monte Carlo and Sobol part (benches/peers/).
#
#   benches/compare.sh [small|medium|full]      (default: small)
#
# 1. installs the peers (pip, pinned in benches/peers/requirements.txt) into benches/.venv and
#    builds our release binary;
# 2. generates the inputs (one marked step below);
# 3. runs every side once and checks that each peer gives our results: the same score, number of
#    indicators and rank for every unit-year (composite within 1e-8), and for the Monte Carlo the
#    same nominal ranks and statistically agreeing rank quantiles, probabilities and Sobol
#    indices (benches/peers/mc_check.py states the tolerances); any difference stops the script;
# 4. times each side in turn on the same files (REPS repetitions, round robin) and prints the
#    median wall time, the ratio to ours and the peak resident memory (GNU time) per workload.
#
# Workloads: score+rank of one year and of all years from the tidy CSV, as the peers do (ours:
# batch --tidy --table units --format csv: read and check the CSV as ingest does, score, rank,
# one row per unit-year as CSV, as the peers write; all years also with batch's default of CSV
# and Parquet, through a store (ingest, then batch --store), and with batch's default long
# table, one row per unit-year and indicator, which the peers do not write), the floor (polars
# reading the CSV), Monte Carlo and Sobol (ours: sensitivity --format csv, the CSV tables the
# peer writes; also with sensitivity's default outputs, which add a workbook and charts).
#
# Environment: BIN (our binary; default: build target/release/barometer), SECTORS (full only),
# REPS (repetitions), MC_RUNS (0 skips the Monte Carlo and Sobol workloads, checks included),
# SOBOL_BASE (0 skips the Sobol workload; below about 1024 the
# first-order estimates are too noisy for the overlap check when the factors interact strongly),
# WORK (scratch folder, default target/compare; generated files are deleted unless KEEP=1).
set -euo pipefail

SIZE=${1:-small}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/target/compare}
VENV=$ROOT/benches/.venv
PEERS=$ROOT/benches/peers
case $SIZE in
small) : "${REPS:=3}" "${MC_RUNS:=2000}" "${SOBOL_BASE:=1024}" ;;
medium) : "${REPS:=5}" "${MC_RUNS:=10000}" "${SOBOL_BASE:=1024}" ;;
full) : "${REPS:=3}" "${MC_RUNS:=1000}" "${SOBOL_BASE:=0}" ;;
*) echo "usage: $0 [small|medium|full]" >&2 && exit 2 ;;
esac
FACTORS=reference,cutoff,indicators,sampling # the factors the NumPy peer implements

say() { printf '\n== %s\n' "$*" >&2; }

say "installing the peers into $VENV and building barometer (release)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$PEERS/requirements.txt"
if [ -z "${BIN:-}" ]; then # BIN=path runs another build of ours instead
	(cd "$ROOT" && cargo build --release --quiet --bin barometer)
	BIN=$ROOT/target/release/barometer
fi
PY=$VENV/bin/python
rm -rf "$WORK" && mkdir -p "$WORK/in" "$WORK/out"

# === 2. INPUTS: the one step to switch to the sector generator ===================================
# Sets TIDY (tidy CSV), STORE (a store of the same data, input of the Monte Carlo), TOML
# (barometer definition), YEARS (a..b, for batch) and YEAR (the year scored alone and resampled).
generate_inputs() {
	TOML=$ROOT/data/barometers/kinderarmoede.toml
	TIDY=$WORK/in/tidy.csv
	STORE=$WORK/in/store.parquet
	case $SIZE in
	small) # the municipal demo: 300 municipalities x 2008-2023 x 8 indicators (38,400 rows)
		"$BIN" demo --out "$TIDY" >/dev/null
		YEARS=2008..2023 YEAR=2023
		;;
	medium) # the demo's 16 years repeated 8 times as 1972-2099 (307,200 rows): decades, not sectors
		"$BIN" demo --out "$WORK/in/demo.csv" >/dev/null
		awk -F';' 'BEGIN { OFS = ";" } NR == 1 { print; next }
			{ y = $2; for (b = 0; b < 8; b++) { $2 = y - 36 + 16 * b; print } }' \
			"$WORK/in/demo.csv" >"$TIDY"
		rm "$WORK/in/demo.csv"
		YEARS=1972..2099 YEAR=2099
		;;
	full) # statistical sectors (issue 7, item 1): SECTORS (default 20,000) x 2000-2023 x 12 indicators
		"$BIN" demo --help | grep -q -- '--units' || {
			echo "SIZE=full needs 'barometer demo --units sectors' (not in this build)" >&2
			exit 2
		}
		"$BIN" demo --units sectors --sectors "${SECTORS:-20000}" --years 2000..2023 --indicators 12 \
			--seed 1 --out "$WORK/in" --quiet >/dev/null
		TOML=$WORK/in/barometer.toml
		YEARS=2000..2023 YEAR=2023
		;;
	esac
	[ -f "$STORE" ] || "$BIN" ingest --tidy "$TIDY" --store "$STORE" --barometer "$TOML" >/dev/null
}
say "generating the inputs ($SIZE)"
generate_inputs
echo "tidy CSV: $(du -h "$TIDY" | cut -f1), $(($(wc -l <"$TIDY") - 1)) rows; years $YEARS" >&2
# =================================================================================================

O=$WORK/out
S=$WORK/out/store.parquet
OURS_ONE="$BIN batch --years $YEAR --tidy $TIDY --barometer $TOML --table units --format csv --out $O/one --quiet"
OURS_ALL="$BIN batch --years $YEARS --tidy $TIDY --barometer $TOML --table units --format csv --out $O/batch --quiet"
OURS_BOTH="$BIN batch --years $YEARS --tidy $TIDY --barometer $TOML --table units --out $O/batch_both --quiet"
OURS_STORE="rm -f $S; $BIN ingest --tidy $TIDY --store $S --barometer $TOML && $BIN batch --years $YEARS --store $S --barometer $TOML --table units --format csv --out $O/batch_store --quiet"
OURS_LONG="$BIN batch --years $YEARS --tidy $TIDY --barometer $TOML --format csv --out $O/batch_long --quiet"
# The Monte Carlo and Sobol workloads write the CSV tables the peer writes (--format csv);
# sensitivity's default adds the workbook and the charts (the row "all outputs").
OURS_MC="$BIN sensitivity --year $YEAR --store $STORE --barometer $TOML --runs $MC_RUNS --vary sampling --sobol 0 --format csv --out $O/mc_ours --quiet"
OURS_MC_ALL="$BIN sensitivity --year $YEAR --store $STORE --barometer $TOML --runs $MC_RUNS --vary sampling --sobol 0 --out $O/mc_all --quiet"
OURS_SOBOL="$BIN sensitivity --year $YEAR --store $STORE --barometer $TOML --runs 1 --vary $FACTORS --sobol $SOBOL_BASE --format csv --out $O/sobol_ours --quiet"
MC="cd $PEERS && $PY mc_numpy.py $STORE $TOML $YEAR"
PEER_MC="$MC $O/mc_numpy --runs $MC_RUNS --vary sampling"
PEER_SOBOL="$MC $O/sobol_numpy --runs 1 --vary $FACTORS --sobol $SOBOL_BASE"
peer() { echo "cd $PEERS && $PY score_$1.py $TIDY $TOML $O/$1_$2.csv ${3:-}"; }

say "checking that every peer gives our results"
sh -c "$OURS_ONE" 2>/dev/null
sh -c "$OURS_ALL" 2>/dev/null
sh -c "$OURS_BOTH" 2>/dev/null
sh -c "$OURS_STORE" >/dev/null 2>&1
# The store route, and the default of both tables, give the same CSV table as scoring the CSV
# straight away.
cmp <(grep -v '^#' "$O/batch/barometer.csv") <(grep -v '^#' "$O/batch_store/barometer.csv")
cmp <(grep -v '^#' "$O/batch/barometer.csv") <(grep -v '^#' "$O/batch_both/barometer.csv")
for tool in pandas polars duckdb; do
	sh -c "$(peer "$tool" one "--year $YEAR")"
	sh -c "$(peer "$tool" all)"
	"$PY" "$PEERS/check_scores.py" "$O/one/barometer.csv" "$O/${tool}_one.csv"
	"$PY" "$PEERS/check_scores.py" "$O/batch/barometer.csv" "$O/${tool}_all.csv"
done
[ "$MC_RUNS" -gt 0 ] || SOBOL_BASE=0
if [ "$MC_RUNS" -gt 0 ]; then
	sh -c "$OURS_MC" >/dev/null
	sh -c "$PEER_MC --check $O/mc_ours"
fi
if [ "$SOBOL_BASE" -gt 0 ]; then
	sh -c "$OURS_SOBOL" >/dev/null
	sh -c "$PEER_SOBOL --check $O/sobol_ours"
fi

say "timing: $REPS repetitions, each side in turn"
FLOOR="cd $PEERS && $PY read_floor.py $TIDY"
cat >"$WORK/commands.txt" <<EOF
score+rank $YEAR | barometer | $OURS_ONE
score+rank $YEAR | pandas | $(peer pandas one "--year $YEAR")
score+rank $YEAR | polars | $(peer polars one "--year $YEAR")
score+rank $YEAR | duckdb | $(peer duckdb one "--year $YEAR")
score+rank $YEARS | barometer | $OURS_ALL
score+rank $YEARS | barometer, CSV + Parquet (batch's default) | $OURS_BOTH
score+rank $YEARS | barometer, ingest + batch --store | $OURS_STORE
score+rank $YEARS | barometer, long table | $OURS_LONG
score+rank $YEARS | pandas | $(peer pandas all)
score+rank $YEARS | polars | $(peer polars all)
score+rank $YEARS | duckdb | $(peer duckdb all)
score+rank $YEARS | polars read_csv only (floor) | $FLOOR
EOF
[ "$MC_RUNS" -eq 0 ] || cat >>"$WORK/commands.txt" <<EOF
Monte Carlo $MC_RUNS runs | barometer | $OURS_MC
Monte Carlo $MC_RUNS runs | barometer, all outputs (workbook and charts too) | $OURS_MC_ALL
Monte Carlo $MC_RUNS runs | numpy | $PEER_MC
EOF
[ "$SOBOL_BASE" -eq 0 ] || cat >>"$WORK/commands.txt" <<EOF
Sobol base $SOBOL_BASE | barometer | $OURS_SOBOL
Sobol base $SOBOL_BASE | numpy+SALib | $PEER_SOBOL
EOF
"$PY" "$PEERS/bench.py" "$WORK/commands.txt" "$REPS" "$WORK/table.md"
{
	echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
	echo "  $(free -g | awk '/Mem:/ {print $2}') GB RAM; $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "input: $(du -h "$TIDY" | cut -f1) tidy CSV, $(($(wc -l <"$TIDY") - 1)) rows, years $YEARS"
	echo "command: benches/compare.sh $SIZE (REPS=$REPS MC_RUNS=$MC_RUNS SOBOL_BASE=$SOBOL_BASE)"
} | tee -a "$WORK/table.md"
[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK/in" "$WORK/out"
echo "table: $WORK/table.md" >&2
