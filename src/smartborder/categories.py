"""Lookout categories: the words screening, targeting (teams by category) and the node's
settings (thresholds by category) share."""

from __future__ import annotations

from typing import Literal

Category = Literal[
    "terrorism",
    "serious-crime",
    "immigration-violation",
    "customs",
    "lost-stolen-document",
    "designated-entity",
    "specified-person",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
