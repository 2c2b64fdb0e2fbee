"""Shipments as their reports left them: listed (by status, mode, arrival, late or in transit),
one read with its versions, and the late reports of a period with the rule each one broke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.cargo.models import Shipment
from smartborder.errors import NotFound

# reported: stored, not yet scored; released: nothing holds it; review: in the targeting queue;
# examination: an examination is asked and not done; held: do not load, or a finding holds it;
# cancelled: its carrier cancelled it
STATES = ("reported", "released", "review", "examination", "held", "cancelled")


@dataclass(slots=True)
class Draft:
    """A shipment an original report makes, before it is stored: a ``Shipment`` row's
    attributes (tests/cargo check they are the same) without the unit of work's bookkeeping,
    which costs more than reading, screening and scoring it; the intake inserts a report's
    drafts in one statement."""

    id: str
    carrier: str
    bill: str
    created_at: dt.datetime
    kind: str = "simple"
    master_bill: str | None = None
    mode: str = ""
    fast: bool = False
    conveyance: dict[str, Any] = field(default_factory=dict)
    loading_place: str = ""
    loading_at: dt.datetime | None = None
    arrival_place: str = ""
    arrival_at: dt.datetime | None = None
    destination_country: str = ""
    routing: list[str] = field(default_factory=list)
    in_transit: bool = False
    parties: dict[str, Any] = field(default_factory=dict)
    containers: list[dict[str, Any]] = field(default_factory=list)
    goods: list[dict[str, Any]] = field(default_factory=list)
    first_reported_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    deadline_at: dt.datetime | None = None
    deadline_rule: str = ""
    late: bool = False
    late_minutes: int | None = None
    version: int = 1
    history: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    status: str = "reported"
    score: int | None = None
    joint_score: int | None = None
    assessment: dict[str, Any] | None = None
    origin: str = "local"
    shared_with: list[str] = field(default_factory=list)
    partner_reference: str | None = None
    report_id: str | None = None
    updated_at: dt.datetime | None = None


AnyShipment = Shipment | Draft


def get(session: Session, shipment_id: str) -> Shipment:
    row = session.get(Shipment, shipment_id)
    if row is None:
        raise NotFound(f"no shipment {shipment_id}")
    return row


def by_bill(session: Session, bill: str, carrier: str | None = None) -> Shipment:
    """A shipment reported here by its bill (cargo control) number; the carrier when two
    carriers share it."""
    query = select(Shipment).where(Shipment.bill == bill.strip().upper(),
                                   Shipment.origin == "local")  # fmt: skip
    if carrier:
        query = query.where(Shipment.carrier == carrier.strip().upper())
    found = session.scalars(query.limit(2)).all()
    if not found:
        raise NotFound(f"no shipment with bill {bill}")
    if len(found) > 1:
        raise NotFound(f"bill {bill} is held for several carriers: name the carrier")
    return found[0]


def listing(session: Session, *, status: str | None = None, mode: str | None = None,
            late: bool | None = None, in_transit: bool | None = None,
            since: dt.datetime | None = None, until: dt.datetime | None = None,
            limit: int = 200) -> Sequence[Shipment]:  # fmt: skip
    query = select(Shipment).order_by(Shipment.arrival_at.desc()).limit(limit)
    if status:
        query = query.where(Shipment.status == status)
    if mode:
        query = query.where(Shipment.mode == mode)
    if late is not None:
        query = query.where(Shipment.late.is_(late))
    if in_transit is not None:
        query = query.where(Shipment.in_transit.is_(in_transit))
    if since is not None:
        query = query.where(Shipment.first_reported_at >= since)
    if until is not None:
        query = query.where(Shipment.first_reported_at < until)
    return session.scalars(query).all()


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def shipment_out(row: AnyShipment, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id, "carrier": row.carrier, "bill": row.bill, "kind": row.kind,
        "master_bill": row.master_bill, "mode": row.mode, "fast": row.fast,
        "conveyance": row.conveyance, "loading_place": row.loading_place,
        "loading_at": _when(row.loading_at), "arrival_place": row.arrival_place,
        "arrival_at": _when(row.arrival_at), "destination_country": row.destination_country,
        "in_transit": row.in_transit, "status": row.status, "score": row.score,
        "joint_score": row.joint_score, "late": row.late, "late_minutes": row.late_minutes,
        "deadline_at": _when(row.deadline_at), "deadline_rule": row.deadline_rule,
        "first_reported_at": _when(row.first_reported_at), "version": row.version,
        "origin": row.origin, "shared_with": row.shared_with,
    }  # fmt: skip
    if full:
        out.update({"routing": row.routing, "parties": row.parties,
                    "containers": row.containers, "goods": row.goods,
                    "warnings": row.warnings, "history": row.history,
                    "assessment": row.assessment, "report_id": row.report_id})  # fmt: skip
    return out
