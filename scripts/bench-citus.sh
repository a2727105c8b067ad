#!/usr/bin/env bash
# Runs a command against a throw-away Citus cluster (a coordinator and two workers on loopback, scripts/citus.sh) with
# TIDINGS_BENCH_CITUS naming its coordinator, and removes the cluster afterwards, failed or not. Usage:
#   scripts/bench-citus.sh dotnet run -c Release --project bench/Tidings.Bench -- feed --provider citus
# CITUS_CONF adds settings to every node (default shared_buffers = 1GB, as on the plain server the figures compare with).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$#" -gt 0 ] || { echo "usage: scripts/bench-citus.sh <command> [args...]" >&2; exit 2; }

PG_BIN=/usr/lib/postgresql/15/bin
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

source scripts/citus.sh
export CITUS_CONF=${CITUS_CONF-"shared_buffers = 1GB"}
export CITUS_FIRST_PORT=${CITUS_FIRST_PORT:-57432}
trap stop_citus EXIT
trap 'exit 130' INT TERM
start_citus
export TIDINGS_BENCH_CITUS=$TIDINGS_TEST_CITUS
"$@"
