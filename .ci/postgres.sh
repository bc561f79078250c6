#!/usr/bin/env bash
# A throwaway PostgreSQL for the indexer's Postgres tests, from Debian's packages (no internet besides Debian).
#
#   eval "$(bash .ci/postgres.sh)"      # exports ITEC_TEST_DATABASE_URL
#
# - installs `postgresql` with apt-get only when no server binaries are present;
# - runs its own cluster (initdb into $ITEC_PG_DIR as the postgres user, listening on 127.0.0.1:$ITEC_PG_PORT
#   only, socket inside the data directory), so it never touches a system cluster such as 15/main;
# - durability is off (fsync, synchronous_commit, full_page_writes): test data only;
# - idempotent: an existing cluster is reused, a running one is left running, role and database are created once.
# Only the `export ITEC_TEST_DATABASE_URL=…` line goes to stdout (also written to $ITEC_PG_DIR.env); progress
# goes to stderr. Requires root (CI runs as root). Stop it with: runuser -u postgres -- "$bin/pg_ctl" -D "$dir" stop
set -euo pipefail

dir=${ITEC_PG_DIR:-/tmp/itec-postgres}
port=${ITEC_PG_PORT:-55432}
db=${ITEC_PG_DB:-itec_test}
user=${ITEC_PG_USER:-itec}
password=${ITEC_PG_PASSWORD:-itec-test-only}
say() { printf 'postgres.sh: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "must run as root (it installs a package and runs the server as the postgres user)"
  exit 1
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  say "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  # Try without `apt-get update` first (fast when the lists are fresh); update and retry when that fails.
  if ! apt-get install -y -q --no-install-recommends postgresql >&2; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql >&2
  fi
  bin=$(find_bin)
fi
[ -x "$bin/initdb" ] || {
  say "no initdb after installing postgresql"
  exit 1
}
as_pg() { runuser -u postgres -- "$@"; }

if [ ! -s "$dir/PG_VERSION" ]; then
  say "initdb $dir ($("$bin/postgres" --version))"
  rm -rf "$dir"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_pg "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >/dev/null
fi

if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  say "cluster $dir already running"
else
  say "starting on 127.0.0.1:$port"
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || {
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
  }
fi

psql_pg() { as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
  psql_pg -c "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'"
fi
if [ "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
  psql_pg -c "CREATE DATABASE \"$db\" OWNER \"$user\""
fi

url="postgres://$user:$password@127.0.0.1:$port/$db"
line="export ITEC_TEST_DATABASE_URL=$url"
printf '%s\n' "$line" >"$dir.env"
say "ready: $url"
printf '%s\n' "$line"
