# Sourced by the cluster and benchmark scripts: a private PostgreSQL cluster in a folder, on loopback, as the tests
# start it. Needs the Debian postgresql package (scripts/setup.sh) and, as root, the postgres user.
# PG_FSYNC=off (the benchmarks and tests) trades durability against an operating-system crash for speed; the default
# keeps PostgreSQL's own setting (on).
#
#   pg_start FOLDER PORT         initdb, start, create database "annotation"; sets pg_connection
#   pg_stop FOLDER               fast shutdown
#   pg_resume FOLDER PORT        start again after pg_stop
#   pg_connection_string PORT    the Npgsql connection string of the "annotation" database

pg_run() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_connection_string() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=annotation;Maximum Pool Size=50"; }

pg_start() {
  local data=$1/pg sockets=$1/sockets port=$2
  mkdir -p "$data" "$sockets"
  if [[ $(id -u) == 0 ]]; then chown -R postgres:postgres "$1"; fi
  pg_run initdb -D "$data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  pg_resume "$1" "$port"
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE annotation" >/dev/null
  pg_connection=$(pg_connection_string "$port")
}

pg_resume() {
  local fast=""
  [[ "${PG_FSYNC:-on}" == off ]] && fast="-c fsync=off -c full_page_writes=off"
  pg_run pg_ctl -D "$1/pg" -l "$1/pg.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $2 -k $1/sockets $fast" start >/dev/null
}

pg_stop() { pg_run pg_ctl -D "$1/pg" -m fast -w stop >/dev/null 2>&1 || true; }
