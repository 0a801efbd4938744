#!/usr/bin/env bash
# Whole-job benchmark of screening (issue 6), with `airbridge` as a user runs it:
#   1. file mode on OpenSanctions yente's UN benchmark (680 perturbed listed names, 50,000
#      synthetic innocents): recall at <= 0.1% false hits, queries/s, CPU, peak memory;
#   2. the same people against UN + OFAC together;
#   3. reading and indexing one list (the UN list, ~1,000 entries), several times;
#   4. with PERSONS set (e.g. 1000000): a registry of that size (`airbridge demo`), the UN list
#      loaded into it, and `airbridge screening run` re-screening everyone.
# Run from the project root after `cargo build --release -p airbridge`. Not a test: figures vary
# with the machine's load, printed before each step.
#
#   AIRBRIDGE_BIN  the binary (default target/release/airbridge)
#   BENCH_WORK     scratch directory (default /tmp/airbridge-bench-screening)
#   SCREEN_PY      python with followthemoney, to build the yente set (default: ../shared/bench's
#                  OpenSanctions venv; `bash ../shared/bench/setup.sh` makes it)
#   PERSONS        registry size for step 4 (default: step 4 skipped)
#   REUSE=1        step 4 on the registry a previous run left in BENCH_WORK (its key kept there)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
BIN="${AIRBRIDGE_BIN:-$ROOT/target/release/airbridge}"
WORK="${BENCH_WORK:-/tmp/airbridge-bench-screening}"
PY="${SCREEN_PY:-$HOME/.cache/airbridge-bench-venv-opensanctions/bin/python}"
DATA="$SHARED/data"
UN="$DATA/sanctions/un/consolidated_2026-05-08.xml"
OFAC="$DATA/sanctions/ofac/2021-04/sdn.csv"
FIX="$DATA/screening/yente-candidate-benchmark"
mkdir -p "$WORK"
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p airbridge" >&2; exit 1; }
load() { echo "(load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"; }
timed() {  # label command...: wall, CPU and peak memory of one run
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, %U + %S s CPU, %M KB peak" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" \
    || { cat "$WORK/$label.err" >&2; exit 1; }
  tail -1 "$WORK/$label.err"
}

SET="$WORK/set"
if [ ! -f "$SET/queries.csv" ]; then
  "$PY" "$SHARED/bench/screening_set.py" --list "$UN" --positives-untreated "$FIX/positives_un_untreated.csv" \
    --positives-treated "$FIX/positives_un_treated.csv" --negatives "$FIX/negatives_global.csv" --out "$SET" >/dev/null
fi
QUERIES=$(($(wc -l < "$SET/queries.csv") - 1))

echo "== 1. yente UN benchmark, $QUERIES queries $(load)"
timed un "$BIN" screen --list "$UN" --input "$SET/queries.csv" --output "$WORK/un.hits.csv" --threshold 0.3
python3 "$SHARED/bench/eval_screening.py" --expected "$SET/expected.csv" --queries "$SET/queries.csv" \
  --hits "$WORK/un.hits.csv" | grep -E '^(fhr<=0.001|recall@)'
grep -o 'in [0-9.]*s (+[0-9.]*s loading, [0-9]*/s)' "$WORK/un.out" || true

echo "== 2. the same people against UN + OFAC $(load)"
timed un_ofac "$BIN" screen --list "$UN,$OFAC" --input "$SET/queries.csv" --output "$WORK/un_ofac.hits.csv" --threshold 0.3
grep -o 'against [0-9]* entries ([0-9]* names) in [0-9.]*s (+[0-9.]*s loading, [0-9]*/s)' "$WORK/un_ofac.out" || true

echo "== 3. reading and indexing the UN list (screening one person), 5 runs $(load)"
printf 'id,name\n1,Abdul Ghani Baradar\n' > "$WORK/one.csv"
for run in 1 2 3 4 5; do
  timed "list_$run" "$BIN" screen --list "$UN" --input "$WORK/one.csv" --output "$WORK/one.hits.csv"
done

if [ -n "${PERSONS:-}" ]; then
  DB="$WORK/registry-$PERSONS.db"
  # The registry's key is kept beside it (a scratch database of synthetic people), so that
  # REUSE=1 can run step 4 again on it.
  [ -f "$WORK/key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/key"
  AIRBRIDGE_DB_KEY="$(cat "$WORK/key")"
  export AIRBRIDGE_DB_KEY
  echo "== 4. a registry of $PERSONS people $(load)"
  if [ "${REUSE:-0}" != 1 ] || [ ! -f "$DB" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    timed demo "$BIN" --db "$DB" demo --persons "$PERSONS" --no-serve
  fi
  timed sanctions_load "$BIN" --db "$DB" sanctions load "$UN"
  cat "$WORK/sanctions_load.out"
  timed screening_run "$BIN" --db "$DB" screening run
  cat "$WORK/screening_run.out"
fi
