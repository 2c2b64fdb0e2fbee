"""Every traveller filed is screened (local and partner lookouts) and scored by the active risk
model; the result is kept as an assessment when anything fired (an indicator, a lookout hit, a
decision other than board), queued for the analysts by severity, routed to a team by category,
held from retention while a lookout hit is open, and shared with the partner when the model is
joint and the joint score reaches the share threshold.

Re-scoring runs the same steps again for flights not yet arrived, when the model or the lookouts
change (``rescore``); an assessment that no longer fires and that no analyst has touched goes
away, one an analyst has worked keeps its history with the new figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from smartborder import deferred
from smartborder.audit import chain
from smartborder.exchange.context import NodeExchange
from smartborder.identity.dates import DateProblem
from smartborder.screening.features import Identity
from smartborder.screening.models import Lookout
from smartborder.screening.service import Screening
from smartborder.screening.subject import make_identity
from smartborder.travel.intake import models as m
from smartborder.travel.intake.store import Filed
from smartborder.travel.retention import models as hm
from smartborder.travel.retention import service as retention
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels import service as models_service
from smartborder.travel.riskmodels.document import Assessment, Decision, RiskModel
from smartborder.travel.riskmodels.records import Aboard, Recall, add_screening, flight_records
from smartborder.travel.riskmodels.service import active_model, document_of
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting import sharing
from smartborder.travel.targeting.terms import DEFAULT_TEAM


@dataclass(slots=True)
class Scored:
    """What one scoring pass did."""

    flights: int = 0
    travellers: int = 0
    hits: int = 0
    stored: int = 0
    updated: int = 0
    removed: int = 0
    queued: int = 0
    shared: int = 0
    decisions: Counter[str] = field(default_factory=Counter)

    def add(self, other: Scored) -> None:
        for name in ("flights", "travellers", "hits", "stored", "updated", "removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.queued += other.queued
        self.shared += other.shared
        self.decisions.update(other.decisions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "flights": self.flights,
            "travellers": self.travellers,
            "hits": self.hits,
            "stored": self.stored,
            "updated": self.updated,
            "removed": self.removed,
            "queued": self.queued,
            "shared": self.shared,
            "decisions": dict(self.decisions),
        }


def _screening_key(aboard: Aboard) -> tuple[Any, ...]:
    person = aboard.person
    numbers = tuple(sorted(str(d.get("number") or "") for d in aboard.documents))
    key: tuple[Any, ...] = (person.surname, person.given_names, person.birth_date)
    return (*key, person.sex, person.nationality, numbers)


def _identity_of(aboard: Aboard) -> Identity:
    person = aboard.person
    numbers = sorted(str(d.get("number") or "") for d in aboard.documents)
    names = [f"{person.given_names} {person.surname}"]
    try:
        return make_identity(
            names,
            person.birth_date,
            person.sex,
            [person.nationality] if person.nationality else [],
            numbers,
        )
    except DateProblem:  # an unreadable birth date: screen on the rest
        return make_identity(names, None, person.sex, (), numbers)


class Targeting:
    """The node's screening and active model, as scoring needs them. One per process: the
    compiled model is kept until another is activated, and a traveller's screening result is
    kept (a PNR push and the PAXLST name the same person) until a lookout changes."""

    def __init__(
        self,
        screening: Screening | None,
        teams: dict[str, str] | None = None,
        ex: NodeExchange | None = None,
    ) -> None:
        self.screening = screening
        self.teams = teams or {}
        self.ex = ex
        self._model: tuple[str, RiskModel] | None = None
        self._hits: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self._scored_state: tuple[Any, ...] | None = None
        self.recall = Recall()

    def model(self, session: Session) -> tuple[rm.RiskModelRow, RiskModel] | None:
        row = active_model(session)
        if row is None:
            return None
        if self._model is None or self._model[0] != row.id:
            node = self.ex.node_id if self.ex is not None else None
            self._model = (row.id, RiskModel(document_of(row), node))
        return row, self._model[1]

    def sync(self, session: Session) -> None:
        """Bring the lookout index up to date; forget screening results if anything changed."""
        if self.screening is not None and self.screening.sync(session):
            self._hits.clear()

    def screen(self, session: Session, aboard: Aboard, today: dt.date) -> list[dict[str, Any]]:
        """The lookout hits of one traveller, each with the lookout's action."""
        return self.screen_all(session, [aboard], today)[aboard.traveller_id]

    def screen_all(
        self, session: Session, aboard: Sequence[Aboard], today: dt.date
    ) -> dict[str, list[dict[str, Any]]]:
        """Traveller id -> lookout hits, each with the lookout's action. Travellers screened
        before (the same name, date of birth, sex, nationality and documents) are not
        screened again until a lookout changes; the others are screened together."""
        if self.screening is None:
            return {one.traveller_id: [] for one in aboard}
        keys = {one.traveller_id: _screening_key(one) for one in aboard}
        fresh = {key: one for one in aboard if (key := keys[one.traveller_id]) not in self._hits}
        if fresh:
            subjects = [_identity_of(one) for one in fresh.values()]
            found = self.screening.matcher.screen_all(subjects, today=today)
            hits = {
                key: [h.as_dict() for h in some] for key, some in zip(fresh, found, strict=True)
            }
            lookouts = lookout_details(session, [h for some in hits.values() for h in some])
            for hit in (h for some in hits.values() for h in some):
                held = lookouts.get(str(hit["lookout_id"]))
                hit["action"] = held.action if held else None
            if len(self._hits) + len(hits) > 200_000:
                self._hits.clear()
            self._hits.update(hits)
        return {tid: self._hits[key] for tid, key in keys.items()}

    def _state(self, session: Session) -> tuple[Any, ...]:
        newest = session.execute(select(func.max(Lookout.updated_at))).scalar_one_or_none()
        count = session.execute(select(func.count(Lookout.id))).scalar_one()
        model = active_model(session)
        return (newest, count, model.id if model else None, model.joint if model else None)

    def changes(self, session: Session) -> str | None:
        """What changed since the last re-scoring (lookouts, the model), or None."""
        state = self._state(session)
        if self._scored_state is None:
            return "start-up"
        if state == self._scored_state:
            return None
        if state[2:] != self._scored_state[2:]:
            return "risk model changed"
        return "lookouts changed"

    def seen(self, session: Session) -> None:
        self._scored_state = self._state(session)

    def team_of(self, category: str) -> str:
        return self.teams.get(category, DEFAULT_TEAM)


