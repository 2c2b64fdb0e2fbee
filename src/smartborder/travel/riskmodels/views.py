"""HTML pages of the risk model: the condition builder (a live preview on the day's travellers,
located errors), an indicator added to a new draft, and a model activated from the page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from smartborder.auth import Db, Principal, get_settings, require
from smartborder.deps import Now, get_exchange, get_node
from smartborder.errors import SmartborderError
from smartborder.roles import Permission
from smartborder.travel.riskmodels import service as models_service
from smartborder.travel.riskmodels.builder import Built, build_condition, indicator_of, new_draft
from smartborder.travel.riskmodels.conditions import FIELDS, OPERATORS
from smartborder.travel.targeting.service import Targeting, activate_model
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Editor = Annotated[Principal, Depends(require(Permission.RISK_MODEL_EDIT))]
Activator = Annotated[Principal, Depends(require(Permission.RISK_MODEL_ACTIVATE))]
ROWS = 4  # condition rows the builder shows


def _builder_context(
    request: Request, db: Db, principal: Principal, values: dict[str, Any]
) -> dict[str, Any]:
    models = [
        {
            "id": r.id,
            "name": r.name,
            "version": r.version,
            "status": r.status,
            "joint": r.joint,
            "indicators": r.indicators,
            "cosigned_by": r.cosigned_by,
            "source": r.source,
        }
        for r in models_service.list_models(db)
    ]
    yesterday = get_exchange(request).clock().date() - dt.timedelta(days=1)
    values.setdefault("date", models_service.latest_day(db, yesterday))
    values.setdefault("combine", "all")
    values.setdefault("owner", get_settings(request).node_id)
    return {
        "models": models,
        "fields": list(FIELDS.values()),
        "operators": OPERATORS,
        "rows": ROWS,
        "values": values,
        "can_edit": principal.can(Permission.RISK_MODEL_EDIT),
        "can_activate": principal.can(Permission.RISK_MODEL_ACTIVATE),
    }


def _values(form: FormData) -> dict[str, Any]:
    return {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}


@router.get("/travel/risk")
def risk_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    context = _builder_context(request, db, principal, {})
    context.update({"built": None, "tried": None, "saved": request.query_params.get("saved")})
    return render(request, "travel/risk.html", context)


@router.post("/travel/risk/preview")
async def preview(request: Request, db: Db, _editor: Editor) -> HTMLResponse:
    """The builder's live preview: how many travellers of the day the condition matches."""
    values = _values(await request.form())
    built = build_condition(values, ROWS)
    tried = None
    if built.condition is not None and not built.problems:
        tried = models_service.try_condition(db, built.condition, values["date"]).as_dict()
    context = {"built": built, "tried": tried}
    return render(request, "travel/risk_preview.html", context)


@router.post("/travel/risk/indicators", response_model=None)
async def add_indicator(
    request: Request, now: Now, db: Db, principal: Editor
) -> RedirectResponse | HTMLResponse:
    """The built condition as a new indicator, in a new draft version of the chosen model."""
    values = _values(await request.form())
    built: Built = build_condition(values, ROWS)
    if built.condition is None and not built.problems:
        built.problems.append("row 1 (field): choose a field for the indicator's condition")
    if built.condition is not None and not built.problems:
        try:
            indicator = indicator_of(values, built.condition)
            draft = new_draft(db, values.get("model", ""), indicator)
            row = models_service.store_model(
                db,
                draft,
                source="condition builder",
                actor=f"user:{principal.username}",
                now=now,
            )
            return RedirectResponse(f"/travel/risk?saved={row.id}", status_code=303)
        except ValidationError as exc:
            built.problems.extend(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
        except SmartborderError as exc:
            built.problems.append(exc.message)
    context = _builder_context(request, db, principal, values)
    context.update({"built": built, "tried": None, "saved": None})
    return render(request, "travel/risk.html", context, status_code=422)


@router.post("/travel/risk/models/{model_id}/activate")
def activate(
    model_id: str, request: Request, now: Now, db: Db, principal: Activator
) -> RedirectResponse:
    """Activate a model from the page; flights not yet arrived are scored again by it."""
    activate_model(
        db,
        get_node(request).get(Targeting),
        model_id,
        actor=f"user:{principal.username}",
        now=now,
    )
    return RedirectResponse("/travel/risk", status_code=303)
