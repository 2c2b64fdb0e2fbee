"""A claim as its readers see it: the claim with its current determination, its versions, every
determination made of it and its comparisons with partners; each reading audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartborder.asylum import claims, comparisons
from smartborder.audit import chain


def detail(session: Session, claim_id: str, *, actor: str) -> dict[str, Any]:
    """The claim (by id or reference) and its history; the reading is audited."""
    row = claims.get(session, claim_id)
    changes, determinations = claims.history(session, row.id)
    chain.append(session, "asylum:claim:viewed", actor=actor, subject=row.id,
                 details={"reference": row.reference, "version": row.version})  # fmt: skip
    return {
        "claim": claims.claim_out(row, claims.current(session, row.id)),
        "changes": [claims.change_out(c) for c in changes],
        "determinations": [claims.determination_out(d) for d in determinations],
        "comparisons": [comparisons.comparison_out(c)
                        for c in comparisons.listing(session, claim_id=row.id)],
    }  # fmt: skip
