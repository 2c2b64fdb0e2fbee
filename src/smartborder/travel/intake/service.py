"""The life of a message: received → parsed → stored, or quarantined with its reasons; a
duplicate (same bytes as a stored message) recorded as such; a failed message's corrected
resend accepted; the quarantine reprocessed on demand. Every outcome is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import NotFound
from smartborder.travel.intake import models as m
from smartborder.travel.intake.edifact import Problem
from smartborder.travel.intake.parser import DEFAULT_MAX_BYTES, Outcome, parse
from smartborder.travel.intake.store import Filed, file_message
from smartborder.travel.retention import models as hm
from smartborder.travel.targeting.service import Targeting, score_filed


@dataclass(slots=True)
class Received:
    """What became of one message."""

    message_id: str
    state: str  # stored | quarantined | duplicate
    kind: str
    travellers: int = 0
    flights: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of: str | None = None
    assessed: dict[str, Any] | None = None  # what screening and scoring did, when they ran

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.message_id,
            "state": self.state,
            "kind": self.kind,
            "travellers": self.travellers,
            "flights": self.flights,
            "duplicate_of": self.duplicate_of,
            "problems": self.problems,
            **({"assessed": self.assessed} if self.assessed is not None else {}),
        }


FILE_ATTEMPTS = 3  # a flight or traveller another process files at the same moment

# Built once: it runs for every message received.
_SAME_BYTES = (
    select(m.TravelMessage)
    .where(m.TravelMessage.digest == bindparam("digest"), m.TravelMessage.state != "duplicate")
    .order_by(m.TravelMessage.received_at)
)


def receive(
    session: Session,
    data: bytes,
    *,
    source: str,
    actor: str,
    now: dt.datetime,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    targeting: Targeting | None = None,
) -> Received:
    """Parse, store and - with ``targeting`` - screen and score one message."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.execute(_SAME_BYTES, {"digest": digest}).scalars().all()
    stored = next((e for e in earlier if e.state == "stored"), None)
    if stored is not None:
        return _duplicate(session, stored, data, digest, source, actor, now)
    failed = next((e for e in earlier if e.state == "quarantined"), None)
    outcome = parse(data, strict=strict, today=now.date(), max_bytes=max_bytes)
    row = failed or m.TravelMessage(
        id=str(uuid.uuid4()),
        digest=digest,
        source=source[:200],
        size=len(data),
        raw=data,
        state="received",
        received_at=now,
        problems=[],
        attempts=0,
    )
    if failed is None:
        session.add(row)
    row.attempts = (row.attempts or 0) + 1
    row.strict = strict
    return _settle(session, row, outcome, actor=actor, now=now, targeting=targeting)


def _duplicate(
    session: Session,
    stored: m.TravelMessage,
    data: bytes,
    digest: str,
    source: str,
    actor: str,
    now: dt.datetime,
) -> Received:
    row = m.TravelMessage(
        id=str(uuid.uuid4()),
        digest=digest,
        kind=stored.kind,
        form=stored.form,
        source=source[:200],
        size=len(data),
        raw=None,  # the same bytes are kept once, with the original
        state="duplicate",
        reference=stored.reference,
        sender=stored.sender,
        flight_id=stored.flight_id,
        problems=[],
        duplicate_of=stored.id,
        received_at=now,
    )
    session.add(row)
    chain.append(
        session,
        "travel:message:duplicate",
        actor=actor,
        subject=row.id,
        details={"duplicate_of": stored.id, "source": source},
        at=now,
    )
    return Received(row.id, "duplicate", stored.kind, duplicate_of=stored.id)


def _settle(
    session: Session,
    row: m.TravelMessage,
    outcome: Outcome,
    *,
    actor: str,
    now: dt.datetime,
    targeting: Targeting | None = None,
) -> Received:
    row.kind, row.form = outcome.kind, outcome.form
    first = outcome.messages[0] if outcome.messages else None
    row.reference = first.reference[:80] if first else None
    row.sender = (first.sender if first else outcome.envelope.sender)[:80] or None
    row.purpose = first.purpose[:80] if first else None
    problems = [p.as_dict() for p in outcome.problems]
    if not outcome.failed:
        problems += [p.as_dict() for p in _unfileable(outcome)]
    if outcome.failed or any(p["severity"] == "error" for p in problems):
        return _quarantine(session, row, problems, actor=actor, now=now)
    for attempt in range(1, FILE_ATTEMPTS + 1):
        flights: list[str] = []
        filed: list[Filed] = []
        travellers = 0
        try:
            with session.begin_nested():
                for message in outcome.messages:
                    part = file_message(session, message, row.id, now)
                    part.flight.warnings += len(outcome.warnings)
                    flights.append(part.flight.id)
                    filed.append(part)
                    travellers += len(part.travellers)
            break
        except IntegrityError as exc:
            # another worker or consumer filed the same flight (or traveller) first and has
            # committed it: file again, finding it this time
            if attempt < FILE_ATTEMPTS:
                continue
            failure: SQLAlchemyError = exc
        except SQLAlchemyError as exc:
            failure = exc
        problems.append(
            Problem(
                "error", f"could not be stored: {type(failure).__name__}: {failure}"[:500]
            ).as_dict()
        )
        return _quarantine(session, row, problems, actor=actor, now=now)
    row.state, row.problems, row.travellers = "stored", problems, travellers
    row.flight_id, row.stored_at = flights[0], now
    chain.append(
        session,
        "travel:message:stored",
        actor=actor,
        subject=row.id,
        details={
            "kind": row.kind,
            "flights": sorted(set(flights)),
            "travellers": travellers,
            "warnings": len(outcome.warnings),
            "attempt": row.attempts,
        },
        at=now,
    )
    received = Received(row.id, "stored", row.kind, travellers, sorted(set(flights)), problems)
    if targeting is not None:
        received.assessed = score_filed(session, targeting, filed, now=now, actor=actor).as_dict()
    return received