def score_filed(
    session: Session,
    targeting: Targeting,
    filed: Iterable[Filed],
    *,
    now: dt.datetime,
    actor: str,
) -> Scored:
    """Screen and score the travellers just filed (each message's part for each flight)."""
    total = Scored()
    for part in filed:
        targeting.recall.learn(part.flight, part.mentions, part.bookings)
        total.add(score_flight(session, targeting, part.flight, part.travellers, now=now))
    if total.travellers:
        _audit(session, total, actor, now, "travel:travellers:assessed")
    return total


def decision_without_model(hits: list[dict[str, Any]]) -> tuple[Decision, list[str]]:
    """With no active model, a hit whose lookout says deny-boarding is "no board", any other
    hit "contact the authority"."""
    denying = [h for h in hits if h.get("action") == "deny-boarding"]
    if denying:
        return "no board", [
            f"lookout {h['lookout_id']} ({h['category']}) says deny boarding" for h in denying
        ]
    if hits:
        return "contact the authority", [
            f"lookout {h['lookout_id']} ({h['category']}) matched" for h in hits
        ]
    return "board", []


def upcoming(session: Session, today: dt.date) -> list[m.Flight]:
    """Flights not yet arrived: arriving today or later (departing yesterday or later when the
    arrival is not known)."""
    day = today.isoformat()
    before = (today - dt.timedelta(days=1)).isoformat()
    return list(
        session.execute(
            select(m.Flight)
            .where(
                m.Flight.masked_at.is_(None),
                or_(
                    m.Flight.arrival >= day,
                    (m.Flight.arrival.is_(None) & (m.Flight.date >= before)),
                ),
            )
            .order_by(m.Flight.date, m.Flight.id)
        ).scalars()
    )


def rescore(
    session: Session, targeting: Targeting, *, now: dt.datetime, actor: str, reason: str
) -> Scored:
    """Screen and score again every traveller of every flight not yet arrived."""
    total = Scored()
    for flight in upcoming(session, now.date()):
        total.add(score_flight(session, targeting, flight, None, now=now))
    _audit(session, total, actor, now, "travel:travellers:rescored", reason=reason)
    return total


def activate_model(
    session: Session, targeting: Targeting, model_id: str, *, actor: str, now: dt.datetime
) -> tuple[rm.RiskModelRow, Scored]:
    """Make ``model_id`` the active model and score the flights not yet arrived again by it."""
    row = models_service.activate(session, model_id, actor=actor, now=now)
    return row, rescore(session, targeting, now=now, actor=actor, reason="risk model activated")


