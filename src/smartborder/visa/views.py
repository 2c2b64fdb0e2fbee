"""HTML pages of visa policy: the convergence report (chart and table, CSV link), the
consultations with the partner (propose with a live preview of the figures were it adopted,
answer, see where each stands)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.deps import Exchange, Now, get_node
from smartborder.errors import SmartborderError
from smartborder.roles import Permission
from smartborder.screening.service import Screening
from smartborder.visa import consult, service
from smartborder.visa.applicants import COLUMNS, ApplicationIn, screen_application
from smartborder.visa.requirements import policy_of
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.VISA_READ))]
Manager = Annotated[Principal, Depends(require(Permission.VISA_MANAGE))]
Screener = Annotated[Principal, Depends(require(Permission.SCREENING_RUN))]


@router.get("/visa")
def visa_page(
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    principal: Reader,
    a: Annotated[str, Query(max_length=2)] = "",
    b: Annotated[str, Query(max_length=2)] = "",
    snapshot: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    first, second = service.default_pair(settings.country)
    a, b = (a or first).upper(), (b or second).upper()
    report = service.convergence(
        db, a, b, service.parse_day(snapshot, "snapshot"), now=now
    ).as_dict()
    context = {
        "report": report,
        "values": {"a": a, "b": b, "snapshot": snapshot},
        "snapshots": [service.snapshot_out(s) for s in service.snapshots(db, now=now)],
        "consultations": [consult.consultation_out(r) for r in consult.listing(db)],
        "can_manage": principal.can(Permission.VISA_MANAGE),
        "changes": consult.CHANGES,
        "today": now.date().isoformat(),
    }
    return render(request, "visa/visa.html", context)


def _change_of(form: FormData, country: str) -> tuple[str, str, str] | None:
    nationality = str(form.get("nationality", "")).strip().upper()
    change = str(form.get("change", ""))
    if len(nationality) != 2 or change not in consult.CHANGES:
        return None
    proposed = str(form.get("proposed", "")).strip() or consult.DEFAULT_TO[change]
    return country, nationality, proposed


@router.post("/visa/preview")
async def preview(
    request: Request, now: Now, settings: CurrentSettings, db: Db, _principal: Manager
) -> HTMLResponse:
    """The convergence figures now and were the change in the form adopted (htmx fragment)."""
    form = await request.form()
    country = settings.country
    change = _change_of(form, country)
    context: dict[str, Any] = {"shown": None, "problem": None}
    if change is None:
        context["problem"] = "Give a nationality (two letters) and a change to see its effect."
    else:
        pair = service.default_pair(country)
        try:
            policy_of(change[2])
            before = service.convergence(db, *pair, None, now=now)
            after = service.convergence(db, *pair, None, now=now, change=change)
        except (SmartborderError, ValueError) as exc:
            context["problem"] = getattr(exc, "message", str(exc))
        else:
            context["shown"] = {
                "a": pair[0],
                "b": pair[1],
                "nationality": change[1],
                "proposed": policy_of(change[2]).label,
                "now": {"agree": len(before.agree), "differ": len(before.differ)},
                "adopted": {"agree": len(after.agree), "differ": len(after.differ)},
                "agrees": change[1] in after.agree,
            }
    return render(request, "visa/preview.html", context)


def _required(form: FormData, field: str) -> dt.date:
    found = service.parse_day(str(form.get(field, "")), field, required=True)
    assert found is not None
    return found


@router.post("/visa/consultations")
async def propose(
    request: Request, ex: Exchange, settings: CurrentSettings, db: Db, principal: Manager
) -> RedirectResponse:
    form = await request.form()
    row = consult.propose(
        db,
        ex,
        destination=settings.country,
        partner=str(form.get("partner", "")).strip(),
        nationality=str(form.get("nationality", "")),
        change=str(form.get("change", "")),
        proposed=str(form.get("proposed", "")).strip() or None,
        effective=_required(form, "effective"),
        due_date=_required(form, "due_date"),
        rationale=str(form.get("rationale", "")),
        actor=f"user:{principal.username}",
    )
    return RedirectResponse(f"/visa/consultations/{row.id}", status_code=303)


@router.get("/visa/consultations/{consultation_id}")
def consultation_page(
    consultation_id: str, request: Request, now: Now, db: Db, principal: Reader
) -> HTMLResponse:
    row = consult.get(db, consultation_id)
    context = {
        "c": consult.consultation_out(row),
        "preview": consult.preview(db, row, now=now),
        "can_reply": principal.can(Permission.VISA_MANAGE)
        and row.direction == "in"
        and row.state != "answered",
        "positions": consult.POSITIONS,
    }
    return render(request, "visa/consultation.html", context)


@router.post("/visa/consultations/{consultation_id}/reply")
async def answer(
    consultation_id: str, request: Request, ex: Exchange, db: Db, principal: Manager
) -> RedirectResponse:
    form = await request.form()
    row = consult.reply(
        db,
        ex,
        consultation_id,
        position=str(form.get("position", "")),
        comments=str(form.get("comments", "")),
        actor=f"user:{principal.username}",
    )
    return RedirectResponse(f"/visa/consultations/{row.id}", status_code=303)


APPLICANT_FIELDS = [name for name in COLUMNS if name != "destination"]


@router.get("/visa/applicants")
def applicant_page(request: Request, _principal: Screener) -> HTMLResponse:
    return render(request, "visa/applicant.html", {"values": {}, "result": None})


@router.post("/visa/applicants")
async def screen_applicant(
    request: Request, now: Now, settings: CurrentSettings, db: Db, principal: Screener
) -> HTMLResponse:
    """Screen the applicant of the form; field errors shown in place."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in APPLICANT_FIELDS}
    record = {k: v for k, v in values.items() if v}
    try:
        application = ApplicationIn.model_validate(record)
    except ValidationError as exc:
        problems = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        context = {"values": values, "result": None, "problems": problems}
        return render(request, "visa/applicant.html", context, status_code=422)
    result = screen_application(
        db,
        get_node(request).get(Screening),
        application,
        destination=settings.country,
        actor=f"user:{principal.username}",
        now=now,
    )
    return render(request, "visa/applicant.html", {"values": values, "result": result})
