"""The operations overview: counts by the hour and how far each series is counted; the time
columns the counting ranges over indexed.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 06:48:48.357136
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# (index, table, column): the series' time columns
TIMES = (
    ("ix_cargo_reports_received", "cargo_reports", "received_at"),
    ("ix_exchange_inbox_received", "exchange_inbox", "received_at"),
    ("ix_exchange_outbox_created", "exchange_outbox", "created_at"),
    ("ix_travel_assessments_assessed", "travel_assessments", "assessed_at"),
    ("ix_travel_dispositions_at", "travel_dispositions", "at"),
    ("ix_travel_passengers_received", "travel_passengers", "received_at"),
)


def upgrade() -> None:
    op.create_table(
        "operations_hourly",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("hour", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "key", "hour", name=op.f("pk_operations_hourly")),
    )
    op.create_index("ix_operations_hourly_hour", "operations_hourly", ["hour"], unique=False)
    op.create_table(
        "operations_rollup",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("until", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_operations_rollup")),
    )
    for index, table, column in TIMES:
        op.create_index(index, table, [column], unique=False)


def downgrade() -> None:
    for index, table, _ in TIMES:
        op.drop_index(index, table_name=table)
    op.drop_table("operations_rollup")
    op.drop_index("ix_operations_hourly_hour", table_name="operations_hourly")
    op.drop_table("operations_hourly")
