"""travel retention

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:53:23.255649
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing rows are unmasked: the new flags default to false
    op.create_table(
        "travel_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("traveller_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=120), nullable=False),
        sa.Column("placed_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=120), nullable=True),
        sa.Column("released_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["traveller_id"],
            ["travel_travellers.id"],
            name=op.f("fk_travel_holds_traveller_id_travel_travellers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_holds")),
    )
    with op.batch_alter_table("travel_holds", schema=None) as batch_op:
        batch_op.create_index("ix_travel_holds_open", ["traveller_id", "released_at"], unique=False)

    with op.batch_alter_table("travel_flights", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("masked_at", smartborder.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("travel_passengers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("masked", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("travel_reservations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("masked", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # existing rows are unmasked: the new flags default to false
    with op.batch_alter_table("travel_reservations", schema=None) as batch_op:
        batch_op.drop_column("masked")

    with op.batch_alter_table("travel_passengers", schema=None) as batch_op:
        batch_op.drop_column("masked")

    with op.batch_alter_table("travel_flights", schema=None) as batch_op:
        batch_op.drop_column("masked_at")

    with op.batch_alter_table("travel_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_holds_open")

    op.drop_table("travel_holds")
