"""Filing an understood message: its flight, its reservations, and each traveller resolved to
one person across PAXLST and PNR and across pushes, with the rule that linked them.

Resolution rules, first that applies wins:

1. **document** - a travel document (type, number, issuing state) already held by a traveller.
2. **booking** - on the same flight, the same record locator and the same surname and first
   given name (successive PNR pushes, and the PAXLST of a booked passenger).
3. **name and birth** - the same full name and full date of birth, on the same flight or with
   no conflicting nationality, and exactly one such traveller.
4. **new** - none of these: a new traveller.

Rows are written in bulk (one INSERT per table per message) so a flight of 300 is cheap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from smartborder.db import Base
from smartborder.identity.names import normalise
from smartborder.ids import new_id
from smartborder.travel.intake import models as m
from smartborder.travel.intake.message import Message
from smartborder.travel.intake.message import Traveller as Parsed


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


@dataclass(frozen=True, slots=True)
class Filed:
    """One message's part for one flight, as stored: the travellers it named (ids, in the
    message's order), and the passenger and reservation rows written, whole (scoring builds
    its records from them without reading back and decoding what was just written)."""

    flight: m.Flight
    travellers: list[str]
    mentions: list[dict[str, Any]]
    bookings: list[dict[str, Any]]


@dataclass(slots=True)
class Link:
    traveller_id: str
    rule: str  # document | booking | name-and-birth | new
    reason: str


@lru_cache(maxsize=65536)
def name_key(surname: str, given: str) -> str:
    return normalise(f"{surname} {given}")


def file_flight(session: Session, message: Message, now: dt.datetime) -> m.Flight:
    flight = message.flight
    first, last = flight.legs[0], flight.legs[-1]
    date = flight.date or ""
    row = session.execute(
        _FLIGHT,
        {"carrier": flight.carrier, "number": flight.number, "date": date, "origin": first.origin},
    ).scalar_one_or_none()
    legs = [dataclasses.asdict(leg) for leg in flight.legs]
    if row is None:
        row = m.Flight(
            id=new_id(),
            carrier=flight.carrier,
            number=flight.number,
            date=date,
            origin=first.origin,
            destination=last.destination,
            departure=first.departure,
            arrival=last.arrival,
            legs=legs,
            codeshares=list(flight.codeshares),
            status="scheduled",
            updated_at=now,
        )
        session.add(row)
        session.flush()
    else:
        if len(legs) > len(row.legs):
            row.legs, row.destination, row.arrival = legs, last.destination, last.arrival
        row.arrival = row.arrival or last.arrival
        new_codes = [c for c in flight.codeshares if c not in row.codeshares]
        if new_codes:
            row.codeshares = [*row.codeshares, *new_codes]
        row.updated_at = now
    if "close-out" in message.purpose:
        row.status = "closed out"
    return row


# Built once (they run for every message), with the values bound at each run.
_FLIGHT = select(m.Flight).where(
    m.Flight.carrier == bindparam("carrier"),
    m.Flight.number == bindparam("number"),
    m.Flight.date == bindparam("date"),
    m.Flight.origin == bindparam("origin"),
)
_BY_DOCUMENT = select(
    m.TravellerDocument.type,
    m.TravellerDocument.number,
    m.TravellerDocument.country,
    m.TravellerDocument.traveller_id,
).where(m.TravellerDocument.number.in_(bindparam("numbers", expanding=True)))
_ON_FLIGHT = (
    select(
        m.Passenger.reservation,
        m.Passenger.surname,
        m.Passenger.given_names,
        m.Passenger.birth_date,
        m.Passenger.traveller_id,
        m.Passenger.role,
    )
    .where(m.Passenger.flight_id == bindparam("flight"))
    .distinct()
)
_BY_NAME = select(
    m.Traveller.name_key, m.Traveller.birth_date, m.Traveller.id, m.Traveller.nationality
).where(m.Traveller.name_key.in_(bindparam("keys", expanding=True)), m.Traveller.masked.is_(False))


class Resolver:
    """Links the travellers of one message to resolved travellers, reading what it needs from
    the database in a few queries."""

    def __init__(self, session: Session, flight_id: str) -> None:
        self.session = session
        self.flight_id = flight_id
        self.by_document: dict[tuple[str, str, str], str] = {}
        self.by_booking: dict[tuple[str, str, str], str] = {}
        self.on_flight: dict[tuple[str, str], str] = {}
        self.by_name: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
        self.new: list[dict[str, Any]] = []
        self.new_documents: list[dict[str, Any]] = []
        self.aboard: set[tuple[str, str]] = set()  # (traveller, role) on the flight so far

    def load(self, people: list[Parsed]) -> None:
        numbers = {d.number for p in people for d in p.documents}
        if numbers:
            rows = self.session.execute(_BY_DOCUMENT, {"numbers": _chunk(numbers)})
            for kind, number, country, traveller_id in rows:
                self.by_document[(kind, number, country)] = traveller_id
        # earlier mentions on this flight, each distinct one once (a person in five pushes is
        # five rows in the table but one here)
        booked = self.session.execute(_ON_FLIGHT, {"flight": self.flight_id})
        for locator, surname, given, born, traveller_id, role in booked:
            self.aboard.add((traveller_id, role))
            if locator:
                self.by_booking[(locator, surname, _first(given))] = traveller_id
            if born and len(born) == 10:
                self.on_flight[(name_key(surname, given), born)] = traveller_id
        keys = {name_key(p.surname, p.given_names) for p in people if _full(p.birth_date)}
        if keys:
            named = self.session.execute(_BY_NAME, {"keys": _chunk(keys)})
            for key, born, traveller_id, nationality in named:
                self.by_name.setdefault((key, born or ""), []).append((traveller_id, nationality))

    def link(self, person: Parsed, message_id: str, now: dt.datetime) -> Link:
        link = self._find(person)
        if link is None:
            traveller_id = new_id()
            self.new.append(
                {
                    "id": traveller_id,
                    "surname": person.surname,
                    "given_names": person.given_names,
                    "name_key": name_key(person.surname, person.given_names),
                    "birth_date": person.birth_date,
                    "sex": person.sex,
                    "nationality": person.nationality,
                    "first_seen": now,
                    "last_seen": now,
                    "masked": False,
                }
            )
            link = Link(
                traveller_id,
                "new",
                "no earlier record shares a document, a booking on this flight, "
                "or the full name and date of birth",
            )
        self._remember(person, link.traveller_id, message_id)
        return link

    def _find(self, person: Parsed) -> Link | None:
        for doc in person.documents:
            found = self.by_document.get((doc.type, doc.number, doc.country or ""))
            if found:
                return Link(
                    found,
                    "document",
                    f"document {doc.type} {doc.number} ({doc.country or 'no issuer'}) "
                    "is held by this traveller",
                )
        if person.reservation:
            found = self.by_booking.get(
                (person.reservation, person.surname, _first(person.given_names))
            )
            if found:
                return Link(
                    found,
                    "booking",
                    f"booking {person.reservation} on this flight names "
                    f"{person.surname} {_first(person.given_names)}".rstrip(),
                )
        if _full(person.birth_date):
            key = name_key(person.surname, person.given_names)
            born = person.birth_date or ""
            found = self.on_flight.get((key, born))
            if found:
                return Link(found, "name-and-birth", f"{key}, born {born}, on this flight")
            candidates = [
                tid
                for tid, nationality in self.by_name.get((key, born), [])
                if not (nationality and person.nationality and nationality != person.nationality)
            ]
            if len(candidates) == 1:
                return Link(
                    candidates[0],
                    "name-and-birth",
                    f"{key}, born {born}: one earlier traveller, no conflicting nationality",
                )
        return None

    def _remember(self, person: Parsed, traveller_id: str, message_id: str) -> None:
        for doc in person.documents:
            key = (doc.type, doc.number, doc.country or "")
            if key not in self.by_document:
                self.by_document[key] = traveller_id
                self.new_documents.append(
                    {
                        "id": new_id(),
                        "traveller_id": traveller_id,
                        "type": doc.type,
                        "number": doc.number,
                        "country": doc.country or "",
                        "expiry": doc.expiry,
                        "first_message": message_id,
                    }
                )
        if person.reservation:
            self.by_booking[(person.reservation, person.surname, _first(person.given_names))] = (
                traveller_id
            )
        if _full(person.birth_date):
            named = name_key(person.surname, person.given_names)
            self.on_flight[(named, person.birth_date or "")] = traveller_id


def _first(given: str) -> str:
    return given.split(" ", 1)[0] if given else ""


def _full(born: str | None) -> bool:
    return born is not None and len(born) == 10


def _chunk(values: Iterable[str]) -> list[str]:
    return sorted(values)


def file_message(session: Session, message: Message, message_id: str, now: dt.datetime) -> Filed:
    """Store one understood message: its flight, travellers, mentions and reservations."""
    flight = file_flight(session, message, now)
    people = message.everyone()
    resolver = Resolver(session, flight.id)
    resolver.load(people)
    cancelled_list = "cancellation" in message.purpose
    rows: list[dict[str, Any]] = []
    for person in people:
        link = resolver.link(person, message_id, now)
        rows.append(
            {
                "id": new_id(),
                "flight_id": flight.id,
                "traveller_id": link.traveller_id,
                "message_id": message_id,
                "kind": message.kind,
                "role": person.role,
                "surname": person.surname,
                "given_names": person.given_names,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "nationality": person.nationality,
                "documents": [_fields(d) for d in person.documents],
                "details": _details(person),
                "reservation": person.reservation,
                "cancelled": person.cancelled or cancelled_list,
                "link_rule": link.rule,
                "link_reason": link.reason,
                "received_at": now,
                "masked": False,
            }
        )
    connection = session.connection()
    if resolver.new:
        connection.execute(_NEW_TRAVELLERS, resolver.new)
    _complete(session, people, rows)
    if resolver.new_documents:
        connection.execute(_NEW_DOCUMENTS, resolver.new_documents)
    if rows:
        connection.execute(_NEW_MENTIONS, rows)
    flight.reservations, bookings = _file_reservations(session, message, flight.id, message_id, now)
    aboard = resolver.aboard | {(row["traveller_id"], row["role"]) for row in rows}
    flight.crew = len({tid for tid, role in aboard if "crew" in role})
    flight.passengers = len({tid for tid, role in aboard if "crew" not in role})
    return Filed(flight, [row["traveller_id"] for row in rows], rows, bookings)


def _complete(session: Session, people: list[Parsed], rows: list[dict[str, Any]]) -> None:
    """Fill a resolved traveller's missing date of birth, sex or nationality from a later
    message (a PNR without SSR DOCS first, its PAXLST later)."""
    linked = {row["traveller_id"] for row in rows if row["link_rule"] != "new"}
    if not linked:
        return
    missing = {
        tid: {"birth_date": born, "sex": sex, "nationality": nationality}
        for tid, born, sex, nationality in session.execute(_INCOMPLETE, {"ids": sorted(linked)})
    }
    if not missing:
        return
    for person, row in zip(people, rows, strict=True):
        known = missing.get(row["traveller_id"])
        if known is None:
            continue
        for column in _FILLED:
            if known[column] is None and getattr(person, column):
                known[column] = getattr(person, column)
    session.connection().execute(
        _COMPLETED, [{"tid": tid, **known} for tid, known in missing.items()]
    )


_FILLED = ("birth_date", "sex", "nationality")
_NEW_TRAVELLERS = insert(_table(m.Traveller))
_NEW_DOCUMENTS = insert(_table(m.TravellerDocument))
_NEW_MENTIONS = insert(_table(m.Passenger))
_NEW_PNRS = insert(_table(m.Reservation))
_INCOMPLETE = select(
    m.Traveller.id, m.Traveller.birth_date, m.Traveller.sex, m.Traveller.nationality
).where(
    m.Traveller.id.in_(bindparam("ids", expanding=True)),
    or_(*(getattr(m.Traveller, column).is_(None) for column in _FILLED)),
)
_TRAVELLERS = _table(m.Traveller)
_COMPLETED = (
    update(_TRAVELLERS)
    .where(_TRAVELLERS.c.id == bindparam("tid"))
    .values({column: bindparam(column) for column in _FILLED})
)


def _fields(item: Any) -> dict[str, Any]:
    """A parsed record's fields as a dict (dataclasses.asdict deep-copies; these are flat)."""
    return {f: getattr(item, f) for f in item.__slots__}


