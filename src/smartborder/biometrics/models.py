"""Enrolled templates: one row per template, the gallery's source of truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class BiometricTemplate(Base):
    __tablename__ = "biometric_templates"
    __table_args__ = (
        Index("ix_biometric_templates_changed", "changed_at"),
        Index("ix_biometric_templates_subject", "algorithm", "subject"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(64))  # with its version: dlib-resnet-v1
    subject: Mapped[str] = mapped_column(String(64))
    dimensions: Mapped[int] = mapped_column(Integer)
    # float32, little-endian; emptied when the template is deleted (the data is destroyed)
    template: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12))  # enrolled | deleted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))


class CriminalRecord(Base):
    """A criminal-record summary held against an enrolled person: what a partner's fingerprint
    search may be told on a hit, as far as the annex lets it."""

    __tablename__ = "biometric_criminal_records"
    __table_args__ = (Index("ix_biometric_criminal_records_subject", "subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))  # as enrolled in the fingerprint gallery
    reference: Mapped[str] = mapped_column(String(64))  # the record's number at its owner
    owner: Mapped[str] = mapped_column(String(120))  # the agency that holds the record
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    charges: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # offence, date
    dispositions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # outcome, date
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))


class FingerprintSearch(Base):
    """A fingerprint search sent to a partner (``out``) or received from one (``in``).

    A received search's transaction waits in ``query`` only until it is answered; then it is
    destroyed, and on no hit nothing of what was searched remains (the row keeps the reference,
    the times and the outcome)."""

    __tablename__ = "biometric_fingerprint_searches"
    __table_args__ = (
        Index("ix_biometric_fingerprint_searches_reference", "reference", "direction"),
        Index("ix_biometric_fingerprint_searches_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(80))
    search: Mapped[str] = mapped_column(String(12))  # tenprint | latent
    tot: Mapped[str] = mapped_column(String(8))
    prints: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12))  # sent | queued | answered
    result: Mapped[str | None] = mapped_column(String(8))  # hit | no hit
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the answer said (or sent)
    query: Mapped[bytes | None] = mapped_column(LargeBinary)  # in: until answered, then gone
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    envelopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
