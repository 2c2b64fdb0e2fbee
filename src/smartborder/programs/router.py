"""Trusted-traveller API: applications and vetting, interviews and enrolment, memberships and
their status, carriers and importers (program officers; auditors read), and the lane and
kiosk decision (officers at the lanes, `programs:lane`)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from smartborder.auth import Db, Principal, require
from smartborder.biometrics.service import Biometrics
from smartborder.deps import Exchange, get_node
from smartborder.errors import ValidationFailed
from smartborder.programs import (
    applications,
    enrolment,
    lane,
    membership,
    recheck,
    service,
    vetting,
)
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


# ---- enrolment ---------------------------------------------------------------------------------

Lane = Annotated[Principal, Depends(require(Permission.PROGRAMS_LANE))]
Sample = Annotated[str, Field(min_length=1, max_length=lane.MAX_IMAGE)]


class BookingIn(BaseModel):
    reference: str = Field(min_length=1, max_length=20)
    centre: str = Field(min_length=1, max_length=40)
    day: dt.date


class InterviewOut(BaseModel):
    id: str
    reference: str
    centre: str
    day: str
    state: str
    quality: dict[str, Any] | None
    duplicates: list[dict[str, Any]]
    finding: dict[str, Any] | None
    card_number: str | None
    booked_at: str
    booked_by: str


class FreeDayOut(BaseModel):
    day: str
    left: int


class CaptureIn(BaseModel):
    """The samples captured at the interview, base64: images (or templates)."""

    face: Sample
    fingerprints: list[Sample] = Field(min_length=1, max_length=10)
    iris: Sample | None = None


class FindingIn(BaseModel):
    finding: str = Field(pattern="^(distinct|duplicate)$")
    note: str = Field(min_length=1, max_length=2000)


def _galleries(request: Request) -> Biometrics:
    found: Biometrics = get_node(request).get(Biometrics)
    return found


@router.get("/programs/centres/{centre}/free-days", response_model=list[FreeDayOut])
def free_days(principal: Reader, db: Db, ex: Exchange, centre: str) -> list[dict[str, Any]]:
    """The next working days with room at an enrolment centre, with the places left."""
    return enrolment.free_days(db, centre, ex.clock().date(), 10)


@router.post("/programs/interviews", response_model=InterviewOut, status_code=201)
def book(principal: Officer, db: Db, ex: Exchange, body: BookingIn) -> dict[str, Any]:
    """Book an approved applicant's interview at a centre on a working day: 409 when the day
    is full (with the next free days), 422 for a day that is not bookable."""
    row = enrolment.book(db, body.reference, body.centre, body.day, actor=principal.username,
                         now=ex.clock())  # fmt: skip
    return enrolment.interview_out(row)


@router.get("/programs/interviews", response_model=list[InterviewOut])
def list_interviews(
    principal: Reader, db: Db, centre: str | None = None, day: dt.date | None = None,
    state: Annotated[str | None, Query(pattern="^(booked|held|enrolled|refused|cancelled)$")]
    = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Interviews by day (a centre's day sheet, with ``centre`` and ``day``)."""
    return [enrolment.interview_out(r)
            for r in enrolment.interviews(db, centre=centre, day=day, state=state)]  # fmt: skip


def _samples(body: CaptureIn) -> enrolment.Samples:
    def raw(text: str, field: str) -> bytes:
        try:
            return base64.b64decode(text, validate=True)
        except ValueError as exc:
            where = [{"field": field, "problem": "not base64"}]
            raise ValidationFailed(f"{field}: not base64", details=where) from exc

    return enrolment.Samples(
        raw(body.face, "face"),
        [raw(p, f"fingerprints[{n}]") for n, p in enumerate(body.fingerprints)],
        raw(body.iris, "iris") if body.iris else None,
    )


@router.post("/programs/interviews/{interview_id}/enrolment", response_model=InterviewOut)
def enrol(
    request: Request, principal: Officer, db: Db, ex: Exchange, interview_id: str,
    body: CaptureIn,
) -> dict[str, Any]:  # fmt: skip
    """Hold the interview: each sample's quality checked (422 with every unusable one, nothing
    stored), the person checked against every member, then the card issued and the membership
    shared with the partner, or the interview held for an officer on a possible duplicate."""
    row = enrolment.enrol(db, ex, _galleries(request), interview_id, _samples(body),
                          actor=principal.username)  # fmt: skip
    return enrolment.interview_out(row)


