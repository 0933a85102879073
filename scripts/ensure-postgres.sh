#!/usr/bin/env bash
# Make sure a local PostgreSQL server runs for the test suite and print its URL on stdout.
# Installs Debian's postgresql package when the server is missing (needs root or sudo).
set -euo pipefail

DB_NAME="${OOV_TEST_DB_NAME:-oov_test}"
DB_USER="oov_test"
DB_PASSWORD="oov_test"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "Installing the PostgreSQL server (Debian package 'postgresql')..." >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v' | grep -q .; then
  as_root pg_createcluster "$version" main >&2
fi
cluster=$(pg_lsclusters -h | awk -v v="$version" '$1 == v {print $2; exit}')
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v {print $3; exit}')
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v {print $4; exit}' | grep -q online; then
  as_root pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done

psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -p $port $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'\"" >&2
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE $DB_NAME OWNER $DB_USER\"" >&2
fi
echo "postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
