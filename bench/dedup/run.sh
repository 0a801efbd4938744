#!/usr/bin/env bash
# Runs the dedup engine's evaluate example under /usr/bin/time -v on demo registries and on
# FEBRL3 / FEBRL4, and prints one table row per run (see README.md).
#
#   cargo build --release -p airbridge-dedup --example evaluate
#   SIZES="100000 1000000" bash bench/dedup/run.sh
#
# EVALUATE: the example binary (default: target/release/examples/evaluate, or
# $CARGO_TARGET_DIR/release/examples/evaluate). FEBRL: a directory with febrl3.csv,
# febrl3_truth.csv, febrl4ab.csv and febrl4ab_truth.csv as `../shared/bench/febrl.py export`
# writes them (skipped when absent).
set -euo pipefail
target="${CARGO_TARGET_DIR:-target}"
evaluate="${EVALUATE:-$target/release/examples/evaluate}"
sizes="${SIZES:-100000 1000000}"
seed="${SEED:-7}"
febrl="${FEBRL:-}"
out="$(mktemp -d)"

row() { # label, output file
    local label="$1" file="$2"
    local load wall user sys rss engine generation line
    load="$(cut -d' ' -f1 /proc/loadavg)"
    wall="$(grep 'Elapsed (wall clock)' "$file" | awk '{print $NF}')"
    user="$(grep 'User time' "$file" | awk '{print $NF}')"
    sys="$(grep 'System time' "$file" | awk '{print $NF}')"
    rss="$(grep 'Maximum resident' "$file" | awk '{printf "%.0f MB", $NF / 1024}')"
    engine="$(grep -o ' seconds=[0-9.]*' "$file" | head -1 | cut -d= -f2 || true)"
    generation="$(grep -o 'generation_seconds=[0-9.]*' "$file" | cut -d= -f2 || true)"
    line="$(grep pairs_completeness "$file" || true)"
    get() { echo "$line" | grep -o "$1=[0-9.]*" | cut -d= -f2 || true; }
    echo "| $label | ${engine} s | ${wall} (${generation} s reading or generating) | ${user} + ${sys} s | ${rss} | $(get f1) | $(get precision) | $(get recall) | $(get pairs_completeness) ($(get key_completeness) by keys) | ${load} |"
}

echo "| run | engine wall | process wall | CPU (user + sys) | peak RSS | F1 | P | R | pairs completeness | load |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
    /usr/bin/time -v "$evaluate" demo "$size" "$seed" >"$out/demo-$size.txt" 2>&1
    row "demo $size, seed $seed" "$out/demo-$size.txt"
done
if [ -n "$febrl" ] && [ -f "$febrl/febrl3.csv" ]; then
    for set in febrl3 febrl4ab; do
        /usr/bin/time -v "$evaluate" csv "$febrl/$set.csv" "$febrl/${set}_truth.csv" >"$out/$set.txt" 2>&1
        row "$set" "$out/$set.txt"
    done
fi
echo "(full outputs, with per-stage wall, CPU and RSS: $out)"
