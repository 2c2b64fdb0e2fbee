"""Trends over shared data: a trend report's aggregates as shared with the partner or received
from it, with the agreement each travelled under.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 07:06:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations_shared_aggregates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("agreement", sa.String(length=80), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=False),
        sa.Column("period_from", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_to", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minimum_cell", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_shared_aggregates")),
    )
    op.create_index(
        "ix_operations_shared_report",
        "operations_shared_aggregates",
        ["report", "period_from"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_operations_shared_report", table_name="operations_shared_aggregates")
    op.drop_table("operations_shared_aggregates")
