"""Lookouts on the operations overview: made, retracted and imported here, and those the partner
shared or withdrew, by the hour."""

from __future__ import annotations

from smartborder.audit.models import AuditEntry
from smartborder.operations.series import Series

SERIES = (
    Series("screening.lookouts", "Lookouts created, retracted and imported", "Lookouts",
           AuditEntry.at, AuditEntry.event,
           (AuditEntry.event.in_(("screening:lookout:created", "screening:lookout:retracted",
                                  "screening:lookouts:imported")),)),
)  # fmt: skip
