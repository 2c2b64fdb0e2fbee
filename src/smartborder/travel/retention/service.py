"""Retention of API/PNR personal data: masked (depersonalised) after one period, deleted after
a longer one, both counted from the last message received for the flight, and never while a
traveller is under an open hold (an open hit, or an analyst's investigation hold).

Masking keeps what cannot identify a person directly - flight, role, sex, nationality, year of
birth, document type and issuing state, the itinerary and fares of a booking, counts - and
removes names, full dates of birth, document numbers and expiries, seats, addresses, contacts,
payments, remarks, frequent-flyer numbers, tickets, record locators (replaced by a pseudonym
that still groups a booking's travellers) and the raw bytes of the messages. It cannot be
undone. Deletion removes the rows. Every mask and deletion is an audit entry.

Holds are the one mechanism by which data is kept longer: an analyst places one with a reason
(``travel hold``) and releases it; the risk issue's hits will place and release theirs."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from smartborder import deferred
from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.travel.intake import models as m
from smartborder.travel.intake.store import _table
from smartborder.travel.retention import models as hm

_KEPT_BOOKING = ("agency", "itinerary", "amounts")
_AUDIT_IDS = 1000  # traveller ids per audit entry


@dataclass(slots=True)
class Tally:
    passengers: int = 0
    reservations: int = 0
    messages: int = 0
    travellers: int = 0
    flights: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "flights": self.flights,
            "messages": self.messages,
            "passengers": self.passengers,
            "reservations": self.reservations,
            "travellers": self.travellers,
        }


@dataclass(slots=True)
class RetentionRun:
    """What one run of the retention job did (or, for a preview, would do)."""

    mask_before: dt.datetime
    delete_before: dt.datetime
    masked: Tally = field(default_factory=Tally)
    deleted: Tally = field(default_factory=Tally)
    held_travellers: int = 0
    kept_for_holds: Tally = field(default_factory=Tally)
    preview: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "preview": self.preview,
            "mask_before": self.mask_before.isoformat(),
            "delete_before": self.delete_before.isoformat(),
            "masked": self.masked.as_dict(),
            "deleted": self.deleted.as_dict(),
            "held_travellers": self.held_travellers,
            "kept_for_holds": self.kept_for_holds.as_dict(),
        }


# -- holds ------------------------------------------------------------------------------------


def place_hold(
    session: Session,
    traveller_id: str,
    *,
    reason: str,
    actor: str,
    now: dt.datetime,
    source: str = "analyst",
) -> hm.Hold:
    (hold_id,) = place_holds(session, [(traveller_id, reason, source)], actor=actor, now=now)
    hold = session.get(hm.Hold, hold_id)
    assert hold is not None  # just inserted, in this transaction
    return hold


def place_holds(
    session: Session,
    wanted: Sequence[tuple[str, str, str]],
    *,
    actor: str,
    now: dt.datetime,
) -> list[str]:
    """Hold each (traveller id, reason, source) of ``wanted``; the new holds' ids. The
    travellers are read in one query and the holds inserted together with the transaction's
    other deferred rows (scoring holds every traveller of a message with a new hit at once)."""
    for _, reason, _ in wanted:
        if not reason.strip():
            raise ValidationFailed(
                "a hold needs a reason", details=[{"location": "reason", "message": "required"}]
            )
    ids = sorted({traveller_id for traveller_id, _, _ in wanted})
    masked: dict[str, bool] = {
        traveller_id: hidden for traveller_id, hidden in session.execute(_MASKED, {"ids": ids})
    }
    holds: list[str] = []
    for traveller_id, _, _ in wanted:
        if traveller_id not in masked:
            raise NotFound(f"no traveller {traveller_id}")
        if masked[traveller_id]:
            raise Conflict(f"traveller {traveller_id} is already masked: there is nothing to hold")
    for traveller_id, reason, source in wanted:
        hold_id = str(uuid.uuid4())
        hold = {
            "id": hold_id,
            "traveller_id": traveller_id,
            "source": source[:80],
            "reason": reason.strip()[:2000],
            "placed_by": actor[:120],
            "placed_at": now,
        }
        deferred.insert_later(session, hm.Hold, hold)
        chain.append(
            session,
            "travel:hold:placed",
            actor=actor,
            subject=traveller_id,
            details={"hold": hold["id"], "source": hold["source"], "reason": hold["reason"]},
            at=now,
        )
        holds.append(hold_id)
    return holds


# Built once: scoring places holds for every message with a new hit.
_MASKED = select(m.Traveller.id, m.Traveller.masked).where(
    m.Traveller.id.in_(bindparam("ids", expanding=True))
)


def release_hold(
    session: Session, hold_id: str, *, reason: str, actor: str, now: dt.datetime
) -> hm.Hold:
    hold = session.get(hm.Hold, hold_id)
    if hold is None:
        raise NotFound(f"no hold {hold_id}")
    if hold.released_at is not None:
        raise Conflict(f"hold {hold_id} was already released on {hold.released_at:%Y-%m-%d}")
    hold.released_at, hold.released_by = now, actor[:120]
    hold.release_reason = reason.strip()[:2000] or None
    chain.append(
        session,
        "travel:hold:released",
        actor=actor,
        subject=hold.traveller_id,
        details={"hold": hold.id, "reason": hold.release_reason},
        at=now,
    )
    return hold


def held_travellers(session: Session) -> set[str]:
    return set(
        session.execute(select(hm.Hold.traveller_id).where(hm.Hold.released_at.is_(None))).scalars()
    )


# -- the job ----------------------------------------------------------------------------------


class _Held:
    """What open holds keep: the travellers, their mentions' bookings and messages."""

    def __init__(self, session: Session) -> None:
        self.travellers = held_travellers(session)
        self.bookings: set[tuple[str, str]] = set()
        self.messages: set[str] = set()
        if self.travellers:
            rows = session.execute(
                select(
                    m.Passenger.flight_id, m.Passenger.reservation, m.Passenger.message_id
                ).where(m.Passenger.traveller_id.in_(sorted(self.travellers)))
            )
            for flight_id, locator, message_id in rows:
                if locator:
                    self.bookings.add((flight_id, locator))
                self.messages.add(message_id)


