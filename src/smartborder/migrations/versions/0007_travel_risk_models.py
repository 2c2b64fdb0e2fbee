"""travel risk models

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 05:08:59.758920
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "travel_risk_models",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("joint", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("indicators", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(length=120), nullable=True),
        sa.Column("activated_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cosigned_by", sa.String(length=40), nullable=True),
        sa.Column("cosigned_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_risk_models")),
        sa.UniqueConstraint("name", "version", name="uq_travel_risk_models_version"),
    )
    with op.batch_alter_table("travel_risk_models", schema=None) as batch_op:
        batch_op.create_index("ix_travel_risk_models_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("travel_risk_models", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_risk_models_status")

    op.drop_table("travel_risk_models")
