"""JSON API of joint targeting: the analysts' queue, an assessment's page data, dispositions,
re-scoring, and the board / no-board check (JSON, or an interactive PAXLST answered with a
CUSRES)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange, Now, get_node
from smartborder.roles import Permission
from smartborder.travel.intake.schemas import AssessedOut
from smartborder.travel.targeting import cusres, queue
from smartborder.travel.targeting.boarding import CheckRequest, check
from smartborder.travel.targeting.rows import assessment_out, detail_out
from smartborder.travel.targeting.schemas import (
    AssessmentDetailOut,
    AssessmentPage,
    QueueQuery,
    VerdictOut,
)
from smartborder.travel.targeting.service import Targeting, rescore

router = APIRouter(tags=["joint targeting"])
Reader = Annotated[Principal, Depends(require(Permission.TRAVEL_READ))]
Disposer = Annotated[Principal, Depends(require(Permission.TRAVEL_DISPOSE))]
Checker = Annotated[Principal, Depends(require(Permission.TRAVEL_CHECK))]
Activator = Annotated[Principal, Depends(require(Permission.RISK_MODEL_ACTIVATE))]
CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CheckRequest.model_json_schema()},
            "application/edifact": {"schema": {"type": "string"}},
        },
    }
}


class DispositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(description="new, in review, cleared, referred to secondary, ...")
    note: str = Field("", max_length=4000)


def _targeting(request: Request) -> Targeting:
    found: Targeting = get_node(request).get(Targeting)
    return found


@router.get("/travel/queue", response_model=AssessmentPage)
def list_queue(
    db: Db, principal: Reader, query: Annotated[QueueQuery, Query()], now: Now
) -> dict[str, Any]:
    """The priority vetting list, soonest departure first; ``mine`` keeps the caller's teams."""
    total, rows = queue.list_queue(
        db,
        query.filters(),
        now=now,
        teams=principal.teams,
        limit=query.limit,
        offset=query.offset,
    )
    return {"total": total, "items": [assessment_out(r) for r in rows]}


@router.get("/travel/assessments/{assessment_id}", response_model=AssessmentDetailOut)
def get_assessment(assessment_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return detail_out(queue.detail(db, assessment_id))


@router.post(
    "/travel/assessments/{assessment_id}/dispositions",
    status_code=201,
    response_model=AssessmentDetailOut,
)
def dispose(
    assessment_id: str,
    body: DispositionIn,
    request: Request,
    now: Now,
    ex: Exchange,
    db: Db,
    principal: Disposer,
) -> dict[str, Any]:
    queue.set_disposition(
        db,
        assessment_id,
        status=body.status,
        note=body.note,
        actor=f"user:{principal.username}",
        now=now,
        ex=ex,
    )
    return detail_out(queue.detail(db, assessment_id))


@router.post("/travel/risk/rescore", response_model=AssessedOut)
def rescore_now(request: Request, now: Now, db: Db, principal: Activator) -> dict[str, Any]:
    """Screen and score again every traveller of the flights not yet arrived."""
    return rescore(
        db,
        _targeting(request),
        now=now,
        actor=f"user:{principal.username}",
        reason="asked for",
    ).as_dict()


@router.post(
    "/travel/check",
    openapi_extra=CHECK_BODY,
    response_model=None,
    responses={
        200: {
            "model": VerdictOut,
            "content": {"application/edifact": {"schema": {"type": "string"}}},
            "description": "the decision (JSON), or a CUSRES for an interactive PAXLST",
        }
    },
)
async def board_check(
    request: Request, now: Now, db: Db, principal: Checker
) -> VerdictOut | PlainTextResponse:
    """One traveller and flight (JSON): board / no board / contact the authority, with reasons.
    An interactive PAXLST (``Content-Type: application/edifact``): a CUSRES for its travellers."""
    actor = f"user:{principal.username}"
    raw = await request.body()  # read on the loop; the database work below runs off it
    if request.headers.get("content-type", "").startswith("application/edifact"):
        _, text = await run_in_threadpool(
            cusres.answer, db, _targeting(request), raw, now=now, actor=actor
        )
        return PlainTextResponse(text, media_type="application/edifact")
    try:
        body = CheckRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    decided = await run_in_threadpool(check, db, _targeting(request), body, now=now, actor=actor)
    return VerdictOut.model_validate(decided.as_dict())
