"""What a node's own records say of an applicant, beside its lookouts: the enforcement history
at its border (travellers its targeting refused entry, denied boarding or referred to
secondary in the years the application covers), the criminal-record summaries it holds, and,
for its own applicants, their travel history: flights its API/PNR records show them on, to a
country outside Canada and the United States, that no trip they declared covers (a false
statement, or a forgotten trip, for an officer to ask about).

Matched on the name as the records hold it (normalised, words in any order) and the exact date
of birth: a record found is a reason for an officer to look, never a decision; what it is
stays on this node (the partner is told a decision and a reason code only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.biometrics.models import CriminalRecord
from smartborder.identity.names import normalise
from smartborder.programs.applications import rules
from smartborder.travel.intake.models import Flight, Passenger, Traveller
from smartborder.travel.intake.store import name_key
from smartborder.travel.riskmodels.records import country_of
from smartborder.travel.targeting.models import Assessment

ENFORCEMENT = ("refused entry", "denied boarding", "referred to secondary")
HOME = ("CA", "US")
SLACK = dt.timedelta(days=3)  # a declared trip covers a flight this close to its dates


def _words(name: str) -> tuple[str, ...]:
    return tuple(sorted(normalise(name.replace(",", " ")).split()))


def found(
    session: Session, applicant: dict[str, Any], today: dt.date,
    trips: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The records of this node that name the applicant (their surname, given names and date
    of birth), each as a hit for the vetting queue; with ``trips`` (the applicant's declared
    trips: this node's own applicant), the recorded flights abroad no trip covers."""
    surname, given = str(applicant.get("surname") or ""), str(applicant.get("given_names") or "")
    born = str(applicant.get("date_of_birth") or "")
    if not surname or len(born) != 10:
        return []
    hits: list[dict[str, Any]] = []
    since = today - dt.timedelta(days=365 * rules().history_years)
    border = session.execute(
        select(Assessment.id, Assessment.status, Assessment.status_at, Flight.carrier,
               Flight.number, Flight.date)
        .join(Traveller, Traveller.id == Assessment.traveller_id)
        .join(Flight, Flight.id == Assessment.flight_id)
        .where(Traveller.name_key == name_key(surname, given), Traveller.birth_date == born,
               Assessment.status.in_(ENFORCEMENT))
        .limit(20)
    )  # fmt: skip
    for row in border:
        when = row.status_at.date() if row.status_at else None
        if when is not None and when < since:
            continue
        detail = f"{row.status} on {row.carrier}{row.number} {row.date}"
        hits.append({"category": "border-record", "lookout_id": row.id, "score": 1.0,
                     "detail": detail})  # fmt: skip
    if trips is not None:
        hits += _undeclared(session, name_key(surname, given), born, since, trips)
    wanted = _words(f"{surname} {given}")
    criminal = session.scalars(select(CriminalRecord).where(
        CriminalRecord.birth_date == dt.date.fromisoformat(born)).limit(50))  # fmt: skip
    for record in criminal:
        if _words(record.name) == wanted:
            offences = "; ".join(c.get("offence", "") for c in record.charges)
            hits.append({"category": "criminal-record", "lookout_id": record.id, "score": 1.0,
                         "detail": f"{record.owner} {record.reference}: {offences}"})  # fmt: skip
    return hits


def _undeclared(
    session: Session, key: str, born: str, since: dt.date, trips: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Flights abroad the travel records show the applicant on that no declared trip covers."""
    declared = [(str(t["country"]).upper(), dt.date.fromisoformat(str(t["from"])),
                 dt.date.fromisoformat(str(t.get("to") or t["from"]))) for t in trips]  # fmt: skip
    flights = session.execute(
        select(Flight.id, Flight.carrier, Flight.number, Flight.date, Flight.origin,
               Flight.destination)
        .join(Passenger, Passenger.flight_id == Flight.id)
        .join(Traveller, Traveller.id == Passenger.traveller_id)
        .where(Traveller.name_key == key, Traveller.birth_date == born,
               Flight.date >= since.isoformat(), Passenger.cancelled.is_(False))
        .distinct().limit(200)
    )  # fmt: skip
    hits = []
    for flight in flights:
        day = dt.date.fromisoformat(flight.date)
        for airport in (flight.destination, flight.origin):
            country = country_of(airport)
            if country is None or country in HOME:
                continue
            if not any(c == country and start - SLACK <= day <= end + SLACK
                       for c, start, end in declared):  # fmt: skip
                hits.append({"category": "travel-history", "lookout_id": flight.id,
                             "score": 1.0, "detail": f"{flight.carrier}{flight.number} "
                             f"{flight.origin}-{flight.destination} on {flight.date} ({country}) "
                             "is not among the trips declared"})  # fmt: skip
            break  # one finding a flight
    return hits
