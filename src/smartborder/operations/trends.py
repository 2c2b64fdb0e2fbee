"""Trends over shared data: reports that count this node's records for a period by one
dimension (travellers by nationality, hit rates by route, asylum claims by where they were made
and by nationality and route, refusals by nationality, arrivals of the nationalities whose
visa requirements differ between the two countries), shared with the partner as aggregate
counts under the statistics annex, and compared side by side with what the partner shared for
the same period.

**Suppression.** No count under the annex's ``minimum_cell`` leaves the node: such a cell goes
as *suppressed*, its count withheld, and the total sent is the sum of the cells shown (with how
many were suppressed), so no suppressed count can be worked back out of it. A share may set a
higher minimum, never a lower one. For a rate (hits of assessed), both counts must reach it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smartborder.asylum.models import AsylumClaim
from smartborder.audit import chain
from smartborder.errors import NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, document_of, in_force_for
from smartborder.identity import countries
from smartborder.operations.models import SharedAggregate
from smartborder.operations.overview import Range
from smartborder.travel.intake.models import Flight, Passenger, Traveller
from smartborder.travel.targeting.models import Assessment, Disposition

KIND = "statistics-report"
PURPOSE = "trend-analysis"
Cells = dict[str, tuple[int, int | None]]  # key -> (count, of): ``of`` for a rate


def _travellers(session: Session, span: Range, country: str) -> Cells:
    rows = session.execute(select(func.coalesce(Passenger.nationality, "unknown"), func.count())
        .where(Passenger.received_at >= span.start, Passenger.received_at < span.end)
        .group_by(Passenger.nationality))  # fmt: skip
    return {str(k): (int(n), None) for k, n in rows}


def _hits(session: Session, span: Range, country: str) -> Cells:
    route = Flight.origin + "-" + Flight.destination
    hits = func.sum(case((Assessment.queued.is_(True), 1), else_=0))
    rows = session.execute(select(route, hits, func.count())
        .join(Flight, Flight.id == Assessment.flight_id)
        .where(Assessment.assessed_at >= span.start, Assessment.assessed_at < span.end,
               Assessment.origin == "local")
        .group_by(route))  # fmt: skip
    return {str(k): (int(h or 0), int(n)) for k, h, n in rows}


def _claims(session: Session, span: Range, country: str) -> Cells:
    rows = session.execute(select(AsylumClaim.location, func.count())
        .where(AsylumClaim.created_at >= span.start, AsylumClaim.created_at < span.end)
        .group_by(AsylumClaim.location))  # fmt: skip
    return {str(k or "unknown"): (int(n), None) for k, n in rows}


def _claims_by_nationality(session: Session, span: Range, country: str) -> Cells:
    """Claims by the claimant's (first) nationality and the route they came by (where the
    claim was made: a land port, an airport, inland)."""
    cells: dict[str, tuple[int, int | None]] = {}
    made = (AsylumClaim.created_at >= span.start, AsylumClaim.created_at < span.end)
    rows = session.execute(select(AsylumClaim.facts, AsylumClaim.location).where(*made))
    for facts, location in rows:
        nationality = ((facts or {}).get("nationalities") or ["unknown"])[0]
        key = f"{nationality} via {location or 'unknown'}"
        cells[key] = (cells.get(key, (0, None))[0] + 1, None)
    return cells


def _refusals(session: Session, span: Range, country: str) -> Cells:
    """Travellers refused entry or denied boarding (their latest disposition in the period),
    by nationality."""
    refused = ("refused entry", "denied boarding")
    nationality = func.coalesce(Traveller.nationality, "unknown")
    rows = session.execute(select(nationality, func.count(func.distinct(Assessment.id)))
        .select_from(Disposition)
        .join(Assessment, Assessment.id == Disposition.assessment_id)
        .join(Traveller, Traveller.id == Assessment.traveller_id)
        .where(Disposition.at >= span.start, Disposition.at < span.end,
               Disposition.status.in_(refused), Disposition.origin == "local")
        .group_by(nationality))  # fmt: skip
    return {str(k): (int(n), None) for k, n in rows}


def _visa_differences(session: Session, span: Range, country: str) -> Cells:
    """Travellers received of the nationalities whose visa requirement differs between the two
    countries (one asks a visa, the other does not), keyed by nationality and which asks it."""
    from smartborder.visa import service as visa

    now = span.end
    mine, theirs = visa.default_pair(country)
    first, second = visa.side(session, mine, None, now=now), visa.side(session, theirs, None,
                                                                       now=now)  # fmt: skip
    differs: dict[str, str] = {}
    for alpha2 in set(first.requirements) | set(second.requirements):
        a, b = first.policy(alpha2), second.policy(alpha2)
        if a is None or b is None or a.needs_visa is None or b.needs_visa is None:
            continue
        if a.needs_visa != b.needs_visa:
            code = countries.from_alpha2(alpha2)
            if code:
                differs[code] = f"visa for {mine if a.needs_visa else theirs} only"
    counts = _travellers(session, span, country)
    return {f"{code} ({differs[code]})": value for code, value in counts.items()
            if code in differs}  # fmt: skip


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    dimension: str
    measure: str
    count: Callable[[Session, Range, str], Cells]  # (session, period, this node's country)


REPORTS = {r.name: r for r in (
    Report("travellers-by-nationality", "Travellers received, by nationality", "nationality",
           "API/PNR mentions received", _travellers),
    Report("hits-by-route", "Hit rate by route", "route (origin-destination)",
           "hits queued of travellers assessed", _hits),
    Report("asylum-claims-by-location", "Asylum claims by where they were made",
           "port or office", "claims recorded", _claims),
    Report("asylum-claims-by-nationality", "Asylum claims by nationality and route",
           "nationality via port or office", "claims recorded", _claims_by_nationality),
    Report("refusals-by-nationality", "Refusals by nationality",
           "nationality", "travellers refused entry or denied boarding", _refusals),
    Report("visa-differences-against-arrivals",
           "Arrivals of nationalities whose visa requirements differ",
           "nationality (and which country asks a visa)", "API/PNR mentions received",
           _visa_differences),
)}  # fmt: skip


def report_of(name: str) -> Report:
    found = REPORTS.get(name)
    if found is None:
        raise NotFound(f"no trend report '{name}'; reports: {', '.join(REPORTS)}")
    return found


def suppressed(cells: Cells, minimum: int) -> dict[str, Any]:
    """The cells as they may travel: each under ``minimum`` (count, or for a rate either
    count) withheld; the total of those shown and how many were withheld."""
    out: list[dict[str, Any]] = []
    total, hidden = 0, 0
    for key in sorted(cells):
        count, of = cells[key]
        if count == 0 and not of:
            continue
        small = (0 < count < minimum) or (of is not None and of < minimum)
        if small:
            hidden += 1
            out.append({"key": key, "count": None, "of": None, "suppressed": True})
        else:
            total += count
            out.append({"key": key, "count": count, "of": of, "suppressed": False})
    return {"cells": out, "total": total, "suppressed_cells": hidden}


def ours(session: Session, name: str, span: Range, country: str) -> dict[str, Any]:
    """This node's report for ``span``, unsuppressed (it is ours)."""
    report = report_of(name)
    cells = report.count(session, span, country)
    rows = [{"key": k, "count": c, "of": o, "suppressed": False}
            for k, (c, o) in sorted(cells.items())]  # fmt: skip
    return {"cells": rows, "total": sum(c for c, _ in cells.values()), "suppressed_cells": 0}


