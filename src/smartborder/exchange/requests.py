"""Case-by-case requests: ask the partner about a subject; a supervisor there answers or refuses.

The answer is limited to the fields the agreement lets a ``case-response`` carry; what the
supervisor typed beyond them is withheld, and the decision records what was disclosed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.agreements import get_agreement
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.models import CaseRequest, ReceivedData
from smartborder.exchange.policy import Refused
from smartborder.exchange.schemas import subject_problems

DIRECTIONS = ("outgoing", "incoming")


def create_request(
    session: Session,
    ex: NodeExchange,
    *,
    agreement_id: str,
    purpose: str,
    subject: dict[str, Any],
    justification: str,
    case_reference: str,
    due_date: dt.date | None,
    actor: str,
) -> tuple[CaseRequest, list[str]]:
    """Queue a ``case-request``; returns the request and the fields the agreement withheld.

    The request is added unflushed, so a batch costs one insert per table; flush for its id."""
    agreement = get_agreement(session, agreement_id)
    body: dict[str, Any] = {"subject": subject, "justification": justification}
    if due_date:
        body["due_date"] = due_date.isoformat()
    queued = outbox.send(
        session,
        ex,
        partner=agreement.partner,
        kind="case-request",
        agreement=agreement,
        purpose=purpose,
        body=body,
        case_ref=case_reference,
        user_ref=actor,
        actor=actor,
    )
    sent = queued.envelope.body
    request = CaseRequest(
        envelope_id=queued.envelope.id,
        direction="outgoing",
        partner=agreement.partner,
        agreement=agreement.id,
        purpose=purpose,
        subject=sent.get("subject", {}),
        justification=str(sent.get("justification", "")),
        case_reference=case_reference,
        due_date=due_date,
        state="sent",
        requested_by=actor,
        created_at=ex.clock(),
    )
    session.add(request)  # its id is assigned at the next flush: many can be queued in one
    return request, queued.withheld


def list_requests(
    session: Session, direction: str, state: str | None = None, limit: int = 200
) -> list[CaseRequest]:
    query = select(CaseRequest).where(CaseRequest.direction == direction)
    if state:
        query = query.where(CaseRequest.state == state)
    return list(session.scalars(query.order_by(CaseRequest.id.desc()).limit(limit)))


def get_request(session: Session, request_id: int) -> CaseRequest:
    request = session.get(CaseRequest, request_id)
    if request is None:
        raise NotFound(f"no case request {request_id}")
    return request


def response_of(session: Session, request: CaseRequest) -> ReceivedData | None:
    if request.response_envelope_id is None:
        return None
    return session.get(ReceivedData, request.response_envelope_id)


def decide(
    session: Session,
    ex: NodeExchange,
    request_id: int,
    *,
    approve: bool,
    answer: dict[str, Any] | None,
    reason: str,
    actor: str,
) -> tuple[CaseRequest, list[str]]:
    """Approve (send the answer, cut to the permitted fields) or refuse (send the reason)."""
    request = get_request(session, request_id)
    if request.direction != "incoming":
        raise Conflict(f"request {request_id} is one this node sent; the partner decides it")
    if request.state != "awaiting-decision":
        raise Conflict(f"request {request_id} was already decided ({request.state})")
    agreement = get_agreement(session, request.agreement)
    if approve:
        if not answer:
            raise ValidationFailed(
                "an approval needs the answer to send",
                details=[{"field": "answer", "problem": "required when approving"}],
            )
        kind, body = "case-response", answer
    else:
        if not reason.strip():
            raise ValidationFailed(
                "a refusal needs its reason",
                details=[{"field": "reason", "problem": "required when refusing"}],
            )
        kind, body = "case-refusal", {"reason": reason}
    queued = outbox.send(
        session,
        ex,
        partner=request.partner,
        kind=kind,
        agreement=agreement,
        purpose=request.purpose,
        body=body,
        in_reply_to=request.envelope_id,
        case_ref=request.case_reference,
        user_ref=actor,
        actor=actor,
    )
    request.state = "answered" if approve else "refused"
    request.decided_by, request.decided_at = actor, ex.clock()
    request.disclosed = queued.envelope.body if approve else None
    request.refusal_reason = None if approve else reason
    chain.append(
        session,
        f"exchange:request:{'approved' if approve else 'refused'}",
        actor=actor,
        partner=request.partner,
        agreement=request.agreement,
        subject=request.envelope_id,
        details={
            "request": request.id,
            "response": queued.envelope.id,
            "withheld": queued.withheld,
            "reason": reason or None,
        },
    )
    return request, queued.withheld


# --- handlers ----------------------------------------------------------------------------


def on_request(session: Session, ex: NodeExchange, received: Received) -> None:
    envelope = received.envelope
    assert received.agreement is not None
    due = envelope.body.get("due_date")
    try:
        due_date = dt.date.fromisoformat(due) if isinstance(due, str) else None
    except ValueError:
        raise Refused("invalid_body", f"due_date '{due}' is not a date (YYYY-MM-DD)") from None
    subject = envelope.body.get("subject")
    if not isinstance(subject, dict) or not subject:
        raise Refused("invalid_body", "a case request must describe its subject")
    problems = subject_problems(subject)
    if problems:
        raise Refused("invalid_body", "; ".join(problems))
    session.add(
        CaseRequest(
            envelope_id=envelope.id,
            direction="incoming",
            partner=received.partner.id,
            agreement=received.agreement.id,
            purpose=envelope.purpose or "",
            subject=subject,
            justification=str(envelope.body.get("justification", "")),
            case_reference=envelope.case_ref or "",
            due_date=due_date,
            state="awaiting-decision",
            requested_by=envelope.user_ref or received.partner.id,
            created_at=ex.clock(),
        )
    )


def _outgoing(session: Session, received: Received) -> CaseRequest:
    ref = received.envelope.in_reply_to
    request = session.scalar(
        select(CaseRequest).where(
            CaseRequest.envelope_id == (ref or ""), CaseRequest.direction == "outgoing"
        )
    )
    if request is None or request.partner != received.partner.id:
        raise Refused("unknown_reference", f"no request {ref} was sent to this partner")
    if request.state != "sent":
        raise Refused("wrong_state", f"request {ref} was already {request.state}")
    return request


def on_response(session: Session, ex: NodeExchange, received: Received) -> None:
    request = _outgoing(session, received)
    assert received.document is not None
    assert received.agreement is not None
    now = ex.clock()
    session.add(
        ReceivedData(
            envelope_id=received.envelope.id,
            partner=received.partner.id,
            agreement=received.agreement.id,
            kind=received.envelope.kind,
            body=received.envelope.body,
            received_at=now,
            retain_until=now + dt.timedelta(days=received.document.retention.days),
        )
    )
    session.flush()
    request.state, request.response_envelope_id = "answered", received.envelope.id
    request.decided_by, request.decided_at = received.envelope.user_ref, now


def on_refusal(session: Session, ex: NodeExchange, received: Received) -> None:
    request = _outgoing(session, received)
    request.state = "refused"
    request.refusal_reason = str(received.envelope.body.get("reason", ""))
    request.decided_by, request.decided_at = received.envelope.user_ref, ex.clock()
