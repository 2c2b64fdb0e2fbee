"""Counts by the hour, kept so the overview reads a year in one indexed range (a row a series,
key and hour), and how far each series has been counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class HourlyCount(Base):
    """How many of ``series`` (split by ``key``: a kind, a category, an agreement...) the node
    saw in the hour starting at ``hour`` (UTC)."""

    __tablename__ = "operations_hourly"
    __table_args__ = (Index("ix_operations_hourly_hour", "hour"),)

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime(), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Rollup(Base):
    """The series counted up to ``until`` (the hour that holds it is counted again next time)."""

    __tablename__ = "operations_rollup"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    until: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SharedAggregate(Base):
    """A trend report's aggregates as shared with the partner (``out``) or received from it
    (``in``), with the agreement it travelled under."""

    __tablename__ = "operations_shared_aggregates"
    __table_args__ = (Index("ix_operations_shared_report", "report", "period_from"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    report: Mapped[str] = mapped_column(String(40))
    period_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    period_to: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    minimum_cell: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(120))
