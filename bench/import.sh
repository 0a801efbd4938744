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
if [ ! -f "$CSV" ]; then
  python3 - "$CSV" "$ROWS" <<'PY'
import csv, random, sys
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
given = ["Mohammad", "Ahmad", "Hashem", "Farid", "Karim", "Fatima", "Zahra", "Maryam",
         "محمد", "احمد", "فرید", "زهرا", "مریم", "Abdul Rahman", "Nasrullah", "Shabnam"]
family = ["Ahmadzai", "Popalzai", "Rahimi", "Karimi", "احمدزی", "رحیمی", "Sadat", "", ""]
relations = ["wife", "son", "daughter", "child", "mother"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Family ID", "Relation", "Given name", "Surname", "Father name",
                "Date of birth", "Tazkira", "Phone", "Sex"])
    n, fam = 0, 0
    while n < rows:
        fam += 1
        size = min(rng.randint(1, 6), rows - n)
        for k in range(size):
            dob = (f"{rng.randint(1330, 1400)}/{rng.randint(1, 12):02}/{rng.randint(1, 29):02}"
                   if rng.random() < 0.5 else str(rng.randint(1950, 2020)))
            w.writerow([f"F{fam}", "principal" if k == 0 else rng.choice(relations),
                        rng.choice(given), rng.choice(family), rng.choice(given), dob,
                        f"1400-{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}",
                        f"07{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}",
                        rng.choice(["m", "f"])])
        n += size
PY
fi
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
