"""JSON API: receive API/PNR messages; flights, manifests, travellers, the quarantine, holds
and a preview of retention."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from smartborder.auth import Db, Principal, WriteDb, require
from smartborder.params import Offset
from smartborder.roles import Permission
from smartborder.travel import retention, service
from smartborder.travel.views_data import (
    flight_out,
    hold_out,
    message_out,
    passenger_out,
    traveller_out,
)

router = APIRouter(tags=["travel"])
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Ingester = Annotated[Principal, Depends(require(Permission.TRAVEL_INGEST))]
Holder = Annotated[Principal, Depends(require(Permission.TRAVEL_HOLD))]


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=2000)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=2000)


@router.post(
    "/travel/messages",
    status_code=201,
    responses={
        200: {"description": "a duplicate of a message already stored"},
        202: {"description": "quarantined: kept with the reasons it could not be stored"},
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
    db: Db,
    principal: Ingester,
    strict: Annotated[
        bool | None, Query(description="refuse on any warning (default: node setting)")
    ] = None,
) -> Any:
    """Receive one PAXLST or PNRGOV interchange (EDIFACT text, or the JSON form). 201 when
    stored, 202 when quarantined (with every problem), 200 for a duplicate."""
    data = await request.body()
    settings = request.app.state.settings
    result = service.receive(
        db,
        data,
        source=f"api:{principal.username}",
        actor=f"user:{principal.username}",
        now=request.app.state.exchange.clock(),
        strict=settings.travel_strict if strict is None else strict,
        max_bytes=settings.travel_max_message_bytes,
        targeting=request.app.state.targeting,
    )
    status = {"stored": 201, "quarantined": 202, "duplicate": 200}[result.state]
    return JSONResponse(result.as_dict(), status_code=status)


@router.get("/travel/messages")
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


@router.get("/travel/messages/{message_id}")
def get_message(message_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return message_out(service.get_message(db, message_id), problems=True)


@router.post("/travel/messages/{message_id}/reprocess")
def reprocess(message_id: str, request: Request, db: Db, principal: Ingester) -> dict[str, Any]:
    """Parse a quarantined message again (after a parser fix, or leniently)."""
    [result] = service.reprocess(
        db,
        message_id,
        actor=f"user:{principal.username}",
        now=request.app.state.exchange.clock(),
        strict=False,
        targeting=request.app.state.targeting,
    )
    return result.as_dict()


@router.get("/travel/flights")
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


@router.get("/travel/flights/{flight_id}")
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


@router.get("/travel/travellers/{traveller_id}")
def get_traveller(traveller_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    """A resolved traveller: documents, and every message that mentions them with the rule
    that linked that mention to this person."""
    return traveller_out(*service.get_traveller(db, traveller_id))


@router.post("/travel/travellers/{traveller_id}/holds", status_code=201)
def place_hold(
    traveller_id: str, body: HoldIn, request: Request, db: Db, principal: Holder
) -> dict[str, Any]:
    """Keep this traveller's API/PNR data from masking and deletion until released."""
    hold = retention.place_hold(
        db,
        traveller_id,
        reason=body.reason,
        actor=f"user:{principal.username}",
        now=request.app.state.exchange.clock(),
    )
    return hold_out(hold)


@router.post("/travel/holds/{hold_id}/release")
def release_hold(
    hold_id: str, body: ReleaseIn, request: Request, db: Db, principal: Holder
) -> dict[str, Any]:
    hold = retention.release_hold(
        db,
        hold_id,
        reason=body.reason,
        actor=f"user:{principal.username}",
        now=request.app.state.exchange.clock(),
    )
    return hold_out(hold)


@router.get("/travel/retention")
def retention_preview(request: Request, db: WriteDb, _reader: Reader) -> dict[str, Any]:
    """What the retention job would mask and delete if it ran now (nothing is changed)."""
    settings = request.app.state.settings
    run = retention.run_retention(
        db,
        mask_after_days=settings.travel_mask_after_days,
        delete_after_days=settings.travel_delete_after_days,
        now=request.app.state.exchange.clock(),
        actor="preview",
        preview=True,
    )
    return run.as_dict()
