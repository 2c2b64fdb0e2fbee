#!/usr/bin/env bash
# Make sure what the test suite talks to is here: PostgreSQL on 127.0.0.1:5432 (with a test
# database), RabbitMQ on 127.0.0.1:5672 and Debian's chromium for the browser tests.
# Installs from Debian's packages if missing.
set -euo pipefail

PGHOST=127.0.0.1
PGUSER=postgres
TEST_DB=${SMARTBORDER_TEST_DB_NAME:-smartborder_test}
apt_updated=""

apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
  echo "services: installing Debian's chromium" >&2
  apt_install chromium
fi

if ! pg_isready -h "$PGHOST" -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "services: installing PostgreSQL from Debian's packages" >&2
    apt_install postgresql
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    # A throw-away test server on loopback: trust local connections, as CI machines do.
    sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|md5|scram-sha-256)$/\1\2 trust/' "$hba"
    sed -i -E 's/^(local\s+all\s+postgres\s+)peer$/\1trust/' "$hba"
  fi
  echo "services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  for _ in $(seq 1 60); do
    pg_isready -h "$PGHOST" -p 5432 -q && break
    sleep 1
  done
  pg_isready -h "$PGHOST" -p 5432 -q || { echo "services: PostgreSQL did not start" >&2; exit 1; }
fi

port_open() { (echo > "/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }
if ! port_open 5672; then
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "services: installing RabbitMQ from Debian's packages" >&2
    apt_install rabbitmq-server
  fi
  echo "services: starting RabbitMQ" >&2
  rabbitmq-server -detached >&2 || true
  for _ in $(seq 1 90); do
    port_open 5672 && break
    sleep 1
  done
  port_open 5672 || { echo "services: RabbitMQ did not start" >&2; exit 1; }
fi

if ! psql -h "$PGHOST" -U "$PGUSER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" | grep -q 1; then
  psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "CREATE DATABASE $TEST_DB" >/dev/null
fi
echo "postgresql+psycopg://$PGUSER@$PGHOST:5432/$TEST_DB"
