"""The node's claimants in memory, for the Asylum Annex's comparisons: screening's index and
matcher over the claims (names in every script, partial dates of birth, nationalities,
document numbers), kept in step with the database by what changed since the last look."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.asylum.claims import identity_of
from smartborder.asylum.models import AsylumClaim
from smartborder.screening.features import Identity
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import Hit, Matcher, Thresholds

CATEGORY = "asylum-claim"


@dataclass(frozen=True)
class Found:
    claim_id: str
    score: float
    threshold: float
    evidence: list[dict[str, object]]


class ClaimIndex:
    """One per process: the claims as the matcher's entries."""

    def __init__(self) -> None:
        self._index = LookoutIndex()
        self._lock = threading.Lock()
        self._seen: dt.datetime | None = None

    def __len__(self) -> int:
        return len(self._index)

    def sync(self, session: Session) -> int:
        """Take in the claims changed since the last look; how many were taken."""
        with self._lock:
            query = select(
                AsylumClaim.id, AsylumClaim.version, AsylumClaim.claimant, AsylumClaim.facts,
                AsylumClaim.updated_at,
            ).order_by(AsylumClaim.updated_at)  # fmt: skip
            if self._seen is not None:  # >=: a change in the same instant is not lost
                query = query.where(AsylumClaim.updated_at >= self._seen)
            rows = session.execute(query).all()
            entries = [Entry(r.id, CATEGORY, "local", r.version, identity_of(r.claimant, r.facts))
                       for r in rows]  # fmt: skip
            if self._seen is None and entries:
                self._index.build(entries)
            else:
                for entry in entries:
                    self._index.upsert(entry)
            if rows:
                self._seen = rows[-1].updated_at
            return len(entries)

    def match(self, identity: Identity, thresholds: Thresholds, limit: int = 5) -> list[Found]:
        """The claims that match ``identity`` at screening's operating points, best first."""
        hits: list[Hit] = Matcher(self._index, thresholds).screen(identity, limit=limit)
        return [Found(h.entry.lookout_id, h.score, h.threshold,
                      [e.as_dict() for e in h.evidence]) for h in hits]  # fmt: skip
