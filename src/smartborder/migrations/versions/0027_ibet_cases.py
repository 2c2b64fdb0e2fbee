"""Integrated Border Enforcement Team cases and their timelines.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 07:23:44.710385
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ibet_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opened_by_node", sa.String(length=32), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("to_screen", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ibet_cases")),
    )
    op.create_table(
        "ibet_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=False),
        sa.Column("at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("task", sa.JSON(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ibet_cases.id"], name=op.f("fk_ibet_entries_case_id_ibet_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ibet_entries")),
    )
    op.create_index("ix_ibet_entries_case", "ibet_entries", ["case_id", "at"])
    op.create_index("ix_ibet_cases_to_screen", "ibet_cases", ["to_screen"])


def downgrade() -> None:
    op.drop_index("ix_ibet_cases_to_screen", table_name="ibet_cases")
    op.drop_index("ix_ibet_entries_case", table_name="ibet_entries")

    op.drop_table("ibet_entries")
    op.drop_table("ibet_cases")
