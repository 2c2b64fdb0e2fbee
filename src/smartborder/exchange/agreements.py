"""The agreement life-cycle: proposed -> signed by both -> in force -> terminated or expired.

The proposer signs the document's digest and sends document and signature to the partner; a
supervisor there approves (counter-signs) or rejects it; the counter-signature travels back. Each
signature is a JWS statement over the document's SHA-256 digest, checked with the signer's key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.db import get_kept
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.envelope import EnvelopeError, read_statement
from smartborder.exchange.inbox import Received
from smartborder.exchange.models import Agreement, Partner
from smartborder.exchange.policy import Refused, status


def list_agreements(session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).order_by(Agreement.id)))


def get_agreement(session: Session, agreement_id: str) -> Agreement:
    agreement = get_kept(session, Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"no agreement '{agreement_id}'")
    return agreement


def current_status(agreement: Agreement, ex: NodeExchange) -> str:
    return status(agreement, ex.clock().date())


def _sign(ex: NodeExchange, document: AgreementDocument) -> str:
    return ex.signer.sign_statement(
        {
            "agreement": document.id,
            "version": document.version,
            "digest": document.digest(),
            "signer": ex.node_id,
            "signed": ex.clock().isoformat(),
        }
    )


def _check_signature(token: str, partner: Partner, document: AgreementDocument) -> None:
    statement = read_statement(token, partner.public_key)
    if statement.get("digest") != document.digest() or statement.get("signer") != partner.id:
        raise Refused(
            "bad_signature",
            f"{partner.id}'s signature is not over this version of agreement '{document.id}'",
        )


def propose(
    session: Session, ex: NodeExchange, document: AgreementDocument, *, actor: str
) -> Agreement:
    if ex.node_id not in document.parties:
        raise ValidationFailed(
            f"this node ('{ex.node_id}') is not one of the parties {document.parties}",
            details=[{"field": "parties", "problem": f"must include '{ex.node_id}'"}],
        )
    partner_id = document.partner_of(ex.node_id)
    if session.get(Partner, partner_id) is None:
        raise ValidationFailed(
            f"the other party '{partner_id}' is not a registered partner",
            details=[{"field": "parties", "problem": f"register '{partner_id}' first"}],
        )
    existing = session.get(Agreement, document.id)
    if existing is not None:
        if existing.state != "rejected":
            raise Conflict(
                f"agreement '{document.id}' already exists ({existing.state}); "
                "give a new agreement a new id"
            )
        session.delete(existing)
        session.flush()
    signature = _sign(ex, document)
    agreement = _store(session, ex, document, "proposed", ex.node_id, partner_id)
    agreement.our_signature = signature
    outbox.send(
        session,
        ex,
        partner=partner_id,
        kind="agreement-proposal",
        agreement=agreement,
        body={"document": document.model_dump(mode="json"), "signature": signature},
        actor=actor,
    )
    _audit(session, "proposed", agreement, actor, {"digest": agreement.digest})
    return agreement


def _store(
    session: Session,
    ex: NodeExchange,
    document: AgreementDocument,
    state: str,
    proposed_by: str,
    partner_id: str,
) -> Agreement:
    agreement = Agreement(
        id=document.id,
        version=document.version,
        title=document.title,
        kind=document.kind,
        partner=partner_id,
        document=document.model_dump(mode="json"),
        digest=document.digest(),
        state=state,
        proposed_by=proposed_by,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        created_at=ex.clock(),
    )
    session.add(agreement)
    session.flush()
    return agreement


def _audit(
    session: Session, action: str, agreement: Agreement, actor: str, details: dict[str, Any]
) -> None:
    chain.append(
        session,
        f"exchange:agreement:{action}",
        actor=actor,
        partner=agreement.partner,
        agreement=agreement.id,
        subject=agreement.id,
        details={"version": agreement.version, **details},
    )


def _awaiting(session: Session, agreement_id: str, state: str) -> Agreement:
    agreement = get_agreement(session, agreement_id)
    if agreement.state != state:
        raise Conflict(f"agreement '{agreement_id}' is {agreement.state}, not {state}")
    return agreement


def approve(session: Session, ex: NodeExchange, agreement_id: str, *, actor: str) -> Agreement:
    """Counter-sign a proposal the partner made: the agreement is then signed by both."""
    agreement = _awaiting(session, agreement_id, "awaiting-approval")
    document = AgreementDocument.model_validate(agreement.document)
    agreement.our_signature = _sign(ex, document)
    agreement.state, agreement.signed_at, agreement.decided_by = "signed", ex.clock(), actor
    outbox.send(
        session,
        ex,
        partner=agreement.partner,
        kind="agreement-signature",
        agreement=agreement,
        body={
            "agreement": agreement.id,
            "digest": agreement.digest,
            "signature": agreement.our_signature,
        },
        actor=actor,
    )
    _audit(session, "approved", agreement, actor, {"status": current_status(agreement, ex)})
    _signed(session, ex, agreement)
    return agreement


def reject(
    session: Session, ex: NodeExchange, agreement_id: str, *, reason: str, actor: str
) -> Agreement:
    """Decline the partner's proposal, with the reason."""
    return _end(session, ex, agreement_id, reason, actor, "awaiting-approval", "rejected")


