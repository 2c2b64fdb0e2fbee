"""A traveller on a flight as the flat record risk conditions read (``conditions.FIELDS``):
what the latest mention, the flight, the booking and screening say, with derived values
(age at departure, days to document expiry, days booked before departure, dwell times)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Protocol

import airportsdata
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from smartborder.travel.intake import models as m

Screened = Sequence[dict[str, Any]]  # hits as screening returns them (as_dict)
CO_TRAVELLERS = "co_travellers.with_hits"


class Mention(Protocol):
    """What scoring reads of a traveller's mention: a ``Passenger`` row, or its columns as
    a plain result row (intake reads only these, without building ORM objects)."""

    @property
    def role(self) -> str: ...
    @property
    def surname(self) -> str: ...
    @property
    def given_names(self) -> str: ...
    @property
    def birth_date(self) -> str | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def nationality(self) -> str | None: ...
    @property
    def details(self) -> dict[str, Any]: ...
    @property
    def cancelled(self) -> bool: ...


class Booking(Protocol):
    """What scoring reads of a reservation (a ``Reservation`` row or its columns)."""

    @property
    def locator(self) -> str: ...
    @property
    def details(self) -> dict[str, Any]: ...
    @property
    def created(self) -> str | None: ...
    @property
    def ticketed(self) -> str | None: ...
    @property
    def pushes(self) -> int: ...


_SEEN = (  # what choosing the latest mention needs, without decoding any JSON
    m.Passenger.id,
    m.Passenger.traveller_id,
    m.Passenger.reservation,
    m.Passenger.birth_date,
    m.Passenger.sex,
    m.Passenger.nationality,
    func.json_array_length(m.Passenger.documents).label("documents"),
)
_MENTION = (
    m.Passenger.id,
    m.Passenger.documents,
    m.Passenger.cancelled,
    m.Passenger.role,
    m.Passenger.surname,
    m.Passenger.given_names,
    m.Passenger.birth_date,
    m.Passenger.sex,
    m.Passenger.nationality,
    m.Passenger.details,
)
_VERSION = (m.Reservation.locator, m.Reservation.id, m.Reservation.message_id, m.Reservation.masked)
_BOOKING = (
    *_VERSION,
    m.Reservation.details,
    m.Reservation.created,
    m.Reservation.ticketed,
    m.Reservation.pushes,
)


_MENTIONS = select(*_MENTION).where(m.Passenger.id.in_(bindparam("ids", expanding=True)))
_VERSIONS = select(*_VERSION).where(m.Reservation.flight_id == bindparam("flight"))
_VERSIONS_OF = _VERSIONS.where(m.Reservation.locator.in_(bindparam("codes", expanding=True)))
_BOOKINGS = select(*_BOOKING).where(m.Reservation.id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=1)
def _airports() -> dict[str, Any]:
    return airportsdata.load("IATA")


@lru_cache(maxsize=8192)
def country_of(airport: str) -> str | None:
    found = _airports().get(airport)
    return str(found["country"]) if found else None


@lru_cache(maxsize=65536)  # the same flight, birth and expiry dates come again and again
def _date(text: str | None) -> dt.date | None:
    if not text or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


@lru_cache(maxsize=65536)  # itineraries name the same flights' times again and again
def _time(text: str | None) -> dt.datetime | None:
    if not text or len(text) < 16:
        return None
    try:
        return dt.datetime.fromisoformat(text[:16])
    except ValueError:
        return None


def _age(born: str | None, on: dt.date | None) -> int | None:
    birth = _date(born)
    if birth is None or on is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def record_of(
    flight: m.Flight,
    person: Mention,
    booking: Booking | None = None,
    *,
    hits: Screened = (),
    co_traveller_hits: int = 0,
    mentions: int = 1,
    documents: list[dict[str, Any]] | None = None,
    flight_part: dict[str, Any] | None = None,
    booking_part: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record of one traveller. ``flight_part`` and ``booking_part`` are what
    ``flight_fields`` and ``booking_fields`` give, for a caller scoring many travellers of one
    flight or booking (computed here when not given)."""
    departs = _date(flight.date)
    return {
        **(flight_part if flight_part is not None else flight_fields(flight)),
        **person_fields(person, departs),
        "traveller.messages": mentions,
        CO_TRAVELLERS: co_traveller_hits,
        **document_fields(documents or [], person.nationality, departs),
        **(booking_part if booking_part is not None else booking_fields(booking, departs)),
        **screening_fields(hits),
    }


