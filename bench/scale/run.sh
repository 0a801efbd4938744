#!/usr/bin/env bash
# Scale runs on both backends: `airbridge demo --persons N` (every person and case through the
# ordinary store calls, with their audit events), then `airbridge check` (integrity, invariants
# and the whole audit chain), and `airbridge migrate` of the SQLite registry onto PostgreSQL.
# Each step under /usr/bin/time -v: wall time, CPU, peak RSS; then the database's size.
#
# Run from the project root after `cargo build --release -p airbridge`:
#   SIZES="50000 500000" bash bench/scale/run.sh
# PostgreSQL: a server of its own in $WORK (initdb/pg_ctl from /usr/lib/postgresql/15/bin, as the
# user airbridge-pg when run as root), durable defaults (fsync and synchronous commit on), or an
# existing database named by AIRBRIDGE_BENCH_PG (postgres://… of an empty database per size is
# created there). Not a test: numbers vary with the machine's load, printed with each row.
set -euo pipefail
SIZES=${SIZES:-"50000 500000"}
BIN=$(realpath "${AIRBRIDGE_BIN:-target/release/airbridge}")
PG_BIN=${AIRBRIDGE_PG_BIN:-/usr/lib/postgresql/15/bin}
WORK=${BENCH_WORK:-/tmp/airbridge-bench-scale}
PORT=${BENCH_PG_PORT:-55433}
mkdir -p "$WORK"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u airbridge-pg -- "$@"; else "$@"; fi
}

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
else
  ADMIN="$AIRBRIDGE_BENCH_PG"
fi
psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -qAt "$ADMIN" -c "$1"; }
database_url() { echo "${ADMIN%/*}/$1"; }

# One timed step: prints "wall_s user_s sys_s peak_rss_mb".
timed() {
  local log="$WORK/time.log"
  /usr/bin/time -v "$@" >"$WORK/step.out" 2>"$log" || { cat "$log" >&2; exit 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 / 1024 }
    END { printf "%.1f %.1f %.1f %.0f", wall, user, sys, rss }' "$log"
}

row() { # backend persons step "wall user sys rss" size
  read -r wall user sys rss <<<"$4"
  printf '| %s | %s | %s | %s s | %s + %s s | %s MB | %s | %s |\n' "$1" "$2" "$3" "$wall" "$user" "$sys" \
    "$rss" "$5" "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "| backend | persons | step | wall | CPU (user + sys) | peak RSS | database size | load |"
echo "|---|---|---|---|---|---|---|---|"
for N in $SIZES; do
  SQLITE="$WORK/scale-$N.db"
  rm -f "$SQLITE" "$SQLITE-wal" "$SQLITE-shm"
  result=$(timed "$BIN" --db "$SQLITE" demo --persons "$N" --no-serve --seed 1)
  row sqlite "$N" demo "$result" "$(du -cm "$SQLITE"* | tail -1 | cut -f1) MB"
  result=$(timed "$BIN" --db "$SQLITE" check)
  row sqlite "$N" check "$result" ""

  NAME="airbridge_scale_$N"
  psql_admin "DROP DATABASE IF EXISTS $NAME" && psql_admin "CREATE DATABASE $NAME"
  PG=$(database_url "$NAME")
  result=$(timed "$BIN" --db "$PG" demo --persons "$N" --no-serve --seed 1)
  row postgres "$N" demo "$result" "$(psql_admin "SELECT pg_database_size('$NAME') / 1048576") MB"
  result=$(timed "$BIN" --db "$PG" check)
  row postgres "$N" check "$result" ""

  psql_admin "DROP DATABASE IF EXISTS ${NAME}_moved" && psql_admin "CREATE DATABASE ${NAME}_moved"
  result=$(timed "$BIN" migrate --from "sqlite:$SQLITE" --to "$(database_url "${NAME}_moved")")
  grep -q "Verified" "$WORK/step.out" || { cat "$WORK/step.out" >&2; exit 1; }
  row "sqlite → postgres" "$N" "migrate (verified)" "$result" \
    "$(psql_admin "SELECT pg_database_size('${NAME}_moved') / 1048576") MB"
  psql_admin "DROP DATABASE ${NAME}_moved"
done
