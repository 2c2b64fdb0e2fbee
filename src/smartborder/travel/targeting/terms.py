"""The words of joint targeting, shared by scoring, the queue and the exchange."""

from __future__ import annotations

STATUSES = (
    "new",
    "in review",
    "cleared",
    "referred to secondary",
    "denied boarding",
    "refused entry",
)
CLOSED = frozenset({"cleared", "denied boarding", "refused entry"})
SEVERITIES = ("high", "medium", "low")
DEFAULT_TEAM = "targeting"