def run_retention(
    session: Session,
    *,
    mask_after_days: int,
    delete_after_days: int,
    now: dt.datetime,
    actor: str,
    preview: bool = False,
) -> RetentionRun:
    """Delete what is past the deletion period, then mask what is past the masking period.
    With ``preview`` the run is made inside a savepoint that is then rolled back: the counts
    say what a run would do, and nothing (audit entries included) is kept."""
    if preview:
        savepoint = session.begin_nested()
        try:
            return _run(session, mask_after_days, delete_after_days, now, actor, preview=True)
        finally:
            savepoint.rollback()
    return _run(session, mask_after_days, delete_after_days, now, actor, preview=False)


def _run(
    session: Session,
    mask_after_days: int,
    delete_after_days: int,
    now: dt.datetime,
    actor: str,
    *,
    preview: bool,
) -> RetentionRun:
    run = RetentionRun(
        mask_before=now - dt.timedelta(days=mask_after_days),
        delete_before=now - dt.timedelta(days=delete_after_days),
        preview=preview,
    )
    held = _Held(session)
    run.held_travellers = len(held.travellers)
    for flight in _due(session, run.delete_before, masked_only=False):
        _delete_flight(session, flight, held, run, actor, now)
    _delete_loose_messages(session, run, actor, now)
    _delete_travellers(session, held, run, actor, now)
    for flight in _due(session, run.mask_before, masked_only=True):
        _mask_flight(session, flight, held, run, actor, now)
    _mask_loose_messages(session, run, actor, now)
    _mask_travellers(session, held, run, actor, now)
    return run


