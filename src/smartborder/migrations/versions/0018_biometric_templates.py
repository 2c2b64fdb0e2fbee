"""Biometric templates: the galleries of 1:N identification, one row per template.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biometric_templates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_templates")),
    )
    op.create_index("ix_biometric_templates_changed", "biometric_templates", ["changed_at"])
    op.create_index(
        "ix_biometric_templates_subject", "biometric_templates", ["algorithm", "subject"]
    )


def downgrade() -> None:
    op.drop_index("ix_biometric_templates_subject", table_name="biometric_templates")
    op.drop_index("ix_biometric_templates_changed", table_name="biometric_templates")
    op.drop_table("biometric_templates")
