"""Asylum claims, their history, their STCA determinations and the Asylum Annex's comparisons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class AsylumClaim(Base):
    """A claim for refugee protection made at this node's country: the claimant, the facts the
    STCA engine reads, where and when it was made, its status and outcome. ``version`` grows
    with every change; each change is a row of :class:`AsylumClaimChange`."""

    __tablename__ = "asylum_claims"
    __table_args__ = (
        Index("ix_asylum_claims_reference", "reference", unique=True),
        Index("ix_asylum_claims_claim_date", "claim_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    claim_date: Mapped[dt.date] = mapped_column(Date)
    names: Mapped[str] = mapped_column(Text)  # normalised, joined: for listing and searching
    claimant: Mapped[dict[str, Any]] = mapped_column(JSON)  # names, birth_date, sex, documents
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)  # stca.Facts, as given
    location: Mapped[str] = mapped_column(String(200))  # the office or port where it was made
    persecution_in: Mapped[list[str]] = mapped_column(JSON)  # countries the claimant alleges
    status: Mapped[str] = mapped_column(String(16))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)  # outcome, date, grounds
    biometric_subject: Mapped[str | None] = mapped_column(String(64))  # in the print gallery
    charges: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # charges and convictions
    partner_claims: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # from comparisons
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(120))


class AsylumClaimChange(Base):
    """One version of a claim: who changed what, and why."""

    __tablename__ = "asylum_claim_changes"
    __table_args__ = (Index("ix_asylum_claim_changes_claim", "claim_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # field, before, after


class AsylumDetermination(Base):
    """An STCA determination of one version of a claim; the newest is ``current``."""

    __tablename__ = "asylum_determinations"
    __table_args__ = (Index("ix_asylum_determinations_claim", "claim_id", "claim_version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(36))
    claim_version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(String(32))  # the rules' version, e.g. ca-2023
    outcome: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # steps, exceptions, missing, ...
    current: Mapped[bool] = mapped_column(Boolean)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    made_by: Mapped[str] = mapped_column(String(120))


class AsylumComparison(Base):
    """A claimant compared with a partner's claimants (``out``), or a partner's claimant
    compared with ours (``in``). Nothing of a query that found nothing is kept: an ``in`` row
    holds the reference, the times and the result; on a hit, which claim of ours matched."""

    __tablename__ = "asylum_comparisons"
    __table_args__ = (Index("ix_asylum_comparisons_reference", "reference", "direction"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    claim_id: Mapped[str | None] = mapped_column(String(36))  # ours: asked about, or matched
    state: Mapped[str] = mapped_column(String(12))  # sent | answered
    result: Mapped[str | None] = mapped_column(String(8))  # hit | no hit
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # in: until it is answered
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    envelopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
