"""Goods: trade parties (the carriers and importers FAST's lane asked of programs_traders move
here), advance cargo reports as received, shipments, examinations; risk models get a subject
(travellers or shipments).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 03:04:32.634494
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cargo_examinations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=True),
        sa.Column("partner_reference", sa.String(length=36), nullable=True),
        sa.Column("result", sa.String(length=12), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String(length=120), nullable=True),
        sa.Column("done_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cargo_examinations")),
    )
    with op.batch_alter_table("cargo_examinations", schema=None) as batch_op:
        batch_op.create_index("ix_cargo_examinations_shipment", ["shipment_id"], unique=False)
        batch_op.create_index("ix_cargo_examinations_status", ["status"], unique=False)

    op.create_table(
        "cargo_parties",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("program", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("screened_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cargo_parties")),
        sa.UniqueConstraint("role", "identifier", name="uq_cargo_parties_identifier"),
    )
    with op.batch_alter_table("cargo_parties", schema=None) as batch_op:
        batch_op.create_index("ix_cargo_parties_status", ["status"], unique=False)

    op.create_table(
        "cargo_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=12), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("received_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cargo_reports")),
    )
    with op.batch_alter_table("cargo_reports", schema=None) as batch_op:
        batch_op.create_index("ix_cargo_reports_digest", ["digest"], unique=False)
        batch_op.create_index("ix_cargo_reports_state", ["state", "received_at"], unique=False)

    op.create_table(
        "cargo_shipments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("carrier", sa.String(length=12), nullable=False),
        sa.Column("bill", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("master_bill", sa.String(length=40), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("fast", sa.Boolean(), nullable=False),
        sa.Column("conveyance", sa.JSON(), nullable=False),
        sa.Column("loading_place", sa.String(length=5), nullable=False),
        sa.Column("loading_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrival_place", sa.String(length=5), nullable=False),
        sa.Column("arrival_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("routing", sa.JSON(), nullable=False),
        sa.Column("in_transit", sa.Boolean(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("containers", sa.JSON(), nullable=False),
        sa.Column("goods", sa.JSON(), nullable=False),
        sa.Column("first_reported_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline_rule", sa.String(length=200), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("joint_score", sa.Integer(), nullable=True),
        sa.Column("assessment", sa.JSON(), nullable=True),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("partner_reference", sa.String(length=36), nullable=True),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cargo_shipments")),
        sa.UniqueConstraint("carrier", "bill", "origin", name="uq_cargo_shipments_bill"),
    )
    with op.batch_alter_table("cargo_shipments", schema=None) as batch_op:
        batch_op.create_index("ix_cargo_shipments_late", ["late"], unique=False)
        batch_op.create_index("ix_cargo_shipments_master", ["master_bill"], unique=False)
        batch_op.create_index("ix_cargo_shipments_status", ["status", "arrival_at"], unique=False)

    # the carriers and importers recorded for FAST's lane become trade parties
    traders = sa.table("programs_traders", sa.column("id", sa.String), sa.column("role", sa.String),
                       sa.column("name", sa.String), sa.column("program", sa.String),
                       sa.column("status", sa.String),
                       sa.column("updated_at", smartborder.db.UTCDateTime(timezone=True)),
                       sa.column("updated_by", sa.String))  # fmt: skip
    when = smartborder.db.UTCDateTime(timezone=True)
    party = sa.table(
        "cargo_parties",
        *(sa.column(c, sa.String) for c in ("id", "role", "identifier", "name", "country",
                                            "address", "program", "status", "updated_by")),
        sa.column("hits", sa.JSON), sa.column("history", sa.JSON),
        sa.column("created_at", when), sa.column("updated_at", when),
    )  # fmt: skip
    bind = op.get_bind()
    for row in bind.execute(sa.select(traders)).mappings().all():
        bind.execute(party.insert().values(
            id=str(uuid.uuid4()), role=row["role"], identifier=row["id"], name=row["name"],
            country="US" if row["program"] == "C-TPAT" else "CA", address="",
            program=row["program"], status=row["status"], hits=[],
            history=[{"event": "moved from programs_traders", "at": None, "by": "migration",
                      "reasons": ["not screened yet: screen it again"]}],
            created_at=row["updated_at"], updated_at=row["updated_at"],
            updated_by=row["updated_by"]))  # fmt: skip
    op.drop_table("programs_traders")
    # both databases add a column with a constant default in place: no table copy
    op.add_column(
        "travel_risk_models",
        sa.Column("subject", sa.String(length=12), server_default="traveller", nullable=False),
    )
    op.create_index(
        "ix_travel_risk_models_subject", "travel_risk_models", ["subject", "status"], unique=False
    )


def downgrade() -> None:
    with op.batch_alter_table("travel_risk_models", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_risk_models_subject")
        batch_op.drop_column("subject")

    op.create_table(
        "programs_traders",
        sa.Column("id", sa.VARCHAR(length=40), nullable=False),
        sa.Column("role", sa.VARCHAR(length=10), nullable=False),
        sa.Column("name", sa.VARCHAR(length=200), nullable=False),
        sa.Column("program", sa.VARCHAR(length=8), nullable=False),
        sa.Column("status", sa.VARCHAR(length=12), nullable=False),
        sa.Column("updated_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.VARCHAR(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs_traders")),
    )
    with op.batch_alter_table("cargo_shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_cargo_shipments_status")
        batch_op.drop_index("ix_cargo_shipments_master")
        batch_op.drop_index("ix_cargo_shipments_late")

    op.drop_table("cargo_shipments")
    with op.batch_alter_table("cargo_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_cargo_reports_state")
        batch_op.drop_index("ix_cargo_reports_digest")

    op.drop_table("cargo_reports")
    with op.batch_alter_table("cargo_parties", schema=None) as batch_op:
        batch_op.drop_index("ix_cargo_parties_status")

    op.drop_table("cargo_parties")
    with op.batch_alter_table("cargo_examinations", schema=None) as batch_op:
        batch_op.drop_index("ix_cargo_examinations_status")
        batch_op.drop_index("ix_cargo_examinations_shipment")

    op.drop_table("cargo_examinations")
