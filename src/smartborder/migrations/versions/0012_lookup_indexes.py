"""Lookup indexes: a hit's holds by their source (``hit:<assessment id>``), a traveller's
assessments, and the case requests a received envelope answers.

Without them, placing, checking and releasing a hit's holds read every hold of the node, and
deleting a traveller (retention) or a received envelope read every assessment or case request
to check the foreign keys.

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

INDEXES = (
    ("travel_holds", "ix_travel_holds_source", ["source", "released_at"]),
    ("travel_assessments", "ix_travel_assessments_traveller", ["traveller_id"]),
    ("exchange_case_requests", "ix_exchange_case_requests_response", ["response_envelope_id"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
