"""Visa requirement snapshots and lists, visa policy consultations

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 08:26:05.974810
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visa_consultations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("current", sa.String(length=40), nullable=True),
        sa.Column("proposed", sa.String(length=40), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("answered_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("envelopes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visa_consultations")),
        sa.UniqueConstraint("reference", "direction", name=op.f("uq_visa_consultations_reference")),
    )
    op.create_table(
        "visa_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("destinations", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visa_snapshots")),
        sa.UniqueConstraint("digest", name=op.f("uq_visa_snapshots_digest")),
    )
    op.create_table(
        "visa_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("snapshot_id", sa.String(length=36), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["visa_snapshots.id"],
            name=op.f("fk_visa_lists_snapshot_id_visa_snapshots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visa_lists")),
        sa.UniqueConstraint("snapshot_id", "destination", name=op.f("uq_visa_lists_snapshot_id")),
    )
    with op.batch_alter_table("visa_lists", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visa_lists_destination", ["destination", "taken_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visa_lists", schema=None) as batch_op:
        batch_op.drop_index("ix_visa_lists_destination")

    op.drop_table("visa_lists")
    op.drop_table("visa_snapshots")
    op.drop_table("visa_consultations")
