"""The lookout exchange: this node's shareable lookouts flow to partners under the lookout annex.

Sending. Whenever a local lookout marked ``share`` is created or amended, a ``lookout-upsert``
carrying its current version goes, in the same transaction, to every partner with whom an
agreement carrying ``lookout-upsert`` is in force; retracting it, or taking ``share`` off, sends
a ``lookout-retraction``. The body holds the lookout's own ``shared_fields`` (its caveats), and
the outbox then cuts it to what the annex lists. The record's identity — id, version, kind and
category — always travels; a lookout whose annex or caveats would leave the partner with
something it could not screen (a person without a name) is refused here, with the reason,
rather than refused by the partner later. When an agreement carrying lookouts is signed, every
active shared lookout is sent under it.

Receiving. A partner's lookout is validated as a lookout of ours would be, stored with its
provenance (partner, its id there, the agreement and envelope it came in) and screened like a
local one; it is read-only here. Versions only move forward, so a late or repeated message never
rolls a lookout back. Expiry needs no message: ``valid_until`` travels with the lookout and both
nodes stop screening against it on the same day.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.db import utcnow
from smartborder.errors import ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.inbox import Received
from smartborder.exchange.models import Agreement
from smartborder.exchange.policy import Refused, carrying, document_of, status
from smartborder.screening.files import validate_all
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.subject import search_text

UPSERT, RETRACTION = "lookout-upsert", "lookout-retraction"
PURPOSE = "border-screening"
ALWAYS = ("lookout_id", "version", "subject_kind", "category")


def annexes(session: Session, ex: NodeExchange) -> list[tuple[Agreement, AgreementDocument]]:
    """Agreements in force today that carry lookouts, one or more per partner."""
    return carrying(session, ex.clock().date(), UPSERT)


def _purpose(document: AgreementDocument) -> str:
    purposes = document.purpose_ids()
    return PURPOSE if PURPOSE in purposes else sorted(purposes)[0]


def body_of(lookout: Lookout) -> dict[str, Any]:
    """What the lookout's caveats let go: its identity plus its ``shared_fields``."""
    full: dict[str, Any] = {
        "lookout_id": lookout.id,
        "version": lookout.version,
        "subject_kind": lookout.subject_kind,
        "category": lookout.category,
        "action": lookout.action,
        "names": lookout.names,
        "birth_date": lookout.birth_date,
        "sex": lookout.sex,
        "nationalities": lookout.nationalities,
        "place_of_birth": lookout.place_of_birth,
        "documents": lookout.documents,
        "remarks": lookout.remarks,
        "valid_from": lookout.valid_from.isoformat(),
        "valid_until": lookout.valid_until.isoformat() if lookout.valid_until else None,
    }
    allowed = set(ALWAYS) | set(lookout.shared_fields) | {"valid_from"}
    return {k: v for k, v in full.items() if k in allowed and v not in (None, "", [])}


def as_lookout(body: dict[str, Any], origin: str) -> tuple[LookoutIn | None, list[str]]:
    """A received body as one of our lookouts, or what is wrong with it (``field: problem``)."""
    record = {k: v for k, v in body.items() if k not in ("lookout_id", "version")}
    record.update(
        source_reference=f"{origin}:{body.get('lookout_id', '')}"[:120],
        share=False,  # the annex prohibits onward disclosure
        shared_fields=[],
    )
    checked, problems = validate_all(LookoutIn, [(1, record)])
    if problems:
        return None, [f"{p['field']}: {p['problem']}" for p in problems]
    return checked[0], []


def publish(
    session: Session,
    ex: NodeExchange,
    changes: Iterable[tuple[Lookout, bool]],
    *,
    actor: str,
    targets: list[tuple[Agreement, AgreementDocument]] | None = None,
) -> int:
    """Send each changed local lookout (with whether it was shared before) to the partners.

    Returns the number of envelopes queued."""
    queued = 0
    for lookout, was_shared in changes:
        if lookout.origin != "local":
            continue
        shared_now = lookout.share and lookout.status == "active"
        if not shared_now and not was_shared:
            continue
        if targets is None:
            targets = annexes(session, ex)
        for agreement, document in targets:
            if shared_now:
                kind, body = UPSERT, _upsert_body(ex, lookout, agreement, document)
            else:
                reason = lookout.retracted_reason or "no longer shared"
                kind = RETRACTION
                body = {"lookout_id": lookout.id, "version": lookout.version, "reason": reason}
            outbox.send(
                session,
                ex,
                partner=agreement.partner,
                kind=kind,
                agreement=agreement,
                purpose=_purpose(document),
                body=body,
                actor=actor,
            )
            queued += 1
    return queued


