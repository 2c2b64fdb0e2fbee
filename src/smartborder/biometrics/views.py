"""The fingerprint page: a kiosk's 1:1 check of a capture against a card's template, a 1:N
search of the node's gallery, each answer with the operating point that decided it; enrolment
(for those who may enrol); and fingerprint searches of a partner's criminal records, sent as
ANSI/NIST-ITL transactions, with the answers and where they came from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.datastructures import UploadFile

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.biometrics import modalities, searches, service
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import verify
from smartborder.biometrics.router import galleries, search_transaction, template_of
from smartborder.deps import Exchange
from smartborder.errors import PermissionDenied, SmartborderError, ValidationFailed
from smartborder.exchange.models import Partner
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Verifier = Annotated[Principal, Depends(require(Permission.BIOMETRICS_VERIFY))]
PAGE = "biometrics/fingerprints.html"


def _context(db: Db, principal: Principal, **values: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "comparison": None, "search": None, "problem": None, "enrolled": None, "sent": None,
        "can_enrol": principal.can(Permission.BIOMETRICS_ENROL),
        "can_decide": principal.can(Permission.REQUESTS_DECIDE),
        "partner_searches": [searches.search_out(r) for r in searches.listing(db)],
        "partners": sorted(db.scalars(select(Partner.id))),
    }  # fmt: skip
    context.update(values)
    return context


@router.get("/fingerprints")
def fingerprints(request: Request, db: Db, principal: Verifier) -> HTMLResponse:
    return render(request, PAGE, _context(db, principal))


async def _uploads(
    request: Request, *fields: str, texts: dict[str, str] | None = None
) -> list[tuple[str, bytes]]:
    """The files of the form's ``fields`` (name and bytes), and into ``texts`` the values of
    its text fields named there; the form's files are closed."""
    found = []
    async with request.form() as form:
        for name in texts or {}:
            value = form.get(name)
            (texts or {})[name] = value.strip() if isinstance(value, str) else ""
        for field in fields:
            upload = form.get(field)
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise BiometricProblem(field, "no file was chosen")
            found.append((upload.filename, await upload.read()))
    return found


def _kind(given: dict[str, str]) -> str:
    """The form's modality (fingerprint when none was chosen), one this node matches."""
    kind = given.get("modality") or "fingerprint"
    modalities.matcher(kind)  # ValidationFailed, naming those there are, for another
    return kind


@router.post("/fingerprints/verify")
async def fingerprints_verify(
    request: Request, db: Db, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    context = _context(db, principal)
    given = {"modality": ""}
    try:
        (probe_name, probe_data), (reference_name, reference_data) = await _uploads(
            request, "probe", "reference", texts=given
        )
        kind = _kind(given)
        matcher = modalities.matcher(kind)
        probe = await run_in_threadpool(template_of, probe_name, probe_data, settings, kind)
        reference = await run_in_threadpool(
            template_of, reference_name, reference_data, settings, kind
        )
        compared = await run_in_threadpool(verify, matcher, probe, reference)
        context["comparison"] = compared
        service.audit_verification(db, principal.username, compared, kind)
    except ValidationFailed as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=422)
    return render(request, PAGE, context)


@router.post("/fingerprints/search")
async def fingerprints_search(
    request: Request, db: Db, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    context = _context(db, principal)
    given = {"modality": ""}
    try:
        ((name, data),) = await _uploads(request, "sample", texts=given)
        kind = _kind(given)
        sample = await run_in_threadpool(template_of, name, data, settings, kind)
    except ValidationFailed as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=422)
    context["search"] = await run_in_threadpool(
        lambda: service.identify_template(db, galleries(request), sample, actor=principal.username)
    )
    return render(request, PAGE, context)


@router.post("/fingerprints/enrol")
async def fingerprints_enrol(
    request: Request, db: Db, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    """Enrol a print from the browser (refused, with why, when it matches another person's)."""
    context = _context(db, principal)
    if not principal.can(Permission.BIOMETRICS_ENROL):
        context["problem"] = BiometricProblem("enrolment", "your role may not enrol prints")
        return render(request, PAGE, context, status_code=403)
    given = {"subject": "", "modality": ""}
    try:
        ((name, data),) = await _uploads(request, "sample", texts=given)
        subject, kind = given["subject"], _kind(given)
        if not subject:
            raise BiometricProblem("subject", "say whose print it is")
        sample = await run_in_threadpool(template_of, name, data, settings, kind)
        context["enrolled_kind"] = kind
        context["enrolled"] = await run_in_threadpool(
            lambda: service.enrol_template(
                db, galleries(request), subject, sample, actor=principal.username
            )
        )
    except SmartborderError as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=problem.status_code)
    return render(request, PAGE, context)


@router.post("/fingerprints/partner-search")
async def fingerprints_partner_search(
    request: Request, db: Db, ex: Exchange, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    """Send an ANSI/NIST-ITL search (CAR or LFS) to a partner under the fingerprints annex."""
    context = _context(db, principal)
    given = {"partner": "", "reason": "", "finger": ""}
    try:
        ((name, data),) = await _uploads(request, "transaction", texts=given)
        finger = int(given["finger"]) if given["finger"].isdigit() else 2
        data = await run_in_threadpool(search_transaction, name, data, finger, settings)
        row = searches.send(db, ex, partner=given["partner"], transaction=data, source=name,
                            reason=given["reason"], actor=principal.username)  # fmt: skip
        db.flush()
    except SmartborderError as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=problem.status_code)
    context["sent"] = searches.search_out(row)
    context["partner_searches"] = [searches.search_out(r) for r in searches.listing(db)]
    return render(request, PAGE, context, status_code=201)


@router.post("/fingerprints/partner-searches/{search_id}/decision")
async def fingerprints_decide(
    request: Request, db: Db, ex: Exchange, principal: Verifier, search_id: str
) -> HTMLResponse:
    """A supervisor's answer to a partner's search held for review."""
    context = _context(db, principal)
    async with request.form() as form:
        result = str(form.get("result") or "")
    try:
        if not principal.can(Permission.REQUESTS_DECIDE):
            raise PermissionDenied("deciding a partner's search needs requests:decide")
        searches.decide(db, ex, search_id, result=result, actor=principal.username)
        db.flush()
    except SmartborderError as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=problem.status_code)
    context["partner_searches"] = [searches.search_out(r) for r in searches.listing(db)]
    return render(request, PAGE, context)
