"""Asylum claims as records: the claims, their versions, their STCA determinations, and the
Asylum Annex's comparisons with partners.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 21:40:04.004330
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asylum_claim_changes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asylum_claim_changes")),
    )
    with op.batch_alter_table("asylum_claim_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asylum_claim_changes_claim", ["claim_id", "version"], unique=False
        )

    op.create_table(
        "asylum_claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("claim_date", sa.Date(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("claimant", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("persecution_in", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("biometric_subject", sa.String(length=64), nullable=True),
        sa.Column("charges", sa.JSON(), nullable=False),
        sa.Column("partner_claims", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asylum_claims")),
    )
    with op.batch_alter_table("asylum_claims", schema=None) as batch_op:
        batch_op.create_index("ix_asylum_claims_claim_date", ["claim_date"], unique=False)
        batch_op.create_index("ix_asylum_claims_reference", ["reference"], unique=True)

    op.create_table(
        "asylum_comparisons",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("agreement", sa.String(length=80), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("query", sa.JSON(), nullable=True),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("answered_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("envelopes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asylum_comparisons")),
    )
    with op.batch_alter_table("asylum_comparisons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asylum_comparisons_reference", ["reference", "direction"], unique=False
        )

    op.create_table(
        "asylum_determinations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("claim_version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("made_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asylum_determinations")),
    )
    with op.batch_alter_table("asylum_determinations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asylum_determinations_claim", ["claim_id", "claim_version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("asylum_determinations", schema=None) as batch_op:
        batch_op.drop_index("ix_asylum_determinations_claim")

    op.drop_table("asylum_determinations")
    with op.batch_alter_table("asylum_comparisons", schema=None) as batch_op:
        batch_op.drop_index("ix_asylum_comparisons_reference")

    op.drop_table("asylum_comparisons")
    with op.batch_alter_table("asylum_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_asylum_claims_reference")
        batch_op.drop_index("ix_asylum_claims_claim_date")

    op.drop_table("asylum_claims")
    with op.batch_alter_table("asylum_claim_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_asylum_claim_changes_claim")

    op.drop_table("asylum_claim_changes")
