#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests on 127.0.0.1:${PGPORT:-54329}
# from Debian's packages, and prints its URL. Idempotent: an already running
# cluster is reused. Usage: scripts/postgres.sh start|stop|url
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${CONSENTLINE_PG_PORT:-54329}
dir="$root/.tools/pg"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
url="postgresql://consentline:consentline@127.0.0.1:$port/consentline"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  url) echo "$url" ;;
  stop) [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true ;;
  start)
    [ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    fi
    psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='consentline'" | grep -q 1 ||
      psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE consentline LOGIN SUPERUSER PASSWORD 'consentline'"
    psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='consentline'" | grep -q 1 ||
      psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE consentline OWNER consentline"
    echo "$url"
    ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
