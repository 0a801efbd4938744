#!/usr/bin/env bash
# Gate check-in under load: ≥ 1,000 check-ins per second with p99 < 50 ms is the goal (issue #9),
# on the embedded SQLite store. Builds a demo registry, calls cases forward to one gate (their
# pass codes written for the load generator), serves it, and drives POST /api/gate/check-in with
# wrk (each request admits one family with its own pass, then marks it processed). Then counts, in the database, the
# passes used against the 2xx answers wrk saw.
#
#   cargo build --release && bash bench/field/run.sh [PERSONS] [SECONDS] [CONNECTIONS]
#
# Needs wrk (apt-get install wrk). A benchmark, not a test: figures vary with the machine's load.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${AIRBRIDGE_BIN:-$here/../../target/release/airbridge}"
persons="${1:-300000}"
seconds="${2:-20}"
connections="${3:-32}"
threads=2
port="${PORT:-18089}"
work="$(mktemp -d)"
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export AIRBRIDGE_DB_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export AIRBRIDGE_ACTOR=cli:bench
db="$work/bench.db"

echo "== demo registry of $persons people"
"$bin" --db "$db" demo --persons "$persons" --no-serve >/dev/null
nation=US
ready=$(( seconds * 1000 ))
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
echo "== calling up to $ready ready $nation cases forward to Abbey Gate"
"$bin" --db "$db" call-forward --nation "$nation" --gate "Abbey Gate" \
  --rendezvous "Bench car park" --from "$now" --until "$later" --ready "$ready" \
  --passes-out "$work/passes.csv"
pool=$(( $(wc -l < "$work/passes.csv") - 1 ))
token=$("$bin" --db "$db" --json token create gate-bench --nation "$nation" --role gate_officer \
  --gate "Abbey Gate" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

"$bin" --db "$db" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== wrk: $threads threads, $connections connections, ${seconds}s, $pool passes"
TOKEN="$token" PASSES="$work/passes.csv" THREADS="$threads" \
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/checkin.lua" \
  "http://127.0.0.1:$port" | tee "$work/wrk.txt"
kill "$server"; wait "$server" 2>/dev/null || true

"$bin" --db "$db" --json audit list --by token:gate-bench --limit 4000000 | python3 -c '
import json, sys, collections
events = json.load(sys.stdin)
count = collections.Counter(e["action"] for e in events)
print("== in the database: %d check-ins applied, %d refused, %d status changes (pool of '"$pool"' passes)"
      % (count["gate.check_in"], count["gate.refused"], count["person.status"]))'
