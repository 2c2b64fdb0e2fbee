"""Joint targeting of in-transit shipments under the cargo annex.

A shipment reported here that is in transit to the partner's country (it lands here and goes on
by rail or road), scored by a **joint** (co-signed) shipment model at or over the model's share
threshold on joint indicators alone, is sent to the partner as a ``cargo-target``: only the
annex's fields (bill, carrier, mode, containers, ports, destination, arrival, goods'
descriptions and HS codes, the joint score and the joint indicators). The partner keeps it as a
shipment of its own queue (``origin: partner:<id>``).

The partner's targeter can then ask for an examination (``cargo-examination-request``): the
shipment is still here, so it is examined here, at the request recorded with the examination;
its result goes back (``cargo-examination-result``) and settles the partner's copy. An
examination row's ``partner`` is the partner that asked (on a shipment reported here) or the
partner asked (on a shipment a partner shared).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.cargo import examinations, shipments
from smartborder.cargo.models import Examination, Shipment
from smartborder.cargo.shipments import AnyShipment
from smartborder.errors import Conflict
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, carrying, in_force_for

TARGET, REQUEST, RESULT = "cargo-target", "cargo-examination-request", "cargo-examination-result"
PURPOSE = "cargo-security"
ANNEX = "cargo"
OTHER = {"CA": "US", "US": "CA"}  # the partner's country in the bilateral annex


def shareable(shipment: AnyShipment, country: str) -> bool:
    """In transit to the partner's country, reported here, not shared yet."""
    return (shipment.origin == "local" and shipment.in_transit
            and shipment.destination_country == OTHER.get(country)
            and not shipment.shared_with)  # fmt: skip


def target_body(shipment: AnyShipment) -> dict[str, Any]:
    joint = [i for i in (shipment.assessment or {}).get("indicators", [])
             if i.get("scope") == "joint"]  # fmt: skip
    return {
        "reference": shipment.id,
        "shipment": {"bill": shipment.bill, "carrier": shipment.carrier, "mode": shipment.mode,
                     "containers": [c["number"] for c in shipment.containers],
                     "port_of_lading": shipment.loading_place,
                     "port_of_entry": shipment.arrival_place,
                     "destination": shipment.destination_country,
                     "arrival_at": shipment.arrival_at.isoformat()
                     if shipment.arrival_at else None},
        "goods": [{"description": g.get("description") or "", "hs": g.get("hs") or ""}
                  for g in shipment.goods],
        "joint_score": shipment.joint_score,
        "indicators": [{"id": i["id"], "title": i["title"], "weight": i["weight"]}
                       for i in joint],
    }  # fmt: skip


def share(session: Session, ex: NodeExchange, shipment: AnyShipment, *, actor: str) -> list[str]:
    """Send ``shipment`` to each partner whose cargo annex is in force; the partners sent to."""
    sent: list[str] = []
    for agreement, _ in carrying(session, ex.clock().date(), TARGET):
        outbox.send(session, ex, partner=agreement.partner, kind=TARGET, agreement=agreement,
                    purpose=PURPOSE, actor=actor, case_ref=shipment.bill,
                    body=target_body(shipment))  # fmt: skip
        sent.append(agreement.partner)
        chain.append(session, "cargo:shipment:shared", actor=actor, partner=agreement.partner,
                     agreement=agreement.id, subject=shipment.id,
                     details={"bill": shipment.bill,
                              "joint_score": shipment.joint_score})  # fmt: skip
    shipment.shared_with = [*shipment.shared_with, *sent]
    return sent


