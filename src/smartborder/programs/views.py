"""The trusted-traveller pages: the applications and the officers' vetting queue (approve or
deny with the annex's reason codes), and the applicant's own status page, open to anyone who
holds the reference number and the date of birth."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange
from smartborder.errors import NotFound, SmartborderError
from smartborder.programs import service, vetting
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.PROGRAMS_READ))]
Officer = Annotated[Principal, Depends(require(Permission.PROGRAMS_MANAGE))]
NOT_FOUND = "No application has that reference number and date of birth."


def _context(db: Db, principal: Principal, **values: Any) -> dict[str, Any]:
    return {
        "applications": [service.application_out(r) for r in service.listing(db)],
        "queue": vetting.queue(db), "reason_codes": vetting.REASON_CODES,
        "can_decide": principal.can(Permission.PROGRAMS_MANAGE), "problem": None, **values,
    }  # fmt: skip


@router.get("/programs")
def programs_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return render(request, "programs/programs.html", _context(db, principal))


async def _decision(request: Request) -> tuple[str, list[str], str]:
    form = await request.form()
    codes = [str(c) for c in form.getlist("reason_codes")]
    return str(form.get("decision", "")), codes, str(form.get("note", ""))


@router.post("/programs/applications/{reference}/decision")
async def decide_own(
    request: Request, db: Db, ex: Exchange, principal: Officer, reference: str
) -> Response:
    decision, codes, note = await _decision(request)
    try:
        vetting.decide_own(db, ex, reference, decision=decision, reason_codes=codes,
                           note=note, actor=principal.username)  # fmt: skip
    except SmartborderError as exc:
        return render(request, "programs/programs.html",
                      _context(db, principal, problem=exc.message), status_code=422)  # fmt: skip
    return RedirectResponse("/programs", status_code=303)


@router.post("/programs/vetting/{vetting_id}/decision")
async def decide_partner(
    request: Request, db: Db, ex: Exchange, principal: Officer, vetting_id: str
) -> Response:
    decision, codes, note = await _decision(request)
    try:
        vetting.decide_partner(db, ex, vetting_id, decision=decision, reason_codes=codes,
                               note=note, actor=principal.username)  # fmt: skip
    except SmartborderError as exc:
        return render(request, "programs/programs.html",
                      _context(db, principal, problem=exc.message), status_code=422)  # fmt: skip
    return RedirectResponse("/programs", status_code=303)


@router.get("/programs/status")
def status_page(request: Request) -> HTMLResponse:
    """The applicant's page: no account needed, the reference and the date of birth."""
    return render(request, "programs/status.html", {"found": None, "problem": None})


@router.post("/programs/status")
async def status_of(request: Request, db: Db) -> HTMLResponse:
    form = await request.form()
    reference = str(form.get("reference", "")).strip()
    born = str(form.get("birth_date", "")).strip()
    try:
        row = service.get(db, reference)
        if row.birth_date != dt.date.fromisoformat(born):
            raise NotFound(NOT_FOUND)
    except (NotFound, ValueError):
        # the same answer whichever was wrong: nothing is told of who applied
        return render(request, "programs/status.html", {"found": None, "problem": NOT_FOUND},
                      status_code=404)  # fmt: skip
    shown = {"reference": row.reference, "program": row.program, "status": row.status,
             "reasons": row.reasons, "fee": row.fee}  # fmt: skip
    return render(request, "programs/status.html", {"found": shown, "problem": None})
