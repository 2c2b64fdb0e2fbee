"""The analysts' queue (priority vetting): assessments over the review threshold, a lookout hit
or a decision other than board, and high-risk travellers the partner shared; filtered by time to
departure, severity, flight, category, team, status and origin; each with its page and its
dispositions (status, note, who and when - the history is never rewritten)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.audit import chain
from smartborder.errors import NotFound, ValidationFailed
from smartborder.exchange.context import NodeExchange
from smartborder.travel.intake import models as m
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting import service as targeting
from smartborder.travel.targeting import sharing
from smartborder.travel.targeting.schemas import QueueFilter
from smartborder.travel.targeting.terms import CLOSED, SEVERITIES, STATUSES

_SEVERITY_ORDER = case({s: i for i, s in enumerate(SEVERITIES)}, value=tm.Assessment.severity)


def _bad(location: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{location}: {message}", details=[{"location": location, "message": message}]
    )


def list_queue(
    session: Session,
    filters: QueueFilter | None = None,
    *,
    now: dt.datetime,
    teams: Sequence[str] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[tm.Assessment]]:
    """Queued assessments, soonest departure first, then most severe, then highest score.
    ``within_hours`` keeps those departing between an hour ago and that many hours ahead (a
    flight's local time, read as given); ``mine`` keeps those routed to any of ``teams`` (the
    caller's)."""
    filters = filters or QueueFilter()
    within_hours, severity, flight = filters.within_hours, filters.severity, filters.flight
    category, team, status, origin = filters.category, filters.team, filters.status, filters.origin
    open_only = filters.open
    if not filters.mine:
        teams = ()
    query = select(tm.Assessment).where(tm.Assessment.queued.is_(True))
    if severity:
        if severity not in SEVERITIES:
            raise _bad("severity", f"expected one of {', '.join(SEVERITIES)}")
        query = query.where(tm.Assessment.severity == severity)
    if status:
        if status not in STATUSES:
            raise _bad("status", f"expected one of {', '.join(STATUSES)}")
        query = query.where(tm.Assessment.status == status)
    elif open_only:
        query = query.where(tm.Assessment.status.not_in(sorted(CLOSED)))
    if within_hours is not None:
        start = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        end = (now + dt.timedelta(hours=within_hours)).strftime("%Y-%m-%dT%H:%M")
        query = query.where(tm.Assessment.departs >= start[:10], tm.Assessment.departs <= end)
    if flight:
        code = flight.replace(" ", "").upper()
        query = query.where(
            (tm.Assessment.flight_id == flight)
            | (func.upper(tm.Assessment.summary["flight"].as_string()) == code)
        )
    if category:
        query = query.where(tm.Assessment.category == category)
    if team:
        query = query.where(tm.Assessment.team == team)
    elif teams:
        query = query.where(tm.Assessment.team.in_(list(teams)))
    if origin:
        query = query.where(tm.Assessment.origin == origin)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(
            tm.Assessment.departs, _SEVERITY_ORDER, tm.Assessment.score.desc(), tm.Assessment.id
        )
        .limit(limit)
        .offset(offset)
    ).scalars()
    return int(total), list(rows)


def get_assessment(session: Session, assessment_id: str) -> tm.Assessment:
    row = session.get(tm.Assessment, assessment_id)
    if row is None:
        raise NotFound(f"no assessment {assessment_id}")
    return row


def history(session: Session, assessment_id: str) -> list[tm.Disposition]:
    return list(
        session.execute(
            select(tm.Disposition)
            .where(tm.Disposition.assessment_id == assessment_id)
            .order_by(tm.Disposition.at, tm.Disposition.id)
        ).scalars()
    )


def detail(session: Session, assessment_id: str) -> dict[str, Any]:
    """Everything the hit page shows: the traveller, the flight, the booking, each lookout hit
    with its evidence and the lookout's own record, the indicators with what matched, and the
    history."""
    row = get_assessment(session, assessment_id)
    flight = session.get(m.Flight, row.flight_id) if row.flight_id else None
    person = session.get(m.Traveller, row.traveller_id) if row.traveller_id else None
    booking = None
    if flight is not None and row.summary.get("locator"):
        booking = session.execute(
            select(m.Reservation).where(
                m.Reservation.flight_id == flight.id,
                m.Reservation.locator == row.summary["locator"],
            )
        ).scalar_one_or_none()
    lookouts = targeting.lookout_details(session, row.hits)
    hits = []
    for hit in row.hits:
        lookout = lookouts.get(str(hit["lookout_id"]))
        hits.append(
            {
                **hit,
                "action": lookout.action if lookout else None,
                "names": [n["name"] for n in lookout.names] if lookout else [],
                "birth_date": lookout.birth_date if lookout else None,
                "remarks": lookout.remarks if lookout else None,
                "state": lookout.state_on(clock.today()) if lookout else "gone",
            }
        )
    return {
        "assessment": row,
        "flight": flight,
        "traveller": person,
        "booking": booking,
        "hits": hits,
        "history": history(session, row.id),
    }


def set_disposition(
    session: Session,
    assessment_id: str,
    *,
    status: str,
    note: str,
    actor: str,
    now: dt.datetime,
    ex: NodeExchange | None = None,
) -> tm.Disposition:
    """Record an analyst's decision. Every status but "in review" needs a note (the reason a
    reviewer will read); closing a hit releases the retention hold it placed; a shared
    traveller's disposition goes to the other party where the annex allows."""
    row = get_assessment(session, assessment_id)
    if status not in STATUSES:
        raise _bad(
            "status", f"{status!r} is not a disposition; expected one of {', '.join(STATUSES)}"
        )
    note = note.strip()
    if status not in ("in review",) and not note:
        raise _bad("note", f"a note is required to set '{status}' (say why)")
    if len(note) > 4000:
        raise _bad("note", f"at most 4000 characters (got {len(note)})")
    step = tm.Disposition(
        id=str(uuid.uuid4()),
        assessment_id=row.id,
        status=status,
        note=note,
        actor=actor[:120],
        origin="local",
        at=now,
    )
    session.add(step)
    previous = row.status
    row.status, row.status_by, row.status_at = status, actor[:120], now
    if status in CLOSED:
        targeting.release_holds(session, row, actor=actor, now=now)
    sent = sharing.send_disposition(session, ex, row, step) if ex is not None else 0
    chain.append(
        session,
        "travel:disposition:set",
        actor=actor,
        subject=row.id,
        details={"status": status, "previous": previous, "sent": sent},
        at=now,
    )
    return step


def origins(session: Session) -> list[str]:
    """Where assessments came from: "local" and each partner that shared travellers."""
    found = session.execute(select(tm.Assessment.origin).distinct()).scalars()
    return sorted(set(found) | {"local"})