def _details(person: Parsed) -> dict[str, Any]:
    keys = ("seat", "bags", "embarkation", "debarkation", "residence", "birth_place", "address")
    found: dict[str, Any] = {k: getattr(person, k) for k in keys if getattr(person, k)}
    if person.frequent_flyer:
        found["frequent_flyer"] = person.frequent_flyer
    if person.tickets:
        found["tickets"] = list(person.tickets)
    if person.reference:
        found["reference"] = person.reference
    return found


_PNR_COUNT = (
    select(func.count())
    .select_from(m.Reservation)
    .where(m.Reservation.flight_id == bindparam("flight"))
)
_PNRS = select(
    m.Reservation.id,
    m.Reservation.locator,
    m.Reservation.pushes,
    m.Reservation.updated,
    m.Reservation.ticketed,
    m.Reservation.created,
).where(m.Reservation.flight_id == bindparam("flight"))
_RESERVATIONS = _table(m.Reservation)
_PUSHED = (  # a further push of a PNR already filed
    update(_RESERVATIONS)
    .where(_RESERVATIONS.c.id == bindparam("rid"))
    .values(
        {
            k: bindparam(k)
            for k in (
                "updated",
                "ticketed",
                "details",
                "cancelled",
                "message_id",
                "pushes",
                "updated_at",
            )
        }
    )
)


