"""Trusted-traveller API: applications, for program officers (auditors read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now
from smartborder.programs import applications, service
from smartborder.roles import Permission

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
    application: dict[str, Any]
    created_at: str
    created_by: str
    updated_at: str


@router.post("/programs/applications", response_model=ApplicationOut, status_code=201)
def submit(
    principal: Officer, db: Db, now: Now, body: applications.ApplicationIn
) -> dict[str, Any]:
    """Submit a NEXUS or FAST application: judged eligible (it waits for vetting by both
    countries) or ineligible with its reasons, each citing its rule, and the fee set. One that
    cannot be judged as given (a gap in the five years of history, a document of another
    person, a minor without a guardian, an unknown country): 422 with each problem's field,
    and nothing is stored."""
    row = service.submit(db, body, actor=principal.username, now=now)
    return service.application_out(row)


@router.get("/programs/applications", response_model=list[ApplicationOut])
def list_applications(
    principal: Reader,
    db: Db,
    status: Annotated[str | None, Query(pattern="^(vetting|ineligible)$")] = None,
) -> list[dict[str, Any]]:
    """Applications, newest first (at most 200)."""
    return [service.application_out(r) for r in service.listing(db, status)]


@router.get("/programs/applications/{reference}", response_model=ApplicationOut)
def show_application(principal: Reader, db: Db, reference: str) -> dict[str, Any]:
    """One application by its reference number."""
    return service.application_out(service.get(db, reference))
