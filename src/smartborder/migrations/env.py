"""Alembic environment: runs against the engine smartborder.db hands it (never a global URL)."""

from __future__ import annotations

from alembic import context

from smartborder.models import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
