"""JSON API of the audit log, for auditors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from smartborder.audit import service
from smartborder.audit.checkpoints import make_checkpoint, verify
from smartborder.auth import Db, Principal, require
from smartborder.roles import Permission

router = APIRouter(tags=["audit"])
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


class EntryOut(BaseModel):
    seq: int
    at: dt.datetime
    event: str
    actor: str
    partner: str | None
    agreement: str | None
    subject: str | None
    details: dict[str, Any]
    hash: str


class EntriesPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EntryOut]


@router.get("/audit/entries", response_model=EntriesPage)
def list_entries(
    db: Db,
    _auditor: Auditor,
    event: Annotated[str, Query(max_length=80, description="prefix, e.g. exchange:envelope")] = "",
    partner: Annotated[str, Query(max_length=40)] = "",
    agreement: Annotated[str, Query(max_length=80)] = "",
    actor: Annotated[str, Query(max_length=120)] = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """Audit entries, newest first, filtered."""
    where = service.EntryFilter(event, partner, agreement, actor, since, until)
    total, items = service.list_entries(db, where, limit=limit, offset=offset)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [EntryOut.model_validate(e, from_attributes=True) for e in items],
    }


@router.get("/audit/agreements")
def per_agreement(db: Db, _auditor: Auditor) -> list[dict[str, object]]:
    """Entry counts per agreement and event."""
    return service.counts_by_agreement(db)


@router.post("/audit/checkpoints", status_code=201)
def checkpoint(db: Db, request: Request, principal: Auditor) -> dict[str, Any]:
    """Sign the chain's size and head now and queue it to every partner."""
    made = make_checkpoint(db, request.app.state.exchange, actor=f"user:{principal.username}")
    return {"size": made[0].size if made else 0, "partners": [c.partner for c in made]}


@router.get("/audit/verify")
def verify_chain(db: Db, _auditor: Auditor) -> dict[str, Any]:
    """Check the whole chain and the partners' signed receipts and checkpoints."""
    return verify(db).as_dict()
