"""Traffic modelling on the operations overview: model runs submitted and completed."""

from __future__ import annotations

from smartborder.audit.models import AuditEntry
from smartborder.operations.series import Series

SERIES = (
    Series("modeling.runs", "Model runs submitted and completed", "Models", AuditEntry.at,
           AuditEntry.event, (AuditEntry.event.in_(("modeling:run:submitted",
                                                    "modeling:run:completed")),)),
)  # fmt: skip
