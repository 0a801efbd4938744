#!/usr/bin/env bash
# Gate check-in under load: ≥ 1,000 check-ins per second with p99 < 50 ms is the goal (issue #9),
# on the embedded SQLite store. Builds a demo registry, calls cases forward to one gate (their
# pass codes written for the load generator), serves it, and drives POST /api/gate/check-in with
# two load generators (each request admits one family with its own pass, then marks it processed):
#  1. open loop, the goal's own terms: `gate_load` (crates/web/examples) sends at a fixed RATE and
#     times each request from the moment it was due, so server stalls show in the percentiles;
#  2. closed loop, the most the server does: wrk with CONNECTIONS connections, each sending again
#     as soon as it is answered.
# Then counts, in the database, the check-ins applied against the answers seen.
#
#   cargo build --release -p airbridge && cargo build --release -p airbridge-web --example gate_load
#   bash bench/field/run.sh [PERSONS] [SECONDS] [CONNECTIONS] [RATE]
#
# Needs wrk (apt-get install wrk). A benchmark, not a test: figures vary with the machine's load.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${AIRBRIDGE_BIN:-$here/../../target/release/airbridge}"
persons="${1:-1000000}"
seconds="${2:-20}"
connections="${3:-32}"
rate="${4:-1000}"
load="${LOAD_BIN:-$here/../../target/release/examples/gate_load}"
threads=2
port="${PORT:-18089}"
work="$(mktemp -d)"
trap 'kill $server 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export AIRBRIDGE_DB_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
[ -z "${KEEP:-}" ] || echo "$AIRBRIDGE_DB_KEY" > "$work/key"
export AIRBRIDGE_ACTOR=cli:bench
db="$work/bench.db"

echo "== demo registry of $persons people"
"$bin" --db "$db" demo --persons "$persons" --no-serve >/dev/null
nation=US
warmup=3
ready=$(( seconds * 1000 + (seconds + warmup) * rate / 2 + 1000 ))
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
echo "== calling up to $ready ready $nation cases forward to Abbey Gate"
"$bin" --db "$db" call-forward --nation "$nation" --gate "Abbey Gate" \
  --rendezvous "Bench car park" --from "$now" --until "$later" --ready "$ready" \
  --passes-out "$work/passes.csv"
open_pool=$(( (seconds + warmup) * rate / 2 + 500 ))
head -n $(( open_pool + 1 )) "$work/passes.csv" > "$work/passes-open.csv"
{ head -n 1 "$work/passes.csv"; tail -n +$(( open_pool + 2 )) "$work/passes.csv"; } > "$work/passes-wrk.csv"
pool=$(( $(wc -l < "$work/passes-wrk.csv") - 1 ))
token=$("$bin" --db "$db" --json token create gate-bench --nation "$nation" --role gate_officer \
  --gate "Abbey Gate" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

"$bin" --db "$db" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== open loop: $rate check-ins a second for ${warmup}s of warm-up, then ${seconds}s ($open_pool passes)"
"$load" --url "http://127.0.0.1:$port" --token "$token" --passes "$work/passes-open.csv" \
  --rate "$rate" --seconds "$seconds" --warmup "$warmup" --timeline | tee "$work/open.txt"
sleep 2

echo "== wrk: $threads threads, $connections connections, ${seconds}s, $pool passes"
TOKEN="$token" PASSES="$work/passes-wrk.csv" THREADS="$threads" \
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/checkin.lua" \
  "http://127.0.0.1:$port" | tee "$work/wrk.txt"
kill "$server"; wait "$server" 2>/dev/null || true

"$bin" --db "$db" --json audit list --by token:gate-bench --limit 4000000 | python3 -c '
import json, sys, collections
events = json.load(sys.stdin)
count = collections.Counter(e["action"] for e in events)
kinds = collections.Counter((e["after"] or {}).get("action") for e in events if e["action"] == "gate.check_in")
print("== in the database: %d check-ins applied, %d refused, %d status changes (pools: '"$open_pool"' open loop, '"$pool"' wrk)"
      % (count["gate.check_in"], count["gate.refused"], count["person.status"]))
print("   check-ins by action:", dict(kinds))
if len(events) >= 100000:
    print("   (the audit listing stops at 100,000 events: these counts cover only its newest events;")
    print("    crates/airbridge/tests/field.rs counts every acknowledged check-in after a SIGKILL)")'