def _audit(
    session: Session,
    scored: Scored,
    actor: str,
    now: dt.datetime,
    event: str,
    **extra: str,
) -> None:
    chain.append(session, event, actor=actor, details={**scored.as_dict(), **extra}, at=now)


def score_flight(
    session: Session,
    targeting: Targeting,
    flight: m.Flight,
    only: Collection[str] | None,
    *,
    now: dt.datetime,
) -> Scored:
    scored = Scored(flights=1)
    targeting.sync(session)
    found = targeting.model(session)
    aboard = flight_records(session, flight, only, targeting.recall)
    today = now.date()
    hits = targeting.screen_all(session, aboard, today)
    add_screening(aboard, hits)
    results: list[tuple[Aboard, Assessment, list[dict[str, Any]]]] = []
    for one in aboard:
        found_hits = hits[one.traveller_id]
        assessment = found[1].assess(one.record) if found else Assessment()
        if found is None:  # no model: a lookout hit still decides
            assessment.decision, assessment.reasons = decision_without_model(found_hits)
        scored.travellers += 1
        scored.hits += bool(found_hits)
        scored.decisions[assessment.decision] += 1
        results.append((one, assessment, found_hits))
    _keep(session, targeting, flight, results, found, scored, now)
    return scored


# A flight's assessments, local ones picked here: with ``origin = 'local'`` in the query,
# SQLite (no statistics) searches the origin index - every local assessment of every flight -
# instead of the flight's.
_HELD = select(
    tm.Assessment.traveller_id, tm.Assessment.id, tm.Assessment.digest, tm.Assessment.origin
).where(tm.Assessment.flight_id == bindparam("flight"))


