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
# Lookout categories and the teams (user groups) their hits go to, unless settings say otherwise.
TEAMS = {
    "terrorism": "national-security",
    "designated-entity": "national-security",
    "specified-person": "national-security",
    "serious-crime": "serious-crime",
    "customs": "customs",
    "immigration-violation": "immigration",
    "lost-stolen-document": "immigration",
}
