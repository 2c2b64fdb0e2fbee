"""JSON API: receive API/PNR messages; flights, manifests, travellers and the quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.deps import Now, get_node
from smartborder.params import Offset
from smartborder.roles import Permission
from smartborder.travel.intake import service
from smartborder.travel.intake.rows import (
    flight_out,
    message_out,
    passenger_out,
    traveller_out,
)
from smartborder.travel.intake.schemas import (
    FlightDetailOut,
    FlightPage,
    MessageOut,
    MessagePage,
    ReceivedOut,
    TravellerOut,
)
from smartborder.travel.targeting.service import Targeting

router = APIRouter(tags=["travel"])
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Ingester = Annotated[Principal, Depends(require(Permission.TRAVEL_INGEST))]


@router.post(
    "/travel/messages",
    status_code=201,
    response_model=ReceivedOut,
    response_model_exclude_unset=True,
    responses={
        200: {"model": ReceivedOut, "description": "a duplicate of a message already stored"},
        202: {
            "model": ReceivedOut,
            "description": "quarantined: kept with the reasons it could not be stored",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/edifact": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def receive_message(
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    principal: Ingester,
    strict: Annotated[
        bool | None, Query(description="refuse on any warning (default: node setting)")
    ] = None,
) -> Any:
    """Receive one PAXLST or PNRGOV interchange (EDIFACT text, or the JSON form). 201 when
    stored, 202 when quarantined (with every problem), 200 for a duplicate."""
    data = await request.body()
    result = service.receive(
        db,
        data,
        source=f"api:{principal.username}",
        actor=f"user:{principal.username}",
        now=now,
        strict=settings.travel_strict if strict is None else strict,
        max_bytes=settings.travel_max_message_bytes,
        targeting=get_node(request).get(Targeting),
    )
    status = {"stored": 201, "quarantined": 202, "duplicate": 200}[result.state]
    return JSONResponse(result.as_dict(), status_code=status)


@router.get("/travel/messages", response_model=MessagePage, response_model_exclude_unset=True)
def list_messages(
    db: Db,
    _reader: Reader,
    state: Annotated[str | None, Query(pattern="^(stored|quarantined|duplicate)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Messages received, newest first; ``state=quarantined`` is the quarantine."""
    total, rows = service.list_messages(db, state=state, limit=limit, offset=offset)
    return {"total": total, "items": [message_out(r) for r in rows]}


@router.get("/travel/messages/{message_id}", response_model=MessageOut)
def get_message(message_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return message_out(service.get_message(db, message_id), problems=True)


@router.post(
    "/travel/messages/{message_id}/reprocess",
    response_model=ReceivedOut,
    response_model_exclude_unset=True,
)
def reprocess(
    message_id: str, request: Request, now: Now, db: Db, principal: Ingester
) -> dict[str, Any]:
    """Parse a quarantined message again (after a parser fix, or leniently)."""
    [result] = service.reprocess(
        db,
        message_id,
        actor=f"user:{principal.username}",
        now=now,
        strict=False,
        targeting=get_node(request).get(Targeting),
    )
    return result.as_dict()


@router.get("/travel/flights", response_model=FlightPage)
def list_flights(
    db: Db,
    _reader: Reader,
    date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    route: Annotated[str | None, Query(max_length=20, description="e.g. YUL or YUL-CDG")] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    total, rows = service.list_flights(
        db, date=date, route=route, status=status, limit=limit, offset=offset
    )
    return {"total": total, "items": [flight_out(f) for f in rows]}


@router.get("/travel/flights/{flight_id}", response_model=FlightDetailOut)
def get_flight(flight_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    """A flight with its manifest (each traveller once, as the latest message gives them),
    reservations (payment masked) and message history."""
    flight = service.get_flight(db, flight_id)
    return {
        **flight_out(flight),
        "manifest": [passenger_out(p) for p in service.manifest(db, flight_id)],
        "reservations": [
            {
                "locator": r.locator,
                "carrier": r.carrier,
                "created": r.created,
                "updated": r.updated,
                "ticketed": r.ticketed,
                "cancelled": r.cancelled,
                "pushes": r.pushes,
                **r.details,
            }
            for r in service.flight_reservations(db, flight_id)
        ],
        "messages": [message_out(m) for m in service.flight_messages(db, flight_id)],
    }


@router.get("/travel/travellers/{traveller_id}", response_model=TravellerOut)
def get_traveller(traveller_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    """A resolved traveller: documents, and every message that mentions them with the rule
    that linked that mention to this person."""
    return traveller_out(*service.get_traveller(db, traveller_id))
