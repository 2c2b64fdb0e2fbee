"""A traveller on a flight as the flat record risk conditions read (``conditions.FIELDS``):
what the latest mention, the flight, the booking and screening say, with derived values
(age at departure, days to document expiry, days booked before departure, dwell times)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import airportsdata
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.travel import models as m

Screened = Sequence[dict[str, Any]]  # hits as screening returns them (as_dict)


@lru_cache(maxsize=1)
def _airports() -> dict[str, Any]:
    return airportsdata.load("IATA")


@lru_cache(maxsize=8192)
def country_of(airport: str) -> str | None:
    found = _airports().get(airport)
    return str(found["country"]) if found else None


def _date(text: str | None) -> dt.date | None:
    if not text or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


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
    person: m.Passenger,
    booking: m.Reservation | None = None,
    *,
    hits: Screened = (),
    co_traveller_hits: int = 0,
    mentions: int = 1,
    documents: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    departs = _date(flight.date)
    record: dict[str, Any] = {
        "traveller.role": person.role,
        "traveller.surname": person.surname or None,
        "traveller.given_names": person.given_names or None,
        "traveller.age": _age(person.birth_date, departs),
        "traveller.sex": person.sex,
        "traveller.nationality": person.nationality,
        "traveller.residence": (person.details or {}).get("residence"),
        "traveller.birth_place": (person.details or {}).get("birth_place"),
        "traveller.messages": mentions,
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
        "pnr.seat": (person.details or {}).get("seat"),
        "pnr.bags": (person.details or {}).get("bags"),
        "pnr.frequent_flyer": bool((person.details or {}).get("frequent_flyer")),
        "co_travellers.with_hits": co_traveller_hits,
    }
    record.update(_document(documents or person.documents or [], person.nationality, departs))
    record.update(_booking(booking, departs))
    record.update(screening_fields(hits))
    return record


def _hour(departure: str | None) -> int | None:
    moment = _time(departure)
    return moment.hour if moment else None


def _document(
    given: list[dict[str, Any]], nationality: str | None, departs: dt.date | None
) -> dict[str, Any]:
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


def _booking(booking: m.Reservation | None, departs: dt.date | None) -> dict[str, Any]:
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


@dataclass(slots=True)
class Aboard:
    """One traveller of a flight as the latest messages give them, ready to screen and score."""

    traveller_id: str
    person: m.Passenger
    booking: m.Reservation | None
    documents: list[dict[str, Any]]
    mentions: int
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def locator(self) -> str | None:
        return self.booking.locator if self.booking is not None else None


def flight_records(
    session: Session, flight: m.Flight, only: Collection[str] | None = None
) -> list[Aboard]:
    """Each (unmasked, uncancelled) traveller of ``flight`` - or those of ``only`` and their
    co-travellers on the same booking - as a record for risk conditions: the latest message's
    mention, with the booking and documents of the latest message that gave them (a wheels-up
    PAXLST names no booking; a PNR push may carry no SSR DOCS). Screening fields are left for
    the caller, who knows the hits."""
    on_flight = (m.Passenger.flight_id == flight.id) & m.Passenger.masked.is_(False)

    def mentions_of(travellers: Collection[str]) -> list[m.Passenger]:
        return list(
            session.execute(
                select(m.Passenger).where(on_flight, m.Passenger.traveller_id.in_(travellers))
            ).scalars()
        )

    if only is None:
        rows = list(session.execute(select(m.Passenger).where(on_flight)).scalars())
    else:  # those named, with every mention of theirs, then their co-travellers
        rows = mentions_of(sorted(set(only)))
        booked = sorted({r.reservation for r in rows if r.reservation})
        if booked:
            others = session.execute(
                select(m.Passenger.traveller_id)
                .where(
                    on_flight,
                    m.Passenger.reservation.in_(booked),
                    m.Passenger.traveller_id.not_in(sorted(set(only))),
                )
                .distinct()
            ).scalars()
            rows += mentions_of(sorted(others))
    rows.sort(key=lambda r: (r.received_at, r.id))
    latest: dict[str, m.Passenger] = {}
    locator: dict[str, str] = {}
    documents: dict[str, list[dict[str, Any]]] = {}
    counts: Counter[str] = Counter()
    for mention in rows:  # oldest first: later messages win, gaps filled from earlier
        latest[mention.traveller_id] = mention
        counts[mention.traveller_id] += 1
        if mention.reservation:
            locator[mention.traveller_id] = mention.reservation
        if mention.documents:
            documents[mention.traveller_id] = mention.documents
    booking_query = select(m.Reservation).where(m.Reservation.flight_id == flight.id)
    if only is not None:
        codes = sorted(set(locator.values()))
        booking_query = booking_query.where(m.Reservation.locator.in_(codes))
    bookings = {r.locator: r for r in session.execute(booking_query).scalars()}
    found = []
    for tid, person in latest.items():
        if person.cancelled:
            continue
        aboard = Aboard(
            tid, person, bookings.get(locator.get(tid, "")), documents.get(tid, []), counts[tid]
        )
        aboard.record = record_of(
            flight, person, aboard.booking, documents=aboard.documents, mentions=counts[tid]
        )
        aboard.record["_traveller"] = tid
        found.append(aboard)
    return found