def terminate(
    session: Session, ex: NodeExchange, agreement_id: str, *, reason: str, actor: str
) -> Agreement:
    """End an agreement signed by both, on both nodes."""
    return _end(session, ex, agreement_id, reason, actor, "signed", "terminated")


_END_KINDS = {"rejected": "agreement-rejection", "terminated": "agreement-termination"}


def _end(
    session: Session,
    ex: NodeExchange,
    agreement_id: str,
    reason: str,
    actor: str,
    from_state: str,
    to_state: str,
) -> Agreement:
    if not reason.strip():
        raise ValidationFailed(
            f"give the reason ({to_state})", details=[{"field": "reason", "problem": "required"}]
        )
    agreement = _awaiting(session, agreement_id, from_state)
    agreement.state, agreement.ended_at, agreement.end_reason = to_state, ex.clock(), reason
    if to_state == "rejected":
        agreement.decided_by = actor
    outbox.send(
        session,
        ex,
        partner=agreement.partner,
        kind=_END_KINDS[to_state],
        agreement=agreement,
        body={"agreement": agreement.id, "reason": reason},
        actor=actor,
    )
    _audit(session, to_state, agreement, actor, {"reason": reason})
    return agreement


# --- handlers for what the partner sends ---------------------------------------------------


def on_proposal(session: Session, ex: NodeExchange, received: Received) -> None:
    body = received.envelope.body
    try:
        document = AgreementDocument.model_validate(body.get("document"))
    except ValueError as exc:
        raise Refused("invalid_body", f"the proposed agreement is not valid: {exc}") from None
    partner = received.partner
    if set(document.parties) != {ex.node_id, partner.id}:
        raise Refused("not_a_party", f"the parties {document.parties} are not this pair of nodes")
    try:
        _check_signature(str(body.get("signature", "")), partner, document)
    except EnvelopeError as exc:
        raise Refused(exc.code, exc.message) from None
    existing = session.get(Agreement, document.id)
    if existing is not None and existing.state != "rejected":
        raise Refused("agreement_exists", f"agreement '{document.id}' already exists here")
    if existing is not None:
        session.delete(existing)
        session.flush()
    agreement = _store(session, ex, document, "awaiting-approval", partner.id, partner.id)
    agreement.partner_signature = str(body["signature"])
    _audit(session, "received", agreement, f"partner:{partner.id}", {"digest": agreement.digest})


def _own(session: Session, received: Received, state: str) -> Agreement:
    agreement_id = str(received.envelope.body.get("agreement", ""))
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.partner != received.partner.id:
        raise Refused("unknown_agreement", f"no agreement '{agreement_id}' with this partner")
    if agreement.state != state:
        raise Refused("wrong_state", f"agreement '{agreement_id}' is {agreement.state}")
    return agreement


def on_signature(session: Session, ex: NodeExchange, received: Received) -> None:
    agreement = _own(session, received, "proposed")
    document = AgreementDocument.model_validate(agreement.document)
    token = str(received.envelope.body.get("signature", ""))
    try:
        _check_signature(token, received.partner, document)
    except EnvelopeError as exc:
        raise Refused(exc.code, exc.message) from None
    agreement.partner_signature, agreement.state, agreement.signed_at = token, "signed", ex.clock()
    _audit(
        session,
        "signed",
        agreement,
        f"partner:{received.partner.id}",
        {"status": current_status(agreement, ex)},
    )
    _signed(session, ex, agreement)


def _signed(session: Session, ex: NodeExchange, agreement: Agreement) -> None:
    """Let the domains that share systematically start sending under the new agreement."""
    for hook in ex.on_signed:
        hook(session, ex, agreement)


def on_rejection(session: Session, ex: NodeExchange, received: Received) -> None:
    _ended_by_partner(session, ex, received, "proposed", "rejected")


def on_termination(session: Session, ex: NodeExchange, received: Received) -> None:
    _ended_by_partner(session, ex, received, "signed", "terminated")


def _ended_by_partner(
    session: Session, ex: NodeExchange, received: Received, from_state: str, to_state: str
) -> None:
    agreement = _own(session, received, from_state)
    reason = str(received.envelope.body.get("reason", ""))
    agreement.state, agreement.ended_at, agreement.end_reason = to_state, ex.clock(), reason
    _audit(
        session,
        f"{to_state}-by-partner",
        agreement,
        f"partner:{received.partner.id}",
        {"reason": reason},
    )
