"""Partners: the other nodes this one exchanges with, and the keys that vouch for them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.db import utcnow
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import keys
from smartborder.exchange.envelope import load_public_pem
from smartborder.exchange.models import OutboxMessage, Partner

NODE_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def add_partner(
    session: Session,
    *,
    partner_id: str,
    name: str,
    url: str,
    public_key_pem: str,
    own_node_id: str,
    actor: str,
) -> Partner:
    problems = []
    if not NODE_ID.match(partner_id):
        problems.append({"field": "id", "problem": "2-32 of a-z 0-9 -, starting with a letter"})
    elif partner_id == own_node_id:
        problems.append({"field": "id", "problem": "that is this node's own id"})
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
        problems.append({"field": "url", "problem": f"'{url}' is not an http(s) URL"})
    try:
        public_key = load_public_pem(public_key_pem)
    except ValueError as exc:
        problems.append({"field": "public_key", "problem": str(exc)})
    if problems:
        raise ValidationFailed("the partner cannot be registered", details=problems)
    if session.get(Partner, partner_id) is not None:
        raise Conflict(f"partner '{partner_id}' is already registered; remove it first")
    partner = Partner(
        id=partner_id,
        name=name or partner_id,
        url=url.rstrip("/"),
        public_key=public_key_pem.strip() + "\n",
        fingerprint=keys.fingerprint(public_key),
        added_at=utcnow(),
        added_by=actor,
    )
    session.add(partner)
    session.flush()
    chain.append(
        session,
        "exchange:partner:added",
        actor=actor,
        partner=partner_id,
        subject=partner_id,
        details={"url": partner.url, "fingerprint": partner.fingerprint},
    )
    return partner


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.id)))


def get_partner(session: Session, partner_id: str) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner '{partner_id}'")
    return partner


def pending_count(session: Session, partner_id: str) -> int:
    return len(
        session.scalars(
            select(OutboxMessage.envelope_id).where(
                OutboxMessage.partner == partner_id, OutboxMessage.state == "pending"
            )
        ).all()
    )


def remove_partner(session: Session, partner_id: str, *, actor: str) -> None:
    partner = get_partner(session, partner_id)
    waiting = pending_count(session, partner_id)
    session.delete(partner)
    chain.append(
        session,
        "exchange:partner:removed",
        actor=actor,
        partner=partner_id,
        subject=partner_id,
        details={"fingerprint": partner.fingerprint, "undelivered": waiting},
    )