def _due(session: Session, before: dt.datetime, *, masked_only: bool) -> list[m.Flight]:
    query = select(m.Flight).where(m.Flight.updated_at <= before)
    if masked_only:
        unmasked_passenger = exists().where(
            m.Passenger.flight_id == m.Flight.id, m.Passenger.masked.is_(False)
        )
        unmasked_booking = exists().where(
            m.Reservation.flight_id == m.Flight.id, m.Reservation.masked.is_(False)
        )
        query = query.where(or_(m.Flight.masked_at.is_(None), unmasked_passenger, unmasked_booking))
    return list(session.execute(query.order_by(m.Flight.updated_at)).scalars())


def _flight_facts(flight: m.Flight) -> dict[str, Any]:
    return {
        "flight": f"{flight.carrier}{flight.number}",
        "date": flight.date,
        "route": f"{flight.origin}-{flight.destination}",
        "last_message": flight.updated_at.isoformat(),
    }


def _flight_messages(session: Session, flight_id: str) -> set[str]:
    mentioned = select(m.Passenger.message_id).where(m.Passenger.flight_id == flight_id)
    return set(
        session.execute(
            select(m.TravelMessage.id).where(
                or_(m.TravelMessage.flight_id == flight_id, m.TravelMessage.id.in_(mentioned))
            )
        ).scalars()
    )


# -- masking ----------------------------------------------------------------------------------


def _mask_flight(
    session: Session,
    flight: m.Flight,
    held: _Held,
    run: RetentionRun,
    actor: str,
    now: dt.datetime,
) -> None:
    passengers = session.execute(
        select(
            m.Passenger.id,
            m.Passenger.traveller_id,
            m.Passenger.reservation,
            m.Passenger.birth_date,
            m.Passenger.documents,
        ).where(m.Passenger.flight_id == flight.id, m.Passenger.masked.is_(False))
    ).all()
    bookings = session.execute(
        select(
            m.Reservation.id, m.Reservation.locator, m.Reservation.details, m.Reservation.masked
        ).where(m.Reservation.flight_id == flight.id)
    ).all()
    pseudonym = {locator: _pseudonym(rid) for rid, locator, _, masked in bookings if not masked}
    pseudonym.update({locator: locator for _, locator, _, masked in bookings if masked})
    masked_people, kept_people = [], 0
    for pid, traveller_id, locator, born, documents in passengers:
        if traveller_id in held.travellers:
            kept_people += 1
            continue
        masked_people.append(
            {
                "pid": pid,
                "birth_date": _year(born),
                "documents": [
                    {"type": d.get("type"), "country": d.get("country")} for d in documents or []
                ],
                "reservation": pseudonym.get(locator) if locator else None,
            }
        )
    masked_bookings, kept_bookings = [], 0
    for rid, locator, details, masked in bookings:
        if masked:
            continue
        if (flight.id, locator) in held.bookings:
            kept_bookings += 1
            continue
        kept = {k: v for k, v in (details or {}).items() if k in _KEPT_BOOKING}
        masked_bookings.append({"rid": rid, "locator": pseudonym[locator], "details": kept})
    on_flight = _flight_messages(session, flight.id)
    messages = on_flight - held.messages
    kept_messages = len(on_flight & held.messages)
    run.kept_for_holds.passengers += kept_people
    run.kept_for_holds.reservations += kept_bookings
    run.kept_for_holds.messages += kept_messages
    connection = session.connection()
    if masked_people:
        table = _table(m.Passenger)
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("pid"))
            .values(
                surname="",
                given_names="",
                birth_date=bindparam("birth_date"),
                documents=bindparam("documents"),
                details={},
                reservation=bindparam("reservation"),
                link_reason="masked",
                masked=True,
            ),
            masked_people,
        )
    if masked_bookings:
        table = _table(m.Reservation)
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("rid"))
            .values(locator=bindparam("locator"), details=bindparam("details"), masked=True),
            masked_bookings,
        )
    masked_messages = _mask_messages(session, messages, now)
    first_time = flight.masked_at is None
    flight.masked_at = flight.masked_at or now
    if not (masked_people or masked_bookings or masked_messages or first_time):
        return
    run.masked.passengers += len(masked_people)
    run.masked.reservations += len(masked_bookings)
    run.masked.messages += masked_messages
    run.masked.flights += 1
    chain.append(
        session,
        "travel:flight:masked",
        actor=actor,
        subject=flight.id,
        details={
            **_flight_facts(flight),
            "passengers": len(masked_people),
            "reservations": len(masked_bookings),
            "messages": masked_messages,
            "kept_for_holds": {
                "passengers": kept_people,
                "reservations": kept_bookings,
                "messages": kept_messages,
            },
        },
        at=now,
    )


