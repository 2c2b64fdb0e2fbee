"""Receive envelopes: verify each, refuse with a reason code, apply it once.

The checks, in order: size, form, sender registered, addressed to us, signature with the sender's
registered key, clock (not from the future, not older than the replay window), not seen before
(an identical re-delivery is acknowledged as a duplicate and not applied again; a different
envelope reusing an id is a replay), then the agreement: known, in force, between us, carrying
this kind for this purpose, and no field it does not list. An accepted envelope, the change its
handler makes and the audit entry commit together; a refusal stores nothing but its audit entry.
Handlers must raise :class:`Refused` before they write anything. A batch commits as one
transaction; if it fails (a concurrent delivery of the same envelope, a crash), the sender gets
no answer and delivers it again, and the ids already accepted are then acknowledged as duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from joserfc.jwk import OKPKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smartborder import deferred, metrics
from smartborder.audit import chain
from smartborder.db import get_kept, unit_of_work
from smartborder.exchange import certificates
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.envelope import (
    Envelope,
    EnvelopeError,
    check_signature,
    detached,
    digest,
    peek,
    verifier_key,
)
from smartborder.exchange.kinds import Category, category
from smartborder.exchange.models import Agreement, InboxMessage, Partner
from smartborder.exchange.policy import Refused, check_use, document_of, extra_fields


@dataclass(frozen=True)
class Received:
    envelope: Envelope
    token: str
    partner: Partner
    agreement: Agreement | None
    document: AgreementDocument | None


# A handler returns None, or why the envelope's payload must not be kept in the inbox (a
# fingerprint search: the query lives only until it is answered); the inbox then keeps the
# envelope detached (header and signature, beside its digest) as it does for destroyed data.
Handler = Callable[[Session, NodeExchange, Received], str | None]


def receive(
    sessions: sessionmaker[Session],
    ex: NodeExchange,
    tokens: list[str],
    peer: str | None = None,
) -> list[dict[str, Any]]:
    """Receive a batch in one transaction (one savepoint per envelope); one result each.
    ``peer``: the fingerprint of the TLS client certificate the batch came with (mutual TLS),
    which must be pinned for each envelope's sender."""
    read = [_read(token, ex.settings.exchange_max_envelope_bytes) for token in tokens]
    with unit_of_work(sessions) as session:
        seen = _seen(session, read)
        refusals = Refusals()
        results = [
            _receive_one(session, ex, token, peeked, ex.handlers, seen, refusals, peer)
            for token, peeked in zip(tokens, read, strict=True)
        ]
        refusals.record(session)
        return results


SAMPLE = 5  # refusals of one kind in a batch are audited once: the count and the first few


@dataclass
class Refusals:
    """A batch's refusals, grouped by reason code and claimed sender: one audit entry per group
    (count and a sample), so a delivery of thousands of junk envelopes adds a handful of entries,
    not thousands, and a single refusal reads as before."""

    groups: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)

    def add(self, code: str, partner: str | None, entry: dict[str, Any]) -> None:
        metrics.INBOX_REFUSED.labels(code).inc()
        group = self.groups.setdefault((code, partner), {"count": 0, "first": entry, "sample": []})
        group["count"] += 1
        if len(group["sample"]) < SAMPLE:
            group["sample"].append({"id": entry["claimed"].get("id"), "digest": entry["digest"]})

    def record(self, session: Session) -> None:
        for (code, partner), group in self.groups.items():
            first = group["first"]
            details = {**first, "code": code, "count": group["count"]}
            if group["count"] > 1:
                details["sample"] = group["sample"]
            chain.append(
                session,
                "exchange:envelope:refused",
                actor=f"partner:{partner}" if partner else "unknown",
                partner=partner,
                agreement=None,
                subject=first["claimed"].get("id") if group["count"] == 1 else None,
                details=details,
            )


def _read(token: Any, limit: int) -> Envelope | EnvelopeError:
    """The envelope a token claims to carry (signature not yet checked), or why it can't be read."""
    if not isinstance(token, str):
        return EnvelopeError("malformed", "each envelope must be a compact JWS string")
    if len(token) > limit:
        message = f"the envelope is {len(token)} bytes; the limit is {limit}"
        return EnvelopeError("too_large", message)
    try:
        return peek(token)[1]
    except EnvelopeError as exc:
        return exc


def _seen(session: Session, read: list[Envelope | EnvelopeError]) -> dict[str, str]:
    """Envelope id -> digest of what the inbox already holds, for the whole batch at once."""
    ids = [envelope.id for envelope in read if isinstance(envelope, Envelope)]
    if not ids:
        return {}
    rows = session.execute(
        select(InboxMessage.envelope_id, InboxMessage.digest).where(
            InboxMessage.envelope_id.in_(ids)
        )
    )
    return {envelope_id: digest_ for envelope_id, digest_ in rows}


@lru_cache(maxsize=64)
def _key(public_pem: str) -> OKPKey:
    return verifier_key(public_pem)


def _check_signature(token: str, public_pems: list[str]) -> None:
    """Verify with the sender's key; during a key rotation's overlap, also its previous one."""
    try:
        check_signature(token, _key(public_pems[0]))
    except EnvelopeError:
        for previous in public_pems[1:]:
            try:
                check_signature(token, _key(previous))
                return
            except EnvelopeError:
                continue
        raise


