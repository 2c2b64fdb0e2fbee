#!/usr/bin/env bash
# The whole suite, as CI runs it: set up, quality gates, then pytest on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
# compiled modules kept, so the nodes, workers and CLI calls the tests start do not each compile
# the whole application again (see the Makefile)
unset PYTHONDONTWRITEBYTECODE

bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
pg_url=$(bash scripts/ensure-services.sh)
# the machine's RabbitMQ (ensure-services started it); tests of the broker consumer use it
export SMARTBORDER_TEST_AMQP_URL="${SMARTBORDER_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"

echo "== ruff"
uv run --locked ruff check src tests bench scripts
uv run --locked ruff format --check src tests bench scripts
echo "== mypy --strict"
uv run --locked mypy
# The two databases' runs go side by side (this machine has two cores); each keeps its own
# temporary folder and log, shown when both are done. Tests that share one outside service
# in a way the other run would notice (the broker's connections) take a file lock.
logs=$(mktemp -d)
echo "== pytest on SQLite (with the demo and the browser test) and on PostgreSQL, side by side"
uv run --locked pytest -q --basetemp="$logs/sqlite" >"$logs/sqlite.log" 2>&1 &
sqlite_run=$!
SMARTBORDER_TEST_DATABASE_URL="$pg_url" uv run --locked pytest -q -m "not demo" \
  -p no:cacheprovider --basetemp="$logs/postgresql" >"$logs/postgresql.log" 2>&1 &
postgresql_run=$!
sqlite_rc=0
wait "$sqlite_run" || sqlite_rc=$?
postgresql_rc=0
wait "$postgresql_run" || postgresql_rc=$?
echo "== pytest on SQLite (exit $sqlite_rc)"
cat "$logs/sqlite.log"
echo "== pytest on PostgreSQL (exit $postgresql_rc)"
cat "$logs/postgresql.log"
rm -rf "$logs"
[ "$sqlite_rc" -eq 0 ] && [ "$postgresql_rc" -eq 0 ]
