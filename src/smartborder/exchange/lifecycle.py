"""The exchange on a running node: partner-provided data purged at the end of its retention."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.exchange.models import OutboxMessage, Partner
from smartborder.exchange.notices import purge_expired

log = logging.getLogger("smartborder.exchange")


def purge_partner_data(ctx: NodeContext) -> None:
    with unit_of_work(ctx.sessions) as session:
        purged = purge_expired(session, ctx.exchange, actor="system:retention")
    if purged:
        log.info("retention: purged %d partner-provided record(s)", len(purged))


FAILING_AFTER = dt.timedelta(minutes=5)


def partners_ready(session: Session) -> dict[str, Any]:
    """Each partner as delivery last found it: reachable (the outbox drains), not (envelopes
    have waited over five minutes and the last attempt failed), or not yet tried (None). Read
    from the outbox in three grouped queries: a readiness probe never calls a partner itself."""
    now = clock.now()
    pending = OutboxMessage.state == "pending"
    waiting = {
        partner: (count, oldest)
        for partner, count, oldest in session.execute(
            select(OutboxMessage.partner, func.count(), func.min(OutboxMessage.created_at))
            .where(pending)
            .group_by(OutboxMessage.partner)
        )
    }
    delivered = dict(
        session.execute(
            select(OutboxMessage.partner, func.count())
            .where(OutboxMessage.state == "delivered")
            .group_by(OutboxMessage.partner)
        ).all()
    )
    errors: dict[str, str | None] = {}  # the latest failed attempt's error, per partner
    for partner, error in session.execute(
        select(OutboxMessage.partner, OutboxMessage.last_error)
        .where(pending, OutboxMessage.attempts > 0, OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.next_attempt_at)
    ):
        errors[partner] = error
    states: dict[str, Any] = {}
    for partner in session.scalars(select(Partner.id).order_by(Partner.id)):
        count, oldest = waiting.get(partner, (0, None))
        failing = errors.get(partner)
        age = (now - oldest).total_seconds() if oldest is not None else None
        stuck = failing is not None and age is not None and age > FAILING_AFTER.total_seconds()
        reachable: bool | None = False if stuck else (True if delivered.get(partner) else None)
        states[partner] = {
            "reachable": reachable,
            "pending": count,
            "oldest_pending_seconds": round(age, 1) if age is not None else None,
            "last_error": failing,
        }
    return {"partners": states}
