"""API/PNR on the operations overview: travellers received and assessed, hits by category and
their dispositions, board / no board answers; now, the analysts' open queue and its age."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.audit.models import AuditEntry
from smartborder.operations.series import Gauge, Series
from smartborder.travel.intake.models import Passenger
from smartborder.travel.targeting.models import Assessment, Disposition
from smartborder.travel.targeting.terms import CLOSED

SERIES = (
    Series("travel.received", "Travellers received (API and PNR mentions), by message kind",
           "Travellers", Passenger.received_at, Passenger.kind),
    Series("travel.assessed", "Travellers screened and scored, by decision", "Travellers",
           Assessment.assessed_at, Assessment.decision),
    Series("travel.boarding", "Board / no board answers at check-in", "Travellers",
           AuditEntry.at, AuditEntry.details["decision"].as_string(),
           (AuditEntry.event == "travel:check:decided",)),
    Series("travel.hits", "Hits queued for the analysts, by category", "Hits",
           Assessment.assessed_at, Assessment.category, (Assessment.queued.is_(True),)),
    Series("travel.dispositions", "Dispositions, by status", "Hits", Disposition.at,
           Disposition.status),
)  # fmt: skip


def queue(session: Session, now: dt.datetime) -> list[Gauge]:
    open_ = (Assessment.queued.is_(True), Assessment.status.not_in(CLOSED))
    count, oldest = session.execute(
        select(func.count(), func.min(Assessment.assessed_at)).where(*open_)).one()  # fmt: skip
    hours = None if oldest is None else round((now - oldest).total_seconds() / 3600, 1)
    return [
        Gauge("Hits", "Open in the analysts' queue", int(count)),
        Gauge("Hits", "Oldest open hit (hours)", hours,
              "" if oldest is None else f"queued {oldest:%Y-%m-%d %H:%M} UTC",
              warn=hours is not None and hours > 24),
    ]  # fmt: skip


GAUGES = (queue,)
