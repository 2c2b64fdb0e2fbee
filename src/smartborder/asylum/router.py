"""Asylum API: Safe Third Country Agreement determinations for asylum officers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from smartborder.asylum import stca
from smartborder.auth import Principal, require
from smartborder.roles import Permission

router = APIRouter(tags=["asylum"])
Officer = Annotated[Principal, Depends(require(Permission.ASYLUM_DETERMINE))]


class StepOut(BaseModel):
    cite: str
    finding: str
    facts: dict[str, Any]


class DeterminationOut(BaseModel):
    outcome: str
    version: str
    steps: list[StepOut]
    exceptions: list[dict[str, Any]]
    missing: list[dict[str, str]]
    deadline: str | None
    interpretation: list[str]


@router.post("/asylum/stca/determinations", response_model=DeterminationOut)
def determine(principal: Officer, facts: stca.Facts) -> dict[str, Any]:
    """The Safe Third Country Agreement determination for a claim's facts: ineligible, an
    exception (which, with its evidence), not applicable (why), or undetermined (the facts to
    ask), each step citing its provision. Contradictory facts: 422 with each field."""
    return stca.determine(facts).as_dict()
