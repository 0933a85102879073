#!/usr/bin/env bash
# Make sure a local PostgreSQL server runs for the test suite and print its URL on stdout.
# Installs Debian's postgresql package when the server is missing (needs root or sudo).
#
# What it leaves behind (the README says so too): the cluster keeps running after the tests, and
# a role oov_test with the known password oov_test owns the test databases. That password is
# only safe because the server is local-only: it listens on localhost, and Debian's pg_hba.conf
# admits password logins from 127.0.0.1/::1 only; this script checks both and refuses otherwise.
# Remove it all with: sudo pg_dropcluster --stop <version> main (or drop the role).
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
# Local-only: listen on localhost (PostgreSQL's default when the setting is absent).
listen=$(pg_conftool -s "$version" "$cluster" show listen_addresses 2>/dev/null || echo localhost)
if [ "$listen" != "localhost" ]; then
  echo "Setting listen_addresses = 'localhost' (was '$listen') for the test cluster" >&2
  as_root pg_conftool "$version" "$cluster" set listen_addresses localhost >&2
  as_root pg_ctlcluster "$version" "$cluster" restart >&2 || true
fi
hba=/etc/postgresql/$version/$cluster/pg_hba.conf
if as_root awk '$1 ~ /^host/ && $4 !~ /^(127\.0\.0\.1\/32|::1\/128)$/ {found=1} END {exit !found}' "$hba"; then
  echo "$hba admits hosts other than 127.0.0.1/::1; not creating a role with a known password" >&2
  exit 1
fi
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
