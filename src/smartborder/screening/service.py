"""Lookouts (create, amend, retract, list, import) and screening against them.

Every change is audited in the same transaction. The in-memory index follows the table: each
screening first picks up what changed since it last looked (``updated_at``, re-reading a few
seconds back so that transactions committing out of order are not missed), so changes made by
the API, the CLI, another process or the lookout exchange are all seen.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from smartborder import metrics
from smartborder.audit import chain
from smartborder.db import utcnow
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange.context import NodeExchange
from smartborder.identity.names import normalise
from smartborder.screening import sharing
from smartborder.screening.files import validate_all
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import Hit, Matcher, Thresholds
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import LookoutIn, LookoutPatch, SubjectIn
from smartborder.screening.subject import make_identity, search_text

LOOKBACK = dt.timedelta(seconds=5)
NAMES_KEPT = 100_000  # names screened alone whose hits are kept (``Screening.screen_name``)


def _fields(data: LookoutIn | LookoutPatch) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=isinstance(data, LookoutPatch))
    if "names" in values and values["names"] is not None:
        values["search_text"] = search_text(values["names"])
    return values


def create_lookout(
    session: Session,
    data: LookoutIn,
    *,
    actor: str,
    today: dt.date,
    ex: NodeExchange | None = None,
) -> Lookout:
    """Create a local lookout; with ``ex``, a shared one goes to the partners at once."""
    now = utcnow()
    values = _fields(data)
    values["valid_from"] = values["valid_from"] or today
    lookout = Lookout(
        id=str(uuid.uuid4()),
        **values,
        status="active",
        origin="local",
        origin_id=None,
        version=1,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        retracted_reason=None,
    )
    session.add(lookout)
    chain.append(
        session,
        "screening:lookout:created",
        actor=actor,
        subject=lookout.id,
        details={"category": data.category, "kind": data.subject_kind, "share": data.share},
        at=now,
    )
    if ex is not None:
        sharing.publish(session, ex, [(lookout, False)], actor=actor)
    return lookout


def get_lookout(session: Session, lookout_id: str) -> Lookout:
    lookout = session.get(Lookout, lookout_id)
    if lookout is None:
        raise NotFound(f"no lookout {lookout_id}")
    return lookout


def _local(lookout: Lookout) -> None:
    if lookout.origin != "local":
        raise Conflict(
            f"lookout {lookout.id} was provided by {lookout.origin}; only {lookout.origin} can "
            "change it (ask them through a case request)"
        )


def amend_lookout(
    session: Session,
    lookout_id: str,
    data: LookoutPatch,
    *,
    actor: str,
    ex: NodeExchange | None = None,
) -> Lookout:
    lookout = get_lookout(session, lookout_id)
    _local(lookout)
    was_shared = lookout.share
    if lookout.status != "active":
        raise Conflict(f"lookout {lookout_id} is {lookout.status}; it can no longer be amended")
    changes = {k: v for k, v in _fields(data).items() if getattr(lookout, k) != v}
    amended = {
        **{f: getattr(lookout, f) for f in LookoutIn.model_fields},
        **{k: v for k, v in changes.items() if k != "search_text"},
    }
    _, problems = validate_all(LookoutIn, [(1, amended)])
    if problems:  # the amended lookout must still be a valid lookout
        details = [{"field": p["field"], "problem": p["problem"]} for p in problems]
        raise ValidationFailed("the amendment would make the lookout invalid", details=details)
    if not changes:
        return lookout
    for key, value in changes.items():
        setattr(lookout, key, value)
    fields = sorted(k for k in changes if k != "search_text")
    _new_version(session, lookout, "screening:lookout:amended", actor, {"fields": fields})
    if ex is not None:
        sharing.publish(session, ex, [(lookout, was_shared)], actor=actor)
    return lookout


def retract_lookout(
    session: Session,
    lookout_id: str,
    *,
    reason: str,
    actor: str,
    ex: NodeExchange | None = None,
) -> Lookout:
    lookout = get_lookout(session, lookout_id)
    _local(lookout)
    if lookout.status == "retracted":
        raise Conflict(f"lookout {lookout_id} was already retracted")
    lookout.status, lookout.retracted_reason = "retracted", reason
    _new_version(session, lookout, "screening:lookout:retracted", actor, {"reason": reason})
    if ex is not None:
        sharing.publish(session, ex, [(lookout, lookout.share)], actor=actor)
    return lookout


def _new_version(
    session: Session, lookout: Lookout, event: str, actor: str, details: dict[str, Any]
) -> Lookout:
    """Count a change as the lookout's next version, and audit it."""
    lookout.version += 1
    lookout.updated_at, lookout.updated_by = utcnow(), actor
    chain.append(
        session,
        event,
        actor=actor,
        subject=lookout.id,
        details={**details, "version": lookout.version},
        at=lookout.updated_at,
    )
    return lookout


def list_lookouts(
    session: Session,
    *,
    query: str = "",
    category: str | None = None,
    status: str | None = None,
    origin: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Lookout]]:
    statement = select(Lookout)
    if query:
        key = normalise(query)
        statement = statement.where(
            or_(Lookout.search_text.contains(key), Lookout.id == query.strip())
        )
    if category:
        statement = statement.where(Lookout.category == category)
    if status:
        statement = statement.where(Lookout.status == status)
    if origin:
        statement = statement.where(Lookout.origin == origin)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.order_by(Lookout.updated_at.desc(), Lookout.id).limit(limit).offset(offset)
    )
    return int(total), list(rows)


