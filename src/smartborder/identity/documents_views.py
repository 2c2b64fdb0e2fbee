"""The officer's document check page: paste or type an MRZ, see fields and checks at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from smartborder.auth import Principal, require
from smartborder.db import utcnow
from smartborder.errors import ValidationFailed
from smartborder.identity.documents import check_request
from smartborder.identity.schemas import DocumentCheckIn
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Checker = Annotated[Principal, Depends(require(Permission.DOCUMENTS_CHECK))]


@router.get("/documents/check")
def check_page(request: Request, _checker: Checker) -> HTMLResponse:
    return render(request, "identity/document_check.html", {"mrz": "", "report": None})


@router.post("/documents/check")
def check(
    request: Request,
    _checker: Checker,
    mrz: Annotated[str, Form(max_length=400)] = "",
    tolerant: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    context: dict[str, object] = {"mrz": mrz, "tolerant": tolerant, "report": None}
    status = 200
    try:
        context["report"] = check_request(
            DocumentCheckIn(mrz=mrz, tolerant=tolerant), utcnow().date()
        )
    except ValidationFailed as exc:
        context["error"] = exc.message
        context["problems"] = exc.details
        status = 422
    partial = request.headers.get("hx-request") == "true"
    template = "identity/document_report.html" if partial else "identity/document_check.html"
    return render(request, template, context, status_code=status)