def _keep(
    session: Session,
    targeting: Targeting,
    flight: m.Flight,
    results: list[tuple[Aboard, Assessment, list[dict[str, Any]]]],
    found: tuple[rm.RiskModelRow, RiskModel] | None,
    scored: Scored,
    now: dt.datetime,
) -> None:
    """Insert, update or remove each traveller's assessment. The stored ones are read as
    their digests first: one whose digest is that of the values just made is unchanged,
    without reading (and decoding) the whole row."""
    held = {  # the flight's (a statement compiled once, not one per list of travellers)
        row.traveller_id: row
        for row in session.execute(_HELD, {"flight": flight.id})
        if row.origin == "local"
    }
    row_of, model = (found[0], found[1]) if found else (None, None)
    sharing_on = targeting.ex is not None and row_of is not None and row_of.joint
    made: dict[str, tuple[dict[str, Any], str]] = {}
    wanted = []  # the stored rows to read whole: those to remove, rewrite or offer
    for one, assessment, hits in results:
        stored = held.get(one.traveller_id)
        if not (assessment.fired or hits or assessment.decision != "board"):
            if stored is not None:
                wanted.append(stored.id)
            continue
        values = _values(targeting, flight, one, assessment, hits, row_of, model)
        made[one.traveller_id] = values, _digest(values)
        if stored is not None and (
            stored.digest != made[one.traveller_id][1]
            or (sharing_on and model is not None and model.shareable(assessment))
        ):
            wanted.append(stored.id)
    whole: dict[str, tm.Assessment] = {}
    if wanted:
        whole = {row.id: row for row in session.scalars(_WHOLE, {"ids": wanted})}
    to_hold: list[_ToHold] = []
    for one, assessment, hits in results:
        stored = held.get(one.traveller_id)
        if one.traveller_id not in made:
            existing = whole.get(stored.id) if stored is not None else None
            if existing is not None and existing.status == "new" and not existing.shared_with:
                _remove(session, existing, now)
                scored.removed += 1
            continue
        values, digest = made[one.traveller_id]
        changed = True
        existing = None
        shares = sharing_on and model is not None and model.shareable(assessment)
        if stored is None:
            new = {
                "id": str(uuid.uuid4()),
                "flight_id": flight.id,
                "traveller_id": one.traveller_id,
                "origin": "local",
                "status": "new",
                "shared_with": [],
                "assessed_at": now,
                "version": 1,
                "digest": digest,
                **values,
            }
            scored.stored += 1
            if not shares:  # inserted with the message's other rows, as nobody reads it back
                deferred.insert_later(session, _ASSESSMENTS, new)
                scored.queued += values["queued"]
                if hits:
                    to_hold.append((new["id"], one.traveller_id, hits, True))
                continue
            existing = tm.Assessment(**new)  # sharing marks the row it offers
            session.add(existing)
        elif stored.digest == digest:
            changed = False
        else:
            existing = whole[stored.id]
            if any(getattr(existing, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.assessed_at, existing.version = now, existing.version + 1
                scored.updated += 1
            else:
                changed = False
            existing.digest = digest  # (a row from before revision 0011 has none)
        if changed:
            assert existing is not None
            scored.queued += existing.queued
            if hits:
                to_hold.append((existing.id, one.traveller_id, hits, stored is None))
        if shares:
            assert targeting.ex is not None
            assert row_of is not None
            if existing is None:
                existing = whole[stored.id] if stored else None
            assert existing is not None
            scored.shared += sharing.offer(
                session, targeting.ex, existing, one, assessment, row_of, now=now, again=changed
            )
    _hold(session, to_hold, now)


def _digest(values: dict[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _values(
    targeting: Targeting,
    flight: m.Flight,
    one: Aboard,
    assessment: Assessment,
    hits: list[dict[str, Any]],
    row: rm.RiskModelRow | None,
    model: RiskModel | None,
) -> dict[str, Any]:
    alarm = bool(hits) or assessment.decision != "board"
    review = model is not None and model.queued(assessment)
    share = model is not None and model.shareable(assessment)
    severity = "high" if alarm or share else "medium" if review else "low"
    queued = severity != "low"
    if hits:
        category = str(hits[0]["category"])
    elif assessment.fired:
        category = max(assessment.fired, key=lambda i: i.weight).category
    else:
        category = "general"
    person = one.person
    return {
        "model_id": row.id if row else None,
        "model_label": f"{row.name} v{row.version}" if row else "",
        "score": assessment.score,
        "joint_score": assessment.joint_score,
        "decision": assessment.decision,
        "reasons": assessment.reasons,
        "indicators": assessment.as_dict(one.record)["indicators"],
        "hits": hits,
        "severity": severity,
        "queued": queued,
        "category": category[:32],
        "team": targeting.team_of(category)[:40],
        "summary": {
            "name": f"{person.surname}, {person.given_names}".strip(", "),
            "birth_date": person.birth_date,
            "nationality": person.nationality,
            "role": person.role,
            "flight": f"{flight.carrier}{flight.number}",
            "date": flight.date,
            "route": f"{flight.origin}-{flight.destination}",
            "locator": one.locator,
        },
        "departs": (flight.departure or flight.date)[:16],
        "arrives": flight.arrival,
    }


_ToHold = tuple[str, str, list[dict[str, Any]], bool]  # assessment, traveller, hits, new


def _hold(session: Session, rows: list[_ToHold], now: dt.datetime) -> None:
    """An open lookout hit keeps the traveller's data past retention until it is cleared.
    Only an assessment stored before can already have a hold."""
    if not rows:
        return
    sources = [f"hit:{assessment_id}" for assessment_id, _, _, _ in rows]
    earlier = [source for (*_, new), source in zip(rows, sources, strict=True) if not new]
    open_ = set(session.execute(_OPEN_HOLDS, {"sources": earlier}).scalars()) if earlier else set()
    wanted = []
    for (_, traveller_id, hits, _), source in zip(rows, sources, strict=True):
        if source not in open_:
            categories = ", ".join(sorted({str(h["category"]) for h in hits}))
            wanted.append((traveller_id, f"open lookout hit ({categories})", source))
    if wanted:
        retention.place_holds(session, wanted, actor="system:targeting", now=now)


def release_holds(session: Session, row: tm.Assessment, *, actor: str, now: dt.datetime) -> None:
    for hold in session.execute(
        select(hm.Hold).where(hm.Hold.source == f"hit:{row.id}", hm.Hold.released_at.is_(None))
    ).scalars():
        retention.release_hold(session, hold.id, actor=actor, now=now, reason="hit closed")


def _remove(session: Session, row: tm.Assessment, now: dt.datetime) -> None:
    release_holds(session, row, actor="system:targeting", now=now)
    session.delete(row)


def lookout_details(session: Session, hits: list[dict[str, Any]]) -> dict[str, Lookout]:
    ids = sorted({str(h["lookout_id"]) for h in hits})
    if not ids:
        return {}
    return {lookout.id: lookout for lookout in session.scalars(_LOOKOUTS, {"ids": ids})}


# Built once: scoring runs them for every message.
_ASSESSMENTS = tm.Assessment.__table__
_WHOLE = select(tm.Assessment).where(tm.Assessment.id.in_(bindparam("ids", expanding=True)))
_OPEN_HOLDS = select(hm.Hold.source).where(
    hm.Hold.source.in_(bindparam("sources", expanding=True)), hm.Hold.released_at.is_(None)
)
_LOOKOUTS = select(Lookout).where(Lookout.id.in_(bindparam("ids", expanding=True)))
