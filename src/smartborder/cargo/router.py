"""Goods API: advance cargo reports (carriers' and forwarders' systems, `cargo:report`),
shipments and late reports (`cargo:read`), and trade parties (program officers,
`cargo:parties`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.cargo import examinations, intake, joint, parties, shipments
from smartborder.cargo.assess import Assessor
from smartborder.deps import Exchange, Now, get_node
from smartborder.roles import Permission
from smartborder.screening.service import Screening

router = APIRouter(tags=["cargo"])
Reader = Annotated[Principal, Depends(require(Permission.CARGO_READ))]
Reporter = Annotated[Principal, Depends(require(Permission.CARGO_REPORT))]
PartyOfficer = Annotated[Principal, Depends(require(Permission.CARGO_PARTIES))]
Targeter = Annotated[Principal, Depends(require(Permission.CARGO_TARGET))]


class ReceivedOut(BaseModel):
    id: str
    state: str
    form: str
    shipments: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    duplicate_of: str | None


class ReportOut(BaseModel):
    id: str
    state: str
    form: str
    source: str
    size: int
    reference: str
    carrier: str
    mode: str
    shipments: int
    strict: bool
    problems: list[dict[str, Any]]
    received_at: str
    received_by: str


class ShipmentOut(BaseModel):
    id: str
    carrier: str
    bill: str
    kind: str
    master_bill: str | None
    mode: str
    fast: bool
    conveyance: dict[str, Any]
    loading_place: str
    loading_at: str | None
    arrival_place: str
    arrival_at: str | None
    destination_country: str
    in_transit: bool
    status: str
    score: int | None
    joint_score: int | None
    late: bool
    late_minutes: int | None
    deadline_at: str | None
    deadline_rule: str
    first_reported_at: str | None
    version: int
    origin: str
    shared_with: list[str]
    routing: list[str] | None = None
    parties: dict[str, Any] | None = None
    containers: list[dict[str, Any]] | None = None
    goods: list[dict[str, Any]] | None = None
    warnings: list[dict[str, Any]] | None = None
    history: list[dict[str, Any]] | None = None
    assessment: dict[str, Any] | None = None
    report_id: str | None = None


class ExaminationOut(BaseModel):
    id: str
    shipment_id: str
    kind: str
    status: str
    reasons: list[str]
    indicators: list[str]
    requested_by: str
    requested_at: str
    partner: str | None
    result: str | None
    findings: str
    done_by: str | None
    done_at: str | None


class StatisticsOut(BaseModel):
    examined: int
    with_finding: int
    yield_: float | None = Field(alias="yield")
    waiting: int
    by_kind: dict[str, dict[str, Any]]
    by_indicator: list[dict[str, Any]]


class PartyOut(BaseModel):
    id: str
    role: str
    identifier: str
    name: str
    country: str
    address: str
    birth_date: str | None
    program: str
    status: str
    hits: list[dict[str, Any]]
    screened_at: str | None
    history: list[dict[str, Any]]
    created_at: str
    updated_at: str
    updated_by: str


@router.post(
    "/cargo/reports", status_code=201, response_model=ReceivedOut,
    responses={200: {"model": ReceivedOut, "description": "a duplicate of a report stored"},
               202: {"model": ReceivedOut,
                     "description": "quarantined: kept with every problem, nothing stored"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/edifact": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}}}}},
)  # fmt: skip
async def receive_report(
    request: Request, now: Now, settings: CurrentSettings, db: Db, principal: Reporter,
    ex: Exchange,
    strict: Annotated[bool, Query(description="refuse the report on any warning")] = False,
) -> Any:  # fmt: skip
    """Receive one advance cargo report: the JSON form or a UN/EDIFACT CUSCAR interchange.
    201 when its shipments are stored (each with its deadline compliance, warnings kept), 202
    when quarantined (every problem located; nothing of it stored; the bytes kept), 200 for a
    duplicate of a report already stored."""
    data = await request.body()
    result = intake.receive(db, data, source=f"api:{principal.username}",
                            actor=f"user:{principal.username}", now=now,
                            country=settings.country,
                            max_bytes=settings.travel_max_message_bytes, strict=strict,
                            scorer=Assessor(get_node(request).get(Screening), now.date(),
                                            settings.node_id, ex,
                                            f"user:{principal.username}"))  # fmt: skip
    status = {"stored": 201, "quarantined": 202, "duplicate": 200}[result.state]
    return JSONResponse(result.as_dict(), status_code=status)


@router.get("/cargo/reports", response_model=list[ReportOut])
def list_reports(
    db: Db, _reader: Reader,
    state: Annotated[str | None, Query(pattern="^(stored|quarantined|duplicate)$")] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Reports received, newest first (at most 200); ``state=quarantined`` is the quarantine."""
    return [intake.report_out(r) for r in intake.reports(db, state)]


