"""Goods: trade parties, advance cargo reports as received, the shipments they report, and
examinations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class TradeParty(Base):
    """An importer, exporter, carrier, freight forwarder or driver, its supply-chain security
    program (C-TPAT in the United States, PIP in Canada, each recognising the other's; FAST
    for drivers) and that program's status, and what screening found when it was last run."""

    __tablename__ = "cargo_parties"
    __table_args__ = (
        UniqueConstraint("role", "identifier", name="uq_cargo_parties_identifier"),
        Index("ix_cargo_parties_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # importer|exporter|carrier|forwarder|driver
    identifier: Mapped[str] = mapped_column(String(40))  # carrier code, business no., card
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(String(400), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)  # drivers
    program: Mapped[str] = mapped_column(String(8), default="")  # C-TPAT | PIP | FAST | ""
    status: Mapped[str] = mapped_column(String(12))  # registered|pending|approved|suspended|refused
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    screened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(120))


class CargoReport(Base):
    """An advance cargo report as received (the raw bytes kept, whatever became of it): stored
    with the shipments it reported, quarantined with its located problems, or a duplicate."""

    __tablename__ = "cargo_reports"
    __table_args__ = (
        Index("ix_cargo_reports_digest", "digest"),
        Index("ix_cargo_reports_state", "state", "received_at"),
        Index("ix_cargo_reports_received", "received_at"),  # the hourly counts
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(8))  # json | cuscar
    source: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(12))  # stored | quarantined | duplicate
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str] = mapped_column(String(40), default="")
    carrier: Mapped[str] = mapped_column(String(12), default="")
    mode: Mapped[str] = mapped_column(String(8), default="")
    shipments: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(120))


class Shipment(Base):
    """A bill (master, house or simple) as its latest report gives it, with when it was first
    reported against its deadline, its versions, its score and where it stands."""

    __tablename__ = "cargo_shipments"
    __table_args__ = (
        UniqueConstraint("carrier", "bill", "origin", name="uq_cargo_shipments_bill"),
        Index("ix_cargo_shipments_status", "status", "arrival_at"),
        Index("ix_cargo_shipments_late", "late"),
        Index("ix_cargo_shipments_master", "master_bill"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(12))
    bill: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))  # master | house | simple
    master_bill: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(8))  # marine | air | rail | highway
    fast: Mapped[bool] = mapped_column(Boolean, default=False)
    conveyance: Mapped[dict[str, Any]] = mapped_column(JSON)
    loading_place: Mapped[str] = mapped_column(String(5))
    loading_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    arrival_place: Mapped[str] = mapped_column(String(5))
    arrival_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    destination_country: Mapped[str] = mapped_column(String(2))
    routing: Mapped[list[str]] = mapped_column(JSON)
    in_transit: Mapped[bool] = mapped_column(Boolean, default=False)
    parties: Mapped[dict[str, Any]] = mapped_column(JSON)  # consignor, consignee, notify, ...
    containers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    goods: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    first_reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    deadline_rule: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_minutes: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # see shipments.STATES
    score: Mapped[int | None] = mapped_column(Integer)
    joint_score: Mapped[int | None] = mapped_column(Integer)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(40), default="local")  # local | partner:<id>
    partner_reference: Mapped[str | None] = mapped_column(String(36))  # its id at the partner
    shared_with: Mapped[list[str]] = mapped_column(JSON, default=list)
    report_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))


class Examination(Base):
    """A shipment referred for examination (a document check, a non-intrusive scan or a
    physical examination), by this node's targeters or at a partner's request, and its result."""

    __tablename__ = "cargo_examinations"
    __table_args__ = (
        Index("ix_cargo_examinations_shipment", "shipment_id"),
        Index("ix_cargo_examinations_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(10))  # document | nii | physical
    status: Mapped[str] = mapped_column(String(10))  # requested | done
    reasons: Mapped[list[str]] = mapped_column(JSON)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)  # fired when referred
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    partner: Mapped[str | None] = mapped_column(String(32))  # the node that asked, if one did
    partner_reference: Mapped[str | None] = mapped_column(String(36))
    result: Mapped[str | None] = mapped_column(String(12))  # no-finding|discrepancy|seizure
    findings: Mapped[str] = mapped_column(Text, default="")
    done_by: Mapped[str | None] = mapped_column(String(120))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
