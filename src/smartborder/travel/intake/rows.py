"""Rows as the API and the pages show them (one shape for both)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smartborder.travel.intake import models as m
from smartborder.travel.retention import models as hm
from smartborder.travel.retention.rows import hold_out


def message_out(row: m.TravelMessage, *, problems: bool = False) -> dict[str, Any]:
    found = row.problems or []
    data: dict[str, Any] = {
        "id": row.id,
        "state": row.state,
        "kind": row.kind,
        "form": row.form,
        "source": row.source,
        "size": row.size,
        "reference": row.reference,
        "sender": row.sender,
        "purpose": row.purpose,
        "flight_id": row.flight_id,
        "travellers": row.travellers,
        "attempts": row.attempts,
        "duplicate_of": row.duplicate_of,
        "received_at": row.received_at.isoformat(),
        "stored_at": row.stored_at.isoformat() if row.stored_at else None,
        "errors": sum(1 for p in found if p.get("severity") == "error"),
        "warnings": sum(1 for p in found if p.get("severity") == "warning"),
        "masked": row.masked_at is not None,
    }
    if problems:
        data["problems"] = found
    return data


def flight_out(row: m.Flight) -> dict[str, Any]:
    return {
        "id": row.id,
        "flight": f"{row.carrier}{row.number}",
        "carrier": row.carrier,
        "number": row.number,
        "date": row.date,
        "origin": row.origin,
        "destination": row.destination,
        "departure": row.departure,
        "arrival": row.arrival,
        "legs": row.legs,
        "codeshares": row.codeshares,
        "status": row.status,
        "passengers": row.passengers,
        "crew": row.crew,
        "reservations": row.reservations,
        "warnings": row.warnings,
        "masked_at": row.masked_at.isoformat() if row.masked_at else None,
    }


def passenger_out(row: m.Passenger) -> dict[str, Any]:
    return {
        "traveller_id": row.traveller_id,
        "message_id": row.message_id,
        "kind": row.kind,
        "role": row.role,
        "surname": row.surname,
        "given_names": row.given_names,
        "birth_date": row.birth_date,
        "sex": row.sex,
        "nationality": row.nationality,
        "documents": row.documents,
        "reservation": row.reservation,
        "cancelled": row.cancelled,
        "details": row.details,
        "link": {"rule": row.link_rule, "reason": row.link_reason},
        "masked": row.masked,
    }


def traveller_out(
    person: m.Traveller,
    documents: Sequence[m.TravellerDocument],
    mentions: Sequence[tuple[m.Passenger, m.Flight]],
    holds: Sequence[hm.Hold] = (),
) -> dict[str, Any]:
    return {
        "id": person.id,
        "surname": person.surname,
        "given_names": person.given_names,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "nationality": person.nationality,
        "masked": person.masked,
        "first_seen": person.first_seen.isoformat(),
        "documents": [
            {"type": d.type, "number": d.number, "country": d.country, "expiry": d.expiry}
            for d in documents
        ],
        "mentions": [
            {**passenger_out(p), "flight": flight_out(f), "received_at": p.received_at.isoformat()}
            for p, f in mentions
        ],
        "holds": [hold_out(h) for h in holds],
    }
