"""Queue a signed envelope in the caller's transaction (the transactional outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from smartborder import deferred
from smartborder.audit import chain
from smartborder.db import get_kept
from smartborder.errors import NotFound, ValidationFailed
from smartborder.exchange.context import OUTBOX_FLAG, NodeExchange
from smartborder.exchange.envelope import Envelope, new_id
from smartborder.exchange.kinds import Category, category
from smartborder.exchange.models import Agreement, OutboxMessage, Partner
from smartborder.exchange.policy import Refused, check_use, project


@dataclass(frozen=True)
class Queued:
    envelope: Envelope
    withheld: list[str]


def minimise(body: dict[str, Any], fields: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The body cut to an agreement's fields, and what was withheld; data in a shape the agreement
    does not allow is refused (422, ``field_not_allowed``), never cut silently."""
    try:
        return project(body, fields)
    except Refused as exc:
        raise ValidationFailed(
            exc.message, details=[{"field": "body", "problem": exc.code}]
        ) from None


def send(
    session: Session,
    ex: NodeExchange,
    *,
    partner: str,
    kind: str,
    body: dict[str, Any],
    actor: str,
    agreement: Agreement | None = None,
    purpose: str | None = None,
    in_reply_to: str | None = None,
    case_ref: str | None = None,
    user_ref: str | None = None,
) -> Queued:
    """Sign ``body`` as a ``kind`` envelope to ``partner`` and queue it for delivery.

    For agreement kinds the agreement must be in force and allow the kind and purpose, and the
    body is cut down to the fields it lists; what was withheld is returned and audited.
    """
    if get_kept(session, Partner, partner) is None:
        raise NotFound(f"no partner '{partner}'; register it with 'smartborder partners add'")
    withheld: list[str] = []
    sort = category(kind)
    if sort is None:
        raise ValueError(f"unknown message kind {kind!r}")
    if sort is Category.AGREEMENT:
        if agreement is None:
            raise ValueError(f"'{kind}' messages need an agreement")
        try:
            document = check_use(agreement, ex.clock().date(), kind, purpose)
        except Refused as exc:
            raise ValidationFailed(
                exc.message, details=[{"field": "agreement", "problem": exc.code}]
            ) from None
        rule = document.rule(kind)
        assert rule is not None
        body, withheld = minimise(body, rule.fields)
    envelope = Envelope.model_validate(
        {
            "id": new_id(),
            "from": ex.node_id,
            "to": partner,
            "agreement": agreement.id if agreement else None,
            "purpose": purpose,
            "kind": kind,
            "created": ex.clock(),
            "in_reply_to": in_reply_to,
            "case_ref": case_ref,
            "user_ref": user_ref,
            "body": body,
        }
    )
    now = ex.clock()
    deferred.insert_later(
        session,
        OutboxMessage,
        {
            "envelope_id": envelope.id,
            "partner": partner,
            "kind": kind,
            "agreement": envelope.agreement,
            "token": ex.signer.sign(envelope),
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    details: dict[str, Any] = {"kind": kind, "purpose": purpose, "in_reply_to": in_reply_to}
    if case_ref:
        details["case_ref"] = case_ref
    if withheld:
        details["withheld"] = withheld
    chain.append(
        session,
        "exchange:envelope:queued",
        actor=actor,
        partner=partner,
        agreement=envelope.agreement,
        subject=envelope.id,
        details=details,
        at=now,
    )
    session.info[OUTBOX_FLAG] = True
    return Queued(envelope, withheld)