def _moment(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def on_target(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner's in-transit shipment, over the joint threshold: into this node's queue."""
    body, partner = received.envelope.body, received.partner.id
    reference = str(body.get("reference") or "")
    given = body.get("shipment")
    if not reference or not isinstance(given, dict) or not given.get("bill"):
        raise Refused("invalid_body", "reference and shipment.bill are required")
    origin, now = f"partner:{partner}", ex.clock()
    row = session.scalars(select(Shipment).where(
        Shipment.origin == origin, Shipment.partner_reference == reference)).first()  # fmt: skip
    if row is None:
        row = Shipment(id=str(uuid.uuid4()), origin=origin, partner_reference=reference,
                       created_at=now, first_reported_at=now, version=1, history=[],
                       shared_with=[], warnings=[], late=False, fast=False,
                       deadline_rule="", parties={}, conveyance={})  # fmt: skip
        session.add(row)
    loading, entry = (
        str(given.get("port_of_lading") or "")[:5],
        str(given.get("port_of_entry") or "")[:5],
    )
    destination = str(given.get("destination") or "")[:2]
    row.carrier, row.bill = str(given.get("carrier") or "")[:12], str(given["bill"])[:40]
    row.kind, row.master_bill, row.mode = "simple", None, str(given.get("mode") or "")[:8]
    row.loading_place, row.arrival_place, row.destination_country = loading, entry, destination
    row.arrival_at = _moment(given.get("arrival_at")) or now
    row.loading_at, row.in_transit = None, True
    row.routing = list(dict.fromkeys(c for c in (loading[:2], entry[:2], destination) if c))
    row.containers = [{"number": str(c), "seal": "", "size": ""}
                      for c in given.get("containers") or []]  # fmt: skip
    row.goods = [{"description": str(g.get("description") or ""), "hs": str(g.get("hs") or ""),
                  "packages": None, "weight_kg": None, "container": ""}
                 for g in body.get("goods") or [] if isinstance(g, dict)]  # fmt: skip
    indicators = [i for i in body.get("indicators") or [] if isinstance(i, dict)]
    score = body.get("joint_score") if isinstance(body.get("joint_score"), int) else None
    row.score = row.joint_score = score
    why = ", ".join(str(i.get("id")) for i in indicators)
    row.assessment = {"shared_by": partner, "score": score, "joint_score": score,
                      "indicators": indicators, "screening": [], "model": None,
                      "decision": None,
                      "reasons": [f"shared by {partner} in transit here: joint score {score} "
                                  f"({why})"]}  # fmt: skip
    row.status, row.reported_at, row.updated_at = "review", now, now
    row.history = [*row.history, {"version": row.version, "at": now.isoformat(),
                                  "event": "shared by partner", "by": origin}]  # fmt: skip
    session.flush()
    chain.append(session, "cargo:shipment:received-from-partner", actor=origin, partner=partner,
                 subject=row.id, details={"bill": row.bill, "joint_score": score})  # fmt: skip


def refer(session: Session, ex: NodeExchange, shipment_id: str,
          given: examinations.ReferralIn, *, actor: str) -> Examination:  # fmt: skip
    """Refer a shipment for examination: here, or - a shipment a partner shared - by asking
    the partner, which holds it."""
    row = shipments.get(session, shipment_id)
    now = ex.clock()
    if not row.origin.startswith("partner:"):
        return examinations.refer(session, row.id, given, actor=actor, now=now)
    partner = row.origin.removeprefix("partner:")
    agreement = in_force_for(session, now.date(), REQUEST, partner, ANNEX)
    exam = examinations.refer(session, row.id, given, actor=actor, now=now, partner=partner,
                              partner_reference=row.partner_reference)  # fmt: skip
    outbox.send(session, ex, partner=partner, kind=REQUEST, agreement=agreement,
                purpose=PURPOSE, actor=actor, case_ref=row.bill,
                body={"reference": row.partner_reference, "examination": exam.id,
                      "kind": given.kind, "reasons": given.reasons})  # fmt: skip
    return exam


def on_request(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner asks for an examination of a shipment it was sent."""
    body, partner = received.envelope.body, received.partner.id
    row = session.get(Shipment, str(body.get("reference") or ""))
    if row is None or partner not in row.shared_with:
        raise Refused("unknown_reference", "no shipment of ours was shared with you by that id")
    try:
        given = examinations.ReferralIn.model_validate(
            {"kind": body.get("kind"), "reasons": body.get("reasons") or []}
        )
    except ValueError as exc:
        raise Refused("invalid_body", f"kind and reasons: {exc}") from None
    asked = session.scalars(select(Examination).where(
        Examination.partner == partner,
        Examination.partner_reference == str(body.get("examination") or ""))).first()  # fmt: skip
    if asked is not None:
        return
    examinations.refer(session, row.id, given, actor=f"partner:{partner}", now=ex.clock(),
                       partner=partner,
                       partner_reference=str(body.get("examination") or "")[:36])  # fmt: skip


def record(session: Session, ex: NodeExchange, exam_id: str, given: examinations.ResultIn, *,
           actor: str) -> Examination:  # fmt: skip
    """Record a result; one a partner asked for goes back to it."""
    exam = examinations.get(session, exam_id)
    row = shipments.get(session, exam.shipment_id)
    if row.origin.startswith("partner:"):
        raise Conflict(f"examination {exam.id} is the partner's to do: its result comes from "
                       f"{row.origin.removeprefix('partner:')}")  # fmt: skip
    exam = examinations.record(session, exam_id, given, actor=actor, now=ex.clock())
    if exam.partner:
        agreement = in_force_for(session, ex.clock().date(), RESULT, exam.partner, ANNEX)
        outbox.send(session, ex, partner=exam.partner, kind=RESULT, agreement=agreement,
                    purpose=PURPOSE, actor=actor, case_ref=row.bill,
                    body={"reference": exam.partner_reference, "kind": exam.kind,
                          "result": exam.result, "findings": exam.findings})  # fmt: skip
    return exam


def on_result(session: Session, ex: NodeExchange, received: Received) -> None:
    """The result of an examination this node asked a partner for."""
    body, partner = received.envelope.body, received.partner.id
    exam = session.get(Examination, str(body.get("reference") or ""))
    if exam is None or exam.partner != partner:
        raise Refused("unknown_reference", "no examination was asked of you by that id")
    if exam.status == "done":
        return
    try:
        given = examinations.ResultIn.model_validate(
            {"result": body.get("result"), "findings": str(body.get("findings") or "")}
        )
    except ValueError as exc:
        raise Refused("invalid_body", f"result: {exc}") from None
    examinations.record(session, exam.id, given, actor=f"partner:{partner}", now=ex.clock())
