"""Asylum API: claims with their history and STCA determinations, and the Asylum Annex's
comparisons; for asylum officers (auditors read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from smartborder.asylum import claims, comparisons, reconcile, records, stca
from smartborder.asylum.models import AsylumComparison
from smartborder.auth import CurrentSettings, Db, Principal, WriteDb, require
from smartborder.deps import Exchange
from smartborder.roles import Permission

router = APIRouter(tags=["asylum"])
Officer = Annotated[Principal, Depends(require(Permission.ASYLUM_DETERMINE))]
Reader = Annotated[Principal, Depends(require(Permission.ASYLUM_READ))]


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


class StoredDeterminationOut(BaseModel):
    id: str
    claim_version: int
    rules: str
    outcome: str
    current: bool
    made_at: str
    made_by: str
    steps: list[StepOut]
    exceptions: list[dict[str, Any]]
    missing: list[dict[str, str]]
    deadline: str | None
    interpretation: list[str]


class ComparisonOut(BaseModel):
    id: str
    reference: str
    direction: str
    partner: str
    agreement: str
    claim_id: str | None
    state: str
    result: str | None
    answer: dict[str, Any]
    created_at: str
    created_by: str
    answered_at: str | None
    envelopes: list[dict[str, Any]]
    query_held: bool


class ClaimOut(BaseModel):
    id: str
    reference: str
    claim_date: str
    claimant: dict[str, Any]
    facts: dict[str, Any]
    location: str
    persecution_in: list[str]
    status: str
    decision: dict[str, Any]
    biometric_subject: str | None
    charges: list[dict[str, Any]]
    partner_claims: list[dict[str, Any]]
    version: int
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    determination: StoredDeterminationOut | None


class ClaimRecorded(BaseModel):
    claim: ClaimOut
    comparisons: list[ComparisonOut]
    not_compared: list[str]  # partners the claimant was not sent to, and why


class ChangeOut(BaseModel):
    version: int
    at: str
    by: str
    reason: str
    changes: list[dict[str, Any]]


class ClaimDetailOut(BaseModel):
    claim: ClaimOut
    changes: list[ChangeOut]
    determinations: list[StoredDeterminationOut]
    comparisons: list[ComparisonOut]


class ClaimChanged(BaseModel):
    claim: ClaimOut
    redetermined: bool


@router.post("/asylum/stca/determinations", response_model=DeterminationOut)
def determine(principal: Officer, settings: CurrentSettings, facts: stca.Facts) -> dict[str, Any]:
    """The Safe Third Country Agreement determination for a claim's facts: ineligible, an
    exception (which, with its evidence), not applicable (why), or undetermined (the facts to
    ask), each step citing its provision. Nothing is stored (see ``POST /asylum/claims``).
    Contradictory facts: 422 with each field."""
    return stca.determine(facts, settings.country).as_dict()


@router.post("/asylum/claims", response_model=ClaimRecorded, status_code=201)
def record_claim(principal: Officer, db: Db, ex: Exchange, body: claims.ClaimIn) -> dict[str, Any]:
    """Record a claim: it is determined at once (the determination is stored and audited), and
    the claimant is sent for comparison to every partner the Asylum Annex is in force with
    (never one the claimant alleges persecution in). Contradictory facts, unknown countries:
    422 with each field; nothing is written."""
    row, determination = claims.create(db, body, actor=principal.username, now=ex.clock(),
                                       country=ex.settings.country)  # fmt: skip
    sent, skipped = comparisons.compare_new(db, ex, row, actor=principal.username)
    return {"claim": claims.claim_out(row, determination),
            "comparisons": [comparisons.comparison_out(c) for c in sent],
            "not_compared": skipped}  # fmt: skip


@router.get("/asylum/claims", response_model=list[ClaimOut])
def list_claims(
    principal: Reader,
    db: Db,
    name: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Claims, newest first (at most 200), with their current determinations."""
    rows = claims.listing(db, name=name, status=status)
    return [claims.claim_out(r, claims.current(db, r.id)) for r in rows]