def _pseudonym(reservation_id: str) -> str:
    """A masked booking's stand-in locator, unique on its flight: from a digest of the whole
    id (the leading digits of a time-ordered id are its time, shared by a batch's rows)."""
    return "#" + hashlib.blake2b(reservation_id.encode(), digest_size=6).hexdigest()[:11].upper()


def _year(born: str | None) -> str | None:
    return born[:4] if born and len(born) >= 4 and born[:4].isdecimal() else None


def _mask_messages(session: Session, ids: Iterable[str], now: dt.datetime) -> int:
    """Drop the bytes of messages not yet masked, and the traveller named in each problem."""
    wanted = sorted(ids)
    if not wanted:
        return 0
    rows = session.execute(
        select(m.TravelMessage.id, m.TravelMessage.problems).where(
            m.TravelMessage.id.in_(wanted), m.TravelMessage.masked_at.is_(None)
        )
    ).all()
    if rows:
        table = _table(m.TravelMessage)
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("mid"))
            .values(raw=None, problems=bindparam("problems"), masked_at=now),
            [{"mid": mid, "problems": _masked_problems(problems)} for mid, problems in rows],
        )
    return len(rows)


def _masked_problems(problems: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{**p, "traveller": None} for p in problems or []]


def _mask_loose_messages(session: Session, run: RetentionRun, actor: str, now: dt.datetime) -> None:
    """Messages filed on no flight (quarantined, refused): counted from their receipt."""
    ids = list(
        session.execute(
            select(m.TravelMessage.id).where(
                m.TravelMessage.flight_id.is_(None),
                m.TravelMessage.masked_at.is_(None),
                m.TravelMessage.received_at <= run.mask_before,
            )
        ).scalars()
    )
    for mid in ids:
        _mask_messages(session, [mid], now)
        chain.append(
            session,
            "travel:message:masked",
            actor=actor,
            subject=mid,
            details={"reason": "retention: masking period over"},
            at=now,
        )
    run.masked.messages += len(ids)


def _mask_travellers(
    session: Session, held: _Held, run: RetentionRun, actor: str, now: dt.datetime
) -> None:
    """A traveller is masked once every mention of them is: nothing recent names them."""
    unmasked_mention = exists().where(
        m.Passenger.traveller_id == m.Traveller.id, m.Passenger.masked.is_(False)
    )
    rows = [
        (tid, born)
        for tid, born in session.execute(
            select(m.Traveller.id, m.Traveller.birth_date).where(
                m.Traveller.masked.is_(False), ~unmasked_mention
            )
        )
        if tid not in held.travellers
    ]
    if not rows:
        return
    ids = [tid for tid, _ in rows]
    table = _table(m.Traveller)
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("tid"))
        .values(
            surname="",
            given_names="",
            name_key="",
            birth_date=bindparam("birth_date"),
            masked=True,
        ),
        [{"tid": tid, "birth_date": _year(born)} for tid, born in rows],
    )
    for chunk in _chunks(ids):
        session.execute(
            delete(m.TravellerDocument).where(m.TravellerDocument.traveller_id.in_(chunk))
        )
        chain.append(
            session,
            "travel:traveller:masked",
            actor=actor,
            details={"travellers": chunk, "reason": "retention: masking period over"},
            at=now,
        )
    run.masked.travellers += len(ids)


# -- deletion ---------------------------------------------------------------------------------


