"""Members against the lookouts made since their approval: a new lookout that names a member
flags the membership for an officer (to suspend, with written reasons, or to dismiss as
another person). The lane refers such a member already (screening of the moment); the flag
makes sure someone decides on the membership itself.

The members (active, not expired, issued here or shared by the partner) are held as screening's
index (names, date of birth, nationality), kept in step with the table. Each run takes the
lookouts created or changed since the last one (on start, those of the last
``RECHECK_LOOKBACK_DAYS``: a flag is kept once per lookout and version, so running again
changes nothing) and matches each against the members at screening's operating points.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, ValidationFailed
from smartborder.identity.countries import from_alpha2
from smartborder.programs.membership import close, find
from smartborder.programs.models import TrustedMembership
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import Matcher, Thresholds
from smartborder.screening.models import Lookout
from smartborder.screening.service import entry_of
from smartborder.screening.subject import make_identity

RECHECK_LOOKBACK_DAYS = 7
SYSTEM = "system:recheck"


def _entry(row: Any) -> Entry:
    nationality = from_alpha2(row.nationality or "") or None
    identity = make_identity([f"{row.given_names} {row.surname}".strip()],
                             row.birth_date.isoformat(), None,
                             [nationality] if nationality else [], [])  # fmt: skip
    return Entry(row.card_number, row.program, row.origin, 1, identity)


class MemberIndex:
    """One per process: the active members as the matcher's entries."""

    def __init__(self) -> None:
        self._index = LookoutIndex()
        self._lock = threading.Lock()
        self._seen: dt.datetime | None = None  # memberships changed up to here are held
        self.lookouts_until: dt.datetime | None = None  # lookouts rechecked up to here

    def __len__(self) -> int:
        return len(self._index)

    def sync(self, session: Session) -> int:
        with self._lock:
            query = select(
                TrustedMembership.card_number, TrustedMembership.program,
                TrustedMembership.origin, TrustedMembership.surname,
                TrustedMembership.given_names, TrustedMembership.birth_date,
                TrustedMembership.nationality, TrustedMembership.status,
                TrustedMembership.updated_at,
            ).order_by(TrustedMembership.updated_at)  # fmt: skip
            if self._seen is not None:
                query = query.where(TrustedMembership.updated_at >= self._seen)
            rows = session.execute(query).all()
            if self._seen is None:
                self._index.build([_entry(r) for r in rows if r.status == "active"])
            else:
                for row in rows:
                    if row.status == "active":
                        self._index.upsert(_entry(row))
                    elif self._index.get(row.card_number) is not None:
                        self._index.remove(row.card_number)
            if rows:
                self._seen = rows[-1].updated_at
            return len(rows)

    def matches(self, entry: Entry, thresholds: Thresholds) -> list[tuple[str, float]]:
        hits = Matcher(self._index, thresholds).screen(entry.identity, limit=5)
        return [(h.entry.lookout_id, h.score) for h in hits]


def recheck(
    session: Session, members: MemberIndex, thresholds: Thresholds, *, now: dt.datetime
) -> list[dict[str, Any]]:
    """Flag the members the lookouts made or changed since the last run name; the flags
    raised."""
    members.sync(session)
    since = members.lookouts_until or now - dt.timedelta(days=RECHECK_LOOKBACK_DAYS)
    lookouts = session.scalars(select(Lookout).where(
        Lookout.updated_at >= since, Lookout.status == "active",
        Lookout.subject_kind == "person").order_by(Lookout.updated_at))  # fmt: skip
    raised = []
    newest = since
    for lookout in lookouts:
        newest = max(newest, lookout.updated_at)
        for card, score in members.matches(entry_of(lookout), thresholds):
            row = find(session, card)
            if any(f["lookout"] == lookout.id and f["version"] == lookout.version
                   for f in row.flags):  # fmt: skip
                continue
            flag = {"lookout": lookout.id, "version": lookout.version,
                    "category": lookout.category, "origin": lookout.origin,
                    "score": round(score, 3), "at": now.isoformat(), "open": True}  # fmt: skip
            row.flags, row.updated_at = [*row.flags, flag], now
            row.open_flags = sum(1 for f in row.flags if f["open"])
            chain.append(session, "programs:membership:flagged", actor=SYSTEM, subject=row.id,
                         details={"card": card, "lookout": lookout.id,
                                  "category": lookout.category})  # fmt: skip
            raised.append({"card_number": card, **flag})
    members.lookouts_until = newest
    return raised


def dismiss(
    session: Session, card: str, *, reasons: list[str], actor: str, now: dt.datetime
) -> TrustedMembership:
    """An officer's finding that the open flags are of another person (or need no action),
    with written reasons."""
    written = [r.strip() for r in reasons if r.strip()]
    if not written:
        raise ValidationFailed("reasons: a dismissal is given with written reasons",
                               details=[{"field": "reasons", "problem": "empty"}])  # fmt: skip
    row = find(session, card)
    if not any(f["open"] for f in row.flags):
        raise Conflict(f"membership {row.card_number} has no open flag")
    close(row, f"dismissed by {actor}: {'; '.join(written)}", now)
    row.updated_at = now
    chain.append(session, "programs:membership:flags-dismissed", actor=actor, subject=row.id,
                 details={"card": row.card_number, "reasons": written})  # fmt: skip
    return row


def flagged(session: Session) -> list[TrustedMembership]:
    """Active memberships with an open flag, for the officers' page (at most 200)."""
    return list(session.scalars(select(TrustedMembership).where(
        TrustedMembership.open_flags > 0, TrustedMembership.status == "active")
        .order_by(TrustedMembership.updated_at.desc()).limit(200)))  # fmt: skip
