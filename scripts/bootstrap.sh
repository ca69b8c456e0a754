#!/usr/bin/env bash
# Prepares a fresh machine: pnpm, the project's dependencies from the lockfile and, with
# --browser, Debian's Chromium for the browser tests, with --postgres, Debian's PostgreSQL server
# for the tests that run on it. Safe to run again; it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
want_postgres=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --postgres) want_postgres=true ;;
    *) echo "usage: $0 [--browser] [--postgres]" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  echo "Installing pnpm 10…"
  npm install -g pnpm@10.34.9 >/dev/null
fi

packages=()
if $want_browser && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then packages+=(chromium); fi
# Only the server binaries are needed: scripts/postgres.sh runs a throw-away cluster of its own.
if $want_postgres && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  packages+=(postgresql)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} from Debian's packages…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# better-sqlite3 compiles against the local Node headers when no prebuilt binary can be fetched.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

pnpm install --frozen-lockfile
