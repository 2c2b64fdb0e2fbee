"""The trusted-traveller pages: the applications and the officers' vetting queue (approve or
deny with the annex's reason codes); the applicant's own status page, open to anyone who holds
the reference number and the date of birth; the enrolment centre's page (booking, the day
sheet with capture, findings on possible duplicates, memberships and their status); and the
lane's page (a card read and a photograph or iris: admit or refer, with every reason)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from smartborder.auth import Db, Principal, require
from smartborder.biometrics.service import Biometrics
from smartborder.deps import Exchange, get_node
from smartborder.errors import NotFound, SmartborderError, ValidationFailed
from smartborder.programs import (
    applications,
    enrolment,
    lane,
    membership,
    recheck,
    service,
    vetting,
)
from smartborder.programs.applications import rules
from smartborder.roles import Permission
from smartborder.screening.service import Screening
from smartborder.web.render import form_problems, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.PROGRAMS_READ))]
Officer = Annotated[Principal, Depends(require(Permission.PROGRAMS_MANAGE))]
NOT_FOUND = "No application has that reference number and date of birth."
ENROLMENT, LANE = "programs/enrolment.html", "programs/lane.html"


def _context(db: Db, principal: Principal, **values: Any) -> dict[str, Any]:
    return {
        "applications": [service.application_out(r) for r in service.listing(db)],
        "queue": vetting.queue(db), "reason_codes": vetting.REASON_CODES,
        "can_decide": principal.can(Permission.PROGRAMS_MANAGE), "problem": None, **values,
    }  # fmt: skip


@router.get("/programs")
def programs_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return render(request, "programs/programs.html", _context(db, principal))


async def _decided(
    request: Request, db: Db, principal: Principal,
    decide: Callable[[str, list[str], str], object],
) -> Response:  # fmt: skip
    """Read a vetting decision's form (decision, reason codes, note), make it, and go back to
    the queue; a refusal is shown there with why."""
    form = await request.form()
    codes = [str(c) for c in form.getlist("reason_codes")]
    try:
        decide(str(form.get("decision", "")), codes, str(form.get("note", "")))
    except SmartborderError as exc:
        return render(request, "programs/programs.html",
                      _context(db, principal, problem=exc.message), status_code=422)  # fmt: skip
    return RedirectResponse("/programs", status_code=303)


@router.post("/programs/applications/{reference}/decision")
async def decide_own(
    request: Request, db: Db, ex: Exchange, principal: Officer, reference: str
) -> Response:
    return await _decided(request, db, principal, lambda d, c, n: vetting.decide_own(
        db, ex, reference, decision=d, reason_codes=c, note=n,
        actor=principal.username))  # fmt: skip


@router.post("/programs/vetting/{vetting_id}/decision")
async def decide_partner(
    request: Request, db: Db, ex: Exchange, principal: Officer, vetting_id: str
) -> Response:
    return await _decided(request, db, principal, lambda d, c, n: vetting.decide_partner(
        db, ex, vetting_id, decision=d, reason_codes=c, note=n,
        actor=principal.username))  # fmt: skip


@router.get("/programs/status")
def status_page(request: Request) -> HTMLResponse:
    """The applicant's page: no account needed, the reference and the date of birth."""
    return render(request, "programs/status.html", {"found": None, "problem": None})


@router.post("/programs/status")
async def status_of(request: Request, db: Db, ex: Exchange) -> HTMLResponse:
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
    booked = [i for i in enrolment.interviews(db, reference=row.reference)
              if i.state in ("booked", "held", "enrolled")]  # fmt: skip
    member = membership.of_application(db, row.reference)
    shown = {
        "reference": row.reference, "program": row.program, "status": row.status,
        "reasons": row.reasons, "fee": row.fee,
        "interview": {"centre": rules().centre(booked[0].centre).name,
                      "day": booked[0].day.isoformat(), "state": booked[0].state}
                     if booked else None,
        # the membership's standing, never its card number: the page asks no account
        "membership": {"status": membership.membership_out(member, ex.clock().date())["status"],
                       "expires_on": member.expires_on.isoformat()} if member else None,
    }  # fmt: skip
    return render(request, "programs/status.html", {"found": shown, "problem": None})


# ---- the enrolment centre and the lane ---------------------------------------------------------

Booth = Annotated[Principal, Depends(require(Permission.PROGRAMS_LANE))]


async def _form(request: Request) -> tuple[dict[str, str], dict[str, list[bytes]]]:
    """The form's text fields, and its files by field (each field may repeat)."""
    texts: dict[str, str] = {}
    files: dict[str, list[bytes]] = {}
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename:
                    files.setdefault(name, []).append(await value.read())
            else:
                texts[name] = value.strip()
    return texts, files


