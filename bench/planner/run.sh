#!/usr/bin/env bash
# The planner benchmark: generates Kabul-2021-shaped instances (generate.py), plans each with the
# fast planner (release build) and with the MILP (HiGHS, time-limited), and prints one table:
# instance size, our time and objective, the MILP's time and proven optimum or bound, and gaps.
# Then a re-plan after the largest flight of the Kabul-scale instance is cancelled.
#
#   bench/planner/run.sh                 # everything (the Kabul-scale MILP is skipped)
#   SIZES="3000:120:1" bench/planner/run.sh
#   MILP_LIMIT=600 bench/planner/run.sh  # seconds per MILP (default 300)
#   MILP_PROFILE=dev bench/planner/run.sh  # MILP example in a debug build (HiGHS itself is always
#                                          # built optimised), to avoid a second HiGHS build
#
# Figures are from one run on a shared 2-core machine: ratios matter more than absolute times.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"   # the workspace's own, unless set
WORK="${WORK:-${TMPDIR:-/tmp}/airbridge-planner-bench}"
SIZES="${SIZES:-500:30:1 1000:60:1 3000:120:1 3000:120:2 3000:120:3 30000:780:2021}"
MILP_LIMIT="${MILP_LIMIT:-300}"
MILP_PROFILE="${MILP_PROFILE:-release}"
MILP_MAX_CASES="${MILP_MAX_CASES:-5000}"

cargo build -q --release -p airbridge-planner --example plan_files
if [ "$MILP_PROFILE" = release ]; then
  cargo build -q --release -p airbridge-planner-milp --example milp_files
  milp="$CARGO_TARGET_DIR/release/examples/milp_files"
else
  cargo build -q -p airbridge-planner-milp --example milp_files
  milp="$CARGO_TARGET_DIR/debug/examples/milp_files"
fi
fast="$CARGO_TARGET_DIR/release/examples/plan_files"

field() { # field NAME LINE: the token after NAME
  awk -v name="$1" '{ for (i = 1; i < NF; i++) if ($i == name) { print $(i + 1); exit } }' <<<"$2"
}

printf '| instance | cases / people | flights | fast: time | fast: objective | fast: bound (gap) | MILP: time | MILP: objective | MILP: bound, status | fast vs MILP |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for size in $SIZES; do
  IFS=: read -r cases flights seed <<<"$size"
  dir="$WORK/${cases}x${flights}-s${seed}"
  summary=$(python3 bench/planner/generate.py --cases "$cases" --flights "$flights" --seed "$seed" --out "$dir")
  people=$(sed -E 's/.*\(([0-9]+) people.*/\1/' <<<"$summary")
  out=$("$fast" "$dir/cases.csv" "$dir/flights.csv")
  line=$(grep '^read' <<<"$out")
  f_time=$(field plan "$line")
  f_obj=$(field objective "$line")
  f_bound=$(field bound "$line")
  f_gap=$(field gap "$line")
  replan=$(grep '^replan' <<<"$out" || true)
  if [ "$cases" -le "$MILP_MAX_CASES" ]; then
    m=$("$milp" "$dir/cases.csv" "$dir/flights.csv" "$MILP_LIMIT")
    m_time="$(field seconds "$m") s"
    m_obj=$(field objective "$m")
    m_bound=$(field bound "$m")
    m_status=$(field status "$m")
    [ "$(field proven "$m")" = true ] && m_status="proven optimal"
    versus=$(python3 -c "o=$m_obj; f=$f_obj; print(f'{100*(o-f)/o:.3f}% below')")
  else
    m_time="—"; m_obj="—"; m_bound="—"; m_status="not run"; versus="—"
  fi
  printf '| %s×%s seed %s | %s / %s | %s | %s ms | %s | %s (%s) | %s | %s | %s, %s | %s |\n' \
    "$cases" "$flights" "$seed" "$cases" "$people" "$flights" "$f_time" "$f_obj" "$f_bound" "$f_gap" \
    "$m_time" "$m_obj" "$m_bound" "$m_status" "$versus"
  last_replan="$replan"
done
echo
echo "re-plan (last instance): ${last_replan:-none}"
