"""HTML pages: the lookout list and search, a lookout, its create/edit/retract forms, and the
screen form with each hit's evidence feature by feature."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from smartborder import clock
from smartborder.auth import Db, Principal, require
from smartborder.categories import CATEGORIES
from smartborder.errors import ValidationFailed
from smartborder.exchange.router import Exchange
from smartborder.roles import Permission
from smartborder.screening import service
from smartborder.screening.files import validate_all
from smartborder.screening.router import results, screening
from smartborder.screening.schemas import (
    SHAREABLE,
    LookoutIn,
    LookoutPatch,
    ScreenIn,
)
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.LOOKOUTS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.LOOKOUTS_MANAGE))]
Screener = Annotated[Principal, Depends(require(Permission.SCREENING_RUN))]
PAGE = 50
ACTIONS = LookoutIn.model_fields["action"].annotation.__args__  # type: ignore[union-attr]
CHOICES = {"categories": CATEGORIES, "actions": ACTIONS, "shareable": SHAREABLE}


def _actor(principal: Principal) -> str:
    return f"user:{principal.username}"


@router.get("/lookouts")
def lookouts(
    request: Request,
    db: Db,
    ex: Exchange,
    _reader: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(pattern="^(|active|retracted)$")] = "",
    origin: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total, found = service.list_lookouts(
        db,
        query=q,
        category=category or None,
        status=status or None,
        origin=origin or None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    context = {
        "items": found,
        "total": total,
        "today": ex.clock().date(),
        "filters": {"q": q, "category": category, "status": status, "origin": origin},
        "page": page,
        "pages": -(-total // PAGE),
        **CHOICES,
    }
    partial = request.headers.get("hx-request") == "true"
    template = "screening/lookouts_table.html" if partial else "screening/lookouts.html"
    return render(request, template, context)


@router.get("/lookouts/new")
def new_page(request: Request, _manager: Manager) -> HTMLResponse:
    blank = {"subject_kind": "person", "share": False, "shared_fields": list(SHAREABLE)}
    return _form(request, blank, None)


@router.post("/lookouts/new")
async def create(request: Request, db: Db, ex: Exchange, principal: Manager) -> Response:
    form = await request.form()
    values = _values(form)
    checked, problems = validate_all(LookoutIn, [(1, _record(values))])
    if problems:
        return _form(request, values, None, problems)
    try:
        made = service.create_lookout(
            db, checked[0], actor=_actor(principal), today=ex.clock().date(), ex=ex
        )
        db.flush()
    except ValidationFailed as exc:
        return _form(request, values, None, exc.details, exc.message)
    return RedirectResponse(f"/lookouts/{made.id}", status_code=303)


@router.get("/lookouts/{lookout_id}")
def lookout_page(
    request: Request, lookout_id: str, db: Db, ex: Exchange, _reader: Reader
) -> HTMLResponse:
    item = service.get_lookout(db, lookout_id)
    context = {"item": item, "state": item.state_on(ex.clock().date())}
    return render(request, "screening/lookout.html", context)


@router.get("/lookouts/{lookout_id}/edit")
def edit_page(request: Request, lookout_id: str, db: Db, _manager: Manager) -> HTMLResponse:
    item = service.get_lookout(db, lookout_id)
    values = {
        "subject_kind": item.subject_kind,
        "category": item.category,
        "action": item.action,
        "names": "\n".join(str(n["name"]) for n in item.names),
        "birth_date": item.birth_date or "",
        "sex": item.sex or "",
        "nationalities": ", ".join(item.nationalities),
        "place_of_birth": item.place_of_birth or "",
        "documents": "\n".join(
            " ".join(str(d.get(k) or "") for k in ("number", "type", "country")).strip()
            for d in item.documents
        ),
        "remarks": item.remarks,
        "source_reference": item.source_reference,
        "valid_until": item.valid_until.isoformat() if item.valid_until else "",
        "share": item.share,
        "shared_fields": item.shared_fields,
    }
    return _form(request, values, item)


@router.post("/lookouts/{lookout_id}/edit")
async def amend(
    request: Request, lookout_id: str, db: Db, ex: Exchange, principal: Manager
) -> Response:
    item = service.get_lookout(db, lookout_id)
    values = _values(await request.form())
    record = _record(values, kinds={str(n["name"]): str(n["kind"]) for n in item.names})
    for fixed in ("subject_kind", "source_reference", "valid_from"):
        record.pop(fixed, None)
    checked, problems = validate_all(LookoutPatch, [(1, record)])
    if problems:
        return _form(request, values, item, problems)
    try:
        service.amend_lookout(db, lookout_id, checked[0], actor=_actor(principal), ex=ex)
    except ValidationFailed as exc:
        return _form(request, values, item, exc.details, exc.message)
    return RedirectResponse(f"/lookouts/{lookout_id}", status_code=303)


@router.post("/lookouts/{lookout_id}/retract")
async def retract(
    request: Request, lookout_id: str, db: Db, ex: Exchange, principal: Manager
) -> Response:
    reason = str((await request.form()).get("reason", "")).strip()
    if len(reason) < 3:
        raise ValidationFailed(
            "give the reason for retracting (at least 3 characters)",
            details=[{"field": "reason", "problem": "required"}],
        )
    service.retract_lookout(db, lookout_id, reason=reason, actor=_actor(principal), ex=ex)
    return RedirectResponse(f"/lookouts/{lookout_id}", status_code=303)


@router.get("/screen")
def screen_page(request: Request, _screener: Screener) -> HTMLResponse:
    return render(request, "screening/screen.html", {"values": {}, "result": None})


@router.post("/screen")
async def screen(request: Request, db: Db, ex: Exchange, _screener: Screener) -> HTMLResponse:
    values = _values(await request.form())
    subject = {
        "names": [n for n in values.get("names", "").splitlines() if n.strip()],
        "birth_date": values.get("birth_date") or None,
        "sex": values.get("sex") or None,
        "nationalities": _list(values.get("nationalities", "")),
        "documents": _list(values.get("documents", "")),
        "reference": values.get("reference", ""),
    }
    checked, problems = validate_all(ScreenIn, [(1, subject)])
    context: dict[str, Any] = {"values": values, "result": None, "problems": problems}
    if not problems:
        query = checked[0]
        hits = screening(request).screen(db, query, today=ex.clock().date(), limit=query.limit)
        context["result"] = results(db, query.reference, hits)
    partial = request.headers.get("hx-request") == "true"
    template = "screening/screen_result.html" if partial else "screening/screen.html"
    return render(request, template, context, status_code=422 if problems else 200)


# --- form helpers ----------------------------------------------------------------------------


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(v).strip() for k, v in form.items() if k not in ("csrf_token", "shared_fields")
    }
    values["share"] = values.get("share") == "true"
    values["shared_fields"] = [str(v) for v in form.getlist("shared_fields")]
    return values


def _list(text: str) -> list[str]:
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


def _record(values: dict[str, Any], kinds: dict[str, str] | None = None) -> dict[str, Any]:
    """The form's values as a lookout record (names and documents one per line)."""
    names = []
    for position, line in enumerate(values.get("names", "").splitlines()):
        if line.strip():
            known = (kinds or {}).get(line.strip())
            names.append(
                {"name": line.strip(), "kind": known or ("primary" if position == 0 else "alias")}
            )
    documents = []
    for line in values.get("documents", "").splitlines():
        parts = line.split()
        if parts:
            document: dict[str, Any] = {"number": parts[0]}
            if len(parts) > 1:
                document["type"] = parts[1]
            if len(parts) > 2:
                document["country"] = parts[2]
            documents.append(document)
    record: dict[str, Any] = {
        "subject_kind": values.get("subject_kind") or "person",
        "category": values.get("category"),
        "action": values.get("action") or "refer-secondary",
        "names": names,
        "birth_date": values.get("birth_date") or None,
        "sex": values.get("sex") or None,
        "nationalities": _list(values.get("nationalities", "").upper()),
        "place_of_birth": values.get("place_of_birth") or None,
        "documents": documents,
        "remarks": values.get("remarks", ""),
        "source_reference": values.get("source_reference", ""),
        "valid_until": values.get("valid_until") or None,
        "share": values.get("share", False),
        "shared_fields": values.get("shared_fields", []),
    }
    if values.get("valid_from"):
        record["valid_from"] = values["valid_from"]
    return record


def _form(
    request: Request,
    values: dict[str, Any],
    item: Any,
    problems: list[dict[str, Any]] | None = None,
    message: str = "",
) -> HTMLResponse:
    by_field: dict[str, list[str]] = {}
    for problem in problems or []:
        field = str(problem.get("field", "record")).split(".")[0]
        by_field.setdefault(field, []).append(str(problem.get("problem", "")))
    context = {
        "values": values,
        "item": item,
        "errors": by_field,
        "message": message
        or ("the lookout was not saved: correct the fields marked" if problems else ""),
        "today": clock.today(),
        **CHOICES,
    }
    return render(
        request, "screening/lookout_form.html", context, status_code=422 if problems else 200
    )
