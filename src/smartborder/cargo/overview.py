"""Goods on the operations overview: advance cargo reports by what became of them, and
examinations requested and recorded."""

from __future__ import annotations

from smartborder.audit.models import AuditEntry
from smartborder.cargo.models import CargoReport
from smartborder.operations.series import Series

SERIES = (
    Series("cargo.reports", "Advance cargo reports, stored, quarantined or duplicate", "Goods",
           CargoReport.received_at, CargoReport.state),
    Series("cargo.examinations", "Examinations requested and recorded", "Goods", AuditEntry.at,
           AuditEntry.event, (AuditEntry.event.in_(("cargo:examination:requested",
                                                    "cargo:examination:recorded")),)),
)  # fmt: skip
