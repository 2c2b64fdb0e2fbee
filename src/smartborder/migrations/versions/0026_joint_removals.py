"""Joint removals: removal cases, joint removal operations and their manifests.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 07:15:06.846722
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "removal_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=False),
        sa.Column("given_names", sa.String(length=160), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("order_reference", sa.String(length=60), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("destination", sa.String(length=3), nullable=False),
        sa.Column("escorts", sa.Integer(), nullable=False),
        sa.Column("escort_notes", sa.Text(), nullable=False),
        sa.Column("mrz", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_cases")),
        sa.UniqueConstraint("reference", name="uq_removal_cases_reference"),
    )
    op.create_table(
        "removal_operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("organiser", sa.String(length=32), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("destination", sa.String(length=3), nullable=False),
        sa.Column("flight", sa.String(length=40), nullable=False),
        sa.Column("departs", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seats", sa.JSON(), nullable=False),
        sa.Column("escorts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_operations")),
    )
    op.create_table(
        "removal_manifest",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("country", sa.String(length=32), nullable=False),
        sa.Column("case_reference", sa.String(length=40), nullable=False),
        sa.Column("person", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("escorts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["removal_operations.id"],
            name=op.f("fk_removal_manifest_operation_id_removal_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_manifest")),
        sa.UniqueConstraint(
            "operation_id", "country", "case_reference", name="uq_removal_manifest_case"
        ),
    )
    op.create_index("ix_removal_manifest_operation", "removal_manifest", ["operation_id"])


def downgrade() -> None:
    op.drop_index("ix_removal_manifest_operation", table_name="removal_manifest")

    op.drop_table("removal_manifest")
    op.drop_table("removal_operations")
    op.drop_table("removal_cases")
