"""Mutual TLS between nodes and key rotation: the TLS certificates pinned for each partner,
and the partner's previous signing key, accepted until the end of the rotation's overlap.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_partner_certificates",
        sa.Column("fingerprint", sa.String(length=95), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("pem", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("not_after", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("retire_at", smartborder.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_partner_certificates_partner_exchange_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_exchange_partner_certificates")),
    )
    op.create_index(
        "ix_exchange_partner_certificates_partner",
        "exchange_partner_certificates",
        ["partner"],
    )
    with op.batch_alter_table("exchange_partners") as batch:
        batch.add_column(sa.Column("previous_public_key", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "previous_key_until", smartborder.db.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_partners") as batch:
        batch.drop_column("previous_key_until")
        batch.drop_column("previous_public_key")
    op.drop_index(
        "ix_exchange_partner_certificates_partner", table_name="exchange_partner_certificates"
    )
    op.drop_table("exchange_partner_certificates")