@router.get("/cargo/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return intake.report_out(intake.get_report(db, report_id))


@router.get("/cargo/shipments", response_model=list[ShipmentOut],
            response_model_exclude_none=True)  # fmt: skip
def list_shipments(
    db: Db, _reader: Reader,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(shipments.STATES) + ")$")] = None,
    mode: Annotated[str | None, Query(pattern="^(marine|air|rail|highway)$")] = None,
    late: bool | None = None, in_transit: bool | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Shipments by arrival, latest first (at most 200): ``late=true`` lists the reports made
    after their deadline (``since``/``until`` bound when they were first reported), each with
    the rule and by how many minutes."""
    rows = shipments.listing(db, status=status, mode=mode, late=late, in_transit=in_transit,
                             since=since, until=until)  # fmt: skip
    return [shipments.shipment_out(r, full=False) for r in rows]


@router.get("/cargo/shipments/{shipment_id}", response_model=ShipmentOut)
def get_shipment(shipment_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    """One shipment with its parties, containers, goods, warnings, versions and score."""
    return shipments.shipment_out(shipments.get(db, shipment_id))


@router.post("/cargo/parties", response_model=PartyOut, status_code=201)
def register_party(request: Request, principal: PartyOfficer, db: Db, ex: Exchange,
                   body: parties.PartyIn) -> dict[str, Any]:  # fmt: skip
    """Register an importer, exporter, carrier, forwarder or driver; screened at once. One that
    asks for C-TPAT, PIP or FAST waits (pending) for an officer's decision."""
    row = parties.register(db, get_node(request).get(Screening), body,
                           actor=principal.username, now=ex.clock())  # fmt: skip
    return parties.party_out(row)


@router.get("/cargo/parties", response_model=list[PartyOut])
def list_parties(
    db: Db, _reader: Reader,
    role: Annotated[str | None, Query(pattern="^(" + "|".join(parties.ROLES) + ")$")] = None,
    status: Annotated[str | None, Query(
        pattern="^(registered|pending|approved|suspended|refused)$")] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Trade parties by role and identifier (at most 500)."""
    return [parties.party_out(r) for r in parties.listing(db, role, status)]


@router.get("/cargo/parties/{party_id}", response_model=PartyOut)
def get_party(party_id: str, db: Db, _reader: Reader) -> dict[str, Any]:
    return parties.party_out(parties.get(db, party_id))


@router.post("/cargo/parties/{party_id}/decision", response_model=PartyOut)
def decide_party(party_id: str, principal: PartyOfficer, db: Db, ex: Exchange,
                 body: parties.PartyDecision) -> dict[str, Any]:  # fmt: skip
    """Approve, refuse, suspend or reinstate a party's program status, with reasons (approving
    one screening names needs ``hits_cleared``: why the hits are not this party)."""
    return parties.party_out(parties.decide(db, party_id, body, actor=principal.username,
                                            now=ex.clock()))  # fmt: skip


@router.post("/cargo/parties/{party_id}/screening", response_model=PartyOut)
def rescreen_party(request: Request, party_id: str, principal: PartyOfficer, db: Db,
                   ex: Exchange) -> dict[str, Any]:  # fmt: skip
    """Screen a party again against the lookouts as they are now."""
    row = parties.rescreen(db, get_node(request).get(Screening), party_id,
                           actor=principal.username, now=ex.clock())  # fmt: skip
    return parties.party_out(row)


@router.get("/cargo/queue", response_model=list[ShipmentOut], response_model_exclude_none=True)
def targeting_queue(db: Db, _reader: Reader) -> list[dict[str, Any]]:
    """The targeting queue: shipments in review or held, highest score first (at most 200),
    each with its assessment (the score, the indicators and what each saw, the reasons)."""
    return [shipments.shipment_out(r) for r in examinations.queue(db)]


@router.post("/cargo/shipments/{shipment_id}/release", response_model=ShipmentOut)
def release_shipment(shipment_id: str, principal: Targeter, db: Db, ex: Exchange,
                     body: examinations.ReleaseIn) -> dict[str, Any]:  # fmt: skip
    """Release a shipment in review or held, with reasons."""
    return shipments.shipment_out(examinations.release(db, shipment_id, body,
                                                       actor=principal.username,
                                                       now=ex.clock()))  # fmt: skip


@router.post("/cargo/shipments/{shipment_id}/examinations", response_model=ExaminationOut,
             status_code=201)  # fmt: skip
def refer_shipment(shipment_id: str, principal: Targeter, db: Db, ex: Exchange,
                   body: examinations.ReferralIn) -> dict[str, Any]:  # fmt: skip
    """Refer a shipment for a document check, a non-intrusive scan (``nii``) or a physical
    examination, with reasons. On a shipment a partner shared, the partner is asked (its cargo
    annex must be in force) and its result comes back."""
    return examinations.exam_out(joint.refer(db, ex, shipment_id, body,
                                             actor=principal.username))  # fmt: skip


@router.get("/cargo/examinations", response_model=list[ExaminationOut])
def list_examinations(
    db: Db, _reader: Reader,
    status: Annotated[str | None, Query(pattern="^(requested|done)$")] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Examinations, newest first (at most 200)."""
    return [examinations.exam_out(e) for e in examinations.listing(db, status)]


@router.post("/cargo/examinations/{exam_id}/result", response_model=ExaminationOut)
def record_result(exam_id: str, principal: Targeter, db: Db, ex: Exchange,
                  body: examinations.ResultIn) -> dict[str, Any]:  # fmt: skip
    """Record what an examination found: the shipment is released, or held on a seizure; one a
    partner asked for sends the result back."""
    return examinations.exam_out(joint.record(db, ex, exam_id, body,
                                              actor=principal.username))  # fmt: skip


@router.get("/cargo/statistics", response_model=StatisticsOut, response_model_by_alias=True)
def model_statistics(db: Db, _reader: Reader) -> dict[str, Any]:
    """What examinations found, overall, by kind and by indicator (each indicator's yield)."""
    return examinations.statistics(db)
