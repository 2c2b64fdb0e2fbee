"""The fingerprint page: a kiosk's 1:1 check of a capture against a card's template, and a 1:N
search of the node's gallery, each answer with the operating point that decided it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.biometrics import service
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import verify
from smartborder.biometrics.router import galleries, template_of
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Verifier = Annotated[Principal, Depends(require(Permission.BIOMETRICS_VERIFY))]
PAGE = "biometrics/fingerprints.html"


@router.get("/fingerprints")
def fingerprints(request: Request, _verifier: Verifier) -> HTMLResponse:
    return render(request, PAGE, {"comparison": None, "search": None, "problem": None})


async def _uploads(request: Request, *fields: str) -> list[tuple[str, bytes]]:
    """The files of the form's ``fields`` (name and bytes); the form's files are closed."""
    found = []
    async with request.form() as form:
        for field in fields:
            upload = form.get(field)
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise BiometricProblem(field, "no file was chosen")
            found.append((upload.filename, await upload.read()))
    return found


@router.post("/fingerprints/verify")
async def fingerprints_verify(
    request: Request, db: Db, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    context: dict[str, Any] = {"comparison": None, "search": None, "problem": None}
    try:
        (probe_name, probe_data), (reference_name, reference_data) = await _uploads(
            request, "probe", "reference"
        )
        probe = await run_in_threadpool(template_of, probe_name, probe_data, settings)
        reference = await run_in_threadpool(template_of, reference_name, reference_data, settings)
        compared = await run_in_threadpool(verify, NbisFingerprint(), probe, reference)
        context["comparison"] = compared
        service.audit_verification(db, principal.username, compared)
    except BiometricProblem as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=422)
    return render(request, PAGE, context)


@router.post("/fingerprints/search")
async def fingerprints_search(
    request: Request, db: Db, settings: CurrentSettings, principal: Verifier
) -> HTMLResponse:
    context: dict[str, Any] = {"comparison": None, "search": None, "problem": None}
    try:
        ((name, data),) = await _uploads(request, "sample")
        sample = await run_in_threadpool(template_of, name, data, settings)
    except BiometricProblem as problem:
        context["problem"] = problem
        return render(request, PAGE, context, status_code=422)
    context["search"] = await run_in_threadpool(
        lambda: service.identify_print(db, galleries(request), sample, actor=principal.username)
    )
    return render(request, PAGE, context)
