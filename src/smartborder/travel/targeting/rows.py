"""Assessments as the targeting API, the pages and the CLI show them (one shape for all)."""

from __future__ import annotations

from typing import Any

from smartborder.travel.intake import models as m
from smartborder.travel.intake.rows import flight_out
from smartborder.travel.targeting import models as tm


def assessment_out(row: tm.Assessment) -> dict[str, Any]:
    return {
        "id": row.id,
        "origin": row.origin,
        "origin_ref": row.origin_ref,
        "agreement": row.agreement,
        "flight_id": row.flight_id,
        "traveller_id": row.traveller_id,
        "traveller": row.summary,
        "model": row.model_label or None,
        "score": row.score,
        "joint_score": row.joint_score,
        "decision": row.decision,
        "reasons": row.reasons,
        "severity": row.severity,
        "queued": row.queued,
        "category": row.category,
        "team": row.team,
        "departs": row.departs,
        "arrives": row.arrives,
        "status": row.status,
        "status_by": row.status_by,
        "status_at": row.status_at.isoformat() if row.status_at else None,
        "shared_with": row.shared_with,
        "hits": len(row.hits),
        "indicators": [i.get("id") for i in row.indicators],
        "assessed_at": row.assessed_at.isoformat(),
        "version": row.version,
    }


def disposition_out(step: tm.Disposition) -> dict[str, Any]:
    return {
        "status": step.status,
        "note": step.note,
        "actor": step.actor,
        "origin": step.origin,
        "at": step.at.isoformat(),
    }


def detail_out(found: dict[str, Any]) -> dict[str, Any]:
    """An assessment with everything its page shows."""
    row: tm.Assessment = found["assessment"]
    booking: m.Reservation | None = found["booking"]
    return {
        **assessment_out(row),
        "indicators": row.indicators,
        "hits": found["hits"],
        "flight": flight_out(found["flight"]) if found["flight"] is not None else None,
        "booking": (
            {
                "locator": booking.locator,
                "created": booking.created,
                "ticketed": booking.ticketed,
                "masked": booking.masked,
                **booking.details,
            }
            if booking is not None
            else None
        ),
        "history": [disposition_out(s) for s in found["history"]],
    }
