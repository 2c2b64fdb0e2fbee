"""Consultation before imposing or lifting a visa requirement, under the visa annex.

The proposing node (its own country is the destination) sends a ``visa-consultation``: the
nationality, the change (impose or lift), the requirement it would move to, what the list says
now, the date it would take effect, the rationale and the date a reply is due. The partner keeps
it as *received*; its policy analyst answers with a position (support, no objection, object)
and comments in a ``visa-consultation-reply``, which the proposer records against the same
reference. Both nodes see where it stands, and either can preview how the convergence report
would read were the change adopted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, in_force_for
from smartborder.visa import models as m
from smartborder.visa import service
from smartborder.visa.requirements import Policy, check_country, policy_of

CONSULTATION, REPLY = "visa-consultation", "visa-consultation-reply"
PURPOSE = "visa-policy"
CHANGES = ("impose", "lift")
POSITIONS = ("support", "no objection", "object")
DEFAULT_TO = {"impose": "visa required", "lift": "eta"}


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {message}", details=[{"location": field, "message": message}]
    )


def _agreement(session: Session, ex: NodeExchange, kind: str, partner: str) -> Any:
    return in_force_for(session, ex.clock().date(), kind, partner, "visa")


def _proposed(change: str, value: str | None, current: Policy | None, where: str, who: str) -> str:
    if change not in CHANGES:
        raise _bad("change", f"'{change}' is not a change: use impose or lift")
    raw = value or DEFAULT_TO[change]
    try:
        proposed = policy_of(raw)
    except ValueError as exc:
        raise _bad("proposed", str(exc)) from None
    if proposed.category == "own":
        raise _bad("proposed", "-1 is not a requirement")
    if change == "impose":
        if not proposed.needs_visa:
            raise _bad("proposed", f"imposing a visa needs a visa category, not '{raw}'")
        if current is not None and current.needs_visa:
            raise Conflict(f"{where} already requires a visa of {who} nationals ({current.label})")
    else:
        if proposed.needs_visa:
            raise _bad("proposed", f"lifting a visa needs a category without one, not '{raw}'")
        if current is not None and not current.needs_visa:
            raise Conflict(f"{where} requires no visa of {who} nationals already ({current.label})")
    return raw


def propose(
    session: Session,
    ex: NodeExchange,
    *,
    destination: str,
    partner: str,
    nationality: str,
    change: str,
    proposed: str | None,
    effective: dt.date,
    due_date: dt.date,
    rationale: str,
    actor: str,
) -> m.VisaConsultation:
    """Send a consultation on a change to ``destination``'s list (this node's country)."""
    now = ex.clock()
    who = check_country(nationality, "nationality")
    if who == destination:
        raise _bad("nationality", f"{who} is the proposing country itself")
    if not rationale.strip():
        raise _bad("rationale", "say why the change is planned")
    if effective <= now.date():
        raise _bad("effective", f"{effective} is not in the future")
    if not now.date() <= due_date <= effective:
        raise _bad("due_date", f"{due_date} must fall between today and the effective date")
    side = service.side(session, destination, None, now=now)
    current_raw = side.requirements.get(who)
    current = policy_of(current_raw) if current_raw is not None else None
    raw = _proposed(change, proposed, current, destination, who)
    agreement = _agreement(session, ex, CONSULTATION, partner)
    row = m.VisaConsultation(
        id=str(uuid.uuid4()),
        reference=str(uuid.uuid4()),
        direction="out",
        partner=partner,
        destination=destination,
        nationality=who,
        change=change,
        current=current_raw,
        proposed=raw,
        effective=effective,
        due_date=due_date,
        rationale=rationale.strip(),
        state="awaiting reply",
        created_at=now,
        created_by=actor,
        envelopes=[],
    )
    queued = outbox.send(
        session,
        ex,
        partner=partner,
        kind=CONSULTATION,
        agreement=agreement,
        purpose=PURPOSE,
        body=body_of(row),
        actor=actor,
        case_ref=row.reference,
    )
    row.envelopes = [{"kind": CONSULTATION, "id": queued.envelope.id, "sent": now.isoformat()}]
    session.add(row)
    _audit(session, "visa:consultation:sent", row, actor, now)
    return row


def body_of(row: m.VisaConsultation) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "destination": row.destination,
        "nationality": row.nationality,
        "change": row.change,
        "current": row.current,
        "proposed": row.proposed,
        "effective": row.effective.isoformat(),
        "due_date": row.due_date.isoformat(),
        "rationale": row.rationale,
    }


def on_consultation(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    try:
        destination = check_country(str(body.get("destination", "")), "destination")
        nationality = check_country(str(body.get("nationality", "")), "nationality")
        change = str(body.get("change"))
        if change not in CHANGES:
            raise ValueError(f"change: '{change}' is not impose or lift")
        proposed = str(body.get("proposed"))
        policy_of(proposed)
        effective = dt.date.fromisoformat(str(body.get("effective")))
        due_date = dt.date.fromisoformat(str(body.get("due_date")))
        reference = str(uuid.UUID(str(body.get("reference"))))
    except (ValidationFailed, ValueError) as exc:
        raise Refused("invalid_body", getattr(exc, "message", str(exc))) from None
    held = _find(session, reference, "in")
    if held is not None:
        return  # the same consultation again: nothing new
    now = ex.clock()
    current = body.get("current")
    row = m.VisaConsultation(
        id=str(uuid.uuid4()),
        reference=reference,
        direction="in",
        partner=partner,
        destination=destination,
        nationality=nationality,
        change=change,
        current=str(current) if current is not None else None,
        proposed=proposed,
        effective=effective,
        due_date=due_date,
        rationale=str(body.get("rationale") or ""),
        state="received",
        created_at=now,
        created_by=f"partner:{partner}",
        envelopes=[{"kind": CONSULTATION, "id": received.envelope.id, "received": now.isoformat()}],
    )
    session.add(row)
    _audit(session, "visa:consultation:received", row, f"partner:{partner}", now)


def reply(
    session: Session,
    ex: NodeExchange,
    consultation_id: str,
    *,
    position: str,
    comments: str,
    actor: str,
) -> m.VisaConsultation:
    """Answer a partner's consultation with this node's position."""
    row = get(session, consultation_id)
    if row.direction != "in":
        raise Conflict("this node proposed the consultation; the partner answers it")
    if row.state == "answered":
        raise Conflict(f"the consultation was answered on {row.answered_at:%Y-%m-%d}")
    if position not in POSITIONS:
        raise _bad("position", f"'{position}' is not one of: {', '.join(POSITIONS)}")
    if position == "object" and not comments.strip():
        raise _bad("comments", "an objection needs its reasons")
    now = ex.clock()
    agreement = _agreement(session, ex, REPLY, row.partner)
    queued = outbox.send(
        session,
        ex,
        partner=row.partner,
        kind=REPLY,
        agreement=agreement,
        purpose=PURPOSE,
        body={"reference": row.reference, "position": position, "comments": comments.strip()},
        actor=actor,
        case_ref=row.reference,
    )
    row.state, row.position, row.comments = "answered", position, comments.strip()
    row.answered_at, row.answered_by = now, actor
    row.envelopes = [
        *row.envelopes,
        {"kind": REPLY, "id": queued.envelope.id, "sent": now.isoformat()},
    ]
    _audit(session, "visa:consultation:answered", row, actor, now)
    return row


def on_reply(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    row = _find(session, str(body.get("reference")), "out")
    if row is None or row.partner != partner:
        raise Refused("unknown_reference", "no consultation of ours with that reference")
    position = str(body.get("position"))
    if position not in POSITIONS:
        raise Refused("invalid_body", f"position: '{position}' is not one of {POSITIONS}")
    if row.state == "answered":
        return
    now = ex.clock()
    row.state, row.position = "answered", position
    row.comments = str(body.get("comments") or "")
    row.answered_at, row.answered_by = now, f"partner:{partner}"
    row.envelopes = [
        *row.envelopes,
        {"kind": REPLY, "id": received.envelope.id, "received": now.isoformat()},
    ]
    _audit(session, "visa:consultation:reply-received", row, f"partner:{partner}", now)


def _find(session: Session, reference: str, direction: str) -> m.VisaConsultation | None:
    return session.execute(
        select(m.VisaConsultation).where(
            m.VisaConsultation.reference == reference, m.VisaConsultation.direction == direction
        )
    ).scalar_one_or_none()


def get(session: Session, consultation_id: str) -> m.VisaConsultation:
    row = session.get(m.VisaConsultation, consultation_id)
    if row is None:
        rows = session.scalars(
            select(m.VisaConsultation).where(m.VisaConsultation.id.startswith(consultation_id))
        ).all()
        if len(rows) != 1 or len(consultation_id) < 6:
            raise NotFound(f"no consultation '{consultation_id}'")
        row = rows[0]
    return row


def listing(session: Session) -> list[m.VisaConsultation]:
    return list(
        session.scalars(select(m.VisaConsultation).order_by(m.VisaConsultation.created_at.desc()))
    )


def preview(session: Session, row: m.VisaConsultation, *, now: dt.datetime) -> dict[str, Any]:
    """The convergence of the proposing country and this node's pair, now and were the
    change adopted."""
    pair = (row.destination, next(c for c in service.PARTNER_COUNTRIES if c != row.destination))
    if row.destination not in service.PARTNER_COUNTRIES:
        pair = service.PARTNER_COUNTRIES
    before = service.convergence(session, *pair, None, now=now)
    after = service.convergence(
        session, *pair, None, now=now, change=(row.destination, row.nationality, row.proposed)
    )
    return {
        "a": pair[0],
        "b": pair[1],
        "now": {
            "agree": len(before.agree),
            "differ": len(before.differ),
            "visa_needed_differ": len(before.need_differ),
        },
        "adopted": {
            "agree": len(after.agree),
            "differ": len(after.differ),
            "visa_needed_differ": len(after.need_differ),
        },
        "nationality_now_agrees": row.nationality in after.agree,
    }


def consultation_out(row: m.VisaConsultation) -> dict[str, Any]:
    proposed = policy_of(row.proposed)
    current = policy_of(row.current) if row.current is not None else None
    return {
        **body_of(row),
        "id": row.id,
        "direction": row.direction,
        "partner": row.partner,
        "current_label": current.label if current else None,
        "proposed_label": proposed.label,
        "state": row.state,
        "position": row.position,
        "comments": row.comments,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "answered_by": row.answered_by,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "envelopes": row.envelopes,
    }


def _audit(
    session: Session, event: str, row: m.VisaConsultation, actor: str, at: dt.datetime
) -> None:
    chain.append(
        session,
        event,
        actor=actor,
        partner=row.partner,
        subject=row.id,
        details={
            "reference": row.reference,
            "nationality": row.nationality,
            "change": row.change,
            "proposed": row.proposed,
            "position": row.position,
        },
        at=at,
    )
