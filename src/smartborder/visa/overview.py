"""Visa policy on the operations overview: consultations sent, received and answered."""

from __future__ import annotations

from smartborder.audit.models import AuditEntry
from smartborder.operations.series import Series

SERIES = (
    Series("visa.consultations", "Visa consultations, by step", "Visa policy", AuditEntry.at,
           AuditEntry.event, (AuditEntry.event.like("visa:consultation:%"),)),
)  # fmt: skip
