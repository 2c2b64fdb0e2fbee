"""Lookout provenance: the agreement and last envelope behind a partner's lookout.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screening_lookouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_agreement", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("origin_envelope", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screening_lookouts", schema=None) as batch_op:
        batch_op.drop_column("origin_envelope")
        batch_op.drop_column("origin_agreement")
