"""JSON API: lookouts (list, read, create, amend, retract) and screening (one or a batch)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.deps import Exchange, Now, get_exchange, get_node
from smartborder.errors import ValidationFailed
from smartborder.params import Offset
from smartborder.roles import Permission
from smartborder.screening import service
from smartborder.screening.matcher import Hit
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import (
    BatchIn,
    BatchOut,
    LookoutIn,
    LookoutOut,
    LookoutPage,
    LookoutPatch,
    ResultOut,
    RetractIn,
    ScreenIn,
)

router = APIRouter(tags=["screening"])
Reader = Annotated[Principal, Depends(require(Permission.LOOKOUTS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.LOOKOUTS_MANAGE))]
Screener = Annotated[Principal, Depends(require(Permission.SCREENING_RUN))]


def screening(request: Request) -> service.Screening:
    engine: service.Screening = get_node(request).get(service.Screening)
    return engine


def out(lookout: Lookout, request: Request) -> LookoutOut:
    item = LookoutOut.model_validate(lookout)
    item.state = lookout.state_on(get_exchange(request).clock().date())
    return item


def results(session: Session, reference: str, hits: list[Hit]) -> ResultOut:
    ids = [h.entry.lookout_id for h in hits]
    rows = {
        lookout.id: lookout
        for lookout in session.scalars(select(Lookout).where(Lookout.id.in_(ids)))
    }
    return ResultOut.model_validate(
        {
            "reference": reference,
            "hits": [
                {
                    **hit.as_dict(),
                    "action": rows[hit.entry.lookout_id].action,
                    "names": [str(n["name"]) for n in rows[hit.entry.lookout_id].names],
                }
                for hit in hits
                if hit.entry.lookout_id in rows
            ],
        }
    )


@router.get("/screening/lookouts", response_model=LookoutPage)
def list_lookouts(
    request: Request,
    db: Db,
    _reader: Reader,
    q: Annotated[
        str, Query(max_length=200, description="part of a name, any script; or an id")
    ] = "",
    category: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(pattern="^(active|retracted)$")] = None,
    origin: Annotated[str | None, Query(max_length=32, description="local or a partner")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Any:
    """Lookouts held by this node, its own and those partners shared, newest change first."""
    total, items = service.list_lookouts(
        db, query=q, category=category, status=status, origin=origin, limit=limit, offset=offset
    )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [out(i, request) for i in items],
    }


@router.get("/screening/lookouts/{lookout_id}", response_model=LookoutOut)
def get_lookout(lookout_id: str, request: Request, db: Db, _reader: Reader) -> Any:
    return out(service.get_lookout(db, lookout_id), request)


@router.post("/screening/lookouts", response_model=LookoutOut, status_code=201)
def create_lookout(
    body: LookoutIn, request: Request, now: Now, ex: Exchange, db: Db, principal: Manager
) -> Any:
    """Create a lookout; it is screened against from the next screening on."""
    today = now.date()
    lookout = service.create_lookout(
        db, body, actor=f"user:{principal.username}", today=today, ex=ex
    )
    db.flush()
    return out(lookout, request)


@router.patch("/screening/lookouts/{lookout_id}", response_model=LookoutOut)
def amend_lookout(
    lookout_id: str, body: LookoutPatch, request: Request, ex: Exchange, db: Db, principal: Manager
) -> Any:
    """Amend this node's lookout (partner-provided ones are changed only by their owner)."""
    lookout = service.amend_lookout(db, lookout_id, body, actor=f"user:{principal.username}", ex=ex)
    return out(lookout, request)


@router.post("/screening/lookouts/{lookout_id}/retract", response_model=LookoutOut)
def retract_lookout(
    lookout_id: str, body: RetractIn, request: Request, ex: Exchange, db: Db, principal: Manager
) -> Any:
    """Retract this node's lookout: it no longer hits, and partners it was shared with are told."""
    lookout = service.retract_lookout(
        db,
        lookout_id,
        reason=body.reason,
        actor=f"user:{principal.username}",
        ex=ex,
    )
    return out(lookout, request)


@router.post("/screening/screen", response_model=ResultOut)
def screen(body: ScreenIn, request: Request, now: Now, db: Db, _screener: Screener) -> Any:
    """Screen one subject against every active lookout; each hit with the evidence for it."""
    today = now.date()
    hits = screening(request).screen(db, body, today=today, limit=body.limit, floor=body.floor)
    return results(db, body.reference, hits)


@router.post("/screening/batch", response_model=BatchOut)
def screen_batch(
    body: BatchIn,
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    _screener: Screener,
) -> Any:
    """Screen up to ``SMARTBORDER_SCREENING_MAX_BATCH`` subjects; results in the same order."""
    most = settings.screening_max_batch
    if len(body.subjects) > most:
        raise ValidationFailed(
            f"the batch holds {len(body.subjects)} subjects; at most {most} per request",
            details=[{"field": "subjects", "problem": f"at most {most} items"}],
        )
    today = now.date()
    engine = screening(request)
    engine.sync(db)
    found = [
        results(
            db,
            s.reference,
            engine.matcher.screen(service.subject_of(s), limit=body.limit, today=today),
        )
        for s in body.subjects
    ]
    return {"results": found}
