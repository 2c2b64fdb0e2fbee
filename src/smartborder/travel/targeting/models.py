"""Targeting tables: assessments (a traveller on a flight as judged) and their dispositions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class Assessment(Base):
    """One traveller on one flight as the risk model and screening judged them (kept when
    anything fired: an indicator, a lookout hit, or a decision other than board), with the
    analysts' disposition. ``origin`` is "local", or the partner's node id for a high-risk
    traveller the partner shared (then ``origin_ref`` is its id there)."""

    __tablename__ = "travel_assessments"
    __table_args__ = (
        Index("ix_travel_assessments_queue", "queued", "departs"),
        Index("ix_travel_assessments_flight", "flight_id", "traveller_id"),
        Index("ix_travel_assessments_origin", "origin", "origin_ref"),
        Index("ix_travel_assessments_traveller", "traveller_id"),  # deleting a traveller
        Index("ix_travel_assessments_assessed", "assessed_at"),  # the hourly counts
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    flight_id: Mapped[str | None] = mapped_column(ForeignKey("travel_flights.id"))
    traveller_id: Mapped[str | None] = mapped_column(ForeignKey("travel_travellers.id"))
    origin: Mapped[str] = mapped_column(String(32))  # "local" or the partner's node id
    origin_ref: Mapped[str | None] = mapped_column(String(36))
    agreement: Mapped[str | None] = mapped_column(String(80))
    envelope: Mapped[str | None] = mapped_column(String(36))
    model_id: Mapped[str | None] = mapped_column(String(36))
    model_label: Mapped[str] = mapped_column(String(80), default="")  # "name v3"
    score: Mapped[int] = mapped_column(Integer, default=0)
    joint_score: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str] = mapped_column(String(24))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(8))  # high | medium | low
    queued: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str] = mapped_column(String(32))
    team: Mapped[str] = mapped_column(String(40))  # the user group the category is routed to
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # name, flight, route (for lists)
    departs: Mapped[str] = mapped_column(String(16))  # local departure, ISO (date if no time)
    arrives: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))  # the latest disposition
    status_by: Mapped[str | None] = mapped_column(String(120))
    status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    shared_with: Mapped[list[str]] = mapped_column(JSON)  # partner node ids
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by each re-assessment
    # a digest of the values scoring wrote (score to arrival), to tell a re-assessment unchanged
    # without reading the row; none before revision 0011
    digest: Mapped[str | None] = mapped_column(String(32))


class Disposition(Base):
    """One step of an assessment's history: a status with the analyst's note."""

    __tablename__ = "travel_dispositions"
    __table_args__ = (
        Index("ix_travel_dispositions_assessment", "assessment_id", "at"),
        Index("ix_travel_dispositions_at", "at"),  # the hourly counts
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("travel_assessments.id"))
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    origin: Mapped[str] = mapped_column(String(32))  # "local" or the partner that set it
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
