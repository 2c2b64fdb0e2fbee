"""Trusted-traveller enrolment: interviews at the centres, memberships (issued here or shared
by the partner) and the carriers and importers of FAST.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 00:20:21.798128
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programs_interviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("centre", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("capture", sa.JSON(), nullable=False),
        sa.Column("duplicates", sa.JSON(), nullable=False),
        sa.Column("finding", sa.JSON(), nullable=True),
        sa.Column("card_number", sa.String(length=20), nullable=True),
        sa.Column("booked_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booked_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_interviews")),
    )
    with op.batch_alter_table("programs_interviews", schema=None) as batch_op:
        batch_op.create_index("ix_programs_interviews_day", ["centre", "day"], unique=False)
        batch_op.create_index("ix_programs_interviews_reference", ["reference"], unique=False)
        batch_op.create_index("ix_programs_interviews_state", ["state"], unique=False)

    op.create_table(
        "programs_memberships",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("card_number", sa.String(length=20), nullable=False),
        sa.Column("rfid", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("program", sa.String(length=8), nullable=False),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=False),
        sa.Column("given_names", sa.String(length=120), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("face", sa.LargeBinary(), nullable=True),
        sa.Column("iris", sa.LargeBinary(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("open_flags", sa.Integer(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_memberships")),
    )
    with op.batch_alter_table("programs_memberships", schema=None) as batch_op:
        batch_op.create_index("ix_programs_memberships_card", ["card_number"], unique=True)
        batch_op.create_index("ix_programs_memberships_open_flags", ["open_flags"], unique=False)
        batch_op.create_index("ix_programs_memberships_reference", ["reference"], unique=False)
        batch_op.create_index("ix_programs_memberships_rfid", ["rfid"], unique=True)

    op.create_table(
        "programs_traders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("program", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_traders")),
    )


def downgrade() -> None:
    op.drop_table("programs_traders")
    with op.batch_alter_table("programs_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_programs_memberships_rfid")
        batch_op.drop_index("ix_programs_memberships_reference")
        batch_op.drop_index("ix_programs_memberships_open_flags")
        batch_op.drop_index("ix_programs_memberships_card")

    op.drop_table("programs_memberships")
    with op.batch_alter_table("programs_interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_programs_interviews_state")
        batch_op.drop_index("ix_programs_interviews_reference")
        batch_op.drop_index("ix_programs_interviews_day")

    op.drop_table("programs_interviews")
