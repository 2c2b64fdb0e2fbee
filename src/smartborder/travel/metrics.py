"""API/PNR metrics, read at scrape time: messages received by state (stored, quarantined,
duplicate) and by how they came (API, file, drop directory, broker, demo), and the analysts'
open queue by severity."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smartborder.travel.intake.models import TravelMessage
from smartborder.travel.targeting.models import Assessment
from smartborder.travel.targeting.terms import CLOSED

SOURCES = ("api", "file", "watch", "amqp", "demo")


def intake(session: Session) -> Iterable[Metric]:
    messages = GaugeMetricFamily(
        "smartborder_travel_messages",
        "API/PNR messages held, by state and by how they came.",
        labels=["state", "source"],
    )
    source = case(
        *((TravelMessage.source.like(f"{s}:%"), s) for s in SOURCES), else_="other"
    ).label("source")
    query = select(TravelMessage.state, source, func.count()).group_by(TravelMessage.state, source)
    for state, how, count in session.execute(query):
        messages.add_metric([state, how], count)
    return [messages]


def queue(session: Session) -> Iterable[Metric]:
    family = GaugeMetricFamily(
        "smartborder_travel_queue_open",
        "Assessments open in the analysts' queue, by severity.",
        labels=["severity"],
    )
    query = (
        select(Assessment.severity, func.count())
        .where(Assessment.queued.is_(True), Assessment.status.not_in(sorted(CLOSED)))
        .group_by(Assessment.severity)
    )
    for severity, count in session.execute(query):
        family.add_metric([severity], count)
    return [family]