def import_lookouts(
    session: Session,
    rows: Sequence[tuple[int, dict[str, Any]]],
    *,
    actor: str,
    today: dt.date,
    ex: NodeExchange | None = None,
) -> list[Lookout]:
    """Validate every row first; create them all only when none has a problem.

    ``rows`` are (line number, record). A failure raises ValidationFailed listing each problem
    as ``line N: field: message``, and nothing is written.
    """
    checked, problems = validate_all(LookoutIn, rows)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in {len({p['line'] for p in problems})} record(s); "
            "nothing was imported",
            details=problems,
        )
    created = [create_lookout(session, data, actor=actor, today=today) for data in checked]
    sent = 0
    if ex is not None:
        sent = sharing.publish(session, ex, [(lookout, False) for lookout in created], actor=actor)
    chain.append(
        session,
        "screening:lookouts:imported",
        actor=actor,
        details={"count": len(created), "envelopes": sent},
    )
    return created


# --- screening -------------------------------------------------------------------------------


def entry_of(lookout: Lookout) -> Entry:
    return Entry(
        lookout_id=lookout.id,
        category=lookout.category,
        origin=lookout.origin,
        version=lookout.version,
        identity=make_identity(
            [str(n["name"]) for n in lookout.names],
            lookout.birth_date,
            lookout.sex,
            lookout.nationalities,
            [str(d["number"]) for d in lookout.documents],
        ),
        valid_until=lookout.valid_until,
    )


def subject_of(data: SubjectIn) -> Any:
    return make_identity(data.names, data.birth_date, data.sex, data.nationalities, data.documents)


class Screening:
    """The node's matcher, kept in step with the lookouts table."""

    def __init__(self, thresholds: Thresholds) -> None:
        """``thresholds``: the operating points the matcher decides at."""
        self.index = LookoutIndex()
        self.matcher = Matcher(self.index, thresholds)
        self._seen_until: dt.datetime | None = None
        # the look-back window's lookouts in brief, to skip reading them when none changed
        self._state = select(
            func.count(Lookout.id), func.sum(Lookout.version), func.max(Lookout.updated_at)
        ).where(Lookout.updated_at >= bindparam("since"))
        self._window: tuple[Any, ...] | None = None
        self._lock = threading.Lock()
        self.generation = 0  # moves whenever the index changes
        self._names: dict[tuple[Any, ...], list[Hit]] = {}

    def sync(self, session: Session) -> int:
        """Load what changed since the last call (everything, the first time); returns how
        many lookouts were added, changed or removed. The look-back re-reads the last few
        seconds of changes on every call (a write committed late may carry an earlier time):
        it reads the window in brief first (how many, the sum of their versions, the newest
        time; every change counts a version), its rows' versions only when that moved, and
        whole rows only for those the index lacks."""
        with self._lock:
            if self._seen_until is None:
                active = select(Lookout).where(Lookout.status == "active")
                entries, newest = [], None
                for lookout in session.scalars(active.execution_options(yield_per=5000)):
                    entries.append(entry_of(lookout))
                    newest = max(newest or lookout.updated_at, lookout.updated_at)
                self.index.build(entries)
                self._seen_until = newest or utcnow() - LOOKBACK
                self.generation += 1
                return len(entries)
            since = self._seen_until - LOOKBACK
            state = (since, *session.execute(self._state, {"since": since}).one())
            if state == self._window:
                return 0  # every change counts a version and moves updated_at: none since
            recent = session.execute(
                select(Lookout.id, Lookout.version, Lookout.status, Lookout.updated_at).where(
                    Lookout.updated_at >= since
                )
            ).all()
            self._window = state
            stale = []
            for row in recent:
                self._seen_until = max(self._seen_until, row.updated_at)
                held = self.index.get(row.id)
                if row.status == "active":
                    if held is None or held.version != row.version:
                        stale.append(row.id)
                elif held is not None:
                    stale.append(row.id)
            if not stale:
                return 0
            for lookout in session.scalars(select(Lookout).where(Lookout.id.in_(stale))):
                if lookout.status == "active":
                    self.index.upsert(entry_of(lookout))
                else:
                    self.index.remove(lookout.id)
            self.generation += 1
            return len(stale)

    def screen_name(self, name: str, *, today: dt.date, limit: int = 3) -> list[Hit]:
        """A name alone (a company's, a trade party's) against the index as last synced: the
        same parties recur in report after report, so each name's hits are kept until the
        lookouts change (``generation``) or the day does. Call ``sync`` first."""
        key = (self.generation, today, limit, " ".join(name.upper().split()))
        found = self._names.get(key)
        if found is None:
            subject = SubjectIn(names=[name])
            with metrics.SCREENING.time():
                found = self.matcher.screen(subject_of(subject), limit=limit, today=today)
            if len(self._names) >= NAMES_KEPT:
                self._names.clear()
            self._names[key] = found
        return found

    def screen(
        self,
        session: Session,
        subject: SubjectIn,
        *,
        today: dt.date,
        limit: int = 10,
        floor: float | None = None,
    ) -> list[Hit]:
        self.sync(session)
        with metrics.SCREENING.time():
            return self.matcher.screen(subject_of(subject), limit=limit, floor=floor, today=today)
