"""Message bodies follow destruction, correction and retention: the inbox and outbox record
when and why an envelope's payload was cut out (the digest and signature stay), with indexes
for the retention job (by agreement and age) and for a notice's references.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from smartborder.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEXES = (
    ("exchange_inbox", "ix_exchange_inbox_agreement_received", ["agreement", "received_at"]),
    ("exchange_outbox", "ix_exchange_outbox_agreement_created", ["agreement", "created_at"]),
    ("exchange_notices", "ix_exchange_notices_refers_to", ["refers_to"]),
)


def upgrade() -> None:
    for table in ("exchange_inbox", "exchange_outbox"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("body_removed_at", UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column("body_removed_reason", sa.String(200), nullable=True))
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    for table in ("exchange_outbox", "exchange_inbox"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("body_removed_reason")
            batch_op.drop_column("body_removed_at")