def _receive_one(
    session: Session,
    ex: NodeExchange,
    token: Any,
    envelope: Envelope | EnvelopeError,
    handlers: Mapping[str, Handler],
    seen: dict[str, str],
    refusals: Refusals,
    peer: str | None = None,
) -> dict[str, Any]:
    claimed: dict[str, Any] = {}
    partner: Partner | None = None
    try:
        if isinstance(envelope, EnvelopeError):
            raise envelope
        claimed = {"id": envelope.id, "from": envelope.sender, "kind": envelope.kind}
        partner = get_kept(session, Partner, envelope.sender)
        if partner is None:
            raise EnvelopeError(
                "unknown_sender", f"'{envelope.sender}' is not a registered partner"
            )
        if envelope.recipient != ex.node_id:
            raise EnvelopeError(
                "wrong_recipient", f"addressed to '{envelope.recipient}', this is '{ex.node_id}'"
            )
        if peer is not None:
            certificates.check_peer(session, envelope.sender, peer, ex.clock())
        _check_signature(token, certificates.verifying_keys(partner, ex.clock()))
        _check_clock(envelope.created, ex)
        if envelope.id in seen:
            return _already_seen(session, seen[envelope.id], token, envelope)
        received = _check_policy(session, ex, envelope, token, partner)
        handler = handlers.get(envelope.kind)
        if handler is None:
            raise Refused("kind_not_supported", f"this node does not handle '{envelope.kind}' yet")
        # Handlers check everything before they write, so a refusal leaves nothing behind.
        not_kept = handler(session, ex, received)
        seen[envelope.id] = digest(token)
        deferred.insert_later(
            session,
            InboxMessage,
            {
                "envelope_id": envelope.id,
                "sender": envelope.sender,
                "kind": envelope.kind,
                "agreement": envelope.agreement,
                "purpose": envelope.purpose,
                "received_at": ex.clock(),
                "digest": seen[envelope.id],
                "token": detached(token) if not_kept else token,
                "body_removed_at": ex.clock() if not_kept else None,
                "body_removed_reason": not_kept[:200] if not_kept else None,
            },
        )
        chain.append(
            session,
            "exchange:envelope:received",
            actor=f"partner:{partner.id}",
            partner=partner.id,
            agreement=envelope.agreement,
            subject=envelope.id,
            details={
                "kind": envelope.kind,
                "purpose": envelope.purpose,
                "in_reply_to": envelope.in_reply_to,
            },
        )
        return {"id": envelope.id, "status": "accepted", "code": "accepted", "message": "applied"}
    except (EnvelopeError, Refused) as exc:
        refusals.add(
            exc.code,
            partner.id if partner else None,
            {
                "reason": exc.message,
                "claimed": claimed,
                "digest": digest(token) if isinstance(token, str) else None,
            },
        )
        return {
            "id": claimed.get("id"),
            "status": "refused",
            "code": exc.code,
            "message": exc.message,
        }


def _check_clock(created: dt.datetime, ex: NodeExchange) -> None:
    now = ex.clock()
    skew = dt.timedelta(seconds=ex.settings.exchange_max_clock_skew_seconds)
    if created > now + skew:
        raise EnvelopeError(
            "clock_skew",
            f"created {created.isoformat()} is more than {skew.total_seconds():.0f} s ahead of "
            f"this node's clock ({now.isoformat(timespec='seconds')})",
        )
    if created < now - dt.timedelta(hours=ex.settings.exchange_max_age_hours):
        raise EnvelopeError(
            "expired",
            f"created {created.isoformat()} is older than the "
            f"{ex.settings.exchange_max_age_hours} h replay window",
        )


def _already_seen(
    session: Session, seen_digest: str, token: str, envelope: Envelope
) -> dict[str, Any]:
    if seen_digest != digest(token):
        raise EnvelopeError(
            "replay", f"envelope id {envelope.id} was already used by a different envelope"
        )
    chain.append(
        session,
        "exchange:envelope:duplicate",
        actor=f"partner:{envelope.sender}",
        partner=envelope.sender,
        agreement=envelope.agreement,
        subject=envelope.id,
        details={"kind": envelope.kind},
    )
    return {
        "id": envelope.id,
        "status": "duplicate",
        "code": "duplicate",
        "message": "already received; not applied again",
    }


def _check_policy(
    session: Session, ex: NodeExchange, envelope: Envelope, token: str, partner: Partner
) -> Received:
    sort = category(envelope.kind)
    if sort is None:
        raise Refused("unknown_kind", f"'{envelope.kind}' is not a message kind")
    if sort is Category.CONTROL:
        agreement = get_kept(session, Agreement, envelope.agreement) if envelope.agreement else None
        return Received(envelope, token, partner, agreement, None)
    if not envelope.agreement:
        raise Refused("unknown_agreement", f"'{envelope.kind}' messages must name an agreement")
    agreement = get_kept(session, Agreement, envelope.agreement)
    if agreement is None:
        raise Refused("unknown_agreement", f"no agreement '{envelope.agreement}' on this node")
    if agreement.partner != partner.id:
        raise Refused("not_a_party", f"'{partner.id}' is not a party to agreement '{agreement.id}'")
    if sort is Category.DUTY:
        if agreement.state not in ("signed", "terminated"):
            raise Refused(
                "agreement_not_in_force", f"agreement '{agreement.id}' was never in force"
            )
        return Received(envelope, token, partner, agreement, document_of(agreement))
    document = check_use(agreement, ex.clock().date(), envelope.kind, envelope.purpose)
    rule = document.rule(envelope.kind)
    assert rule is not None
    extra = extra_fields(envelope.body, rule.fields)
    if extra:
        raise Refused(
            "field_not_allowed",
            f"agreement '{agreement.id}' does not let '{envelope.kind}' carry: " + ", ".join(extra),
        )
    return Received(envelope, token, partner, agreement, document)
