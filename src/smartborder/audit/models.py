"""Audit tables: the chain's entries, its head, and checkpoints exchanged with partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class AuditHead(Base):
    """One row: the chain's size and the hash of its last entry. Appends lock it first."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """One event. ``hash`` = SHA-256 of the previous hash and this entry's canonical content."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_event", "event"),
        Index("ix_audit_entries_agreement", "agreement"),
        Index("ix_audit_entries_at", "at"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    event: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(120))
    partner: Mapped[str | None] = mapped_column(String(40))
    agreement: Mapped[str | None] = mapped_column(String(80))
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed statement of a chain's size and head.

    ``own``: a checkpoint of our chain we sent to ``partner``; ``receipt``: the partner's signed
    acknowledgement of one of ours; ``partner``: a checkpoint of the partner's chain it sent us.
    ``token`` is the signed envelope itself, kept as evidence.
    """

    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_partner_kind", "partner", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    partner: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    envelope_id: Mapped[str] = mapped_column(String(36))
    token: Mapped[str] = mapped_column(Text)
