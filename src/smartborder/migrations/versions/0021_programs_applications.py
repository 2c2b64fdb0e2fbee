"""Trusted-traveller applications (NEXUS, FAST) with their eligibility, reasons, fee and
vetting, and the partners' applicants vetted here.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 22:49:34.046391
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programs_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("program", sa.String(length=8), nullable=False),
        sa.Column("applicant", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("application", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("fee", sa.JSON(), nullable=False),
        sa.Column("vetting", sa.JSON(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_applications")),
    )
    with op.batch_alter_table("programs_applications", schema=None) as batch_op:
        batch_op.create_index("ix_programs_applications_reference", ["reference"], unique=True)
        batch_op.create_index("ix_programs_applications_status", ["status"], unique=False)

    op.create_table(
        "programs_vettings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("agreement", sa.String(length=80), nullable=False),
        sa.Column("program", sa.String(length=8), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("envelopes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_vettings")),
    )
    with op.batch_alter_table("programs_vettings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_programs_vettings_reference", ["partner", "reference"], unique=False
        )
        batch_op.create_index("ix_programs_vettings_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("programs_vettings", schema=None) as batch_op:
        batch_op.drop_index("ix_programs_vettings_state")
        batch_op.drop_index("ix_programs_vettings_reference")

    op.drop_table("programs_vettings")
    with op.batch_alter_table("programs_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_programs_applications_status")
        batch_op.drop_index("ix_programs_applications_reference")

    op.drop_table("programs_applications")
