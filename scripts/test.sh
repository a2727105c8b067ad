#!/usr/bin/env bash
# Runs the whole test suite. Usage: scripts/test.sh [extra dotnet test args, e.g. --filter X]
# Uses $TIDINGS_TEST_POSTGRES if set; otherwise starts a throw-away PostgreSQL 15 for the run. The same for
# $TIDINGS_TEST_CITUS: otherwise a throw-away Citus cluster (scripts/citus.sh).
# Last line of output: "N passed, N failed, N skipped" (CI reads it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PG_BIN=/usr/lib/postgresql/15/bin

# initdb and pg_ctl refuse to run as root; postgres also needs a readable cwd.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
  if [ ! -x "$PG_BIN/pg_ctl" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "PostgreSQL 15 not found in $PG_BIN; install postgresql-15 or set TIDINGS_TEST_POSTGRES" >&2; exit 1; }
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
  fi
  PG_TMP=$(mktemp -d /tmp/tidings-pg.XXXXXX)
  PG_DATA=$PG_TMP/data
  [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_TMP"
  as_pg "$PG_BIN/initdb" --no-sync -U postgres --auth=trust -E UTF8 -D "$PG_DATA" >/dev/null
  # Durability is pointless for a throw-away test database; turning it off makes start-up and tests fast.
  cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  # Skip ports something already answers on; if another process grabs the port first, try the next one.
  local port
  for port in $(seq 55432 55531); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_TMP/log" -o "-p $port" -w -s start; then
      export TIDINGS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres;Database=postgres"
      echo "PostgreSQL started on 127.0.0.1:$port"
      return
    fi
  done
  cat "$PG_TMP/log" >&2
  echo "could not start PostgreSQL" >&2
  exit 1
}

stop_postgres() {
  [ -n "${PG_TMP:-}" ] || return 0
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -s stop || true
  fi
  rm -rf "$PG_TMP"
}

# The web app's browser tests (tests/Tidings.Tests/Pages) drive Debian's chromium; installed here like PostgreSQL, before
# any server starts.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  [ "$(id -u)" -eq 0 ] || { echo "chromium not found at /usr/bin/chromium; install chromium and fonts-liberation" >&2; exit 1; }
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-liberation
}
ensure_chromium

# The Citus lane: a coordinator and two workers, Citus built from third_party/citus when missing. Built before any
# server starts, since installing PostgreSQL's server headers may upgrade the server package under it.
source scripts/citus.sh
[ -n "${TIDINGS_TEST_CITUS:-}" ] || ensure_citus
trap 'stop_citus; stop_postgres' EXIT
trap 'exit 130' INT TERM   # make signals run the EXIT trap too
[ -n "${TIDINGS_TEST_POSTGRES:-}" ] || start_postgres
[ -n "${TIDINGS_TEST_CITUS:-}" ] || start_citus

RESULTS=$PWD/TestResults
rm -rf "$RESULTS"
rc=0
dotnet test Tidings.slnx -c Release --logger "trx;LogFilePrefix=tidings" --results-directory "$RESULTS" "$@" || rc=$?

# Sum the <Counters .../> of every TRX file (one per test project). Skipped = total - executed,
# because the VSTest TRX logger leaves notExecuted at 0 for skipped xunit tests.
attr() { local v; v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"); echo "${v:-0}"; }
passed=0 failed=0 skipped=0
while IFS= read -r c; do
  passed=$((passed + $(attr passed "$c")))
  failed=$((failed + $(attr failed "$c")))
  skipped=$((skipped + $(attr total "$c") - $(attr executed "$c")))
done < <(find "$RESULTS" -name '*.trx' -exec grep -ho '<Counters [^>]*>' {} + 2>/dev/null)

echo "$passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
