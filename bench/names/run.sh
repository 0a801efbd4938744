#!/usr/bin/env bash
# The names engine beside its peers, on every labelled name-pair set: ROC-AUC, recall at
# precision 0.99 and 0.95, best F1 — ours (`airbridge names score`), rapidfuzz's Jaro-Winkler
# and token ratios, and OpenSanctions' logic-v2 name matcher, all scored by the shared kit's
# eval_pairs.py on the same files.
#
#   cargo build --release && bash bench/names/run.sh            # from the workspace root
#   SETS="ofac-dev eu-dev" PEERS="jw nomenklatura" bash bench/names/run.sh
#
# Sets: ofac-dev and eu-dev / eu-dev-arabic (development: tuned on), ofac-test, un-test and
# OpenSanctions' name_bench person cases (evaluation only). eu-dev is built by make_eu_dev.py.
# Needs ../shared beside the repository (SHARED=… to point elsewhere); the peers' Python
# environments are set up by ../shared/bench/setup.sh on first use.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED=${SHARED:-$ROOT/../shared}
KIT=$SHARED/bench
DATA=$SHARED/data/names
BIN=${AIRBRIDGE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/airbridge}
VENV=${BENCH_VENV:-$HOME/.cache/airbridge-bench-venv}
WORK=${BENCH_WORK:-/tmp/airbridge-names-bench}
SETS=${SETS:-"ofac-dev eu-dev eu-dev-arabic ofac-test un-test name_bench"}
PEERS=${PEERS:-"jw token_sort token_set wratio nomenklatura"}
mkdir -p "$WORK"
[ -x "$BIN" ] || { echo "build first: cargo build --release (or set AIRBRIDGE_BIN)"; exit 1; }
[ -x "$VENV/bin/python" ] || bash "$KIT/setup.sh" >"$WORK/setup.log" 2>&1 || { echo "peer setup failed: $WORK/setup.log"; exit 1; }
case " $SETS " in *" eu-dev"*) [ -f "$WORK/eu-dev/eu-dev.pairs.csv" ] || python3 "$ROOT/bench/names/make_eu_dev.py" --shared "$SHARED/data" --out "$WORK/eu-dev" >/dev/null;; esac

files() {
  case $1 in
    name_bench) echo "$DATA/opensanctions-name-bench/person.pairs.csv $DATA/opensanctions-name-bench/person.labels.csv";;
    eu-dev*) echo "$WORK/eu-dev/$1.pairs.csv $WORK/eu-dev/$1.labels.csv";;
    *) echo "$DATA/$1.pairs.csv $DATA/$1.labels.csv";;
  esac
}
figures() { "$VENV/bin/python" "$KIT/eval_pairs.py" --labels "$1" --scores "$2" | tail -1; }

printf '%-14s %-14s %s\n' set method "figures (eval_pairs.py)"
for set in $SETS; do
  read -r pairs labels <<<"$(files "$set")"
  "$BIN" names score --input "$pairs" --output "$WORK/$set.airbridge.csv" >/dev/null 2>&1
  printf '%-14s %-14s %s\n' "$set" airbridge "$(figures "$labels" "$WORK/$set.airbridge.csv")"
  for peer in $PEERS; do
    py=$VENV/bin/python
    case $peer in nomenklatura*) py=${VENV}-opensanctions/bin/python; [ -x "$py" ] || continue;; esac
    "$py" "$KIT/names_peers.py" --input "$pairs" --output "$WORK/$set.$peer.csv" --method "$peer" --repeat 1 >/dev/null 2>&1 \
      && printf '%-14s %-14s %s\n' "$set" "$peer" "$(figures "$labels" "$WORK/$set.$peer.csv")"
  done
done