def _minimum_of(session: Session, ex: NodeExchange, partner: str) -> tuple[Any, int]:
    agreement = in_force_for(session, ex.clock().date(), KIND, partner, "statistics")
    policy = document_of(agreement).aggregates
    return agreement, policy.minimum_cell if policy is not None else 10


def share(session: Session, ex: NodeExchange, name: str, span: Range, *, partner: str,
          actor: str, minimum: int | None = None) -> SharedAggregate:  # fmt: skip
    """Send the report for ``span`` to ``partner`` under the statistics annex, suppressed at
    the annex's minimum (or a higher ``minimum``)."""
    report = report_of(name)
    agreement, floor = _minimum_of(session, ex, partner)
    if minimum is not None and minimum < floor:
        raise ValidationFailed(
            f"minimum_cell {minimum} is below the agreement's minimum of {floor} "
            f"({agreement.id}): no cell under {floor} may be shared",
            details=[{"field": "minimum_cell", "problem": f"at least {floor}"}],
        )
    minimum = max(minimum or floor, floor)
    body = {"report": report.name, "title": report.title, "dimension": report.dimension,
            "measure": report.measure, "period_from": span.start.isoformat(),
            "period_to": span.end.isoformat(), "minimum_cell": minimum,
            **suppressed(report.count(session, span, ex.settings.country), minimum)}  # fmt: skip
    queued = outbox.send(session, ex, partner=partner, kind=KIND, agreement=agreement,
                         purpose=PURPOSE, body=body, actor=actor)  # fmt: skip
    row = _store(session, queued.envelope.id, "out", partner, agreement.id, body, ex.clock(),
                 actor)  # fmt: skip
    chain.append(session, "operations:aggregate:shared", actor=actor, partner=partner,
                 agreement=agreement.id, subject=row.id,
                 details={"report": name, "period_from": body["period_from"],
                          "period_to": body["period_to"], "minimum_cell": minimum,
                          "cells": len(body["cells"]),
                          "suppressed_cells": body["suppressed_cells"]})  # fmt: skip
    return row


