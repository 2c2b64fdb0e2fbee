"""Fingerprint and criminal-record exchange: criminal-record summaries held against enrolled
people, and fingerprint searches sent to and received from partners.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biometric_criminal_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("charges", sa.JSON(), nullable=False),
        sa.Column("dispositions", sa.JSON(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_criminal_records")),
    )
    op.create_index(
        "ix_biometric_criminal_records_subject", "biometric_criminal_records", ["subject"]
    )
    op.create_table(
        "biometric_fingerprint_searches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("agreement", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("search", sa.String(length=12), nullable=False),
        sa.Column("tot", sa.String(length=8), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("query", sa.LargeBinary(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("answered_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("envelopes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biometric_fingerprint_searches")),
    )
    op.create_index(
        "ix_biometric_fingerprint_searches_reference",
        "biometric_fingerprint_searches",
        ["reference", "direction"],
    )
    op.create_index(
        "ix_biometric_fingerprint_searches_state", "biometric_fingerprint_searches", ["state"]
    )


def downgrade() -> None:
    op.drop_index(
        "ix_biometric_fingerprint_searches_state", table_name="biometric_fingerprint_searches"
    )
    op.drop_index(
        "ix_biometric_fingerprint_searches_reference", table_name="biometric_fingerprint_searches"
    )
    op.drop_table("biometric_fingerprint_searches")
    op.drop_index("ix_biometric_criminal_records_subject", table_name="biometric_criminal_records")
    op.drop_table("biometric_criminal_records")