def _file_reservations(
    session: Session, message: Message, flight_id: str, message_id: str, now: dt.datetime
) -> tuple[int, list[dict[str, Any]]]:
    """File the message's PNRs (new or a further push); returns the flight's PNR count and
    the rows as now stored (those of the message)."""
    if not message.reservations:
        count = session.execute(_PNR_COUNT, {"flight": flight_id}).scalar_one()
        return count, []
    existing = {
        locator: (rid, pushes, updated, ticketed, created)
        for rid, locator, pushes, updated, ticketed, created in session.execute(
            _PNRS, {"flight": flight_id}
        )
    }
    fresh, changed = [], []
    kept: list[tuple[str, str | None]] = []  # (locator, created) of each changed one
    for pnr in message.reservations:
        details = {
            "agency": pnr.agency,
            "locators": list(pnr.locators),
            "group": pnr.group,
            "itinerary": [_fields(b) for b in pnr.itinerary],
            "payments": [_fields(p) for p in pnr.payments],
            "amounts": list(pnr.amounts),
            "contacts": list(pnr.contacts),
            "remarks": list(pnr.remarks),
            "history": [_fields(h) for h in pnr.history],
            "travellers": [f"{t.surname}/{t.given_names}" for t in pnr.travellers],
        }
        held = existing.get(pnr.locator)
        if held is None:
            fresh.append(
                {
                    "id": new_id(),
                    "flight_id": flight_id,
                    "locator": pnr.locator,
                    "carrier": pnr.carrier,
                    "created": pnr.created,
                    "updated": pnr.updated,
                    "ticketed": pnr.ticketed,
                    "details": details,
                    "cancelled": pnr.cancelled,
                    "message_id": message_id,
                    "pushes": 1,
                    "updated_at": now,
                    "masked": False,
                }
            )
            continue
        rid, pushes, updated, ticketed, created = held
        kept.append((pnr.locator, created))
        changed.append(
            {
                "rid": rid,
                "updated": pnr.updated or updated,
                "ticketed": pnr.ticketed or ticketed,
                "details": details,
                "cancelled": pnr.cancelled,
                "message_id": message_id,
                "pushes": pushes + 1,
                "updated_at": now,
            }
        )
    connection = session.connection()
    if fresh:
        connection.execute(_NEW_PNRS, fresh)
    if changed:
        connection.execute(_PUSHED, changed)
    rewritten = [
        {**{k: v for k, v in row.items() if k != "rid"}, "id": row["rid"], "locator": locator,
         "created": created, "masked": False}
        for row, (locator, created) in zip(changed, kept, strict=True)
    ]  # fmt: skip
    return len(existing) + len(fresh), [*fresh, *rewritten]