def person_fields(person: Mention, departs: dt.date | None) -> dict[str, Any]:
    """The fields of the traveller themself, as one mention (merged) gives them."""
    details = person.details or {}
    return {
        "traveller.role": person.role,
        "traveller.surname": person.surname or None,
        "traveller.given_names": person.given_names or None,
        "traveller.age": _age(person.birth_date, departs),
        "traveller.sex": person.sex,
        "traveller.nationality": person.nationality,
        "traveller.residence": details.get("residence"),
        "traveller.birth_place": details.get("birth_place"),
        "pnr.seat": details.get("seat"),
        "pnr.bags": details.get("bags"),
        "pnr.frequent_flyer": bool(details.get("frequent_flyer")),
    }


def flight_fields(flight: m.Flight) -> dict[str, Any]:
    """The fields every traveller of ``flight`` shares."""
    return {
        "flight.carrier": flight.carrier,
        "flight.number": flight.number,
        "flight.origin": flight.origin,
        "flight.destination": flight.destination,
        "flight.origin_country": country_of(flight.origin),
        "flight.destination_country": country_of(flight.destination),
        "flight.route": f"{flight.origin}-{flight.destination}",
        "flight.departure_date": flight.date or None,
        "flight.departure_hour": _hour(flight.departure),
        "flight.codeshare": bool(flight.codeshares),
    }


def _hour(departure: str | None) -> int | None:
    moment = _time(departure)
    return moment.hour if moment else None


def document_fields(
    given: list[dict[str, Any]], nationality: str | None, departs: dt.date | None
) -> dict[str, Any]:
    """The fields of the traveller's identity document (not a visa, when there is another)."""
    documents = [d for d in given if d.get("type") != "V"] or given  # a visa is not the ID
    first = documents[0] if documents else {}
    expiry = _date(first.get("expiry"))
    country = first.get("country")
    return {
        "document.type": first.get("type"),
        "document.country": country,
        "document.days_to_expiry": (expiry - departs).days if expiry and departs else None,
        "document.issuer_is_nationality": (
            country == nationality if country and nationality else None
        ),
        "document.count": len(given),
    }


def booking_fields(booking: Booking | None, departs: dt.date | None) -> dict[str, Any]:
    """The fields every traveller of ``booking`` shares."""
    if booking is None:
        return {}
    details = booking.details or {}
    itinerary = [s for s in details.get("itinerary", []) if not s.get("cancelled")]
    airports: list[str] = []
    for segment in itinerary:
        for code in (segment.get("origin"), segment.get("destination")):
            if code and code not in airports:
                airports.append(code)
    countries = sorted({c for c in (country_of(a) for a in airports) if c})
    created = _date(booking.created)
    payments = details.get("payments", [])
    emails = [c for c in details.get("contacts", []) if "@" in str(c)]
    return {
        "itinerary.airports": airports,
        "itinerary.countries": countries,
        "itinerary.segments": len(itinerary),
        "itinerary.max_dwell_hours": _max_dwell(itinerary),
        "itinerary.one_way": _one_way(itinerary),
        "itinerary.stay_days": _stay(itinerary),
        "booking.days_booked_before": (departs - created).days if departs and created else None,
        "booking.ticketed": booking.ticketed is not None,
        "booking.travellers": len(details.get("travellers", [])),
        "booking.agency": details.get("agency"),
        "booking.pushes": booking.pushes,
        "booking.changes": len(details.get("history", [])),
        "pnr.payment_forms": sorted({_payment(p.get("type", "")) for p in payments}),
        "pnr.payment_count": len(payments),
        "pnr.contacts": len(details.get("contacts", [])),
        "pnr.email_domains": sorted({str(e).rsplit("@", 1)[1].upper() for e in emails}),
    }


_PAYMENT_NAMES = {"CA": "CASH", "CC": "CC", "CK": "CHECK", "MS": "MS", "IN": "INVOICE"}


def _payment(code: str) -> str:
    return _PAYMENT_NAMES.get(code.upper(), code.upper() or "UNKNOWN")


def _max_dwell(itinerary: list[dict[str, Any]]) -> float | None:
    longest: float | None = None
    for before, after in itertools.pairwise(itinerary):
        landed, leaves = _time(before.get("arrival")), _time(after.get("departure"))
        if landed and leaves and leaves >= landed:
            hours = (leaves - landed).total_seconds() / 3600
            if hours <= 24 * 2:  # a longer stop is a stay, not a connection
                longest = hours if longest is None else max(longest, hours)
    return round(longest, 1) if longest is not None else (0.0 if itinerary else None)


def _one_way(itinerary: list[dict[str, Any]]) -> bool | None:
    if not itinerary:
        return None
    start = itinerary[0].get("origin")
    return all(s.get("destination") != start for s in itinerary)


def _stay(itinerary: list[dict[str, Any]]) -> int | None:
    if not itinerary:
        return None
    start = itinerary[0].get("origin")
    outbound = _date(itinerary[0].get("departure"))
    back = next((s for s in itinerary[1:] if s.get("destination") == start), None)
    returns = _date(back.get("departure")) if back else None
    return (returns - outbound).days if returns and outbound else None