def _delete_flight(
    session: Session,
    flight: m.Flight,
    held: _Held,
    run: RetentionRun,
    actor: str,
    now: dt.datetime,
) -> None:
    passengers = session.execute(
        select(m.Passenger.id, m.Passenger.traveller_id).where(m.Passenger.flight_id == flight.id)
    ).all()
    doomed = [pid for pid, tid in passengers if tid not in held.travellers]
    kept_people = len(passengers) - len(doomed)
    bookings = session.execute(
        select(m.Reservation.id, m.Reservation.locator).where(m.Reservation.flight_id == flight.id)
    ).all()
    doomed_bookings = [rid for rid, loc in bookings if (flight.id, loc) not in held.bookings]
    messages = _flight_messages(session, flight.id)
    doomed_messages = sorted(messages - held.messages)
    run.kept_for_holds.passengers += kept_people
    run.kept_for_holds.reservations += len(bookings) - len(doomed_bookings)
    run.kept_for_holds.messages += len(messages) - len(doomed_messages)
    whole = kept_people == 0 and len(doomed_bookings) == len(bookings)
    run.deleted.passengers += len(doomed)
    run.deleted.reservations += len(doomed_bookings)
    run.deleted.messages += len(doomed_messages)
    run.deleted.flights += 1 if whole else 0
    for chunk in _chunks(doomed):
        session.execute(delete(m.Passenger).where(m.Passenger.id.in_(chunk)))
    for chunk in _chunks(doomed_bookings):
        session.execute(delete(m.Reservation).where(m.Reservation.id.in_(chunk)))
    for chunk in _chunks(doomed_messages):
        session.execute(delete(m.TravelMessage).where(m.TravelMessage.id.in_(chunk)))
    chain.append(
        session,
        "travel:flight:deleted",
        actor=actor,
        subject=flight.id,
        details={
            **_flight_facts(flight),
            "whole_flight": whole,
            "passengers": len(doomed),
            "reservations": len(doomed_bookings),
            "messages": len(doomed_messages),
            "kept_for_holds": kept_people,
        },
        at=now,
    )
    if whole:
        session.delete(flight)
    session.flush()


def _delete_loose_messages(
    session: Session, run: RetentionRun, actor: str, now: dt.datetime
) -> None:
    referenced = select(m.Passenger.message_id)
    ids = list(
        session.execute(
            select(m.TravelMessage.id).where(
                m.TravelMessage.flight_id.is_(None),
                m.TravelMessage.received_at <= run.delete_before,
                m.TravelMessage.id.not_in(referenced),
            )
        ).scalars()
    )
    run.deleted.messages += len(ids)
    for mid in ids:
        session.execute(delete(m.TravelMessage).where(m.TravelMessage.id == mid))
        chain.append(
            session,
            "travel:message:deleted",
            actor=actor,
            subject=mid,
            details={"reason": "retention: deletion period over"},
            at=now,
        )


def _delete_travellers(
    session: Session, held: _Held, run: RetentionRun, actor: str, now: dt.datetime
) -> None:
    """Travellers no mention refers to any more (all deleted with their flights)."""
    mentioned = exists().where(m.Passenger.traveller_id == m.Traveller.id)
    ids = [
        tid
        for tid in session.execute(select(m.Traveller.id).where(~mentioned)).scalars()
        if tid not in held.travellers
    ]
    for chunk in _chunks(ids):
        session.execute(
            delete(m.TravellerDocument).where(m.TravellerDocument.traveller_id.in_(chunk))
        )
        session.execute(delete(hm.Hold).where(hm.Hold.traveller_id.in_(chunk)))
        session.execute(delete(m.Traveller).where(m.Traveller.id.in_(chunk)))
        chain.append(
            session,
            "travel:traveller:deleted",
            actor=actor,
            details={"travellers": chunk, "reason": "retention: deletion period over"},
            at=now,
        )
    run.deleted.travellers += len(ids)


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[i : i + _AUDIT_IDS]) for i in range(0, len(ids), _AUDIT_IDS)]
