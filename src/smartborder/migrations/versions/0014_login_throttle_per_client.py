"""Sign-in throttling per username *and* client address (with a growing wait), so that nobody
can lock an account out for everyone by failing on purpose. The throttle's rows are short-lived
counters: the table is made anew.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _create(with_client: bool) -> None:
    columns = [sa.Column("username", sa.String(length=64), nullable=False)]
    if with_client:
        columns.append(sa.Column("client", sa.String(length=64), nullable=False))
    key = ("username", "client") if with_client else ("username",)
    op.create_table(
        "login_throttle",
        *columns,
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_login_throttle")),
    )


def upgrade() -> None:
    op.drop_table("login_throttle")
    _create(with_client=True)


def downgrade() -> None:
    op.drop_table("login_throttle")
    _create(with_client=False)
