"""What a node's own records say of an applicant, beside its lookouts: the enforcement history
at its border (travellers its targeting refused entry, denied boarding or referred to
secondary in the years the application covers) and the criminal-record summaries it holds.

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
from smartborder.travel.intake.models import Flight, Traveller
from smartborder.travel.intake.store import name_key
from smartborder.travel.targeting.models import Assessment

ENFORCEMENT = ("refused entry", "denied boarding", "referred to secondary")


def _words(name: str) -> tuple[str, ...]:
    return tuple(sorted(normalise(name.replace(",", " ")).split()))


def found(session: Session, applicant: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """The records of this node that name the applicant (their surname, given names and date
    of birth), each as a hit for the vetting queue."""
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
    wanted = _words(f"{surname} {given}")
    criminal = session.scalars(select(CriminalRecord).where(
        CriminalRecord.birth_date == dt.date.fromisoformat(born)).limit(50))  # fmt: skip
    for record in criminal:
        if _words(record.name) == wanted:
            offences = "; ".join(c.get("offence", "") for c in record.charges)
            hits.append({"category": "criminal-record", "lookout_id": record.id, "score": 1.0,
                         "detail": f"{record.owner} {record.reference}: {offences}"})  # fmt: skip
    return hits
