"""Single sign-on (OpenID Connect): users known by their identity provider's subject, the ID
token kept with the web session for the provider's sign-out, and sign-ins under way.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartborder.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("external_subject", sa.String(length=400), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_external_subject"), ["external_subject"])
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("id_token", sa.Text(), nullable=True))
    op.create_table(
        "oidc_logins",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", smartborder.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_oidc_logins")),
    )
    op.create_index(op.f("ix_oidc_logins_created_at"), "oidc_logins", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oidc_logins_created_at"), table_name="oidc_logins")
    op.drop_table("oidc_logins")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("id_token")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_external_subject"), type_="unique")
        batch.drop_column("external_subject")
