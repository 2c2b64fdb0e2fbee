#!/usr/bin/env bash
# The whole suite, as CI runs it: set up, quality gates, then pytest on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

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
echo "== pytest on SQLite (with the demo and the browser test)"
uv run --locked pytest -q
echo "== pytest on PostgreSQL"
SMARTBORDER_TEST_DATABASE_URL="$pg_url" uv run --locked pytest -q -m "not demo"
