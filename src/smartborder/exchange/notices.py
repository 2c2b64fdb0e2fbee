"""Corrections and destruction of shared data, and the retention job.

The node that shared data can send a ``correction`` (new values for fields the agreement let it
share) or a ``destruction`` notice; the receiver applies it to the data it holds and confirms
with a ``notice-confirmation``. The retention job deletes partner-provided data past the
agreement's retention period. Every step is an audit entry; deletions record what was deleted
(envelope, partner, agreement, kind, dates), never the data itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import bodies, outbox
from smartborder.exchange.agreements import get_agreement
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.envelope import peek
from smartborder.exchange.inbox import Received
from smartborder.exchange.kinds import AGREEMENT_KINDS
from smartborder.exchange.models import (
    CaseRequest,
    InboxMessage,
    Notice,
    OutboxMessage,
    ReceivedData,
)
from smartborder.exchange.policy import Refused, document_of, extra_fields, flatten, unflatten

NOTICE_KINDS = ("correction", "destruction")


def send_notice(
    session: Session,
    ex: NodeExchange,
    *,
    envelope_id: str,
    kind: str,
    reason: str,
    changes: dict[str, Any] | None,
    actor: str,
) -> Notice:
    """Tell the partner to correct or destroy data this node sent in ``envelope_id``."""
    if kind not in NOTICE_KINDS:
        raise ValidationFailed(f"'{kind}' is not one of {', '.join(NOTICE_KINDS)}")
    if not reason.strip():
        raise ValidationFailed(
            "give the reason", details=[{"field": "reason", "problem": "required"}]
        )
    original = session.get(OutboxMessage, envelope_id)
    if original is None or original.kind not in AGREEMENT_KINDS or original.agreement is None:
        raise NotFound(f"this node sent no shared data in envelope {envelope_id}")
    if original.state == "refused":
        raise Conflict(f"envelope {envelope_id} was refused by the partner; it holds nothing")
    agreement = get_agreement(session, original.agreement)
    flat_changes = flatten(changes or {})
    if kind == "correction":
        rule = document_of(agreement).rule(original.kind)
        allowed = rule.fields if rule else []
        bad = extra_fields(unflatten(flat_changes), allowed)
        if not flat_changes or bad:
            raise ValidationFailed(
                "a correction changes fields the original message could carry",
                details=[
                    {
                        "field": f"changes.{f}",
                        "problem": f"not a field of '{original.kind}' under '{agreement.id}'",
                    }
                    for f in bad
                ]
                or [{"field": "changes", "problem": "required"}],
            )
    body: dict[str, Any] = {"refers_to": envelope_id, "reason": reason}
    if kind == "correction":
        body["changes"] = unflatten(flat_changes)
    queued = outbox.send(
        session,
        ex,
        partner=original.partner,
        kind=kind,
        agreement=agreement,
        body=body,
        in_reply_to=envelope_id,
        actor=actor,
    )
    notice = Notice(
        envelope_id=queued.envelope.id,
        direction="sent",
        kind=kind,
        partner=original.partner,
        agreement=agreement.id,
        refers_to=envelope_id,
        reason=reason,
        changes=body.get("changes", {}),
        state="sent",
        created_at=ex.clock(),
    )
    session.add(notice)
    if kind == "destruction":
        why = f"destruction asked of {original.partner} in notice {notice.envelope_id}: {reason}"
        bodies.forget_corrections(session, envelope_id, why, ex.clock())
        bodies.cut_outbox(session, [envelope_id], why, ex.clock())
    return notice


def list_notices(session: Session) -> list[Notice]:
    return list(session.scalars(select(Notice).order_by(Notice.created_at.desc())))


def shared_body(session: Session, envelope_id: str) -> dict[str, Any]:
    """What this node sent in ``envelope_id`` (read back from the signed envelope)."""
    original = session.get(OutboxMessage, envelope_id)
    if original is None:
        raise NotFound(f"this node sent no envelope {envelope_id}")
    if original.body_removed_at is not None:
        raise Conflict(
            f"envelope {envelope_id} no longer holds its data: {original.body_removed_reason}"
        )
    return peek(original.token)[1].body


# --- handlers ----------------------------------------------------------------------------


def _held(session: Session, received: Received) -> tuple[str, ReceivedData | None]:
    refers_to = str(received.envelope.body.get("refers_to", ""))
    original = session.get(InboxMessage, refers_to)
    if original is None or original.sender != received.partner.id:
        raise Refused("unknown_reference", f"no data was received from this partner in {refers_to}")
    return refers_to, session.get(ReceivedData, refers_to)


def _record(session: Session, ex: NodeExchange, received: Received, outcome: str) -> None:
    envelope = received.envelope
    session.add(
        Notice(
            envelope_id=envelope.id,
            direction="received",
            kind=envelope.kind,
            partner=received.partner.id,
            agreement=envelope.agreement or "",
            refers_to=str(envelope.body.get("refers_to", "")),
            reason=str(envelope.body.get("reason", "")),
            changes=envelope.body.get("changes") or {},
            state="applied",
            created_at=ex.clock(),
        )
    )
    outbox.send(
        session,
        ex,
        partner=received.partner.id,
        kind="notice-confirmation",
        agreement=received.agreement,
        body={"refers_to": envelope.id, "outcome": outcome},
        in_reply_to=envelope.id,
        actor="system:exchange",
    )


def on_correction(session: Session, ex: NodeExchange, received: Received) -> None:
    refers_to, held = _held(session, received)
    raw = received.envelope.body.get("changes") or {}
    if not isinstance(raw, dict):
        raise Refused("invalid_body", "a correction's 'changes' is an object of fields")
    changes = flatten(raw)
    if held is None:
        outcome = "nothing held (already destroyed or purged)"
    else:
        rule = document_of(received.agreement).rule(held.kind) if received.agreement else None
        bad = extra_fields(unflatten(changes), rule.fields if rule else [])
        if not changes or bad:
            raise Refused(
                "field_not_allowed",
                "the correction changes fields the original "
                f"'{held.kind}' could not carry: {', '.join(bad) or 'none given'}",
            )
        body = flatten(held.body)
        body.update(changes)
        held.body, held.corrected_at = unflatten(body), ex.clock()
        outcome = "applied"
        # The original envelope still carries the values just corrected: they go.
        why = f"corrected by notice {received.envelope.id}"
        bodies.cut_inbox(session, [refers_to], why, ex.clock())
    chain.append(
        session,
        "exchange:data:corrected",
        actor=f"partner:{received.partner.id}",
        partner=received.partner.id,
        agreement=received.envelope.agreement,
        subject=refers_to,
        details={"notice": received.envelope.id, "fields": sorted(changes), "outcome": outcome},
    )
    _record(session, ex, received, outcome)


def on_destruction(session: Session, ex: NodeExchange, received: Received) -> None:
    refers_to, held = _held(session, received)
    reason = str(received.envelope.body.get("reason", ""))
    outcome = "nothing held (already destroyed or purged)"
    why = f"destroyed at {received.partner.id}'s request: {reason}"
    if held is not None:
        _remove(session, held, why)
        outcome = "destroyed"
    # Whatever this node keeps of the message and of corrections to it goes too.
    bodies.cut_inbox(session, [refers_to], why, ex.clock())
    bodies.forget_corrections(session, refers_to, why, ex.clock())
    chain.append(
        session,
        "exchange:data:destroyed",
        actor=f"partner:{received.partner.id}",
        partner=received.partner.id,
        agreement=received.envelope.agreement,
        subject=refers_to,
        details={"notice": received.envelope.id, "reason": reason, "outcome": outcome},
    )
    _record(session, ex, received, outcome)


def on_confirmation(session: Session, ex: NodeExchange, received: Received) -> None:
    notice = session.get(Notice, str(received.envelope.body.get("refers_to", "")))
    if notice is None or notice.direction != "sent" or notice.partner != received.partner.id:
        raise Refused("unknown_reference", "no such notice was sent to this partner")
    notice.state, notice.confirmed_at = "confirmed", ex.clock()
    chain.append(
        session,
        "exchange:notice:confirmed",
        actor=f"partner:{received.partner.id}",
        partner=received.partner.id,
        agreement=notice.agreement,
        subject=notice.envelope_id,
        details={"kind": notice.kind, "outcome": received.envelope.body.get("outcome")},
    )


def _remove(session: Session, held: ReceivedData, why: str) -> None:
    for request in session.scalars(
        select(CaseRequest).where(CaseRequest.response_envelope_id == held.envelope_id)
    ):
        request.response_envelope_id, request.response_removed = None, why[:200]
    session.flush()
    session.delete(held)
    session.flush()


def purge_expired(session: Session, ex: NodeExchange, *, actor: str) -> list[str]:
    """Delete partner-provided data past its retention; return the envelope ids deleted."""
    now = ex.clock()
    expired = list(
        session.scalars(
            select(ReceivedData)
            .where(ReceivedData.retain_until <= now)
            .order_by(ReceivedData.retain_until)
        )
    )
    for held in expired:
        facts = {
            "kind": held.kind,
            "received_at": held.received_at.isoformat(),
            "retain_until": held.retain_until.isoformat(),
        }
        why = f"purged on {now:%Y-%m-%d}: retention period over"
        _remove(session, held, why)
        bodies.cut_inbox(session, [held.envelope_id], why, now)
        bodies.forget_corrections(session, held.envelope_id, why, now)
        chain.append(
            session,
            "exchange:data:purged",
            actor=actor,
            partner=held.partner,
            agreement=held.agreement,
            subject=held.envelope_id,
            details=facts,
            at=now,
        )
    cut = bodies.expire(session, now)
    if cut:
        chain.append(
            session,
            "exchange:bodies:expired",
            actor=actor,
            details={"messages_cut": cut, "kept": "digest and signature"},
            at=now,
        )
    return [held.envelope_id for held in expired]


def retention_days_left(held: ReceivedData, now: dt.datetime) -> int:
    return max(0, (held.retain_until - now).days)
