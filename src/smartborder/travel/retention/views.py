"""Pages' actions on legal holds: a hold placed on a traveller from their page, and released,
each back to the traveller's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now
from smartborder.roles import Permission
from smartborder.travel.retention import service as retention

router = APIRouter(include_in_schema=False)
Holder = Annotated[Principal, Depends(require(Permission.TRAVEL_HOLD))]


@router.post("/travel/travellers/{traveller_id}/holds")
async def place_hold(
    traveller_id: str, request: Request, now: Now, db: Db, principal: Holder
) -> RedirectResponse:
    reason = str((await request.form()).get("reason", ""))
    retention.place_hold(
        db,
        traveller_id,
        reason=reason,
        actor=f"user:{principal.username}",
        now=now,
    )
    return RedirectResponse(f"/travel/travellers/{traveller_id}", status_code=303)


@router.post("/travel/holds/{hold_id}/release")
async def release_hold(
    hold_id: str, request: Request, now: Now, db: Db, principal: Holder
) -> RedirectResponse:
    reason = str((await request.form()).get("reason", ""))
    hold = retention.release_hold(
        db,
        hold_id,
        reason=reason,
        actor=f"user:{principal.username}",
        now=now,
    )
    return RedirectResponse(f"/travel/travellers/{hold.traveller_id}", status_code=303)
