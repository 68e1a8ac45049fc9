#!/usr/bin/env bash
# Starts or stops the PostgreSQL cluster that the test run uses (socket only, no TCP).
# Usage: pg_fixture.sh start|stop DIR
set -euo pipefail
action=$1
dir=$2
bin=${LEADLINE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
if [ ! -x "$bin/pg_ctl" ]; then
  echo "PostgreSQL server binaries not found (install postgresql-15)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    if [ -f "$dir/pgdata/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" stop -D "$dir/pgdata" -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/run" "$dir/pgdata"
    chmod 700 "$dir" "$dir/run" "$dir/pgdata"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
    as_pg "$bin/initdb" -D "$dir/pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # Tests create and drop many databases: durability is not needed here.
    as_pg "$bin/pg_ctl" start -D "$dir/pgdata" -w -t 60 -l "$dir/postgres.log" \
      -o "-k $dir/run -p 5432 -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
    echo "test PostgreSQL running in $dir"
    ;;
  stop)
    if [ -d "$dir/pgdata" ]; then
      as_pg "$bin/pg_ctl" stop -D "$dir/pgdata" -m fast -w >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