def screening_fields(hits: Screened) -> dict[str, Any]:
    return {
        "screening.hit": bool(hits),
        "screening.categories": sorted({str(h["category"]) for h in hits}),
        "screening.actions": sorted({str(h.get("action")) for h in hits if h.get("action")}),
        "screening.best_score": max((float(h["score"]) for h in hits), default=0.0),
        "screening.partner_hit": any(h.get("origin", "local") != "local" for h in hits),
    }


@dataclass(frozen=True, slots=True)
class Merged:
    """The latest mention of a traveller, with the date of birth, sex and nationality an
    earlier message gave when the latest leaves them out (a PNR push without SSR DOCS after
    the PAXLST still describes the same person)."""

    role: str
    surname: str
    given_names: str
    birth_date: str | None
    sex: str | None
    nationality: str | None
    details: dict[str, Any]
    cancelled: bool


@dataclass(slots=True)
class Aboard:
    """One traveller of a flight as the latest messages give them, ready to screen and score."""

    traveller_id: str
    person: Mention
    booking: Booking | None
    documents: list[dict[str, Any]]
    mentions: int
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def locator(self) -> str | None:
        return self.booking.locator if self.booking is not None else None


def add_screening(aboard: Sequence[Aboard], hits: dict[str, list[dict[str, Any]]]) -> None:
    """Each traveller's screening fields from ``hits`` (traveller id -> hits), and how many of
    their booking's other travellers have hits."""
    flagged = Counter(a.locator for a in aboard if hits.get(a.traveller_id) and a.locator)
    for one in aboard:
        own = hits.get(one.traveller_id) or []
        one.record.update(screening_fields(own))
        one.record[CO_TRAVELLERS] = (flagged[one.locator] - bool(own)) if one.locator else 0


def _merged(row: Any, known: dict[str, str]) -> Merged:
    return Merged(
        role=row.role,
        surname=row.surname,
        given_names=row.given_names,
        birth_date=row.birth_date or known.get("birth_date"),
        sex=row.sex or known.get("sex"),
        nationality=row.nationality or known.get("nationality"),
        details=row.details or {},
        cancelled=row.cancelled,
    )


