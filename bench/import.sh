#!/usr/bin/env bash
# Whole-job benchmark of `airbridge import`: a synthetic CSV of ROWS rows (default 1,000,000) in
# families of 1-6, with Dari and Latin names, Solar Hijri and Gregorian dates, phones and tazkira
# numbers; timed with /usr/bin/time -v (wall, CPU, peak memory) into an empty database.
# Run from the project root after `cargo build --release`. Not a test: numbers vary with load.
set -euo pipefail
ROWS=${ROWS:-1000000}
BIN=${AIRBRIDGE_BIN:-target/release/airbridge}
WORK=${BENCH_WORK:-/tmp/airbridge-bench-import}
mkdir -p "$WORK"
CSV="$WORK/list-$ROWS.csv"
[ -f "$CSV" ] || python3 "$(dirname "${BASH_SOURCE[0]}")/lib/make_list.py" "$CSV" "$ROWS"
DB="$WORK/import.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --db "$DB" init >/dev/null
"$BIN" --db "$DB" nation add FR France >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v "$BIN" --db "$DB" import "$CSV" --nation FR 2>"$WORK/time.txt" | tail -2
grep -E "Elapsed|Maximum resident|User time|System time" "$WORK/time.txt"
wall=$(grep Elapsed "$WORK/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
python3 -c "print('rows/s:', int($ROWS / $wall))"
ls -la "$DB" | awk '{print "database bytes:", $5}'
