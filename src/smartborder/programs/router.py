"""Trusted-traveller API: applications, for program officers (auditors read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange, get_node
from smartborder.programs import applications, service, vetting
from smartborder.roles import Permission
from smartborder.screening.service import Screening

router = APIRouter(tags=["programs"])
Officer = Annotated[Principal, Depends(require(Permission.PROGRAMS_MANAGE))]
Reader = Annotated[Principal, Depends(require(Permission.PROGRAMS_READ))]


class ApplicationOut(BaseModel):
    id: str
    reference: str
    program: str
    applicant: str
    birth_date: str
    status: str
    reasons: list[dict[str, str]]
    fee: dict[str, Any]
    vetting: dict[str, Any]
    application: dict[str, Any]
    created_at: str
    created_by: str
    updated_at: str


@router.post("/programs/applications", response_model=ApplicationOut, status_code=201)
def submit(
    request: Request, principal: Officer, db: Db, ex: Exchange, body: applications.ApplicationIn
) -> dict[str, Any]:
    """Submit a NEXUS or FAST application: judged eligible (it waits for vetting by both
    countries) or ineligible with its reasons, each citing its rule, and the fee set. One that
    cannot be judged as given (a gap in the five years of history, a document of another
    person, a minor without a guardian, an unknown country): 422 with each problem's field,
    and nothing is stored."""
    row = service.submit(db, ex, get_node(request).get(Screening), body,
                         actor=principal.username)  # fmt: skip
    return service.application_out(row)


@router.get("/programs/applications", response_model=list[ApplicationOut])
def list_applications(
    principal: Reader,
    db: Db,
    status: Annotated[str | None, Query(pattern="^(vetting|ineligible|approved|denied)$")] = None,
) -> list[dict[str, Any]]:
    """Applications, newest first (at most 200)."""
    return [service.application_out(r) for r in service.listing(db, status)]


@router.get("/programs/applications/{reference}", response_model=ApplicationOut)
def show_application(principal: Reader, db: Db, reference: str) -> dict[str, Any]:
    """One application by its reference number."""
    return service.application_out(service.get(db, reference))


class DecisionIn(BaseModel):
    decision: str = Field(pattern="^(approve|deny)$")
    reason_codes: list[str] = Field(default_factory=list, max_length=6)
    note: str = Field(default="", max_length=2000)


class VettingOut(BaseModel):
    id: str
    reference: str
    partner: str
    program: str
    applicant: dict[str, Any]
    state: str
    hits: list[dict[str, Any]]
    decision: str | None
    reason_codes: list[str]
    note: str
    created_at: str
    decided_at: str | None
    decided_by: str | None


class QueueOut(BaseModel):
    own: list[dict[str, Any]]
    partners: list[dict[str, Any]]


@router.get("/programs/vetting", response_model=QueueOut)
def vetting_queue(principal: Officer, db: Db) -> dict[str, Any]:
    """The officers' vetting queue: this node's applicants with hits waiting for its decision,
    and partners' applicants held here with hits."""
    return vetting.queue(db)


@router.post("/programs/applications/{reference}/decision", response_model=ApplicationOut)
def decide_own(
    principal: Officer, db: Db, ex: Exchange, reference: str, body: DecisionIn
) -> dict[str, Any]:
    """This node's decision on one of its applicants held for review (approve, or deny with
    the annex's reason codes); a denial ends the application."""
    row = vetting.decide_own(db, ex, reference, decision=body.decision,
                             reason_codes=body.reason_codes, note=body.note,
                             actor=principal.username)  # fmt: skip
    return service.application_out(row)


@router.post("/programs/vetting/{vetting_id}/decision", response_model=VettingOut)
def decide_partner(
    principal: Officer, db: Db, ex: Exchange, vetting_id: str, body: DecisionIn
) -> dict[str, Any]:
    """This node's decision on a partner's applicant held for review; the partner receives the
    decision and the reason codes only."""
    row = vetting.decide_partner(db, ex, vetting_id, decision=body.decision,
                                 reason_codes=body.reason_codes, note=body.note,
                                 actor=principal.username)  # fmt: skip
    return vetting.vetting_out(row)
