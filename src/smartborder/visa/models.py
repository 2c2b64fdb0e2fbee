"""Visa tables: dated snapshots of requirement lists (one list per destination), and
consultations on planned changes with the partner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class VisaSnapshot(Base):
    """One load: the lists it brought, as of ``taken_on`` (the data's own date)."""

    __tablename__ = "visa_snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    taken_on: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))  # bundled, file:NAME, api:NAME
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the file
    destinations: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(120))


class VisaList(Base):
    """One destination's requirements for every nationality, as a snapshot gave them
    (nationality -> the value as written: ``visa required``, ``eta``, ``90``...)."""

    __tablename__ = "visa_lists"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "destination"),
        Index("ix_visa_lists_destination", "destination", "taken_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[str] = mapped_column(ForeignKey("visa_snapshots.id"))
    destination: Mapped[str] = mapped_column(String(2))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    requirements: Mapped[dict[str, str]] = mapped_column(JSON)


class VisaConsultation(Base):
    """A planned imposition or lifting of a visa requirement, sent to or received from a
    partner, with the partner's position once it answers. ``reference`` is the same on both
    nodes; ``direction`` says whether this node proposed it (out) or was consulted (in)."""

    __tablename__ = "visa_consultations"
    __table_args__ = (UniqueConstraint("reference", "direction"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    partner: Mapped[str] = mapped_column(String(32))
    destination: Mapped[str] = mapped_column(String(2))  # the proposing country
    nationality: Mapped[str] = mapped_column(String(2))
    change: Mapped[str] = mapped_column(String(8))  # impose | lift
    current: Mapped[str | None] = mapped_column(String(40), nullable=True)
    proposed: Mapped[str] = mapped_column(String(40))  # a requirement value
    effective: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    rationale: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # awaiting reply | received | answered
    position: Mapped[str | None] = mapped_column(String(20), nullable=True)
    comments: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    envelopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
