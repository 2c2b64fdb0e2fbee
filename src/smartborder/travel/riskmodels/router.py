"""JSON API of the risk model: load (checked, every problem located), list, read, activate,
and try a model or a single condition on the stored travellers of a day (the condition
builder's live preview)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.deps import Exchange, Now, get_node
from smartborder.errors import ValidationFailed
from smartborder.roles import Permission
from smartborder.settings import NODE_ID_PATTERN
from smartborder.travel.riskmodels import cosign, service
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels.conditions import FIELDS, OPERATORS, Condition
from smartborder.travel.riskmodels.document import RiskModelDoc, load_model
from smartborder.travel.riskmodels.schemas import (
    ActivatedOut,
    FieldsOut,
    RiskModelList,
    RiskModelOut,
    TrialOut,
)
from smartborder.travel.targeting.service import Targeting, activate_model

router = APIRouter(tags=["risk model"])
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Editor = Annotated[Principal, Depends(require(Permission.RISK_MODEL_EDIT))]
Activator = Annotated[Principal, Depends(require(Permission.RISK_MODEL_ACTIVATE))]
Day = Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="departure date")]
MODEL_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class ConditionTrial(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    condition: Condition


def model_out(row: rm.RiskModelRow, *, document: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "subject": row.subject,
        "version": row.version,
        "status": row.status,
        "joint": row.joint,
        "digest": row.digest,
        "indicators": row.indicators,
        "source": row.source,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
        "cosigned_by": row.cosigned_by,
        "cosigned_at": row.cosigned_at.isoformat() if row.cosigned_at else None,
        "proposed_by": row.source.removeprefix("partner:")
        if row.source.startswith("partner:")
        else None,
    }
    if document:
        data["document"] = row.document
    return data


async def _document(request: Request) -> RiskModelDoc:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "the model is not UTF-8 text",
            details=[{"location": "body", "message": "not UTF-8"}],
        ) from None
    return load_model(text, "body")


@router.get("/travel/risk/fields", response_model=FieldsOut)
def fields(_reader: Reader) -> dict[str, Any]:
    """What conditions can read, and which operators each kind of field takes."""
    return {
        "fields": [
            {"name": f.name, "kind": f.kind, "description": f.description} for f in FIELDS.values()
        ],
        "operators": [
            {"name": name, "kinds": sorted(op.kinds), "value": op.value}
            for name, op in OPERATORS.items()
        ],
    }


@router.post(
    "/travel/risk/models",
    status_code=201,
    openapi_extra=MODEL_BODY,
    response_model=RiskModelOut,
    response_model_exclude_unset=True,
)
async def load(request: Request, now: Now, db: Db, principal: Editor) -> dict[str, Any]:
    """Load a model (YAML or JSON) as a draft; 422 with every problem and its line."""
    doc = await _document(request)
    row = service.store_model(
        db,
        doc,
        source=f"api:{principal.username}",
        actor=f"user:{principal.username}",
        now=now,
    )
    return model_out(row, document=True)


@router.get("/travel/risk/models", response_model=RiskModelList, response_model_exclude_unset=True)
def list_models(db: Db, _reader: Reader) -> dict[str, Any]:
    return {"items": [model_out(r) for r in service.list_models(db)]}


@router.get(
    "/travel/risk/models/{model_id}", response_model=RiskModelOut, response_model_exclude_unset=True
)
def get_model(model_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return model_out(service.get_model(db, model_id), document=True)


@router.post(
    "/travel/risk/models/{model_id}/activate",
    response_model=ActivatedOut,
    response_model_exclude_unset=True,
)
def activate(
    model_id: str, request: Request, now: Now, db: Db, principal: Activator
) -> dict[str, Any]:
    """Activate a model; the travellers of flights not yet arrived are scored again by it."""
    row, scored = activate_model(
        db,
        get_node(request).get(Targeting),
        model_id,
        actor=f"user:{principal.username}",
        now=now,
    )
    return {**model_out(row), "rescored": scored.as_dict()}


class Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: str = Field(pattern=NODE_ID_PATTERN)


@router.post(
    "/travel/risk/models/{model_id}/propose",
    response_model=RiskModelOut,
    response_model_exclude_unset=True,
)
def propose(
    model_id: str, body: Proposal, request: Request, ex: Exchange, db: Db, principal: Activator
) -> dict[str, Any]:
    """Offer a model to the partner for co-signature (it becomes joint when they co-sign)."""
    row = cosign.propose(
        db,
        ex,
        model_id,
        partner=body.partner,
        actor=f"user:{principal.username}",
    )
    return model_out(row)


@router.post(
    "/travel/risk/models/{model_id}/cosign",
    response_model=RiskModelOut,
    response_model_exclude_unset=True,
)
def cosign_model(
    model_id: str, request: Request, ex: Exchange, db: Db, principal: Activator
) -> dict[str, Any]:
    """Co-sign a model the partner proposed: it is joint on both nodes."""
    row = cosign.cosign(db, ex, model_id, actor=f"user:{principal.username}", now=ex.clock())
    return model_out(row)


@router.post("/travel/risk/try", openapi_extra=MODEL_BODY, response_model=TrialOut)
async def try_model(
    request: Request, settings: CurrentSettings, date: Day, db: Db, _editor: Editor
) -> dict[str, Any]:
    """Run a model (not stored) over the travellers of one day: what it would flag."""
    doc = await _document(request)
    node = settings.node_id
    return service.try_model(db, doc, _day(date), node=node).as_dict()


@router.post("/travel/risk/try-condition", response_model=TrialOut)
def try_condition(body: ConditionTrial, db: Db, _editor: Editor) -> dict[str, Any]:
    """How many travellers of a day one condition matches, with examples and why: the live
    preview of the condition builder."""
    return service.try_condition(db, body.condition, _day(body.date)).as_dict()


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationFailed(
            f"'{text}' is not a date", details=[{"location": "date", "message": "not a date"}]
        ) from None
