#!/usr/bin/env bash
# A throw-away PostgreSQL server from Debian's packages, for tests, benchmarks and trying several
# BFF instances on one machine. Nothing here is for production: fsync is off and every local
# connection is trusted.
#
#   scripts/postgres.sh start [port]   initialises a fresh data folder and starts the server; prints its URL
#   scripts/postgres.sh stop [port]    stops it and deletes the data folder
#   scripts/postgres.sh url [port]     prints the URL of a running server
#   scripts/postgres.sh run <command…> starts a server on a free port, runs the command with
#                                      TEST_POSTGRES_URL set, then stops the server
set -euo pipefail

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "PostgreSQL is not installed: run scripts/bootstrap.sh --test (or apt-get install postgresql)." >&2
    exit 1
  fi
  echo "$dir"
}

# The server refuses to run as root: as root, run it as Debian's postgres user.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

data_dir() { echo "${TMPDIR:-/tmp}/marketplace-postgres-$1"; }
url() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }

start() {
  local port=$1 bin dir
  bin=$(bin_dir)
  dir=$(data_dir "$port")
  if [ -f "$dir/postmaster.pid" ] && as_server_user "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    url "$port"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_server_user "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  as_server_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null
  url "$port"
}

stop() {
  local port=$1 bin dir
  bin=$(bin_dir)
  dir=$(data_dir "$port")
  if [ -d "$dir" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

command=${1:-}
shift || true
case "$command" in
  start) start "${1:-55432}" ;;
  stop) stop "${1:-55432}" ;;
  url) url "${1:-55432}" ;;
  run)
    [ $# -gt 0 ] || { echo "usage: $0 run <command…>" >&2; exit 2; }
    port=$(free_port)
    trap 'stop "$port"' EXIT
    TEST_POSTGRES_URL=$(start "$port")
    export TEST_POSTGRES_URL
    "$@"
    ;;
  *)
    echo "usage: $0 start|stop|url [port] | run <command…>" >&2
    exit 2
    ;;
esac