def _enrolment_context(db: Db, ex: Exchange, principal: Principal, **values: Any) -> dict[str, Any]:
    today = ex.clock().date()
    return {
        "interviews": [enrolment.interview_out(r) for r in enrolment.interviews(db)],
        "approved": [service.application_out(r) for r in service.listing(db, "approved")],
        "centres": rules().centres, "today": today.isoformat(),
        "members": [membership.membership_out(r, today) for r in membership.listing(db)],
        "flagged": [membership.membership_out(r, today) for r in recheck.flagged(db)],
        "can_manage": principal.can(Permission.PROGRAMS_MANAGE), "problem": None, **values,
    }  # fmt: skip


@router.get("/programs/enrolment")
def enrolment_page(request: Request, db: Db, ex: Exchange, principal: Reader) -> HTMLResponse:
    """The enrolment centre's page: booking, the day sheet with capture, findings on held
    interviews, and the memberships with their status."""
    return render(request, ENROLMENT, _enrolment_context(db, ex, principal))


def _again(
    request: Request, db: Db, ex: Exchange, principal: Principal, exc: SmartborderError
) -> HTMLResponse:
    details = "; ".join(f"{d.get('field')}: {d.get('problem')}" for d in exc.details
                        if isinstance(d, dict) and d.get("problem"))  # fmt: skip
    problem = f"{exc.message}" + (f" ({details})" if details and len(exc.details) > 1 else "")
    return render(request, ENROLMENT, _enrolment_context(db, ex, principal, problem=problem),
                  status_code=422 if isinstance(exc, ValidationFailed) else 409)  # fmt: skip


Form = dict[str, str]
Files = dict[str, list[bytes]]


async def _act(
    request: Request, db: Db, ex: Exchange, principal: Principal,
    act: Callable[[Form, Files], object],
) -> Response:  # fmt: skip
    """Read the form, do ``act`` with it (in a worker thread: capture and matching take the
    CPU), and go back to the enrolment page; a refusal is shown there with why."""
    texts, files = await _form(request)
    try:
        await run_in_threadpool(act, texts, files)
    except SmartborderError as exc:
        return _again(request, db, ex, principal, exc)
    return RedirectResponse("/programs/enrolment", status_code=303)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"day: '{text}' is not a date (YYYY-MM-DD)") from None


@router.post("/programs/interviews")
async def book(request: Request, db: Db, ex: Exchange, principal: Officer) -> Response:
    return await _act(request, db, ex, principal, lambda t, _: enrolment.book(
        db, t.get("reference", ""), t.get("centre", ""), _day(t.get("day", "")),
        actor=principal.username, now=ex.clock()))  # fmt: skip


@router.post("/programs/interviews/{interview_id}/enrolment")
async def enrol(
    request: Request, db: Db, ex: Exchange, principal: Officer, interview_id: str
) -> Response:
    def capture(_: Form, files: Files) -> object:
        irises = files.get("iris") or []
        samples = enrolment.Samples((files.get("face") or [b""])[0],
                                    files.get("fingerprints", []),
                                    irises[0] if irises else None)  # fmt: skip
        return enrolment.enrol(db, ex, get_node(request).get(Biometrics), interview_id, samples,
                               actor=principal.username)  # fmt: skip

    return await _act(request, db, ex, principal, capture)


@router.post("/programs/interviews/{interview_id}/finding")
async def resolve(
    request: Request, db: Db, ex: Exchange, principal: Officer, interview_id: str
) -> Response:
    return await _act(request, db, ex, principal, lambda t, _: enrolment.resolve(
        db, ex, get_node(request).get(Biometrics), interview_id,
        finding=t.get("finding", ""), note=t.get("note", ""),
        actor=principal.username))  # fmt: skip


@router.post("/programs/interviews/{interview_id}/cancel")
async def cancel(
    request: Request, db: Db, ex: Exchange, principal: Officer, interview_id: str
) -> Response:
    return await _act(request, db, ex, principal, lambda t, _: enrolment.cancel(
        db, interview_id, reason=t.get("reason", ""), actor=principal.username,
        now=ex.clock()))  # fmt: skip


@router.post("/programs/memberships/{card}/status")
async def change_status(
    request: Request, db: Db, ex: Exchange, principal: Officer, card: str
) -> Response:
    return await _act(request, db, ex, principal, lambda t, _: membership.change(
        db, ex, card, action=t.get("action", ""), reasons=[t.get("reason", "")],
        actor=principal.username))  # fmt: skip


@router.post("/programs/memberships/{card}/dismiss")
async def dismiss(
    request: Request, db: Db, ex: Exchange, principal: Officer, card: str
) -> Response:
    return await _act(request, db, ex, principal, lambda t, _: recheck.dismiss(
        db, card, reasons=[t.get("reason", "")], actor=principal.username,
        now=ex.clock()))  # fmt: skip


@router.get("/programs/lane")
def lane_page(request: Request, principal: Booth) -> HTMLResponse:
    """The booth's and the kiosk's page: a card read and a photograph (or iris), the answer."""
    return render(request, LANE, {"decided": None, "problem": None, "given": {}})


