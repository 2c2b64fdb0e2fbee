"""JSON API of the audit log, for auditors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from smartborder.audit import service
from smartborder.audit.checkpoints import make_checkpoint, own_heads, verify
from smartborder.audit.heads import HeadLog, read_heads
from smartborder.audit.schemas import (
    AgreementCountOut,
    CheckpointOut,
    EntriesPage,
    EntryOut,
    HeadsOut,
    VerifyOut,
)
from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.db import utcnow as db_now
from smartborder.deps import Exchange, get_node
from smartborder.params import Offset
from smartborder.roles import Permission

router = APIRouter(tags=["audit"])
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
Checkpointer = Annotated[Principal, Depends(require(Permission.AUDIT_CHECKPOINT))]


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
    offset: Offset = 0,
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


@router.get("/audit/agreements", response_model=list[AgreementCountOut])
def per_agreement(db: Db, _auditor: Auditor) -> list[dict[str, object]]:
    """Entry counts per agreement and event."""
    return service.counts_by_agreement(db)


@router.post("/audit/checkpoints", status_code=201, response_model=CheckpointOut)
def checkpoint(db: Db, request: Request, ex: Exchange, principal: Checkpointer) -> dict[str, Any]:
    """Sign the chain's size and head now: into the node's signed heads, and queued to every
    partner. Needs ``audit:checkpoint`` (supervisors, administrators): it writes."""
    made = make_checkpoint(db, ex, actor=f"user:{principal.username}")
    get_node(request).get(HeadLog).sign_at_commit(db, db_now())
    return {"size": made[0].size if made else 0, "partners": [c.partner for c in made]}


@router.get("/audit/heads", response_model=HeadsOut)
def signed_heads(request: Request, settings: CurrentSettings, _auditor: Auditor) -> dict[str, Any]:
    """The node's signed heads, for a witness to keep: each a compact JWS over
    ``{kind, node, size, head, at}`` that verifies with the node's public key."""
    heads, problems = read_heads(settings.audit_heads_path, own_heads(settings).public_pem)
    return {
        "node": settings.node_id,
        "heads": [{"size": h.size, "head": h.head, "at": h.at, "token": h.token} for h in heads],
        "problems": problems,
    }


@router.get("/audit/verify", response_model=VerifyOut)
def verify_chain(
    db: Db, request: Request, settings: CurrentSettings, _auditor: Auditor
) -> dict[str, Any]:
    """Check the whole chain and the partners' signed receipts and checkpoints."""
    return verify(db, own_heads(settings)).as_dict()
