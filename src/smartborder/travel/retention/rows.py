"""Holds as the API and the pages show them."""

from __future__ import annotations

from typing import Any

from smartborder.travel.retention import models as hm


def hold_out(hold: hm.Hold) -> dict[str, Any]:
    return {
        "id": hold.id,
        "traveller_id": hold.traveller_id,
        "source": hold.source,
        "reason": hold.reason,
        "placed_by": hold.placed_by,
        "placed_at": hold.placed_at.isoformat(),
        "open": hold.released_at is None,
        "released_by": hold.released_by,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
        "release_reason": hold.release_reason,
    }
