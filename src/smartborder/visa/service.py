"""Visa requirement snapshots: load, list, compare two destinations, diff one destination.

The shipped data set is loaded as the first snapshot the first time a node asks for visa data
(so a fresh install answers at once); later snapshots (newer data, an official list for one
destination) are loaded from CSV files in the same form. For a date, each destination's list
is the latest one taken on or before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.visa import models as m
from smartborder.visa.report import Convergence, Side, changes, compare
from smartborder.visa.requirements import (
    BUNDLED,
    BUNDLED_DATE,
    BUNDLED_LABEL,
    Lists,
    bundled_text,
    check_country,
    read_snapshot,
)

PARTNER_COUNTRIES = ("CA", "US")


def parse_day(value: str | None, field: str, *, required: bool = False) -> dt.date | None:
    """A date given as YYYY-MM-DD in a request, or ValidationFailed naming ``field``."""
    if not value:
        if required:
            raise ValidationFailed(
                f"{field}: give a date", details=[{"location": field, "message": "required"}]
            )
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{field}: '{value}' is not a date",
            details=[{"location": field, "message": "not a calendar date (YYYY-MM-DD)"}],
        ) from None


def default_pair(country: str) -> tuple[str, str]:
    """The node's own country and its partner's (CA and US by default)."""
    if country in PARTNER_COUNTRIES:
        other = next(c for c in PARTNER_COUNTRIES if c != country)
        return country, other
    return PARTNER_COUNTRIES


@cache
def _bundled() -> tuple[Lists, str]:
    text = bundled_text()
    return read_snapshot(text, BUNDLED), hashlib.sha256(text.encode()).hexdigest()


def ensure_bundled(session: Session, *, now: dt.datetime) -> None:
    """Load the shipped data set as a snapshot unless any snapshot is loaded already."""
    if session.execute(select(m.VisaSnapshot.id).limit(1)).first() is not None:
        return
    lists, digest = _bundled()
    _store(
        session,
        lists,
        digest,
        taken_on=dt.date.fromisoformat(BUNDLED_DATE),
        label=BUNDLED_LABEL,
        source="bundled",
        actor="system:bundled",
        now=now,
    )


def load_snapshot(
    session: Session,
    text: str,
    *,
    source: str,
    taken_on: dt.date,
    label: str,
    actor: str,
    now: dt.datetime,
) -> m.VisaSnapshot:
    """Check a snapshot file and keep its lists; a file with any problem changes nothing."""
    ensure_bundled(session, now=now)
    if taken_on > now.date():
        raise ValidationFailed(
            f"snapshot date {taken_on} is in the future",
            details=[{"location": "date", "message": "a snapshot is dated when it was taken"}],
        )
    lists = read_snapshot(text, source)
    digest = hashlib.sha256(text.encode()).hexdigest()
    held = session.execute(
        select(m.VisaSnapshot).where(m.VisaSnapshot.digest == digest)
    ).scalar_one_or_none()
    if held is not None:
        raise Conflict(
            f"{source}: the same file was loaded on {held.loaded_at:%Y-%m-%d} as snapshot "
            f"{held.id} ({held.taken_on})"
        )
    return _store(
        session,
        lists,
        digest,
        taken_on=taken_on,
        label=label,
        source=source,
        actor=actor,
        now=now,
    )


def _store(
    session: Session,
    lists: Lists,
    digest: str,
    *,
    taken_on: dt.date,
    label: str,
    source: str,
    actor: str,
    now: dt.datetime,
) -> m.VisaSnapshot:
    snapshot = m.VisaSnapshot(
        id=str(uuid.uuid4()),
        taken_on=taken_on,
        label=label,
        source=source,
        digest=digest,
        destinations=sorted(lists),
        rows=sum(len(listed) for listed in lists.values()),
        loaded_at=now,
        loaded_by=actor,
    )
    session.add(snapshot)
    session.flush()
    session.add_all(
        m.VisaList(
            snapshot_id=snapshot.id,
            destination=destination,
            taken_on=taken_on,
            requirements=dict(sorted(listed.items())),
        )
        for destination, listed in sorted(lists.items())
    )
    chain.append(
        session,
        "visa:snapshot:loaded",
        actor=actor,
        subject=snapshot.id,
        details={
            "source": source,
            "taken_on": taken_on.isoformat(),
            "digest": digest,
            "destinations": len(lists),
            "rows": snapshot.rows,
        },
        at=now,
    )
    return snapshot


def snapshot_out(row: m.VisaSnapshot) -> dict[str, Any]:
    return {
        "id": row.id,
        "taken_on": row.taken_on.isoformat(),
        "label": row.label,
        "source": row.source,
        "digest": row.digest,
        "destinations": row.destinations,
        "rows": row.rows,
        "loaded_at": row.loaded_at.isoformat(),
        "loaded_by": row.loaded_by,
    }


def snapshots(session: Session, *, now: dt.datetime) -> list[m.VisaSnapshot]:
    ensure_bundled(session, now=now)
    return list(
        session.scalars(
            select(m.VisaSnapshot).order_by(
                m.VisaSnapshot.taken_on.desc(), m.VisaSnapshot.loaded_at.desc()
            )
        )
    )


def side(session: Session, destination: str, on: dt.date | None, *, now: dt.datetime) -> Side:
    """``destination``'s list as of ``on`` (the latest when not given)."""
    ensure_bundled(session, now=now)
    code = check_country(destination, "destination")
    query = select(m.VisaList).where(m.VisaList.destination == code)
    if on is not None:
        query = query.where(m.VisaList.taken_on <= on)
    query = query.order_by(m.VisaList.taken_on.desc(), m.VisaList.id.desc()).limit(1)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        when = f" on or before {on}" if on else ""
        raise NotFound(f"no visa requirement list for {code}{when}; load a snapshot covering it")
    return Side(code, found.taken_on.isoformat(), found.snapshot_id, dict(found.requirements))