@router.post("/programs/interviews/{interview_id}/finding", response_model=InterviewOut)
def resolve(
    request: Request, principal: Officer, db: Db, ex: Exchange, interview_id: str,
    body: FindingIn,
) -> dict[str, Any]:  # fmt: skip
    """An officer's finding on an interview held for a possible duplicate: ``distinct`` (the
    card is issued) or ``duplicate`` (refused: one person, one membership)."""
    row = enrolment.resolve(db, ex, _galleries(request), interview_id, finding=body.finding,
                            note=body.note, actor=principal.username)  # fmt: skip
    return enrolment.interview_out(row)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/programs/interviews/{interview_id}/cancel", response_model=InterviewOut)
def cancel(
    principal: Officer, db: Db, ex: Exchange, interview_id: str, body: CancelIn
) -> dict[str, Any]:
    """Cancel a booked interview (its place is freed; the applicant may book another) or end
    one held for an officer without a card, with the reason (409 once enrolled or ended)."""
    row = enrolment.cancel(db, interview_id, reason=body.reason, actor=principal.username,
                           now=ex.clock())  # fmt: skip
    return enrolment.interview_out(row)


# ---- memberships, the lane, carriers and importers -----------------------------------------------


class MembershipOut(BaseModel):
    id: str
    card_number: str
    rfid: str
    origin: str
    reference: str
    program: str
    modes: list[str]
    member: str
    birth_date: str
    nationality: str | None
    status: str
    issued_on: str
    expires_on: str
    biometrics: list[str]
    history: list[dict[str, Any]]
    flags: list[dict[str, Any]]


class StatusChangeIn(BaseModel):
    action: str = Field(pattern="^(suspend|cancel|reinstate)$")
    reasons: list[Annotated[str, Field(max_length=500)]] = Field(min_length=1, max_length=10)


@router.get("/programs/memberships", response_model=list[MembershipOut])
def list_memberships(
    principal: Reader, db: Db, ex: Exchange,
    status: Annotated[str | None, Query(pattern="^(active|suspended|cancelled)$")] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Memberships issued here and shared by the partner, latest changed first (at most 200)."""
    today = ex.clock().date()
    return [membership.membership_out(r, today) for r in membership.listing(db, status)]


@router.get("/programs/memberships/{card}", response_model=MembershipOut)
def show_membership(principal: Reader, db: Db, ex: Exchange, card: str) -> dict[str, Any]:
    """One membership by card number or RFID tag id, with its history."""
    return membership.membership_out(membership.find(db, card), ex.clock().date())


@router.post("/programs/memberships/{card}/status", response_model=MembershipOut)
def change_status(
    principal: Officer, db: Db, ex: Exchange, card: str, body: StatusChangeIn
) -> dict[str, Any]:
    """Suspend, cancel or reinstate a membership with written reasons; the partner applies it
    on receipt, so the card is refused at both countries' lanes. Only the country that
    suspended may reinstate; a cancellation is final (409)."""
    row = membership.change(db, ex, card, action=body.action, reasons=body.reasons,
                            actor=principal.username)  # fmt: skip
    return membership.membership_out(row, ex.clock().date())


class DismissIn(BaseModel):
    reasons: list[Annotated[str, Field(max_length=500)]] = Field(min_length=1, max_length=10)


@router.get("/programs/flagged", response_model=list[MembershipOut])
def flagged(principal: Reader, db: Db, ex: Exchange) -> list[dict[str, Any]]:
    """Active memberships a lookout made since their approval names (open flags), for an
    officer to suspend or dismiss."""
    today = ex.clock().date()
    return [membership.membership_out(r, today) for r in recheck.flagged(db)]


@router.post("/programs/memberships/{card}/dismiss", response_model=MembershipOut)
def dismiss(principal: Officer, db: Db, ex: Exchange, card: str, body: DismissIn) -> dict[str, Any]:
    """Close a membership's open flags as another person's (or needing nothing), with written
    reasons (409 when none is open)."""
    row = recheck.dismiss(db, card, reasons=body.reasons, actor=principal.username,
                          now=ex.clock())  # fmt: skip
    return membership.membership_out(row, ex.clock().date())


class CheckOut(BaseModel):
    check: str
    passed: bool
    reason: str


class LaneOut(BaseModel):
    decision: str
    reasons: list[str]
    checks: list[CheckOut]
    card: str
    member: MembershipOut | None
    decided_at: str


@router.post("/programs/lane", response_model=LaneOut)
def at_the_lane(
    request: Request, principal: Lane, db: Db, ex: Exchange, body: lane.LaneIn
) -> dict[str, Any]:
    """A card read at a booth or kiosk with the face (or iris) captured now: **admit** to the
    trusted lane or **refer**, with every check and its reason (the card, the membership's
    status and mode, the biometric 1:1, screening of the moment; for FAST the carrier, the
    importer and the shipment). Audited."""
    return lane.decide(db, get_node(request).get(Screening), body, actor=principal.username,
                       now=ex.clock())  # fmt: skip
