"""HTML pages: flights (by date, route, status), a flight (manifest, reservations, message
history, warnings), a traveller (every message and document that mentions them, and the holds
that keep their data from retention), and the quarantine with its reasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from smartborder.auth import Db, Principal, require
from smartborder.roles import Permission
from smartborder.travel.intake import service
from smartborder.travel.intake.rows import flight_out, message_out, passenger_out, traveller_out
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Holder = Annotated[Principal, Depends(require(Permission.TRAVEL_HOLD))]
PAGE = 100


@router.get("/travel/flights")
def flights(
    request: Request,
    db: Db,
    _reader: Reader,
    date: Annotated[str, Query(pattern=r"^(|\d{4}-\d{2}-\d{2})$")] = "",
    route: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(pattern="^(|scheduled|closed out)$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total, rows = service.list_flights(
        db,
        date=date or None,
        route=route or None,
        status=status or None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    context = {
        "items": [flight_out(f) for f in rows],
        "total": total,
        "filters": {"date": date, "route": route, "status": status},
        "page": page,
        "pages": max((total + PAGE - 1) // PAGE, 1),
    }
    return render(request, "travel/flights.html", context)


@router.get("/travel/flights/{flight_id}")
def flight(flight_id: str, request: Request, db: Db, _reader: Reader) -> HTMLResponse:
    row = service.get_flight(db, flight_id)
    messages = [message_out(m, problems=True) for m in service.flight_messages(db, flight_id)]
    context = {
        "flight": flight_out(row),
        "manifest": [passenger_out(p) for p in service.manifest(db, flight_id)],
        "reservations": service.flight_reservations(db, flight_id),
        "messages": messages,
        "warnings": [(m, p) for m in messages for p in m["problems"]],
    }
    return render(request, "travel/flight.html", context)


@router.get("/travel/travellers/{traveller_id}")
def traveller(traveller_id: str, request: Request, db: Db, _reader: Reader) -> HTMLResponse:
    context = {"person": traveller_out(*service.get_traveller(db, traveller_id))}
    return render(request, "travel/traveller.html", context)


@router.get("/travel/quarantine")
def quarantine(
    request: Request,
    db: Db,
    _reader: Reader,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total, rows = service.list_messages(
        db, state="quarantined", limit=PAGE, offset=(page - 1) * PAGE
    )
    context = {
        "items": [message_out(r, problems=True) for r in rows],
        "total": total,
        "page": page,
        "pages": max((total + PAGE - 1) // PAGE, 1),
    }
    return render(request, "travel/quarantine.html", context)