def _upsert_body(
    ex: NodeExchange, lookout: Lookout, agreement: Agreement, document: AgreementDocument
) -> dict[str, Any]:
    """What goes to the partner: the caveats' fields that the annex lists, checked to be a
    lookout the partner can use."""
    rule = document.rule(UPSERT)
    assert rule is not None
    allowed = {f.split(".")[0].removesuffix("[]") for f in rule.fields}
    body, _ = outbox.minimise(body_of(lookout), rule.fields)
    missing = [f for f in ALWAYS if f not in allowed]
    _, problems = as_lookout(body, ex.node_id)
    if missing or problems:
        raise ValidationFailed(
            f"lookout {lookout.id} cannot be shared with {agreement.partner} under "
            f"'{agreement.id}': what its caveats and the annex let go would not be a usable "
            "lookout",
            details=[{"field": f, "problem": "the annex does not carry it"} for f in missing]
            + [{"field": "shared_fields", "problem": f"as shared, {p}"} for p in problems],
        )
    return body


def share_all(session: Session, ex: NodeExchange, agreement: Agreement, *, actor: str) -> int:
    """Send every active shared lookout under a newly signed agreement that carries lookouts."""
    if status(agreement, ex.clock().date()) != "in-force":
        return 0
    document = document_of(agreement)
    if document.rule(UPSERT) is None:
        return 0
    rows = session.scalars(
        select(Lookout)
        .where(Lookout.origin == "local", Lookout.share.is_(True), Lookout.status == "active")
        .order_by(Lookout.created_at, Lookout.id)
    )
    return publish(
        session,
        ex,
        ((lookout, True) for lookout in rows),
        actor=actor,
        targets=[(agreement, document)],
    )


# --- receiving -------------------------------------------------------------------------------


def _held(session: Session, partner: str, origin_id: str) -> Lookout | None:
    return session.scalars(
        select(Lookout).where(Lookout.origin == partner, Lookout.origin_id == origin_id)
    ).first()


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Refused("invalid_body", f"version: expected a whole number >= 1, got {version!r}")
    return version


def _origin_id(body: dict[str, Any]) -> str:
    origin_id = body.get("lookout_id")
    if not isinstance(origin_id, str) or not 1 <= len(origin_id) <= 36:
        raise Refused("invalid_body", "lookout_id: expected an id of 1-36 characters")
    return origin_id


def on_upsert(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    origin_id, version = _origin_id(body), _version(body)
    data, problems = as_lookout(body, partner)
    if data is None:
        raise Refused("invalid_body", "the lookout is not valid here: " + "; ".join(problems))
    held = _held(session, partner, origin_id)
    if held is not None and held.version >= version:
        _audit_stale(session, received, held, version)
        return
    now = utcnow()
    values = data.model_dump()
    values["valid_from"] = values["valid_from"] or ex.clock().date()
    values["search_text"] = search_text(values["names"])
    actor = f"partner:{partner}"
    if held is None:
        held = Lookout(
            id=str(uuid.uuid4()),
            origin=partner,
            origin_id=origin_id,
            created_at=now,
            created_by=actor,
            retracted_reason=None,
        )
        session.add(held)
        event = "screening:lookout:received"
    else:
        event = "screening:lookout:amended"
    for key, value in values.items():
        setattr(held, key, value)
    held.status, held.retracted_reason = "active", None
    held.version, held.updated_at, held.updated_by = version, now, actor
    held.origin_agreement, held.origin_envelope = received.envelope.agreement, received.envelope.id
    chain.append(
        session,
        event,
        actor=actor,
        partner=partner,
        agreement=received.envelope.agreement,
        subject=held.id,
        details={"origin_id": origin_id, "version": version, "envelope": received.envelope.id},
        at=now,
    )


def on_retraction(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    origin_id, version = _origin_id(body), _version(body)
    reason = str(body.get("reason") or "retracted by the partner")[:1000]
    held = _held(session, partner, origin_id)
    if held is None or held.version >= version:
        _audit_stale(session, received, held, version)
        return
    now = utcnow()
    held.status, held.retracted_reason = "retracted", reason
    held.version, held.updated_at, held.updated_by = version, now, f"partner:{partner}"
    held.origin_envelope = received.envelope.id
    chain.append(
        session,
        "screening:lookout:retracted",
        actor=f"partner:{partner}",
        partner=partner,
        agreement=received.envelope.agreement,
        subject=held.id,
        details={"origin_id": origin_id, "version": version, "reason": reason},
        at=now,
    )


def _audit_stale(session: Session, received: Received, held: Lookout | None, version: int) -> None:
    """A message older than what is held (or about nothing held) changes nothing; say so."""
    chain.append(
        session,
        "screening:lookout:not-applied",
        actor=f"partner:{received.partner.id}",
        partner=received.partner.id,
        agreement=received.envelope.agreement,
        subject=held.id if held else None,
        details={
            "kind": received.envelope.kind,
            "origin_id": received.envelope.body.get("lookout_id"),
            "version": version,
            "held_version": held.version if held else None,
        },
    )


def share_under(session: Session, ex: NodeExchange, agreement: Agreement) -> int:
    """Once an agreement is signed, every lookout it allows is sent under it."""
    return share_all(session, ex, agreement, actor="system:exchange")