@router.post("/programs/lane")
async def at_the_lane(request: Request, db: Db, ex: Exchange, principal: Booth) -> HTMLResponse:
    texts, files = await _form(request)
    fast = texts.get("lane") == "commercial"
    values: dict[str, Any] = {
        "card": texts.get("card", ""), "lane": texts.get("lane", ""),
        "port": texts.get("port", ""),
        "face": base64.b64encode(files["face"][0]).decode() if files.get("face") else None,
        "iris": base64.b64encode(files["iris"][0]).decode() if files.get("iris") else None,
        "carrier": texts.get("carrier") or None if fast else None,
        "importer": texts.get("importer") or None if fast else None,
        "shipment": texts.get("shipment") if fast and texts.get("shipment") else None,
    }  # fmt: skip
    given = {k: v for k, v in texts.items() if k != "csrf_token"}
    try:
        request_in = lane.LaneIn.model_validate(values)
    except ValidationError as exc:
        problem = form_problems(exc)
        return render(request, LANE, {"decided": None, "problem": problem, "given": given},
                      status_code=422)  # fmt: skip
    screening = get_node(request).get(Screening)
    decided = await run_in_threadpool(lane.decide, db, screening, request_in,
                                      actor=principal.username, now=ex.clock())  # fmt: skip
    return render(request, LANE, {"decided": decided, "problem": None, "given": given})


# ---- the applicant's own form ------------------------------------------------------------------

ROWS = {"addresses": 5, "employment": 5, "trips": 6, "documents": 3}
APPLY = "programs/apply.html"
APPLICANT = "applicant:web"


def _rows(texts: dict[str, str], kind: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The filled rows of a repeated group (``addresses-0-from``, ...), as the schema's items;
    an empty ``to`` is today."""
    found = []
    for n in range(ROWS[kind]):
        row = {f: texts.get(f"{kind}-{n}-{f}", "") for f in fields}
        if not any(row.values()):
            continue
        found.append({k: v for k, v in row.items() if v != "" or k not in ("to", "expires")})
    return found


def application_from_form(texts: dict[str, str], today: dt.date) -> dict[str, Any]:
    """The application as the schema takes it, from the public form's fields."""
    residence = None
    if texts.get("pr_country"):
        residence = {"country": texts["pr_country"].upper(), "since": texts.get("pr_since", "")}
    documents = _rows(texts, "documents", ("kind", "number", "country", "expires"))
    for document in documents:  # the applicant's own documents: their name and birth date
        document.update(surname=texts.get("surname", ""), birth_date=texts.get("birth_date"))
    guardian = ({"name": texts["guardian_name"], "membership": texts.get("guardian_card") or None}
                if texts.get("guardian_name") else None)  # fmt: skip
    return {
        "program": texts.get("program", ""),
        "modes": [m for m in ("highway", "air", "marine", "commercial") if texts.get(f"mode-{m}")],
        "date": today.isoformat(),
        "applicant": {"surname": texts.get("surname", ""),
                      "given_names": texts.get("given_names", ""),
                      "birth_date": texts.get("birth_date", ""), "sex": texts.get("sex", ""),
                      "citizenships": [c.strip().upper() for c in
                                       texts.get("citizenships", "").split(",") if c.strip()],
                      "permanent_residence": residence},
        "addresses": _rows(texts, "addresses", ("from", "to", "line", "city", "country")),
        "employment": _rows(texts, "employment", ("from", "to", "employer")),
        "trips": _rows(texts, "trips", ("from", "to", "country")),
        "documents": documents, "guardian": guardian,
        "consents_to_biometrics": texts.get("consent") == "yes",
        "renewal_of": texts.get("renewal_of") or None,
    }  # fmt: skip


def _form_problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


@router.get("/programs/apply")
def apply_page(request: Request) -> HTMLResponse:
    """The applicant's online form: no account; the answer is the reference to follow it."""
    return render(request, APPLY, {"rows": ROWS, "given": {}, "problems": [], "made": None})


@router.post("/programs/apply")
async def apply(request: Request, db: Db, ex: Exchange) -> HTMLResponse:
    texts, _ = await _form(request)
    given = {k: v for k, v in texts.items() if k != "csrf_token"}
    data = application_from_form(texts, ex.clock().date())
    try:
        application = applications.ApplicationIn.model_validate(data)
        row = service.submit(db, ex, get_node(request).get(Screening), application,
                             actor=APPLICANT)  # fmt: skip
    except ValidationError as exc:
        problems = _form_problems(exc)
    except ValidationFailed as exc:
        problems = [f"{d['field']}: {d['problem']}" for d in exc.details
                    if isinstance(d, dict) and "problem" in d] or [exc.message]  # fmt: skip
    else:
        problems = []
    if problems:
        context = {"rows": ROWS, "given": given, "made": None, "problems": problems}
        return render(request, APPLY, context, status_code=422)
    made = {"reference": row.reference, "status": row.status, "reasons": row.reasons,
            "fee": row.fee}  # fmt: skip
    return render(request, APPLY, {"rows": ROWS, "given": {}, "problems": [], "made": made},
                  status_code=201)  # fmt: skip
