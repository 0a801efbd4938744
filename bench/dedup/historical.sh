#!/usr/bin/env bash
# Splink's historical_figures_with_errors_50k (50,578 records of 5,156 people from Wikidata, with
# injected errors): `airbridge dedup` beside Splink 5 with its own tutorial's model
# (bench/dedup/splink_historical.py), each under /usr/bin/time -v, both scored with the bench
# kit's eval_clusters.py. Run from the project root after `cargo build --release -p airbridge`
# and `bash ../shared/bench/setup.sh`. Not a test: times vary with the machine's load.
set -euo pipefail
BIN=$(realpath "${AIRBRIDGE_BIN:-target/release/airbridge}")
SHARED=$(realpath "${SHARED:-../shared}")
PY=${BENCH_PY:-$HOME/.cache/airbridge-bench-venv/bin/python}
DATA="$SHARED/data/linkage/splink/historical_figures_with_errors_50k.csv"
WORK=${BENCH_WORK:-/tmp/airbridge-bench-historical}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"

# The truth (`cluster`) goes to its own file and out of the input both tools read.
python3 - "$DATA" "$WORK" <<'PY'
import csv, sys
data, work = sys.argv[1], sys.argv[2]
with open(data, newline="", encoding="utf-8") as f, \
     open(f"{work}/records.csv", "w", newline="", encoding="utf-8") as out, \
     open(f"{work}/truth.csv", "w", newline="", encoding="utf-8") as truth:
    rows = csv.DictReader(f)
    columns = [c for c in rows.fieldnames if c != "cluster"]
    w, t = csv.writer(out), csv.writer(truth)
    w.writerow(columns)
    t.writerow(["record_id", "entity_id"])
    for row in rows:
        w.writerow([row[c] for c in columns])
        t.writerow([row["unique_id"], row["cluster"]])
PY

timed() { # label, command…: prints the label with wall, CPU and peak RSS
  local label=$1 log="$WORK/$1.time"
  shift
  /usr/bin/time -v "$@" >"$WORK/$label.out" 2>"$log" || { tail -20 "$log" >&2; exit 1; }
  awk -F': ' -v label="$label" '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 / 1024 }
    END { printf "%s: wall %.2f s, CPU %.2f + %.2f s, peak %.0f MB\n", label, wall, user, sys, rss }' "$log"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Names as split in the set (first_name, surname); its full_name column is left out, as in
# Splink's model; occupation has no field in Airbridge and is ignored.
timed airbridge "$BIN" dedup --input "$WORK/records.csv" --output "$WORK/airbridge.csv" \
  --map "unique_id=record_id,full_name=-,first_name=given_name,birth_place=place_of_birth,postcode_fake=postcode,gender=sex"
"$PY" "$SHARED/bench/eval_clusters.py" --truth "$WORK/truth.csv" --clusters "$WORK/airbridge.csv" | tail -1
timed splink "$PY" "$HERE/splink_historical.py" --input "$DATA" --output "$WORK/splink.csv"
"$PY" "$SHARED/bench/eval_clusters.py" --truth "$WORK/truth.csv" --clusters "$WORK/splink.csv" | tail -1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
