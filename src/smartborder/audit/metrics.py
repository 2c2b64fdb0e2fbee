"""The audit log's metrics, read at scrape time: the chain's size (it only grows; a scrape
that sees it shrink has found tampering or a restore)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit.models import AuditHead


def chain(session: Session) -> Iterable[Metric]:
    size = session.execute(select(AuditHead.size).where(AuditHead.id == 1)).scalar_one_or_none()
    family = GaugeMetricFamily("smartborder_audit_chain_size", "Entries in the audit chain.")
    family.add_metric([], size or 0)
    return [family]
