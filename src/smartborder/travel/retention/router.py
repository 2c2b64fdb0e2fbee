"""JSON API of API/PNR retention: legal holds on a traveller's data, and a preview of what the
retention job would mask and delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from smartborder.auth import CurrentSettings, Db, Principal, WriteDb, require
from smartborder.deps import Now
from smartborder.roles import Permission
from smartborder.travel.retention import service as retention
from smartborder.travel.retention.rows import hold_out
from smartborder.travel.retention.schemas import HoldIn, HoldOut, ReleaseIn, RetentionRunOut

router = APIRouter(tags=["travel"])
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Holder = Annotated[Principal, Depends(require(Permission.TRAVEL_HOLD))]


@router.post("/travel/travellers/{traveller_id}/holds", status_code=201, response_model=HoldOut)
def place_hold(
    traveller_id: str, body: HoldIn, db: Db, principal: Holder, now: Now
) -> dict[str, Any]:
    """Keep this traveller's API/PNR data from masking and deletion until released."""
    hold = retention.place_hold(
        db,
        traveller_id,
        reason=body.reason,
        actor=f"user:{principal.username}",
        now=now,
    )
    return hold_out(hold)


@router.post("/travel/holds/{hold_id}/release", response_model=HoldOut)
def release_hold(
    hold_id: str, body: ReleaseIn, db: Db, principal: Holder, now: Now
) -> dict[str, Any]:
    hold = retention.release_hold(
        db,
        hold_id,
        reason=body.reason,
        actor=f"user:{principal.username}",
        now=now,
    )
    return hold_out(hold)


@router.get("/travel/retention", response_model=RetentionRunOut)
def retention_preview(
    db: WriteDb, _reader: Reader, settings: CurrentSettings, now: Now
) -> dict[str, Any]:
    """What the retention job would mask and delete if it ran now (nothing is changed)."""
    run = retention.run_retention(
        db,
        mask_after_days=settings.travel_mask_after_days,
        delete_after_days=settings.travel_delete_after_days,
        now=now,
        actor="preview",
        preview=True,
    )
    return run.as_dict()
