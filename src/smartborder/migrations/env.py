"""Alembic environment: runs against the engine smartborder.db hands it (never a global URL).

On PostgreSQL the migrations run under a transaction-scoped advisory lock, so when several
workers or machines upgrade at once one applies them and the others wait, then find the schema
current and do nothing (migrations run once, by one process)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from smartborder.locks import MIGRATIONS
from smartborder.models import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATIONS})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
