# Citus for the test command: sourced by scripts/test.sh (needs its PG_BIN and as_pg).
# ensure_citus builds and installs the vendored Citus (third_party/citus) into PostgreSQL 15 when it is missing;
# start_citus starts a coordinator and two workers on loopback and exports TIDINGS_TEST_CITUS; stop_citus removes them.
# CITUS_FIRST_PORT (default 56432) is where it starts looking for free ports; CITUS_CONF is appended to every node's
# postgresql.conf (the benchmarks give each node the same shared_buffers as the plain server they compare with).

CITUS_VERSION=13.2.2
CITUS_SRC="$(pwd)/third_party/citus"

citus_installed() {
  local pkglib sharedir
  pkglib=$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null) || return 1
  sharedir=$("$PG_BIN/pg_config" --sharedir 2>/dev/null) || return 1
  [ -f "$pkglib/citus.so" ] && grep -q "^default_version = '${CITUS_VERSION%.*}-" "$sharedir/extension/citus.control" 2>/dev/null
}

ensure_citus() {
  citus_installed && return 0
  [ "$(id -u)" -eq 0 ] || { echo "Citus $CITUS_VERSION is not installed in $PG_BIN/.. and building it needs root (apt-get, make install); or set TIDINGS_TEST_CITUS" >&2; exit 1; }
  echo "Building Citus $CITUS_VERSION from third_party/citus (about a minute, once per machine)..."
  apt-get update -q >/dev/null
  # The server headers must match the server: installing them upgrades postgresql-15 to the same version.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev \
    libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev libssl-dev build-essential patch >/dev/null
  local build
  build=$(mktemp -d /tmp/tidings-citus-build.XXXXXX)
  tar -xzf "$CITUS_SRC/citus-$CITUS_VERSION.tar.gz" -C "$build"
  (
    cd "$build/citus-$CITUS_VERSION"
    patch -s -p1 < "$CITUS_SRC/pg15.20-have_createdb_privilege.patch"
    PG_CONFIG="$PG_BIN/pg_config" ./configure >"$build/configure.log" 2>&1 \
      && make -j"$(nproc)" >"$build/make.log" 2>&1 \
      && make install >"$build/install.log" 2>&1
  ) || { tail -n 30 "$build"/*.log >&2; echo "building Citus failed" >&2; exit 1; }
  rm -rf "$build"
  citus_installed || { echo "Citus was built but is not where $PG_BIN/pg_config says extensions go" >&2; exit 1; }
}

free_port() {
  local port
  for port in $(seq "$1" "$(($1 + 99))"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    echo "$port"
    return
  done
  echo "no free port from $1" >&2
  exit 1
}

citus_sql() { # port sql
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc "$2"
}

start_citus() {
  ensure_citus
  CITUS_TMP=$(mktemp -d /tmp/tidings-citus.XXXXXX)
  [ "$(id -u)" -ne 0 ] || chown postgres: "$CITUS_TMP"
  CITUS_PORTS=()
  local node port next=${CITUS_FIRST_PORT:-56432}
  for node in coordinator worker1 worker2; do
    as_pg "$PG_BIN/initdb" --no-sync -U postgres --auth=trust -E UTF8 -D "$CITUS_TMP/$node" >/dev/null
    cat >>"$CITUS_TMP/$node/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_TMP/$node'
shared_preload_libraries = 'citus'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
max_worker_processes = 16
${CITUS_CONF:-}
CONF
    port=$(free_port "$next")
    next=$((port + 1))
    as_pg "$PG_BIN/pg_ctl" -D "$CITUS_TMP/$node" -l "$CITUS_TMP/$node.log" -o "-p $port" -w -s start \
      || { cat "$CITUS_TMP/$node.log" >&2; echo "could not start the Citus $node" >&2; exit 1; }
    citus_sql "$port" "CREATE EXTENSION citus" >/dev/null
    CITUS_PORTS+=("$port")
  done
  citus_sql "${CITUS_PORTS[0]}" "SELECT citus_set_coordinator_host('127.0.0.1', ${CITUS_PORTS[0]})" >/dev/null
  citus_sql "${CITUS_PORTS[0]}" "SELECT citus_add_node('127.0.0.1', ${CITUS_PORTS[1]}); SELECT citus_add_node('127.0.0.1', ${CITUS_PORTS[2]})" >/dev/null
  export TIDINGS_TEST_CITUS="Host=127.0.0.1;Port=${CITUS_PORTS[0]};Username=postgres;Password=postgres;Database=postgres"
  echo "Citus $CITUS_VERSION started: coordinator 127.0.0.1:${CITUS_PORTS[0]}, workers :${CITUS_PORTS[1]} :${CITUS_PORTS[2]}"
}

stop_citus() {
  [ -n "${CITUS_TMP:-}" ] || return 0
  local node
  for node in coordinator worker1 worker2; do
    [ -f "$CITUS_TMP/$node/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$CITUS_TMP/$node" -m immediate -s stop || true
  done
  rm -rf "$CITUS_TMP"
}