@router.get("/asylum/claims/{claim_id}", response_model=ClaimDetailOut)
def show_claim(principal: Reader, db: WriteDb, claim_id: str) -> dict[str, Any]:
    """A claim (by id or reference) with its versions, every determination made of it, and
    its comparisons with partners. Each reading is audited (so this GET writes)."""
    return records.detail(db, claim_id, actor=principal.username)


@router.patch("/asylum/claims/{claim_id}", response_model=ClaimChanged)
def change_claim(
    principal: Officer, db: Db, ex: Exchange, claim_id: str, body: claims.ClaimChange
) -> dict[str, Any]:
    """Change a claim's facts (only those named), status, decision: a new version, with the
    reason; the claim is determined again when its facts changed. 422 with each field when the
    result would contradict itself; nothing is written."""
    row, made = claims.change(db, claim_id, body, actor=principal.username, now=ex.clock(),
                              country=ex.settings.country)  # fmt: skip
    return {"claim": claims.claim_out(row, claims.current(db, row.id)),
            "redetermined": made is not None}  # fmt: skip


@router.post("/asylum/claims/{claim_id}/comparisons", response_model=ComparisonOut, status_code=201)
def compare_claim(
    principal: Officer, db: Db, ex: Exchange, claim_id: str,
    partner: Annotated[str, Query(min_length=1, max_length=32)],
) -> dict[str, Any]:  # fmt: skip
    """Compare a claim's claimant with ``partner``'s claimants again (after a change, say).
    409 when the annex is not in force, or the claimant alleges persecution there."""
    row = claims.get(db, claim_id)
    sent: AsylumComparison = comparisons.send(db, ex, row, partner=partner,
                                              actor=principal.username)  # fmt: skip
    return comparisons.comparison_out(sent)


@router.get("/asylum/comparisons", response_model=list[ComparisonOut])
def list_comparisons(
    principal: Reader,
    db: Db,
    direction: Annotated[str | None, Query(pattern="^(in|out)$")] = None,
) -> list[dict[str, Any]]:
    """Comparisons sent (``out``) and answered for partners (``in``), newest first."""
    return [comparisons.comparison_out(c) for c in comparisons.listing(db, direction=direction)]


class ExportOut(BaseModel):
    country: str  # the partner country it is for
    records: list[dict[str, Any]]


@router.get("/asylum/claimants-export", response_model=ExportOut)
def export_claimants(principal: Officer, db: WriteDb, settings: CurrentSettings) -> dict[str, Any]:
    """This node's claimants for the partner's reconciliation, as the Asylum Annex permits
    (never one alleging persecution in the partner country). Audited (so this GET writes)."""
    country = comparisons.partner_country(settings.country)
    return {"country": country,
            "records": reconcile.export_for_partner(db, country, principal.username)}  # fmt: skip


class ReconciliationIn(BaseModel):
    partner: str = Field(min_length=1, max_length=32)
    records: list[dict[str, Any]] = Field(max_length=200_000)
    threshold: float = Field(reconcile.THRESHOLD, gt=0, lt=1)
    splink_defaults: bool = False


class ReconciliationOut(BaseModel):
    partner: str
    engine: str
    settings: str
    records: list[int]
    threshold: float
    pairs_found: int
    expected_precision: float | None
    missed_at_intake: int
    seconds: dict[str, float]
    pairs: list[dict[str, Any]]


@router.post("/asylum/reconciliations", response_model=ReconciliationOut)
def reconcile_with(
    principal: Officer, db: Db, settings: CurrentSettings, body: ReconciliationIn
) -> dict[str, Any]:
    """Link this node's claimants with a partner's export (``smartborder asylum
    export-claimants`` on its side) with Splink on DuckDB: the pairs over the threshold with
    their match weights, the precision the model expects, and the pairs the intake comparison
    missed. A bad record: 422 naming it and its field. (Spark: the CLI's ``--engine spark``.)"""
    reconcile.check_rows(body.records, "records")
    made = reconcile.reconcile(
        db, body.partner, comparisons.partner_country(settings.country), body.records,
        actor=principal.username, threshold=body.threshold, tuned=not body.splink_defaults,
    )  # fmt: skip
    made.pop("measured", None)
    return made
