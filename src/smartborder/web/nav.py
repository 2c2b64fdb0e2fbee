"""Navigation: each domain declares its sections (``Domain.nav``); the layout shows those the
user may open, in domain order."""

from __future__ import annotations

from functools import cache

from smartborder import registry
from smartborder.registry import NavItem


@cache
def sections() -> tuple[NavItem, ...]:
    return tuple(item for domain in registry.domains() for item in domain.nav)
