"""Removal cases, joint removal operations, and their manifests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class RemovalCase(Base):
    """A person this node has ordered removed: the order, the destination, the escorts needed,
    and the travel document they will travel on (its MRZ, as checked)."""

    __tablename__ = "removal_cases"
    __table_args__ = (UniqueConstraint("reference", name="uq_removal_cases_reference"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    surname: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(160))
    birth_date: Mapped[str] = mapped_column(String(10))
    nationality: Mapped[str] = mapped_column(String(3))  # ICAO code
    order_reference: Mapped[str] = mapped_column(String(60))
    order_date: Mapped[dt.date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(3))  # ICAO code of the country removed to
    escorts: Mapped[int] = mapped_column(Integer, default=0)
    escort_notes: Mapped[str] = mapped_column(Text, default="")
    mrz: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)  # type, number, issuer, expiry
    status: Mapped[str] = mapped_column(String(12))  # open|proposed|accepted|refused|removed|...
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))


class RemovalOperation(Base):
    """A flight to one destination that both countries fill, each up to its seats: organised
    here (``organiser`` is this node) or by the partner (shared under the removals annex)."""

    __tablename__ = "removal_operations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the same on both nodes
    reference: Mapped[str] = mapped_column(String(40))
    organiser: Mapped[str] = mapped_column(String(32))
    partner: Mapped[str] = mapped_column(String(32))
    destination: Mapped[str] = mapped_column(String(3))
    flight: Mapped[str] = mapped_column(String(40))
    departs: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    seats: Mapped[dict[str, int]] = mapped_column(JSON)  # node id -> seats
    escorts: Mapped[dict[str, int]] = mapped_column(JSON)  # node id -> escort seats
    status: Mapped[str] = mapped_column(String(12))  # planned | flown
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))


class ManifestEntry(Base):
    """A removee proposed for an operation by one of the two countries, as both nodes hold it:
    the person, their document, the escorts, the organiser's decision and the outcome."""

    __tablename__ = "removal_manifest"
    __table_args__ = (
        UniqueConstraint("operation_id", "country", "case_reference",
                         name="uq_removal_manifest_case"),
        Index("ix_removal_manifest_operation", "operation_id"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("removal_operations.id"))
    country: Mapped[str] = mapped_column(String(32))  # the proposing node
    case_reference: Mapped[str] = mapped_column(String(40))
    person: Mapped[dict[str, Any]] = mapped_column(JSON)  # names, birth date, nationality
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    escorts: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))  # proposed | accepted | refused
    reasons: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(12))  # removed | not-removed
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
