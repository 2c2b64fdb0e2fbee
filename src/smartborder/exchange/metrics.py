"""The exchange's metrics, read at scrape time: the outbox per partner (waiting envelopes and the
age of the oldest; refused ones) — the first sign that a partner is unreachable."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.exchange.models import OutboxMessage


def outbox(session: Session) -> Iterable[Metric]:
    pending = GaugeMetricFamily(
        "smartborder_outbox_pending",
        "Envelopes waiting for delivery, by partner.",
        labels=["partner"],
    )
    oldest = GaugeMetricFamily(
        "smartborder_outbox_oldest_pending_age_seconds",
        "Age of the oldest envelope waiting for delivery, by partner.",
        labels=["partner"],
    )
    refused = GaugeMetricFamily(
        "smartborder_outbox_refused",
        "Envelopes the partner refused (kept for review), by partner.",
        labels=["partner"],
    )
    now = clock.now()
    waiting = select(OutboxMessage.partner, func.count(), func.min(OutboxMessage.created_at)).where(
        OutboxMessage.state == "pending"
    )
    for partner, count, first in session.execute(waiting.group_by(OutboxMessage.partner)):
        pending.add_metric([partner], count)
        oldest.add_metric([partner], max((now - first).total_seconds(), 0.0))
    refusals = select(OutboxMessage.partner, func.count()).where(OutboxMessage.state == "refused")
    for partner, count in session.execute(refusals.group_by(OutboxMessage.partner)):
        refused.add_metric([partner], count)
    return [pending, oldest, refused]
