"""travel targeting

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 05:34:29.995237
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "travel_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("flight_id", sa.String(length=36), nullable=True),
        sa.Column("traveller_id", sa.String(length=36), nullable=True),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("origin_ref", sa.String(length=36), nullable=True),
        sa.Column("agreement", sa.String(length=80), nullable=True),
        sa.Column("envelope", sa.String(length=36), nullable=True),
        sa.Column("model_id", sa.String(length=36), nullable=True),
        sa.Column("model_label", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("joint_score", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("team", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("departs", sa.String(length=16), nullable=False),
        sa.Column("arrives", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_by", sa.String(length=120), nullable=True),
        sa.Column("status_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("assessed_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flight_id"],
            ["travel_flights.id"],
            name=op.f("fk_travel_assessments_flight_id_travel_flights"),
        ),
        sa.ForeignKeyConstraint(
            ["traveller_id"],
            ["travel_travellers.id"],
            name=op.f("fk_travel_assessments_traveller_id_travel_travellers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_assessments")),
    )
    with op.batch_alter_table("travel_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_travel_assessments_flight", ["flight_id", "traveller_id"], unique=False
        )
        batch_op.create_index(
            "ix_travel_assessments_origin", ["origin", "origin_ref"], unique=False
        )
        batch_op.create_index("ix_travel_assessments_queue", ["queued", "departs"], unique=False)

    op.create_table(
        "travel_dispositions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["travel_assessments.id"],
            name=op.f("fk_travel_dispositions_assessment_id_travel_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_dispositions")),
    )
    with op.batch_alter_table("travel_dispositions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_travel_dispositions_assessment", ["assessment_id", "at"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teams", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("teams")

    with op.batch_alter_table("travel_dispositions", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_dispositions_assessment")

    op.drop_table("travel_dispositions")
    with op.batch_alter_table("travel_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_assessments_queue")
        batch_op.drop_index("ix_travel_assessments_origin")
        batch_op.drop_index("ix_travel_assessments_flight")

    op.drop_table("travel_assessments")
