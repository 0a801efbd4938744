#!/usr/bin/env bash
# Kabul-style lists (airbridge_demo::lists): generate, deduplicate with `airbridge dedup` and
# with Splink (bench/dedup/splink_kabul.py), evaluate both against the truth. One table row per
# tool and size (see README.md, "Kabul-style lists").
#
#   export CARGO_TARGET_DIR=…
#   cargo build --release -p airbridge        # (in one command with --example, only examples build)
#   cargo build --release -p airbridge-demo --example kabul_lists -p airbridge-dedup --example evaluate
#   SIZES="5000 200000" SEED=1 bash bench/dedup/kabul.sh
#
# PY: the bench venv's python (Splink 5, DuckDB); EVAL: eval_clusters.py; OUT: where the lists,
# clusters and /usr/bin/time outputs go (default: a new temporary directory). SKIP_SPLINK=1
# runs the engine only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release"
py="${PY:-$HOME/.cache/airbridge-bench-venv/bin/python}"
eval_clusters="${EVAL:-$here/../../../shared/bench/eval_clusters.py}"
sizes="${SIZES:-5000 200000}"
seed="${SEED:-1}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"

timed() { # label, output file, command...
    local file="$2"
    shift 2
    /usr/bin/time -v "$@" >"$file" 2>&1
}

row() { # tool, size, time file, eval file, extra
    local load wall user sys rss line
    load="$(cut -d' ' -f1 /proc/loadavg)"
    wall="$(grep 'Elapsed (wall clock)' "$3" | awk '{print $NF}')"
    user="$(grep 'User time' "$3" | awk '{print $NF}')"
    sys="$(grep 'System time' "$3" | awk '{print $NF}')"
    rss="$(grep 'Maximum resident' "$3" | awk '{printf "%.0f MB", $NF / 1024}')"
    line="$(tail -1 "$4")"
    get() { echo "$line" | grep -o "$1=[0-9.]*" | cut -d= -f2; }
    echo "| $1 | $2 | $(get f1) | $(get precision) | $(get recall) | ${wall} | ${user} + ${sys} s | ${rss} | $5 | ${load} |"
}

echo "| tool | persons | F1 | P | R | wall | CPU (user + sys) | peak RSS | pairs completeness | load |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
    dir="$out/kabul-$size"
    "$bin/examples/kabul_lists" --persons "$size" --seed "$seed" --out "$dir" 2>"$dir.gen.txt"
    timed ours "$dir.ours.time" "$bin/airbridge" dedup --input "$dir/records.csv" --output "$dir/ours.csv"
    "$py" "$eval_clusters" --truth "$dir/truth.csv" --clusters "$dir/ours.csv" >"$dir.ours.eval"
    "$bin/examples/evaluate" csv "$dir/records.csv" "$dir/truth.csv" >"$dir.evaluate.txt" 2>&1 || true
    completeness="$(grep -o 'pairs_completeness=[0-9.]*' "$dir.evaluate.txt" | cut -d= -f2 || true)"
    row "airbridge dedup" "$size" "$dir.ours.time" "$dir.ours.eval" "${completeness:-?}"
    if [ -z "${SKIP_SPLINK:-}" ]; then
        timed splink "$dir.splink.time" "$py" "$here/splink_kabul.py" --input "$dir/records.csv" --output "$dir/splink.csv"
        "$py" "$eval_clusters" --truth "$dir/truth.csv" --clusters "$dir/splink.csv" >"$dir.splink.eval"
        row "Splink 5.0.0" "$size" "$dir.splink.time" "$dir.splink.eval" "—"
    fi
done
echo "(lists, clusters and full outputs: $out)"
