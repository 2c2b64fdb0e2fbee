"""HTML pages: outgoing and incoming case requests, agreements and their approval."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from smartborder.auth import Db, Principal, require
from smartborder.errors import ValidationFailed
from smartborder.exchange import agreements, requests
from smartborder.exchange.document import TEMPLATES, from_template
from smartborder.exchange.policy import document_of
from smartborder.exchange.router import Exchange, actor
from smartborder.params import RowId
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
RequestsReader = Annotated[Principal, Depends(require(Permission.REQUESTS_READ))]
RequestsCreator = Annotated[Principal, Depends(require(Permission.REQUESTS_CREATE))]
RequestsDecider = Annotated[Principal, Depends(require(Permission.REQUESTS_DECIDE))]
AgreementsReader = Annotated[Principal, Depends(require(Permission.AGREEMENTS_READ))]
AgreementsDecider = Annotated[Principal, Depends(require(Permission.AGREEMENTS_DECIDE))]
SUBJECT_FIELDS = (
    "surname",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "document_type",
    "document_number",
)


def _usable(db: Any, ex: Any, kind: str) -> list[dict[str, Any]]:
    """Agreements in force that carry ``kind``, with their purposes and permitted fields."""
    usable = []
    for a in agreements.list_agreements(db):
        if agreements.current_status(a, ex) != "in-force":
            continue
        document = document_of(a)
        rule = document.rule(kind)
        if rule:
            usable.append(
                {
                    "id": a.id,
                    "title": a.title,
                    "fields": rule.fields,
                    "purposes": [p.id for p in document.purposes],
                }
            )
    return usable


@router.get("/exchange/requests")
def list_page(
    request: Request,
    db: Db,
    ex: Exchange,
    principal: RequestsReader,
    direction: Literal["outgoing", "incoming"] = "outgoing",
) -> HTMLResponse:
    context = {
        "direction": direction,
        "items": requests.list_requests(db, direction),
        "usable": _usable(db, ex, "case-request")
        if principal.can(Permission.REQUESTS_CREATE)
        else [],
        "subject_fields": SUBJECT_FIELDS,
    }
    return render(request, "exchange/requests.html", context)


@router.post("/exchange/requests")
async def create(request: Request, db: Db, ex: Exchange, principal: RequestsCreator) -> Any:
    form = await request.form()
    value = {k: str(v).strip() for k, v in form.items()}
    subject = {f: value[f"subject.{f}"] for f in SUBJECT_FIELDS if value.get(f"subject.{f}")}
    problems = [
        {"field": f, "problem": "required"}
        for f in ("agreement", "purpose", "justification", "case_reference")
        if not value.get(f)
    ]
    if not subject.get("surname"):
        problems.append({"field": "subject.surname", "problem": "required"})
    due = None
    if value.get("due_date"):
        try:
            due = dt.date.fromisoformat(value["due_date"])
        except ValueError:
            problems.append({"field": "due_date", "problem": "not a date (YYYY-MM-DD)"})
    if problems:
        raise ValidationFailed("the request is incomplete", details=problems)
    created, _withheld = requests.create_request(
        db,
        ex,
        agreement_id=value["agreement"],
        purpose=value["purpose"],
        subject=subject,
        justification=value["justification"],
        case_reference=value["case_reference"],
        due_date=due,
        actor=actor(principal),
    )
    db.flush()
    return RedirectResponse(f"/exchange/requests/{created.id}", status_code=303)


@router.get("/exchange/requests/{request_id}")
def detail(request: Request, request_id: RowId, db: Db, ex: Exchange, _p: RequestsReader) -> Any:
    item = requests.get_request(db, request_id)
    agreement = agreements.get_agreement(db, item.agreement)
    rule = document_of(agreement).rule("case-response")
    context = {
        "item": item,
        "response": requests.response_of(db, item),
        "answer_fields": rule.fields if rule else [],
    }
    return render(request, "exchange/request.html", context)


@router.post("/exchange/requests/{request_id}/decision")
async def decide(
    request: Request, request_id: RowId, db: Db, ex: Exchange, principal: RequestsDecider
) -> Any:
    form = await request.form()
    value = {k: str(v).strip() for k, v in form.items()}
    approve = value.get("decision") == "approve"
    answer: dict[str, Any] = {}
    for key, text in value.items():
        if key.startswith("answer.") and text:
            answer[key.removeprefix("answer.")] = {"yes": True, "no": False}.get(text, text)
    from smartborder.exchange.policy import unflatten

    requests.decide(
        db,
        ex,
        request_id,
        approve=approve,
        answer=unflatten(answer) or None,
        reason=value.get("reason", ""),
        actor=actor(principal),
    )
    return RedirectResponse(f"/exchange/requests/{request_id}", status_code=303)


@router.get("/agreements")
def agreements_page(
    request: Request, db: Db, ex: Exchange, principal: AgreementsReader
) -> HTMLResponse:
    from smartborder.exchange import partners

    items = [(a, agreements.current_status(a, ex)) for a in agreements.list_agreements(db)]
    context = {
        "items": items,
        "templates": TEMPLATES,
        "partners": [p.id for p in partners.list_partners(db)],
    }
    return render(request, "exchange/agreements.html", context)


@router.get("/agreements/{agreement_id}")
def agreement_page(
    request: Request, agreement_id: str, db: Db, ex: Exchange, _p: AgreementsReader
) -> HTMLResponse:
    a = agreements.get_agreement(db, agreement_id)
    context = {"a": a, "status": agreements.current_status(a, ex), "doc": document_of(a)}
    return render(request, "exchange/agreement.html", context)


@router.post("/agreements")
async def propose(request: Request, db: Db, ex: Exchange, principal: AgreementsDecider) -> Any:
    form = await request.form()
    template, partner = str(form.get("template", "")), str(form.get("partner", ""))
    document = from_template(template, (ex.node_id, partner))
    agreements.propose(db, ex, document, actor=actor(principal))
    return RedirectResponse(f"/agreements/{document.id}", status_code=303)


@router.post("/agreements/{agreement_id}/{action}")
async def act(
    request: Request,
    agreement_id: str,
    action: Literal["approve", "reject", "terminate"],
    db: Db,
    ex: Exchange,
    principal: AgreementsDecider,
) -> Any:
    reason = str((await request.form()).get("reason", ""))
    if action == "approve":
        agreements.approve(db, ex, agreement_id, actor=actor(principal))
    elif action == "reject":
        agreements.reject(db, ex, agreement_id, reason=reason, actor=actor(principal))
    else:
        agreements.terminate(db, ex, agreement_id, reason=reason, actor=actor(principal))
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)