def _store(session: Session, envelope: str, direction: str, partner: str, agreement: str,
           body: dict[str, Any], now: dt.datetime, by: str) -> SharedAggregate:  # fmt: skip
    row = SharedAggregate(
        id=str(uuid.uuid4()), envelope_id=envelope, direction=direction, partner=partner,
        agreement=agreement, report=str(body["report"]),
        period_from=dt.datetime.fromisoformat(str(body["period_from"])),
        period_to=dt.datetime.fromisoformat(str(body["period_to"])),
        minimum_cell=int(body["minimum_cell"]), body=body, at=now, by=by)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def on_report(session: Session, ex: NodeExchange, received: Received) -> None:
    """The partner's aggregates: kept, after checking that no cell under the annex's minimum
    came (the sender's duty; refused if it did not keep it)."""
    body, partner = received.envelope.body, received.partner.id
    try:
        report_of(str(body.get("report")))
        minimum = int(body.get("minimum_cell", 0))
        dt.datetime.fromisoformat(str(body.get("period_from")))
        dt.datetime.fromisoformat(str(body.get("period_to")))
        cells = list(body.get("cells") or [])
    except (NotFound, ValueError, TypeError) as exc:
        raise Refused("invalid_body", getattr(exc, "message", str(exc))) from None
    floor = (received.document.aggregates.minimum_cell
             if received.document is not None and received.document.aggregates else 10)  # fmt: skip
    if minimum < floor:
        raise Refused("invalid_body", f"minimum_cell {minimum} is below the annex's {floor}")
    for cell in cells:
        count, of = cell.get("count"), cell.get("of")
        small = [v for v in (count, of) if isinstance(v, int) and 0 < v < minimum]
        if not cell.get("suppressed") and small:
            raise Refused("invalid_body", f"cell '{cell.get('key')}' holds {small[0]}, under "
                          f"the minimum of {minimum}: it should have been suppressed")  # fmt: skip
    agreement = received.agreement.id if received.agreement else ""
    row = _store(session, received.envelope.id, "in", partner, agreement, body, ex.clock(),
                 f"partner:{partner}")  # fmt: skip
    chain.append(session, "operations:aggregate:received", actor=f"partner:{partner}",
                 partner=partner, agreement=agreement, subject=row.id,
                 details={"report": body.get("report"), "cells": len(cells)})  # fmt: skip


def compare(session: Session, name: str, span: Range, country: str) -> dict[str, Any]:
    """Ours for ``span`` beside the latest aggregates the partner shared for the same
    period (and what we shared), each with the agreement it travelled under."""
    report = report_of(name)
    shared = session.scalars(select(SharedAggregate).where(
        SharedAggregate.report == name, SharedAggregate.period_from == span.start,
        SharedAggregate.period_to == span.end)
        .order_by(SharedAggregate.at.desc())).all()  # fmt: skip
    theirs = next((r for r in shared if r.direction == "in"), None)
    sent = next((r for r in shared if r.direction == "out"), None)
    return {"report": report.name, "title": report.title, "dimension": report.dimension,
            "measure": report.measure, "from": span.start.isoformat(),
            "to": span.end.isoformat(), "ours": ours(session, name, span, country),
            "theirs": None if theirs is None else aggregate_out(theirs),
            "sent": None if sent is None else aggregate_out(sent)}  # fmt: skip


def aggregate_out(row: SharedAggregate) -> dict[str, Any]:
    return {"id": row.id, "envelope_id": row.envelope_id, "direction": row.direction,
            "partner": row.partner, "agreement": row.agreement, "report": row.report,
            "from": row.period_from.isoformat(), "to": row.period_to.isoformat(),
            "minimum_cell": row.minimum_cell,
            "cells": [{"key": str(c.get("key")), "count": c.get("count"), "of": c.get("of"),
                       "suppressed": bool(c.get("suppressed"))}
                      for c in row.body.get("cells", [])],
            "total": row.body.get("total"), "suppressed_cells": row.body.get("suppressed_cells"),
            "at": row.at.isoformat(), "by": row.by}  # fmt: skip


def listing(session: Session) -> list[SharedAggregate]:
    return list(session.scalars(select(SharedAggregate)
                                .order_by(SharedAggregate.at.desc()).limit(200)))  # fmt: skip
