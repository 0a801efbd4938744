#!/usr/bin/env bash
# The web app under load (issue 8): with PERSONS people in the registry (default 1,000,000),
# a name search in any script should answer within 100 ms at p95, the dashboard and a case page
# within 200 ms, under 50 concurrent users. Builds a demo registry, adds one caseworker account
# per nation, serves it, runs the load generator (bench/webload: every virtual user logged in
# through the login form, searching real names in Latin and Arabic script, opening the
# dashboard and case pages), and prints its table with the load average and the server's CPU
# time and peak memory. A benchmark, not a test: figures vary with the machine's load.
#
#   bash bench/webload/run.sh                          # 1,000,000 people, 50 users, 60 s
#   PERSONS=100000 DURATION=20 bash bench/webload/run.sh
#   KEEP=1 PERSONS=1000000 bash bench/webload/run.sh   # keep the registry in $BENCH_WORK ...
#   REUSE=1 THINK_MS=1000 bash bench/webload/run.sh    # ... and measure it again
#   bash bench/webload/run.sh --search-via api         # extra arguments go to the generator
#
# AIRBRIDGE_BIN: the server binary (default: built here with `cargo build --release`, into
# $CARGO_TARGET_DIR or target/); WEBLOAD_BIN: the generator, likewise. The registry is encrypted
# with a random key as deployed (ENCRYPTION=off for a plaintext file). 1,000,000 people take
# about two minutes to build and 3 GB of disk under $BENCH_WORK (default /tmp/airbridge-webload),
# removed at the end unless KEEP=1.
# DATABASE=postgres://USER@HOST:PORT/NAME serves a PostgreSQL registry instead: the demo is built
# into that database (emptied first with `demo --fresh`; REUSE=1 serves what it holds), which is
# left in place at the end. PG_PID=<the postmaster's pid> (first line of postmaster.pid; run as
# its user or root) also gives the PostgreSQL server's CPU time during the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
persons="${PERSONS:-1000000}"
users="${USERS:-50}"
duration="${DURATION:-60}"
warmup="${WARMUP:-5}"
think_ms="${THINK_MS:-0}"
port="${PORT:-18090}"
work="${BENCH_WORK:-/tmp/airbridge-webload}"

if [ -z "${AIRBRIDGE_BIN:-}" ]; then
  (cd "$root" && nice -n 10 cargo build --release -p airbridge)
fi
if [ -z "${WEBLOAD_BIN:-}" ]; then
  (cd "$root" && nice -n 10 cargo build --release -p airbridge-webload)
fi
bin="$(realpath "${AIRBRIDGE_BIN:-$target/release/airbridge}")"
load="$(realpath "${WEBLOAD_BIN:-$target/release/airbridge-webload}")"

mkdir -p "$work"
db="${DATABASE:-$work/registry-$persons.db}"
postgres=""
case "$db" in postgres://* | postgresql://*) postgres=1 ;; esac
export AIRBRIDGE_ACTOR=cli:bench
if [ -n "$postgres" ]; then
  :  # the server's own access control; no file key
elif [ "${ENCRYPTION:-on}" = off ]; then
  export AIRBRIDGE_NO_ENCRYPTION=true
else
  # The key stays beside the registry in the work directory so that REUSE=1 can open it again.
  [ -s "$work/key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/key"
  AIRBRIDGE_DB_KEY="$(cat "$work/key")"
  export AIRBRIDGE_DB_KEY
fi
[ -s "$work/password" ] ||
  echo "webload-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$work/password"

server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ] && [ -z "$postgres" ]; then rm -f "$db" "$db-wal" "$db-shm"; fi
}
trap cleanup EXIT

if [ -n "${REUSE:-}" ] && { [ -n "$postgres" ] || [ -f "$db" ]; }; then
  echo "== reusing ${db%%@*}@…"
elif [ -n "$postgres" ]; then
  echo "== demo registry of $persons people in PostgreSQL (${db##*/})"
  started=$(date +%s)
  "$bin" --db "$db" demo --persons "$persons" --no-serve --fresh >/dev/null
  echo "   built in $(( $(date +%s) - started )) s"
else
  echo "== demo registry of $persons people in $db"
  rm -f "$db" "$db-wal" "$db-shm"
  started=$(date +%s)
  "$bin" --db "$db" demo --persons "$persons" --no-serve >/dev/null
  echo "   built in $(( $(date +%s) - started )) s, $(du -cm "$db"* | tail -1 | cut -f1) MB"
fi

# One caseworker per nation: a caseworker reads people, cases and the totals (the dashboard's
# tables) of its own nation and has no second factor to type.
nations=$("$bin" --db "$db" --json nation list |
  python3 -c 'import json, sys; print(" ".join(n["code"] for n in json.load(sys.stdin)))')
existing=$("$bin" --db "$db" --json users list)
accounts=()
for nation in $nations; do
  name="webload-$(echo "$nation" | tr 'A-Z' 'a-z')"
  if ! grep -q "\"$name\"" <<<"$existing"; then
    "$bin" --db "$db" users add --username "$name" --role caseworker --nation "$nation" \
      --password-file "$work/password" >/dev/null
  fi
  accounts+=(--account "$name")
done

"$bin" --db "$db" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # user + system, in ticks
# The PostgreSQL server's: the postmaster's, its reaped children's and its live children's.
pg_cpu() {
  local total child
  total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$PG_PID/stat")
  for child in $(pgrep -P "$PG_PID"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
echo "== $users users for ${duration} s (after ${warmup} s of warm-up), think time ${think_ms} ms"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_before=$(cpu_of "$server")
[ -z "${PG_PID:-}" ] || pg_before=$(pg_cpu)
"$load" --url "http://127.0.0.1:$port" "${accounts[@]}" --password-file "$work/password" \
  --users "$users" --duration "$duration" --warmup "$warmup" --think-ms "$think_ms" \
  --json "$work/result-$persons.json" "$@"
cpu_after=$(cpu_of "$server")
[ -z "${PG_PID:-}" ] || pg_after=$(pg_cpu)
ticks=$(getconf CLK_TCK)
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   server: $(( (cpu_after - cpu_before) / ticks )) s of CPU during the run (warm-up included)," \
  "peak RSS $(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$server/status") MB"
[ -z "${PG_PID:-}" ] ||
  echo "   PostgreSQL server: $(( (pg_after - pg_before) / ticks )) s of CPU during the run (warm-up included)"
echo "   JSON: $work/result-$persons.json"
