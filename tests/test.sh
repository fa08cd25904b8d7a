#!/usr/bin/env bash
# Runs every ESign.Hub test on a fresh Debian 12 machine with the .NET 10 SDK.
# It installs what the tests need with apt when run as root (PostgreSQL, qpdf, poppler-utils, docker-compose to
# validate the compose file; Chromium's headless shell for generated documents and the full browser for the browser
# tests, fonts and Redis for the parts that use them), starts a throwaway PostgreSQL
# server on 127.0.0.1, runs `dotnet test`, and stops the server again.
# Usage: bash tests/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT="${HUB_TEST_PG_PORT:-}"
PACKAGES=(postgresql qpdf poppler-utils chromium chromium-headless-shell fonts-liberation fonts-dancingscript redis-server docker-compose)

say() { printf '==> %s\n' "$*"; }

missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

install_prerequisites() {
  local missing
  missing="$(missing_packages)"
  if [ -z "$missing" ]; then
    say "OS prerequisites present: ${PACKAGES[*]}"
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: $missing. Run this script as root, or: sudo apt-get install -y $missing" >&2
    exit 1
  fi
  say "Installing missing Debian packages with apt: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

PG_DIR=""
start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
  if [ -z "$PG_PORT" ]; then
    # The first free port from 5433 up, so a server already running on the machine is left alone.
    PG_PORT=5433
    while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
  fi
  PG_DIR="$(mktemp -d /tmp/esign-hub-pg.XXXXXX)"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root.
    chown postgres:postgres "$PG_DIR"
    run=(su postgres -s /bin/bash -c)
  else
    run=(bash -c)
  fi
  say "Starting a throwaway PostgreSQL server on 127.0.0.1:$PG_PORT ($PG_DIR)"
  "${run[@]}" "'$bin/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  # fsync off: the data is thrown away after the run, and tests are faster without it.
  "${run[@]}" "'$bin/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w start -o \"-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$PG_DIR' -c fsync=off -c max_connections=300\"" >/dev/null
  STOP_PG=("${run[@]}" "'$bin/pg_ctl' -D '$PG_DIR/data' -m fast -w stop")
  export HUB_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
}

stop_postgres() {
  if [ -n "$PG_DIR" ]; then
    "${STOP_PG[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap stop_postgres EXIT

install_prerequisites
say "Checking docker-compose.yml (docker-compose config -q; no engine needed)"
docker-compose -f docker-compose.yml config -q
start_postgres
say "Running every test (SQLite and PostgreSQL)"
dotnet test ESign.Hub.sln -c Release "$@"