class Recall:
    """What scoring has already decoded, kept between messages (one per node): mentions by
    id (a stored mention never changes; masking hides it from ``flight_records``, which asks
    only for unmasked ones) and bookings' fields by version (a push or masking rewrites the
    row and its ``message_id`` or ``masked`` with it). Each flight's later messages name the
    same travellers again; without this their earlier mentions and PNRs were decoded anew
    every time."""

    LIMIT = 200_000  # entries of each kind, then forgotten at once

    def __init__(self) -> None:
        self.mentions: dict[str, Any] = {}
        self.bookings: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
        self.parts: dict[tuple[Any, ...], dict[str, Any]] = {}

    def part(self, key: tuple[Any, ...], make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A part of a record, made once for ``key`` (read-only for the caller)."""
        found = self.parts.get(key)
        if found is None:
            if len(self.parts) >= self.LIMIT:
                self.parts.clear()
            found = self.parts[key] = make()
        return found

    def learn(
        self,
        flight: m.Flight,
        mentions: Iterable[Mapping[str, Any]],
        bookings: Iterable[Mapping[str, Any]],
    ) -> None:
        """Keep the passenger and reservation rows just written (whole, as stored), so that
        scoring the message does not read them back."""
        mentions, bookings = list(mentions), list(bookings)
        if len(self.mentions) + len(mentions) > self.LIMIT:
            self.mentions.clear()
        self.mentions.update((row["id"], SimpleNamespace(**row)) for row in mentions)
        if len(self.bookings) + len(bookings) > self.LIMIT:
            self.bookings.clear()
        departs = _date(flight.date)
        for written in bookings:
            row = SimpleNamespace(**written)
            key = (row.id, row.message_id, row.masked, departs)
            self.bookings[key] = (row, booking_fields(row, departs))

    def mentions_of(self, session: Session, ids: Collection[str]) -> dict[str, Any]:
        missing = sorted(i for i in ids if i not in self.mentions)
        if len(self.mentions) + len(missing) > self.LIMIT:
            self.mentions.clear()
        if missing:  # one flight's travellers: well within any database's parameter limit
            rows = session.execute(_MENTIONS, {"ids": missing})
            self.mentions.update((row.id, row) for row in rows)
        return {i: self.mentions[i] for i in ids}

    def bookings_of(
        self, session: Session, flight: m.Flight, codes: Collection[str] | None
    ) -> dict[str, tuple[Any, dict[str, Any]]]:
        """Locator -> (booking row, its fields) for ``flight`` (those of ``codes``)."""
        departs = _date(flight.date)
        if codes is None:
            rows = session.execute(_VERSIONS, {"flight": flight.id})
        else:
            rows = session.execute(_VERSIONS_OF, {"flight": flight.id, "codes": sorted(codes)})
        versions = {row.locator: (row.id, row.message_id, row.masked, departs) for row in rows}
        stale = [key[0] for key in versions.values() if key not in self.bookings]
        if len(self.bookings) + len(stale) > self.LIMIT:
            self.bookings.clear()
        if stale:
            for row in session.execute(_BOOKINGS, {"ids": stale}):
                key = (row.id, row.message_id, row.masked, departs)
                self.bookings[key] = (row, booking_fields(row, departs))
        return {code: self.bookings[key] for code, key in versions.items()}


# Built once (scoring runs them for every message): a flight's unmasked mentions, oldest first;
# and those of the travellers named and their co-travellers (on the same booking).
_ON_FLIGHT = (m.Passenger.flight_id == bindparam("flight")) & m.Passenger.masked.is_(False)
_IN_ORDER = (m.Passenger.received_at, m.Passenger.id)
_EVERYONE = select(*_SEEN).where(_ON_FLIGHT).order_by(*_IN_ORDER)
_NAMED_ONLY = m.Passenger.traveller_id.in_(bindparam("only", expanding=True))
_BOOKED = select(m.Passenger.reservation).where(_ON_FLIGHT, _NAMED_ONLY).scalar_subquery()
_CO_TRAVELLERS = (
    select(m.Passenger.traveller_id)
    .where(_ON_FLIGHT, m.Passenger.reservation.in_(_BOOKED))
    .scalar_subquery()
)
_NAMED = (
    select(*_SEEN)
    .where(_ON_FLIGHT, _NAMED_ONLY | m.Passenger.traveller_id.in_(_CO_TRAVELLERS))
    .order_by(*_IN_ORDER)
)


def flight_records(
    session: Session,
    flight: m.Flight,
    only: Collection[str] | None = None,
    recall: Recall | None = None,
) -> list[Aboard]:
    """Each (unmasked, uncancelled) traveller of ``flight`` - or those of ``only`` and their
    co-travellers on the same booking - as a record for risk conditions: the latest message's
    mention, with the booking and documents of the latest message that gave them (a wheels-up
    PAXLST names no booking; a PNR push may carry no SSR DOCS). Screening fields are left for
    the caller, who knows the hits. Rows are read as plain columns: scoring runs for every
    message filed, and building ORM objects for every earlier mention would cost more than
    the scoring itself; ``recall`` keeps what was decoded for the next message."""
    recall = recall or Recall()
    if only is None:
        rows = session.execute(_EVERYONE, {"flight": flight.id})
    else:
        rows = session.execute(_NAMED, {"flight": flight.id, "only": sorted(set(only))})
    last: dict[str, str] = {}
    locator: dict[str, str] = {}
    documented: dict[str, str] = {}
    counts: Counter[str] = Counter()
    known: dict[str, dict[str, str]] = {}
    # oldest first: later messages win, gaps filled from earlier
    for mention, tid, reservation, born, sex, nationality, documents in rows:
        last[tid] = mention
        counts[tid] += 1
        facts = known.get(tid)
        if facts is None:
            facts = known[tid] = {}
        if born:
            facts["birth_date"] = born
        if sex:
            facts["sex"] = sex
        if nationality:
            facts["nationality"] = nationality
        if reservation:
            locator[tid] = reservation
        if documents:
            documented[tid] = mention
    read = recall.mentions_of(session, {*last.values(), *documented.values()})
    bookings = recall.bookings_of(session, flight, set(locator.values()) if only else None)
    departs = _date(flight.date)
    shared = flight_fields(flight)
    no_booking = booking_fields(None, departs)
    found = []
    for tid, mention in last.items():
        person = _merged(read[mention], known[tid])
        if person.cancelled:
            continue
        booking, booked = bookings.get(locator.get(tid, ""), (None, no_booking))
        papers = read[documented[tid]].documents if tid in documented else []
        aboard = Aboard(tid, person, booking, papers, counts[tid])
        # as record_of builds it, from parts recalled: a mention and its documents read
        # alike every time the traveller's later messages are scored
        aboard.record = {
            **shared,
            **recall.part(
                ("person", mention, person.birth_date, person.sex, person.nationality,
                 flight.date),
                lambda: person_fields(person, departs),  # noqa: B023 (called at once)
            ),
            "traveller.messages": counts[tid],
            CO_TRAVELLERS: 0,
            **recall.part(
                ("documents", documented.get(tid), person.nationality, flight.date),
                lambda: document_fields(papers, person.nationality, departs),  # noqa: B023
            ),
            **booked,
            **screening_fields(()),
            "_traveller": tid,
        }  # fmt: skip
        found.append(aboard)
    return found
