"""High-risk travellers between partners, under the API/PNR annex.

Sending. A traveller is offered to the partner only when the active model is joint (co-signed
by the partner) and the traveller's joint score - joint indicators alone - reaches the model's
share threshold. The body carries the traveller, the flight, the joint score and the joint
indicators that produced it; the outbox then cuts it to the fields the annex lists (so a
national indicator, a lookout hit or a booking never leaves). A re-assessment that changes the
figures sends the new version; nothing below the threshold is ever sent.

Receiving. A partner's high-risk traveller lands in this node's queue as an assessment whose
``origin`` is the partner (with its id there, the agreement and the envelope), severity high,
routed by its top indicator's category. Versions only move forward.

Dispositions. An analyst's disposition on a shared traveller - on either side - goes to the
other party as a ``high-risk-disposition`` where the annex carries that kind, and shows in the
other party's history marked with its origin.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.inbox import Received
from smartborder.exchange.models import Agreement
from smartborder.exchange.policy import Refused, carrying
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels.document import Assessment
from smartborder.travel.riskmodels.records import Aboard
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting.terms import DEFAULT_TEAM, STATUSES

TRAVELLER, DISPOSITION = "high-risk-traveller", "high-risk-disposition"
PURPOSE = "risk-assessment"
PARTNER_DECISION = "shared by partner"


def annexes(
    session: Session, ex: NodeExchange, kind: str, partner: str | None = None
) -> list[tuple[Agreement, AgreementDocument]]:
    """Agreements in force today that carry ``kind`` (with ``partner``, when given)."""
    return carrying(session, ex.clock().date(), kind, partner)


def _purpose(document: AgreementDocument) -> str:
    purposes = document.purpose_ids()
    return PURPOSE if PURPOSE in purposes else sorted(purposes)[0]


def body_of(
    row: tm.Assessment, one: Aboard, assessment: Assessment, model_row: rm.RiskModelRow
) -> dict[str, Any]:
    """Everything the annex could allow; the outbox keeps only what it lists."""
    person = one.person
    summary = row.summary
    numbers = [str(d.get("number")) for d in one.documents if d.get("number")]
    flight, date = summary["flight"], summary["date"]
    return {
        "reference": row.id,
        "version": row.version,
        "traveller": {
            "surname": person.surname,
            "given_names": person.given_names,
            "date_of_birth": person.birth_date,
            "sex": person.sex,
            "nationality": person.nationality,
            "document_number": numbers[0] if numbers else None,
        },
        "flight": {
            "carrier": flight[:2],
            "number": flight[2:],
            "date": date,
            "departure": row.departs,
            "arrival": row.arrives,
            "route": summary["route"],
        },
        "score": assessment.joint_score,
        "indicators": [
            {"id": i.id, "title": i.title, "weight": i.weight, "category": i.category}
            for i in assessment.fired
            if i.scope == "joint"
        ],
        "model": {"name": model_row.name, "version": model_row.version, "digest": model_row.digest},
    }


def offer(
    session: Session,
    ex: NodeExchange,
    row: tm.Assessment,
    one: Aboard,
    assessment: Assessment,
    model_row: rm.RiskModelRow,
    *,
    now: dt.datetime,
    again: bool = True,
) -> int:
    """Send a traveller over the joint threshold of a joint model to each partner the annex
    allows (the caller has checked both); with ``again`` False, only to partners that have not
    had this version. Returns how many envelopes were queued."""
    sent = 0
    partners = list(row.shared_with)
    for agreement, document in annexes(session, ex, TRAVELLER):
        if model_row.cosigned_by and agreement.partner != model_row.cosigned_by:
            continue  # the model is joint with one partner: only it receives
        if not again and agreement.partner in partners:
            continue
        outbox.send(
            session,
            ex,
            partner=agreement.partner,
            kind=TRAVELLER,
            agreement=agreement,
            purpose=_purpose(document),
            body=body_of(row, one, assessment, model_row),
            actor="system:targeting",
        )
        if agreement.partner not in partners:
            partners.append(agreement.partner)
        sent += 1
    row.shared_with = partners
    return sent


def on_traveller(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    reference = body.get("reference")
    version = body.get("version")
    if not isinstance(reference, str) or not 1 <= len(reference) <= 36:
        raise Refused("invalid_body", "reference: expected the partner's id of 1-36 characters")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Refused("invalid_body", f"version: expected a whole number >= 1, got {version!r}")
    traveller = body.get("traveller") or {}
    flight = body.get("flight") or {}
    if not traveller.get("surname") or not flight.get("date"):
        raise Refused("invalid_body", "traveller.surname and flight.date are required")
    indicators = [i for i in body.get("indicators") or [] if isinstance(i, dict)]
    held = session.execute(
        select(tm.Assessment).where(
            tm.Assessment.origin == partner, tm.Assessment.origin_ref == reference
        )
    ).scalar_one_or_none()
    if held is not None and held.version >= version:
        chain.append(
            session,
            "travel:shared:not-applied",
            actor=f"partner:{partner}",
            partner=partner,
            subject=held.id,
            details={"reference": reference, "version": version, "held": held.version},
        )
        return
    now = ex.clock()
    top = max(indicators, key=lambda i: int(i.get("weight") or 0), default={})
    category = str(top.get("category") or "general")[:32]
    teams = ex.settings.travel_teams
    values: dict[str, Any] = {
        "score": int(body.get("score") or 0),
        "joint_score": int(body.get("score") or 0),
        "indicators": indicators,
        "model_label": _model_label(body.get("model")),
        "category": category,
        "team": teams.get(category, DEFAULT_TEAM)[:40],
        "summary": {
            "name": f"{traveller.get('surname', '')}, {traveller.get('given_names', '')}".strip(
                ", "
            ),
            "birth_date": traveller.get("date_of_birth"),
            "nationality": traveller.get("nationality"),
            "document_number": traveller.get("document_number"),
            "sex": traveller.get("sex"),
            "flight": f"{flight.get('carrier', '')}{flight.get('number', '')}",
            "date": flight.get("date"),
            "route": flight.get("route"),
        },
        "departs": str(flight.get("departure") or flight.get("date"))[:16],
        "arrives": (str(flight["arrival"])[:16] if flight.get("arrival") else None),
        "agreement": received.envelope.agreement,
        "envelope": received.envelope.id,
        "version": version,
        "assessed_at": now,
    }
    if held is None:
        held = tm.Assessment(
            id=str(uuid.uuid4()),
            flight_id=None,
            traveller_id=None,
            origin=partner,
            origin_ref=reference,
            model_id=None,
            decision=PARTNER_DECISION,
            reasons=[f"shared by {partner}: joint score over the joint threshold"],
            hits=[],
            severity="high",
            queued=True,
            status="new",
            shared_with=[],
            **values,
        )
        session.add(held)
        event = "travel:shared:received"
    else:
        for key, value in values.items():
            setattr(held, key, value)
        event = "travel:shared:updated"
    session.flush()
    chain.append(
        session,
        event,
        actor=f"partner:{partner}",
        partner=partner,
        agreement=received.envelope.agreement,
        subject=held.id,
        details={"reference": reference, "version": version, "envelope": received.envelope.id},
        at=now,
    )


def _model_label(model: Any) -> str:
    if isinstance(model, dict) and model.get("name"):
        return f"{model['name']} v{model.get('version', '?')}"[:80]
    return ""


def send_disposition(
    session: Session, ex: NodeExchange, row: tm.Assessment, step: tm.Disposition
) -> int:
    """Tell the other party of a shared traveller what this node decided, where the annex
    carries dispositions."""
    if row.origin != "local":
        targets, reference = [row.origin], row.origin_ref
    else:
        targets, reference = list(row.shared_with), row.id
    sent = 0
    for partner in targets:
        for agreement, document in annexes(session, ex, DISPOSITION, partner)[:1]:
            outbox.send(
                session,
                ex,
                partner=partner,
                kind=DISPOSITION,
                agreement=agreement,
                purpose=_purpose(document),
                body={
                    "reference": reference,
                    "status": step.status,
                    "note": step.note,
                    "at": step.at.isoformat(),
                },
                actor=step.actor,
            )
            sent += 1
    return sent


def on_disposition(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    reference = str(body.get("reference") or "")
    state = body.get("status")
    if state not in STATUSES:
        raise Refused("invalid_body", f"status: expected one of {', '.join(STATUSES)}")
    row = session.execute(
        select(tm.Assessment).where(
            ((tm.Assessment.origin == "local") & (tm.Assessment.id == reference))
            | ((tm.Assessment.origin == partner) & (tm.Assessment.origin_ref == reference))
        )
    ).scalar_one_or_none()
    if row is None or (row.origin == "local" and partner not in row.shared_with):
        raise Refused("unknown_subject", f"no traveller {reference} was shared with {partner}")
    now = ex.clock()
    step = tm.Disposition(
        id=str(uuid.uuid4()),
        assessment_id=row.id,
        status=str(state),
        note=str(body.get("note") or "")[:4000],
        actor=f"partner:{partner}",
        origin=partner,
        at=now,
    )
    session.add(step)
    chain.append(
        session,
        "travel:disposition:received",
        actor=f"partner:{partner}",
        partner=partner,
        agreement=received.envelope.agreement,
        subject=row.id,
        details={"status": state, "envelope": received.envelope.id},
        at=now,
    )
