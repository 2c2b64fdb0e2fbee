"""A risk model becomes joint only when the partner co-signs it through the exchange.

The owner proposes a loaded model to a partner (``risk-model-proposal``: the whole model and
its digest). The partner keeps it as a draft marked with its proposer; once its supervisor has
read and tried it, they co-sign (``risk-model-cosignature``: name, version, digest). Both nodes
then hold the same model, byte for byte (the digest is checked on each side), marked joint
with the other; only a joint model's joint score decides what is shared. A model whose digest
differs from what was co-signed is never joint.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels.document import RiskModelDoc, check_document
from smartborder.travel.riskmodels.service import document_of, get_model

PROPOSAL, COSIGNATURE = "risk-model-proposal", "risk-model-cosignature"
PROPOSED = "partner:"  # the source of a model a partner proposed: partner:<node id>


def propose(
    session: Session, ex: NodeExchange, model_id: str, *, partner: str, actor: str
) -> rm.RiskModelRow:
    row = get_model(session, model_id)
    if row.source.startswith(PROPOSED):
        raise Conflict(
            f"model {row.name} v{row.version} was proposed by "
            f"{row.source.removeprefix(PROPOSED)}; co-sign it instead"
        )
    if row.joint:
        raise Conflict(f"model {row.name} v{row.version} is already joint with {row.cosigned_by}")
    outbox.send(
        session,
        ex,
        partner=partner,
        kind=PROPOSAL,
        body={"model": row.document, "digest": row.digest},
        actor=actor,
    )
    chain.append(
        session,
        "travel:model:proposed",
        actor=actor,
        partner=partner,
        subject=row.id,
        details={"name": row.name, "version": row.version, "digest": row.digest},
    )
    return row


def on_proposal(session: Session, ex: NodeExchange, received: Received) -> None:
    partner = received.partner.id
    doc, problems = check_document(received.envelope.body.get("model"))
    if doc is None:
        raise Refused(
            "invalid_body",
            "the model is not valid here: "
            + "; ".join(f"{p.location}: {p.message}" for p in problems[:5]),
        )
    digest = doc.digest()
    if digest != received.envelope.body.get("digest"):
        raise Refused("invalid_body", "digest: does not match the model sent")
    held = _held(session, doc.name, doc.version)
    now = ex.clock()
    if held is not None:
        if held.digest != digest:
            raise Refused(
                "wrong_state",
                f"model {doc.name} v{doc.version} is held here with another content; "
                "propose it under a new version",
            )
        held.source = f"{PROPOSED}{partner}"
        event = "travel:model:proposal-matched"
    else:
        held = rm.RiskModelRow(
            id=str(uuid.uuid4()),
            name=doc.name,
            subject=doc.subject,
            version=doc.version,
            status="draft",
            joint=False,
            document=doc.model_dump(mode="json", by_alias=True, exclude_none=True),
            digest=digest,
            source=f"{PROPOSED}{partner}",
            indicators=len(doc.indicators),
            created_by=f"partner:{partner}",
            created_at=now,
        )
        session.add(held)
        session.flush()
        event = "travel:model:proposed-by-partner"
    chain.append(
        session,
        event,
        actor=f"partner:{partner}",
        partner=partner,
        subject=held.id,
        details={"name": doc.name, "version": doc.version, "digest": digest},
        at=now,
    )


def cosign(
    session: Session, ex: NodeExchange, model_id: str, *, actor: str, now: dt.datetime
) -> rm.RiskModelRow:
    row = get_model(session, model_id)
    if not row.source.startswith(PROPOSED):
        raise Conflict(
            f"model {row.name} v{row.version} was not proposed by a partner; propose it to them"
        )
    if row.joint:
        raise Conflict(f"model {row.name} v{row.version} is already co-signed")
    doc: RiskModelDoc = document_of(row)
    if doc.digest() != row.digest:
        raise Conflict(f"model {row.name} v{row.version} changed since it was received")
    partner = row.source.removeprefix(PROPOSED)
    outbox.send(
        session,
        ex,
        partner=partner,
        kind=COSIGNATURE,
        body={"name": row.name, "version": row.version, "digest": row.digest},
        actor=actor,
    )
    row.joint, row.cosigned_by, row.cosigned_at = True, partner, now
    chain.append(
        session,
        "travel:model:cosigned",
        actor=actor,
        partner=partner,
        subject=row.id,
        details={"name": row.name, "version": row.version, "digest": row.digest},
        at=now,
    )
    return row


def on_cosignature(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    name, version = body.get("name"), body.get("version")
    row = _held(session, str(name), version if isinstance(version, int) else -1)
    if row is None:
        raise Refused("unknown_subject", f"no model {name} v{version} here")
    if row.digest != body.get("digest"):
        raise Refused(
            "wrong_state", f"model {name} v{version} here has another digest; not co-signed"
        )
    now = ex.clock()
    row.joint, row.cosigned_by, row.cosigned_at = True, partner, now
    chain.append(
        session,
        "travel:model:cosigned-by-partner",
        actor=f"partner:{partner}",
        partner=partner,
        subject=row.id,
        details={"name": row.name, "version": row.version, "digest": row.digest},
        at=now,
    )


def _held(session: Session, name: str, version: int) -> rm.RiskModelRow | None:
    return session.execute(
        select(rm.RiskModelRow).where(
            rm.RiskModelRow.name == name, rm.RiskModelRow.version == version
        )
    ).scalar_one_or_none()
