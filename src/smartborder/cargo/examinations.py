"""The targeting queue and examinations.

Shipments in **review** (or **held**) wait in the queue, highest score first. A targeter either
releases one, with reasons, or refers it for an examination: a **document** check, a
**non-intrusive** scan (NII: X-ray, gamma, radiation portal) or a **physical** examination,
with reasons; the indicators that fired are kept with the referral. The result (no finding, a
discrepancy, a seizure) settles the shipment (released, or held on a seizure) and feeds the
model's statistics: for each indicator, how many of the shipments it flagged were examined and
how many of those held something (``statistics``).

A referral on a shipment a partner shared is a request to the partner (joint.py); an
examination a partner asked for sends its result back when it is recorded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.cargo import shipments
from smartborder.cargo.models import Examination, Shipment
from smartborder.errors import Conflict, NotFound

KINDS = ("document", "nii", "physical")
RESULTS = ("no-finding", "discrepancy", "seizure")
FINDINGS = frozenset({"discrepancy", "seizure"})


def _reasons(value: list[str]) -> list[str]:
    kept = [r.strip() for r in value if r.strip()]
    if not kept:
        raise ValueError("give at least one reason")
    return kept


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["document", "nii", "physical"]
    reasons: list[str] = Field(min_length=1, max_length=10)
    _check = field_validator("reasons")(_reasons)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: list[str] = Field(min_length=1, max_length=10)
    _check = field_validator("reasons")(_reasons)


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Literal["no-finding", "discrepancy", "seizure"]
    findings: str = Field("", max_length=4000, description="what was found, or checked")


def queue(session: Session, limit: int = 200) -> Sequence[Shipment]:
    """Shipments waiting for a targeter: in review or held, highest score first."""
    return session.scalars(
        select(Shipment).where(Shipment.status.in_(("review", "held")))
        .order_by(Shipment.score.desc().nulls_last(), Shipment.arrival_at).limit(limit)
    ).all()  # fmt: skip


def _event(row: Shipment, event: str, actor: str, now: dt.datetime, **details: Any) -> None:
    row.history = [*row.history, {"version": row.version, "at": now.isoformat(),
                                  "event": event, "by": actor, **details}]  # fmt: skip
    row.updated_at = now


def release(session: Session, shipment_id: str, given: ReleaseIn, *, actor: str,
            now: dt.datetime) -> Shipment:  # fmt: skip
    row = shipments.get(session, shipment_id)
    if row.status not in ("review", "held"):
        raise Conflict(f"shipment {row.bill} is {row.status}; only one in review or held is "
                       "released by a targeter")  # fmt: skip
    row.status = "released"
    _event(row, "released", actor, now, reasons=given.reasons)
    chain.append(session, "cargo:shipment:released", actor=actor, subject=row.id,
                 details={"bill": row.bill, "reasons": given.reasons}, at=now)  # fmt: skip
    return row


def refer(session: Session, shipment_id: str, given: ReferralIn, *, actor: str, now: dt.datetime,
          partner: str | None = None,
          partner_reference: str | None = None) -> Examination:  # fmt: skip
    """Refer a shipment for an examination (``partner``: at that partner's request)."""
    row = shipments.get(session, shipment_id)
    if row.status == "cancelled":
        raise Conflict(f"shipment {row.bill} was cancelled by its carrier")
    open_one = session.scalars(select(Examination).where(
        Examination.shipment_id == row.id, Examination.status == "requested")).first()  # fmt: skip
    if open_one is not None and partner is None:
        raise Conflict(f"shipment {row.bill} already waits for a {open_one.kind} examination "
                       f"({open_one.id})")  # fmt: skip
    fired = [i["id"] for i in (row.assessment or {}).get("indicators", [])]
    exam = Examination(id=str(uuid.uuid4()), shipment_id=row.id, kind=given.kind,
                       status="requested", reasons=given.reasons, indicators=fired,
                       requested_by=actor[:120], requested_at=now, partner=partner,
                       partner_reference=partner_reference, findings="")  # fmt: skip
    session.add(exam)
    row.status = "examination"
    _event(row, "referred", actor, now, kind=given.kind, reasons=given.reasons)
    chain.append(session, "cargo:examination:requested", actor=actor, subject=exam.id,
                 partner=partner,
                 details={"shipment": row.id, "bill": row.bill, "kind": given.kind,
                          "reasons": given.reasons})  # fmt: skip
    return exam


def get(session: Session, exam_id: str) -> Examination:
    row = session.get(Examination, exam_id)
    if row is None:
        raise NotFound(f"no examination {exam_id}")
    return row


def record(session: Session, exam_id: str, given: ResultIn, *, actor: str,
           now: dt.datetime) -> Examination:  # fmt: skip
    """Record an examination's result; the shipment is released, or held on a seizure."""
    exam = get(session, exam_id)
    if exam.status == "done":
        raise Conflict(f"examination {exam.id} was recorded on {exam.done_at}: {exam.result}")
    exam.status, exam.result, exam.findings = "done", given.result, given.findings.strip()
    exam.done_by, exam.done_at = actor[:120], now
    row = shipments.get(session, exam.shipment_id)
    row.status = "held" if given.result == "seizure" else "released"
    _event(row, f"examined: {given.result}", actor, now, kind=exam.kind,
           findings=exam.findings)  # fmt: skip
    chain.append(session, "cargo:examination:recorded", actor=actor, subject=exam.id,
                 partner=exam.partner, details={"shipment": row.id, "result": given.result,
                                                "kind": exam.kind})  # fmt: skip
    return exam


def listing(session: Session, status: str | None = None, limit: int = 200
            ) -> Sequence[Examination]:  # fmt: skip
    query = select(Examination).order_by(Examination.requested_at.desc()).limit(limit)
    if status:
        query = query.where(Examination.status == status)
    return session.scalars(query).all()


def exam_out(row: Examination) -> dict[str, Any]:
    return {"id": row.id, "shipment_id": row.shipment_id, "kind": row.kind,
            "status": row.status, "reasons": row.reasons, "indicators": row.indicators,
            "requested_by": row.requested_by, "requested_at": row.requested_at.isoformat(),
            "partner": row.partner, "result": row.result, "findings": row.findings,
            "done_by": row.done_by,
            "done_at": row.done_at.isoformat() if row.done_at else None}  # fmt: skip


def statistics(session: Session) -> dict[str, Any]:
    """What examinations found, overall, by kind and by the indicators that flagged the
    shipments examined: each indicator's yield (shipments with a finding per shipment
    examined) is what its weight should be judged by."""
    done = session.scalars(select(Examination).where(Examination.status == "done")).all()
    waiting = session.scalar(select(func.count()).select_from(Examination).where(
        Examination.status == "requested")) or 0  # fmt: skip
    examined: Counter[str] = Counter()
    found: Counter[str] = Counter()
    seized: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    kinds_found: Counter[str] = Counter()
    for exam in done:
        hit = exam.result in FINDINGS
        kinds[exam.kind] += 1
        kinds_found[exam.kind] += hit
        for indicator in exam.indicators or ["(no indicator)"]:
            examined[indicator] += 1
            found[indicator] += hit
            seized[indicator] += exam.result == "seizure"
    total, with_finding = len(done), sum(e.result in FINDINGS for e in done)

    def rate(hits: int, of: int) -> float | None:
        return round(hits / of, 3) if of else None

    return {
        "examined": total, "with_finding": with_finding, "yield": rate(with_finding, total),
        "waiting": waiting,
        "by_kind": {k: {"examined": kinds[k], "with_finding": kinds_found[k],
                        "yield": rate(kinds_found[k], kinds[k])} for k in KINDS if kinds[k]},
        "by_indicator": [{"indicator": i, "examined": examined[i], "with_finding": found[i],
                          "seizures": seized[i], "yield": rate(found[i], examined[i])}
                         for i, _ in examined.most_common()],
    }  # fmt: skip