def convergence(
    session: Session,
    a: str,
    b: str,
    on: dt.date | None,
    *,
    now: dt.datetime,
    change: tuple[str, str, str] | None = None,
) -> Convergence:
    """The convergence report of ``a`` and ``b``; with ``change`` (destination, nationality,
    requirement value), as it would be were that change adopted."""
    first, second = side(session, a, on, now=now), side(session, b, on, now=now)
    if first.destination == second.destination:
        raise ValidationFailed(
            "compare two different destinations",
            details=[{"location": "b", "message": f"{a} is compared with itself"}],
        )
    if change is not None:
        where, nationality, value = change
        first, second = (
            Side(s.destination, s.taken_on, s.snapshot_id, {**s.requirements, nationality: value})
            if s.destination == where
            else s
            for s in (first, second)
        )
    return compare(first, second)


def diff(
    session: Session,
    destination: str,
    before: dt.date | None,
    after: dt.date | None,
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    """What changed in ``destination``'s list between two dates (default: its two latest
    lists)."""
    code = check_country(destination, "destination")
    ensure_bundled(session, now=now)
    later = side(session, code, after, now=now)
    if before is None:
        earlier_rows = session.execute(
            select(m.VisaList)
            .where(
                m.VisaList.destination == code,
                m.VisaList.snapshot_id != later.snapshot_id,
                m.VisaList.taken_on <= dt.date.fromisoformat(later.taken_on),
            )
            .order_by(m.VisaList.taken_on.desc(), m.VisaList.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if earlier_rows is None:
            raise NotFound(f"{code} has one list only (of {later.taken_on}): nothing to compare")
        earlier = Side(
            code,
            earlier_rows.taken_on.isoformat(),
            earlier_rows.snapshot_id,
            dict(earlier_rows.requirements),
        )
    else:
        earlier = side(session, code, before, now=now)
    found = changes(earlier, later)
    return {
        "destination": code,
        "before": {"taken_on": earlier.taken_on, "snapshot": earlier.snapshot_id},
        "after": {"taken_on": later.taken_on, "snapshot": later.snapshot_id},
        "changed": len(found),
        "changes": found,
    }
