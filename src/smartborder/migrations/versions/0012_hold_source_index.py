"""Hold source index: a hit's holds are found by their source (``hit:<assessment id>``).

Without it, placing, checking and releasing a hit's holds read every hold of the node.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:56:47.884932
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("travel_holds", schema=None) as batch_op:
        batch_op.create_index("ix_travel_holds_source", ["source", "released_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("travel_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_holds_source")
