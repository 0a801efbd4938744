#!/usr/bin/env bash
# Scale runs on both backends (issue 10, item 5): for each size N, on a SQLite file and on a
# PostgreSQL database,
#   1. `airbridge demo --persons N` (every person and case through the ordinary store calls,
#      with their audit events),
#   2. `airbridge check` (integrity, invariants and the whole audit chain),
#   3. `airbridge dedup` of that registry (registry mode: everyone, clusters stored, uncertain
#      pairs queued),
#   4. `airbridge sanctions load` of the UN list (everyone screened against it), then
#      `airbridge screening run` (everyone again),
#   5. `airbridge import` of a synthetic N-row list (bench/lib/make_list.py, as bench/import.sh)
#      into a fresh empty database of the same backend (one nation, one NGO); run first, its
#      database removed once weighed (one big database on disk at a time),
#   6. `airbridge migrate` of the SQLite registry (after steps 1-4) onto an empty PostgreSQL
#      database, verified.
# Each step under /usr/bin/time -v: wall time, CPU, peak RSS; then the database's size after
# each step that adds to it. Each size's databases and list are deleted once measured
# (KEEP_LISTS=1 keeps the lists).
#
# Run from the project root after `cargo build --release -p airbridge`:
#   SIZES="50000 500000" bash bench/scale/run.sh
#   SIZES=5000000 BACKENDS=sqlite bash bench/scale/run.sh     # one backend (no migrate)
#   python3 bench/scale/growth.py /tmp/airbridge-bench-scale/results.tsv   # ×10 table
# PostgreSQL: a server of its own in $WORK (initdb/pg_ctl from /usr/lib/postgresql/15/bin, as the
# user airbridge-pg when run as root), durable defaults (fsync and synchronous commit on), or an
# existing database named by AIRBRIDGE_BENCH_PG (postgres://… of an empty database per size is
# created there). With its own server the script also gives the server's CPU time per step
# (the postmaster's and its children's). SQLite files are encrypted (SQLCipher) with a random
# key kept in $WORK/key, as deployed. Every row is also appended to $WORK/results.tsv, and what
# each step printed is kept in $WORK/out/.
# Not a test: numbers vary with the machine's load, printed with each row.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIZES=${SIZES:-"50000 500000"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
BIN=$(realpath "${AIRBRIDGE_BIN:-target/release/airbridge}")
PG_BIN=${AIRBRIDGE_PG_BIN:-/usr/lib/postgresql/15/bin}
WORK=${BENCH_WORK:-/tmp/airbridge-bench-scale}
PORT=${BENCH_PG_PORT:-55433}
UN=${UN_LIST:-$HERE/../../../shared/data/sanctions/un/consolidated_2026-05-08.xml}
RESULTS=${RESULTS:-$WORK/results.tsv}
COMMIT=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p "$WORK/out"
[ -f "$UN" ] || { echo "no UN list at $UN (set UN_LIST)" >&2; exit 1; }
[ -s "$WORK/key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/key"
AIRBRIDGE_DB_KEY="$(cat "$WORK/key")"
export AIRBRIDGE_DB_KEY AIRBRIDGE_ACTOR=cli:bench

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u airbridge-pg -- "$@"; else "$@"; fi
}

OWN_PG=""
if [[ " $BACKENDS " == *" postgres "* ]]; then
  if [ -z "${AIRBRIDGE_BENCH_PG:-}" ]; then
    if [ "$(id -u)" = 0 ]; then
      id -u airbridge-pg >/dev/null 2>&1 ||
        useradd --system --no-create-home --user-group --shell /usr/sbin/nologin airbridge-pg
      chown airbridge-pg: "$WORK"
    fi
    if [ ! -d "$WORK/pg" ]; then
      as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust --no-locale -E UTF8 >/dev/null
    fi
    as_pg "$PG_BIN/pg_ctl" start -w -D "$WORK/pg" -l "$WORK/pg.log" \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK -c shared_buffers=256MB -c max_wal_size=4GB" >/dev/null
    trap 'as_pg "$PG_BIN/pg_ctl" stop -m fast -D "$WORK/pg" >/dev/null' EXIT
    ADMIN="postgres://postgres@127.0.0.1:$PORT/postgres"
    OWN_PG=1
    sleep 1 # the background processes (checkpointer, writers, launchers) started
    PG_PROCESSES=$(pgrep -c -P "$(head -1 "$WORK/pg/postmaster.pid")")
  else
    ADMIN="$AIRBRIDGE_BENCH_PG"
  fi
