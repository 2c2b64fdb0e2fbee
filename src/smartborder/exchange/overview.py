"""The exchange on the operations overview: envelopes shared out and received by agreement,
refusals by partner; now, each partner's health (outbox depth, oldest undelivered, last
contact, envelopes it refused)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.audit.models import AuditEntry
from smartborder.exchange.models import InboxMessage, OutboxMessage, Partner
from smartborder.operations.series import Gauge, Series

SERIES = (
    Series("exchange.out", "Envelopes shared out, by agreement (or kind, outside one)",
           "Exchange", OutboxMessage.created_at,
           func.coalesce(OutboxMessage.agreement, OutboxMessage.kind)),
    Series("exchange.in", "Envelopes received, by agreement (or kind, outside one)",
           "Exchange", InboxMessage.received_at,
           func.coalesce(InboxMessage.agreement, InboxMessage.kind)),
    Series("exchange.refused", "Envelopes this node refused, by sender", "Exchange",
           AuditEntry.at, AuditEntry.partner, (AuditEntry.event == "exchange:envelope:refused",)),
)  # fmt: skip


def _hours(now: dt.datetime, moment: dt.datetime | None) -> float | None:
    return None if moment is None else round((now - moment).total_seconds() / 3600, 1)


def health(session: Session, now: dt.datetime) -> list[Gauge]:
    found = []
    for partner in session.scalars(select(Partner.id).order_by(Partner.id)):
        pending = (OutboxMessage.partner == partner, OutboxMessage.state == "pending")
        oldest_at = func.min(OutboxMessage.created_at)
        depth, oldest = session.execute(select(func.count(), oldest_at).where(*pending)).one()
        refused = session.scalar(select(func.count()).where(
            OutboxMessage.partner == partner, OutboxMessage.state == "refused")) or 0  # fmt: skip
        heard = session.scalar(select(func.max(InboxMessage.received_at))
                               .where(InboxMessage.sender == partner))  # fmt: skip
        delivered = session.scalar(select(func.max(OutboxMessage.delivered_at))
                                   .where(OutboxMessage.partner == partner))  # fmt: skip
        contact = max((m for m in (heard, delivered) if m is not None), default=None)
        waited, silent = _hours(now, oldest), _hours(now, contact)
        found += [
            Gauge(f"Partner {partner}", "Outbox depth (undelivered)", int(depth),
                  warn=int(depth) > 0 and (waited or 0) > 1),
            Gauge(f"Partner {partner}", "Oldest undelivered (hours)", waited,
                  "" if oldest is None else f"since {oldest:%Y-%m-%d %H:%M} UTC",
                  warn=(waited or 0) > 1),
            Gauge(f"Partner {partner}", "Last contact", None if contact is None
                  else f"{contact:%Y-%m-%d %H:%M} UTC", "an envelope received or delivered",
                  warn=silent is None or silent > 24),
            Gauge(f"Partner {partner}", "Envelopes it refused", int(refused), warn=refused > 0),
        ]  # fmt: skip
    return found


GAUGES = (health,)