def _unfileable(outcome: Outcome) -> list[Problem]:
    """A message can be understood yet not filed: a flight needs a route and a date."""
    found = []
    for message in outcome.messages:
        if not message.flight.legs or not message.flight.date:
            found.append(
                Problem(
                    "error",
                    f"flight {message.flight.designator} has no departure place and date "
                    "(LOC+125/DTM+189 or TVL); it cannot be filed",
                    message=message.reference,
                )
            )
    return found


def _quarantine(
    session: Session,
    row: m.TravelMessage,
    problems: list[dict[str, Any]],
    *,
    actor: str,
    now: dt.datetime,
) -> Received:
    row.state, row.problems, row.travellers = "quarantined", problems, 0
    errors = [p for p in problems if p["severity"] == "error"]
    chain.append(
        session,
        "travel:message:quarantined",
        actor=actor,
        subject=row.id,
        details={"errors": len(errors), "first": errors[0]["text"] if errors else None},
        at=now,
    )
    return Received(row.id, "quarantined", row.kind, problems=problems)


def reprocess(
    session: Session,
    message_id: str | None,
    *,
    actor: str,
    now: dt.datetime,
    strict: bool = False,
    targeting: Targeting | None = None,
) -> list[Received]:
    """Parse quarantined messages again (one, or all): after a fix to the parser or a switch
    from strict to lenient mode. Those that now pass are stored."""
    query = select(m.TravelMessage).where(m.TravelMessage.state == "quarantined")
    if message_id:
        query = query.where(m.TravelMessage.id == message_id)
    rows = session.execute(query.order_by(m.TravelMessage.received_at)).scalars().all()
    if message_id and not rows:
        raise NotFound(f"no quarantined message {message_id}")
    results = []
    for row in rows:
        if row.raw is None:
            continue
        row.attempts += 1
        outcome = parse(row.raw, strict=strict, today=now.date())
        results.append(_settle(session, row, outcome, actor=actor, now=now, targeting=targeting))
    return results


def get_message(session: Session, message_id: str) -> m.TravelMessage:
    row = session.get(m.TravelMessage, message_id)
    if row is None:
        raise NotFound(f"no message {message_id}")
    return row


def list_messages(
    session: Session, *, state: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, Sequence[m.TravelMessage]]:
    query = select(m.TravelMessage)
    if state:
        query = query.where(m.TravelMessage.state == state)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(m.TravelMessage.received_at.desc()).limit(limit).offset(offset)
    ).scalars()
    return total, rows.all()


def list_flights(
    session: Session,
    *,
    date: str | None = None,
    route: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, Sequence[m.Flight]]:
    query = select(m.Flight)
    if date:
        query = query.where(m.Flight.date == date)
    if route:
        for code in route.upper().replace("-", " ").split():
            query = query.where(or_(m.Flight.origin == code, m.Flight.destination == code))
    if status:
        query = query.where(m.Flight.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(m.Flight.date, m.Flight.departure, m.Flight.carrier, m.Flight.number)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return total, rows.all()


def get_flight(session: Session, flight_id: str) -> m.Flight:
    row = session.get(m.Flight, flight_id)
    if row is None:
        raise NotFound(f"no flight {flight_id}")
    return row


def manifest(session: Session, flight_id: str) -> list[m.Passenger]:
    """Each traveller on the flight once, as the latest message gives them."""
    rows = session.execute(
        select(m.Passenger)
        .where(m.Passenger.flight_id == flight_id)
        .order_by(m.Passenger.received_at, m.Passenger.kind)
    ).scalars()
    latest: dict[str, m.Passenger] = {}
    for row in rows:
        latest[row.traveller_id] = row
    return sorted(latest.values(), key=lambda p: ("crew" in p.role, p.surname, p.given_names))


def flight_reservations(session: Session, flight_id: str) -> Sequence[m.Reservation]:
    return (
        session.execute(
            select(m.Reservation)
            .where(m.Reservation.flight_id == flight_id)
            .order_by(m.Reservation.locator)
        )
        .scalars()
        .all()
    )


def flight_messages(session: Session, flight_id: str) -> Sequence[m.TravelMessage]:
    return (
        session.execute(
            select(m.TravelMessage)
            .where(m.TravelMessage.flight_id == flight_id)
            .order_by(m.TravelMessage.received_at)
        )
        .scalars()
        .all()
    )


def get_traveller(
    session: Session, traveller_id: str
) -> tuple[
    m.Traveller,
    Sequence[m.TravellerDocument],
    Sequence[tuple[m.Passenger, m.Flight]],
    Sequence[hm.Hold],
]:
    person = session.get(m.Traveller, traveller_id)
    if person is None:
        raise NotFound(f"no traveller {traveller_id}")
    documents = (
        session.execute(
            select(m.TravellerDocument).where(m.TravellerDocument.traveller_id == traveller_id)
        )
        .scalars()
        .all()
    )
    mentions = session.execute(
        select(m.Passenger, m.Flight)
        .join(m.Flight, m.Flight.id == m.Passenger.flight_id)
        .where(m.Passenger.traveller_id == traveller_id)
        .order_by(m.Passenger.received_at)
    ).all()
    holds = (
        session.execute(
            select(hm.Hold).where(hm.Hold.traveller_id == traveller_id).order_by(hm.Hold.placed_at)
        )
        .scalars()
        .all()
    )
    return person, documents, [(p, f) for p, f in mentions], holds
