"""Assessment digest: what scoring wrote, to tell a re-assessment unchanged without reading the row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:48:46.276050
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("travel_assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("travel_assessments", schema=None) as batch_op:
        batch_op.drop_column("digest")
