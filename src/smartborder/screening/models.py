"""Lookouts: this node's own and those its partners shared with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class Lookout(Base):
    __tablename__ = "screening_lookouts"
    __table_args__ = (
        Index("ix_screening_lookouts_updated", "updated_at"),
        Index("ix_screening_lookouts_status_category", "status", "category"),
        Index("ix_screening_lookouts_origin", "origin", "origin_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(12))  # person | document | organisation
    category: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    names: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{name, kind}]
    search_text: Mapped[str] = mapped_column(Text, default="")  # normalised names, for lists
    birth_date: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    sex: Mapped[str | None] = mapped_column(String(1))
    nationalities: Mapped[list[str]] = mapped_column(JSON)
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{number, type, country}]
    remarks: Mapped[str] = mapped_column(Text, default="")
    source_reference: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # active | retracted
    share: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_fields: Mapped[list[str]] = mapped_column(JSON)
    # "local" for our own; otherwise the partner's node id and its id for the lookout
    origin: Mapped[str] = mapped_column(String(32))
    origin_id: Mapped[str | None] = mapped_column(String(36))
    # for a partner's lookout: the agreement and the last envelope that changed it
    origin_agreement: Mapped[str | None] = mapped_column(String(80), default=None)
    origin_envelope: Mapped[str | None] = mapped_column(String(36), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(120))
    retracted_reason: Mapped[str | None] = mapped_column(Text)

    def state_on(self, today: dt.date) -> str:
        """active, retracted, expired, or not-yet-valid."""
        if self.status != "active":
            return self.status
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        if self.valid_from > today:
            return "not-yet-valid"
        return "active"