fi
psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -qAt "$ADMIN" -c "$1"; }
database_url() { echo "${ADMIN%/*}/$1"; }
fresh_pg() { psql_admin "DROP DATABASE IF EXISTS $1" && psql_admin "CREATE DATABASE $1"; }
pg_size() { psql_admin "SELECT pg_database_size('$1') / 1048576"; }
sqlite_size() { du -cm "$1"* | tail -1 | cut -f1; }
rm_sqlite() { rm -f "$1" "$1-wal" "$1-shm"; }

# CPU of our own PostgreSQL server in clock ticks: the postmaster's, its reaped children's (the
# backends that served finished connections) and its live children's. A backend's time moves
# into the postmaster's once it is reaped, so first wait (up to 10 s) for the backends of the
# step's connections to be gone, down to the server's own processes counted at start.
pg_ticks() {
  [ -n "$OWN_PG" ] || { echo 0; return; }
  local pm total
  pm=$(head -1 "$WORK/pg/postmaster.pid")
  for _ in $(seq 1 100); do
    [ "$(pgrep -c -P "$pm")" -gt "$PG_PROCESSES" ] || break
    sleep 0.1
  done
  total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
  for child in $(pgrep -P "$pm"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
TICKS=$(getconf CLK_TCK)

# One timed step: prints "wall_s user_s sys_s peak_rss_mb server_cpu_s" (server CPU "-" when
# not measured), or "failed" when the command failed (its output is then shown on stderr).
FAILED=0 PG_STEP=""
timed() {
  local log="$WORK/time.log" before after
  before=$(pg_ticks)
  if ! /usr/bin/time -v "$@" >"$WORK/step.out" 2>"$log"; then
    { echo "FAILED: $*"; tail -20 "$WORK/step.out"; tail -40 "$log"; } >&2
    echo failed
    return
  fi
  after=$(pg_ticks)
  awk -F': ' -v server="$(( after - before ))" -v ticks="$TICKS" -v own="$OWN_PG" -v pg="$PG_STEP" '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 / 1024 }
    END { s = (own && pg) ? sprintf("%.1f", server / ticks) : "-"; printf "%.1f %.1f %.1f %.0f %s", wall, user, sys, rss, s }' "$log"
}

row() { # backend persons step "wall user sys rss server" size_mb
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  # What the step printed, kept for reading afterwards.
  cp "$WORK/step.out" "$WORK/out/$(echo "$1-$2-$3" | tr -c 'A-Za-z0-9\n-' '_' | cut -c1-60).txt"
  if [ "$4" = failed ]; then
    FAILED=1
    printf '| %s | %s | %s | **failed** | | | | %s |\n' "$1" "$2" "$3" "$load"
    printf '%s\t%s\t%s\tfailed\t\t\t\t\t\t%s\t%s\t%s\n' "$1" "$2" "$3" "$load" "$(date -u +%F)" "$COMMIT" >>"$RESULTS"
    return
  fi
  local wall user sys rss server cpu size=""
  read -r wall user sys rss server <<<"$4"
  cpu="$user + $sys s"
  [ "$server" = - ] || cpu="$cpu (server $server s)"
  [ -z "$5" ] || size="$5 MB"
  printf '| %s | %s | %s | %s s | %s | %s MB | %s | %s |\n' "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$size" "$load"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$wall" "$user" "$sys" \
    "$server" "$rss" "$5" "$load" "$(date -u +%F)" "$COMMIT" >>"$RESULTS"
}

# The steps on one backend: $1 = sqlite|postgres, $2 = N, $3 = the registry's --db,
# $4 = the import database's --db; $5 = a command printing a database's size in MB (registry
# or list), $6 = one removing the list's database. The import comes first and its database is
# removed once weighed, so that only one big database is on disk at a time.
steps() {
  local backend=$1 n=$2 db=$3 list_db=$4 size=$5 drop=$6 result org
  "$BIN" --db "$list_db" init >/dev/null
  "$BIN" --db "$list_db" nation add FR France >/dev/null
  org=$("$BIN" --db "$list_db" org add --nation FR --kind ngo "Bench NGO" | awk '{ print $2 }')
  result=$(timed "$BIN" --db "$list_db" import "$LIST" --nation FR --org "$org")
  row "$backend" "$n" "import (N rows, empty database)" "$result" "$($size list)"
  $drop

  result=$(timed "$BIN" --db "$db" demo --persons "$n" --no-serve --seed 1)
  row "$backend" "$n" demo "$result" "$($size registry)"
  result=$(timed "$BIN" --db "$db" check)
  row "$backend" "$n" check "$result" ""
  result=$(timed "$BIN" --db "$db" dedup)
  row "$backend" "$n" "dedup (registry)" "$result" "$($size registry)"
  result=$(timed "$BIN" --db "$db" sanctions load "$UN")
  row "$backend" "$n" "sanctions load (UN, screens everyone)" "$result" "$($size registry)"
  result=$(timed "$BIN" --db "$db" screening run)
  row "$backend" "$n" "screening run" "$result" "$($size registry)"
}

echo "| backend | persons | step | wall | CPU (user + sys) | peak RSS | database size | load |"
echo "|---|---|---|---|---|---|---|---|"
for N in $SIZES; do
  LIST="$WORK/list-$N.csv"
  [ -f "$LIST" ] || python3 "$HERE/../lib/make_list.py" "$LIST" "$N"
  SQLITE="$WORK/scale-$N.db"
  NAME="airbridge_scale_$N"
  if [[ " $BACKENDS " == *" sqlite "* ]]; then
    rm_sqlite "$SQLITE"
    rm_sqlite "$WORK/list-$N.db"
    sqlite_of() { case $1 in registry) sqlite_size "$SQLITE" ;; list) sqlite_size "$WORK/list-$N.db" ;; esac; }
    drop_sqlite_list() { rm_sqlite "$WORK/list-$N.db"; }
    steps sqlite "$N" "$SQLITE" "$WORK/list-$N.db" sqlite_of drop_sqlite_list
  fi
  if [[ " $BACKENDS " == *" postgres "* ]]; then
    fresh_pg "$NAME" && fresh_pg "${NAME}_list"
    pg_of() { case $1 in registry) pg_size "$NAME" ;; list) pg_size "${NAME}_list" ;; esac; }
    drop_pg_list() { psql_admin "DROP DATABASE ${NAME}_list"; }
    PG_STEP=1 steps postgres "$N" "$(database_url "$NAME")" "$(database_url "${NAME}_list")" pg_of drop_pg_list
    psql_admin "DROP DATABASE $NAME"
  fi
  if [[ " $BACKENDS " == *" sqlite "* && " $BACKENDS " == *" postgres "* ]]; then
    fresh_pg "${NAME}_moved"
    result=$(PG_STEP=1 timed "$BIN" migrate --from "sqlite:$SQLITE" --to "$(database_url "${NAME}_moved")")
    if [ "$result" != failed ] && ! grep -q "Verified" "$WORK/step.out"; then
      cat "$WORK/step.out" >&2
      result=failed
    fi
    row "sqlite → postgres" "$N" "migrate (verified)" "$result" "$(pg_size "${NAME}_moved")"
    psql_admin "DROP DATABASE ${NAME}_moved"
  fi
  rm_sqlite "$SQLITE"
  [ -n "${KEEP_LISTS:-}" ] || rm -f "$LIST"
done
exit "$FAILED"
