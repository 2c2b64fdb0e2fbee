"""What a node keeps of a message after its data must go: the digest and the signature.

The inbox and outbox keep every envelope as evidence. When the data it carried is destroyed at the
sender's request, corrected, or passes the agreement's retention, the envelope's payload goes too:
the stored token becomes ``header..signature`` (a detached JWS) beside the unchanged digest, and
the row says when and why. Correction notices that refer to destroyed data lose their values the
same way. On SQLite, freed pages are overwritten (``secure_delete``) and the write-ahead log is
truncated after the commit, so the bytes leave the database files as well as its tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smartborder.db import scrub_after_commit
from smartborder.exchange.envelope import detached
from smartborder.exchange.models import Agreement, InboxMessage, Notice, OutboxMessage
from smartborder.exchange.policy import document_of

_BATCH = 500
REASON_MAX = 200


def _cut(session: Session, model: Any, ids: Iterable[str], why: str, now: dt.datetime) -> int:
    """Detach the payloads of ``model`` rows with these envelope ids (those not yet cut)."""
    wanted = list(dict.fromkeys(ids))
    cut = 0
    for start in range(0, len(wanted), _BATCH):
        rows = session.execute(
            select(model.envelope_id, model.token).where(
                model.envelope_id.in_(wanted[start : start + _BATCH]),
                model.body_removed_at.is_(None),
            )
        ).all()
        for envelope_id, token in rows:
            session.execute(
                update(model)
                .where(model.envelope_id == envelope_id)
                .values(
                    token=detached(token),
                    body_removed_at=now,
                    body_removed_reason=why[:REASON_MAX],
                )
            )
        cut += len(rows)
    if cut:
        scrub_after_commit(session)
    return cut


def cut_inbox(session: Session, ids: Iterable[str], why: str, now: dt.datetime) -> int:
    return _cut(session, InboxMessage, ids, why, now)


def cut_outbox(session: Session, ids: Iterable[str], why: str, now: dt.datetime) -> int:
    """Only envelopes already delivered or refused: a pending one must still be sent whole."""
    done = session.scalars(
        select(OutboxMessage.envelope_id).where(
            OutboxMessage.envelope_id.in_(list(ids)), OutboxMessage.state != "pending"
        )
    ).all()
    return _cut(session, OutboxMessage, done, why, now)


def forget_corrections(session: Session, refers_to: str, why: str, now: dt.datetime) -> int:
    """Correction notices about ``refers_to``: their values and their envelopes' payloads go."""
    notices = list(
        session.scalars(
            select(Notice).where(Notice.refers_to == refers_to, Notice.kind == "correction")
        )
    )
    for notice in notices:
        notice.changes = {}
    ids = [n.envelope_id for n in notices]
    return cut_inbox(session, ids, why, now) + cut_outbox(session, ids, why, now)


def expire(session: Session, now: dt.datetime) -> dict[str, int]:
    """Cut the payloads of inbox and outbox messages older than their agreement's retention.

    Returns how many were cut per agreement."""
    counts: dict[str, int] = {}
    for agreement in session.scalars(select(Agreement)):
        try:
            days = document_of(agreement).retention.days
        except ValueError:  # an altered document: keep everything, verify reports it
            continue
        cutoff = now - dt.timedelta(days=days)
        why = f"retention of {days} days under '{agreement.id}' over on {now:%Y-%m-%d}"
        inbox = session.scalars(
            select(InboxMessage.envelope_id).where(
                InboxMessage.agreement == agreement.id,
                InboxMessage.received_at <= cutoff,
                InboxMessage.body_removed_at.is_(None),
            )
        ).all()
        outbox = session.scalars(
            select(OutboxMessage.envelope_id).where(
                OutboxMessage.agreement == agreement.id,
                OutboxMessage.created_at <= cutoff,
                OutboxMessage.body_removed_at.is_(None),
                OutboxMessage.state != "pending",
            )
        ).all()
        cut = cut_inbox(session, inbox, why, now) + cut_outbox(session, outbox, why, now)
        if cut:
            counts[agreement.id] = cut
    return counts
