"""Reading the audit log: filtered pages of entries and per-agreement counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smartborder.audit.models import AuditEntry


@dataclass(frozen=True)
class EntryFilter:
    event: str = ""  # prefix: "exchange:" or "exchange:envelope:refused"
    partner: str = ""
    agreement: str = ""
    actor: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.event:
            query = query.where(AuditEntry.event.startswith(self.event, autoescape=True))
        if self.partner:
            query = query.where(AuditEntry.partner == self.partner)
        if self.agreement:
            query = query.where(AuditEntry.agreement == self.agreement)
        if self.actor:
            query = query.where(AuditEntry.actor == self.actor)
        if self.since:
            query = query.where(AuditEntry.at >= self.since)
        if self.until:
            query = query.where(AuditEntry.at < self.until)
        return query


def list_entries(
    session: Session, where: EntryFilter, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[AuditEntry]]:
    base = where.apply(select(AuditEntry))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = session.scalars(base.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
    return int(total), list(page)


def counts_by_agreement(session: Session) -> list[dict[str, object]]:
    """Per agreement: entries by action (queued, received, refused, ...), for the auditor."""
    rows = session.execute(
        select(AuditEntry.agreement, AuditEntry.event, func.count())
        .where(AuditEntry.agreement.is_not(None))
        .group_by(AuditEntry.agreement, AuditEntry.event)
        .order_by(AuditEntry.agreement, AuditEntry.event)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for agreement, event, count in rows:
        table.setdefault(str(agreement), {})[str(event)] = int(count)
    return [
        {"agreement": agreement, "total": sum(events.values()), "events": events}
        for agreement, events in table.items()
    ]
