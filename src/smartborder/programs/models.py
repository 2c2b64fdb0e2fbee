"""Trusted-traveller applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class TrustedApplication(Base):
    """An application to NEXUS or FAST as given, with its eligibility, reasons and fee."""

    __tablename__ = "programs_applications"
    __table_args__ = (
        Index("ix_programs_applications_reference", "reference", unique=True),
        Index("ix_programs_applications_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))  # what the applicant is told
    program: Mapped[str] = mapped_column(String(8))  # nexus | fast
    applicant: Mapped[str] = mapped_column(Text)  # normalised name, for listing
    birth_date: Mapped[dt.date] = mapped_column(Date)
    application: Mapped[dict[str, Any]] = mapped_column(JSON)  # as given
    status: Mapped[str] = mapped_column(String(12))  # ineligible|vetting|approved|denied
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fee: Mapped[dict[str, Any]] = mapped_column(JSON)
    # this node's vetting (hits, decision) and each partner's decision
    vetting: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))


class TrustedVetting(Base):
    """A partner's applicant sent here to vet: only what the annex lists, the hits found here
    (kept here), and the decision returned."""

    __tablename__ = "programs_vettings"
    __table_args__ = (
        Index("ix_programs_vettings_reference", "partner", "reference"),
        Index("ix_programs_vettings_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))  # the partner's application reference
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    program: Mapped[str] = mapped_column(String(8))
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))  # queued | screening | review | answered
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(8))
    reason_codes: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    envelopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
