"""Exchange tables: partners, agreements, the outbox and inbox, data received from partners,
case-by-case requests, and correction/destruction notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class Partner(Base):
    """Another node and the public key its envelopes must verify with (the trust anchor)."""

    __tablename__ = "exchange_partners"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(120))
    # After the partner announced a new signing key: the one it replaced, still accepted until
    # ``previous_key_until`` (the overlap), so envelopes already on their way still verify.
    previous_public_key: Mapped[str | None] = mapped_column(Text)
    previous_key_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PartnerCertificate(Base):
    """A TLS client certificate pinned for a partner: its partner listener accepts a connection
    only with one of these (and the envelopes on it only from that partner); delivery to the
    partner trusts these as the partner's server certificate."""

    __tablename__ = "exchange_partner_certificates"
    __table_args__ = (Index("ix_exchange_partner_certificates_partner", "partner"),)

    fingerprint: Mapped[str] = mapped_column(String(95), primary_key=True)  # SHA-256, AA:BB:…
    partner: Mapped[str] = mapped_column(
        String(32), ForeignKey("exchange_partners.id", ondelete="CASCADE")
    )
    pem: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    not_after: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(120))
    # set when the partner announced its successor: accepted until then (the overlap)
    retire_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Agreement(Base):
    """An agreement and where it stands. ``document`` is what both parties sign."""

    __tablename__ = "exchange_agreements"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    partner: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    # proposed (by us, awaiting the partner) | awaiting-approval (proposed by the partner)
    # | signed | rejected | terminated. "in force" and "expired" follow from dates.
    state: Mapped[str] = mapped_column(String(20))
    proposed_by: Mapped[str] = mapped_column(String(32))
    our_signature: Mapped[str | None] = mapped_column(Text)
    partner_signature: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(120))


class OutboxMessage(Base):
    """A signed envelope waiting for (or past) delivery; written with the change that caused it."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        Index("ix_exchange_outbox_due", "state", "next_attempt_at"),
        Index("ix_exchange_outbox_agreement_created", "agreement", "created_at"),
        Index("ix_exchange_outbox_created", "created_at"),  # the hourly counts
    )

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(60))
    agreement: Mapped[str | None] = mapped_column(String(80))
    token: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))  # pending | delivered | refused
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    refusal_code: Mapped[str | None] = mapped_column(String(40))
    # Set when the payload was cut out of ``token`` (destroyed, corrected or past retention).
    body_removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    body_removed_reason: Mapped[str | None] = mapped_column(String(200))


class InboxMessage(Base):
    """An accepted envelope, kept as evidence. Its id makes delivery idempotent."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (
        Index("ix_exchange_inbox_agreement_received", "agreement", "received_at"),
        Index("ix_exchange_inbox_received", "received_at"),  # the hourly counts
    )

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(60))
    agreement: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    digest: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    # Set when the payload was cut out of ``token`` (destroyed, corrected or past retention);
    # ``digest`` still identifies what was received.
    body_removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    body_removed_reason: Mapped[str | None] = mapped_column(String(200))


class ReceivedData(Base):
    """Partner-provided data, held no longer than the agreement's retention."""

    __tablename__ = "exchange_received"
    __table_args__ = (Index("ix_exchange_received_retain_until", "retain_until"),)

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(60))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retain_until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CaseRequest(Base):
    """A case-by-case request, as its sender (outgoing) or its receiver (incoming) sees it."""

    __tablename__ = "exchange_case_requests"
    __table_args__ = (
        Index("ix_exchange_case_requests_direction_state", "direction", "state"),
        Index("ix_exchange_case_requests_response", "response_envelope_id"),  # retention
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(36), unique=True)
    direction: Mapped[str] = mapped_column(String(8))  # outgoing | incoming
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(80))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    justification: Mapped[str] = mapped_column(Text)
    case_reference: Mapped[str] = mapped_column(String(80))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # outgoing: sent | answered | refused ; incoming: awaiting-decision | answered | refused
    state: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    disclosed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response_envelope_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("exchange_received.envelope_id", ondelete="SET NULL")
    )
    response_removed: Mapped[str | None] = mapped_column(String(200))


class Notice(Base):
    """A correction or destruction notice, sent by us or received from the partner."""

    __tablename__ = "exchange_notices"
    __table_args__ = (Index("ix_exchange_notices_refers_to", "refers_to"),)

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # sent | received
    kind: Mapped[str] = mapped_column(String(20))  # correction | destruction
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    refers_to: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))  # sent | confirmed | applied
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
