"""Joint removals API: cases, operations and their manifests (`removals:read`), and the
officers' steps (`removals:manage`: supervisors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange
from smartborder.removals import service
from smartborder.roles import Permission

router = APIRouter(tags=["removals"])
Reader = Annotated[Principal, Depends(require(Permission.REMOVALS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.REMOVALS_MANAGE))]


class CaseOut(BaseModel):
    id: str
    reference: str
    surname: str
    given_names: str
    birth_date: str
    nationality: str
    order_reference: str
    order_date: str
    destination: str
    escorts: int
    escort_notes: str
    document: dict[str, Any]
    status: str
    history: list[dict[str, Any]]
    created_at: str


class EntryOut(BaseModel):
    id: str
    operation_id: str
    country: str
    case_reference: str
    person: dict[str, Any]
    document: dict[str, Any]
    escorts: int
    state: str
    reasons: list[str]
    outcome: str | None
    outcome_reason: str


class OperationOut(BaseModel):
    id: str
    reference: str
    organiser: str
    partner: str
    destination: str
    flight: str
    departs: str
    seats: dict[str, int]
    escorts: dict[str, int]
    status: str
    entries: list[EntryOut]
    manifest: list[EntryOut]


class ProposalIn(BaseModel):
    case: str


@router.post("/removals/cases", response_model=CaseOut, status_code=201)
def create_case(body: service.CaseIn, db: Db, ex: Exchange, principal: Manager) -> Any:
    """Open a removal case; its travel document is read and checked from the MRZ."""
    row = service.create_case(db, body, actor=principal.username, now=ex.clock())
    return service.case_out(row)


@router.get("/removals/cases", response_model=list[CaseOut])
def list_cases(db: Db, principal: Reader) -> Any:
    return [service.case_out(r) for r in service.cases(db)]


@router.get("/removals/cases/{case_id}", response_model=CaseOut)
def read_case(case_id: str, db: Db, principal: Reader) -> Any:
    return service.case_out(service.get_case(db, case_id))


@router.post("/removals/operations", response_model=OperationOut, status_code=201)
def create_operation(body: service.OperationIn, db: Db, ex: Exchange, principal: Manager
                     ) -> Any:  # fmt: skip
    """Plan a joint removal flight; the partner hears of it under the removals annex."""
    row = service.create_operation(db, ex, body, actor=principal.username)
    return service.operation_out(db, row)


@router.get("/removals/operations", response_model=list[OperationOut])
def list_operations(db: Db, principal: Reader) -> Any:
    return [service.operation_out(db, r) for r in service.operations(db)]


@router.get("/removals/operations/{operation_id}", response_model=OperationOut)
def read_operation(operation_id: str, db: Db, principal: Reader) -> Any:
    return service.operation_out(db, service.get_operation(db, operation_id))


@router.post("/removals/operations/{operation_id}/proposals", response_model=EntryOut,
             status_code=201)  # fmt: skip
def propose(operation_id: str, body: ProposalIn, db: Db, ex: Exchange, principal: Manager
            ) -> Any:  # fmt: skip
    """Propose one of this node's removees (a valid travel document for the flight needed)."""
    entry = service.propose(db, ex, operation_id, body.case, actor=principal.username)
    return service.entry_out(entry)


@router.post("/removals/manifest/{entry_id}/decision", response_model=EntryOut)
def decide(entry_id: str, body: service.DecisionIn, db: Db, ex: Exchange, principal: Manager
           ) -> Any:  # fmt: skip
    """The organiser accepts or refuses a partner's removee (refusals with reasons)."""
    return service.entry_out(service.decide(db, ex, entry_id, body, actor=principal.username))


@router.post("/removals/manifest/{entry_id}/outcome", response_model=EntryOut)
def outcome(entry_id: str, body: service.OutcomeIn, db: Db, ex: Exchange, principal: Manager
            ) -> Any:  # fmt: skip
    """After the flight: removed, or not removed with why (the proposing country hears it)."""
    entry = service.record_outcome(db, ex, entry_id, body, actor=principal.username)
    return service.entry_out(entry)
