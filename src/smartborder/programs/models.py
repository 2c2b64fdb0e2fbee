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
    status: Mapped[str] = mapped_column(String(12))  # ineligible | vetting
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fee: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
