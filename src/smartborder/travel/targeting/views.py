"""HTML pages of joint targeting: the analysts' queue (priority vetting list), the hit page
(traveller, itinerary, PNR, matched lookouts with their evidence, indicators with what matched,
the decision with its reasons, dispositions and their history))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange, Now
from smartborder.roles import Permission
from smartborder.travel.targeting import queue
from smartborder.travel.targeting.rows import assessment_out, detail_out
from smartborder.travel.targeting.schemas import QueueForm
from smartborder.travel.targeting.terms import SEVERITIES, STATUSES
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Disposer = Annotated[Principal, Depends(require(Permission.TRAVEL_DISPOSE))]
PAGE = 50


@router.get("/travel/queue")
def queue_page(
    request: Request, db: Db, principal: Reader, form: Annotated[QueueForm, Query()], now: Now
) -> HTMLResponse:
    filters = {  # as the form shows them again
        name: "" if value is None or value is False else ("on" if value is True else str(value))
        for name, value in form.model_dump(exclude={"page", "open"}).items()
    }
    page = form.page
    total, rows = queue.list_queue(
        db,
        form.filters(),
        now=now,
        teams=principal.teams,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    context = {
        "items": [assessment_out(r) for r in rows],
        "total": total,
        "filters": filters,
        "severities": SEVERITIES,
        "statuses": STATUSES,
        "teams": principal.teams,
        "origins": queue.origins(db),
        "page": page,
        "pages": max((total + PAGE - 1) // PAGE, 1),
    }
    return render(request, "travel/queue.html", context)


@router.get("/travel/assessments/{assessment_id}")
def hit_page(assessment_id: str, request: Request, db: Db, principal: Reader) -> HTMLResponse:
    context = {
        "a": detail_out(queue.detail(db, assessment_id)),
        "statuses": STATUSES,
        "can_dispose": principal.can(Permission.TRAVEL_DISPOSE),
    }
    return render(request, "travel/assessment.html", context)


@router.post("/travel/assessments/{assessment_id}/dispositions")
async def dispose(
    assessment_id: str, request: Request, now: Now, ex: Exchange, db: Db, principal: Disposer
) -> RedirectResponse:
    form = await request.form()
    queue.set_disposition(
        db,
        assessment_id,
        status=str(form.get("status", "")),
        note=str(form.get("note", "")),
        actor=f"user:{principal.username}",
        now=now,
        ex=ex,
    )
    return RedirectResponse(f"/travel/assessments/{assessment_id}", status_code=303)


# -- the risk model and its condition builder -------------------------------------------------
