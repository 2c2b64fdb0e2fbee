"""Risk models kept by the node: loaded (only when every check passes), listed, activated
(one active model at a time; the previous one retired), and tried against stored travellers
before activation: how many of a day's travellers each indicator would flag."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, defer

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound
from smartborder.travel.intake import models as m
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels.conditions import Condition, compile_condition, explain
from smartborder.travel.riskmodels.document import RiskModel, RiskModelDoc, parse_document
from smartborder.travel.riskmodels.records import add_screening, flight_records
from smartborder.travel.targeting import models as tm


def store_model(
    session: Session, doc: RiskModelDoc, *, source: str, actor: str, now: dt.datetime
) -> rm.RiskModelRow:
    """Keep a checked model as a draft; a name and version are loaded once."""
    taken = session.execute(
        select(rm.RiskModelRow.id).where(
            rm.RiskModelRow.name == doc.name, rm.RiskModelRow.version == doc.version
        )
    ).scalar_one_or_none()
    if taken:
        raise Conflict(
            f"model {doc.name} version {doc.version} is already loaded ({taken}); "
            "give the changed model a new version"
        )
    row = rm.RiskModelRow(
        id=str(uuid.uuid4()),
        name=doc.name,
        subject=doc.subject,
        version=doc.version,
        status="draft",
        joint=False,
        document=doc.model_dump(mode="json", by_alias=True, exclude_none=True),
        digest=doc.digest(),
        source=source[:200],
        indicators=len(doc.indicators),
        created_by=actor[:120],
        created_at=now,
    )
    session.add(row)
    session.flush()
    chain.append(
        session,
        "travel:model:loaded",
        actor=actor,
        subject=row.id,
        details={"name": doc.name, "version": doc.version, "digest": row.digest},
        at=now,
    )
    return row


def get_model(session: Session, model_id: str) -> rm.RiskModelRow:
    row = session.get(rm.RiskModelRow, model_id)
    if row is None:
        raise NotFound(f"no risk model {model_id}")
    return row


def list_models(session: Session) -> Sequence[rm.RiskModelRow]:
    return (
        session.execute(
            select(rm.RiskModelRow).order_by(rm.RiskModelRow.name, rm.RiskModelRow.version.desc())
        )
        .scalars()
        .all()
    )


def active_model(session: Session, subject: str = "traveller") -> rm.RiskModelRow | None:
    """The active model's row for ``subject`` (travellers or shipments); its document is read
    when first used (scoring asks for the row on every message and compiles the document only
    when the model changed)."""
    return session.execute(_ACTIVE, {"subject": subject}).scalar_one_or_none()


# Built once: every message scored and every board / no board check runs it.
_ACTIVE = (
    select(rm.RiskModelRow)
    .where(rm.RiskModelRow.status == "active", rm.RiskModelRow.subject == bindparam("subject"))
    .options(defer(rm.RiskModelRow.document))
)


def document_of(row: rm.RiskModelRow) -> RiskModelDoc:
    return parse_document(row.document)


def activate(session: Session, model_id: str, *, actor: str, now: dt.datetime) -> rm.RiskModelRow:
    row = get_model(session, model_id)
    if row.status == "active":
        raise Conflict(f"model {row.name} version {row.version} is already active")
    if row.status == "retired":
        raise Conflict(
            f"model {row.name} version {row.version} was retired; load it as a new version"
        )
    document_of(row)  # stored models were checked; a row changed behind our back is refused
    previous = active_model(session, row.subject)
    if previous is not None:
        previous.status, previous.retired_at = "retired", now
    row.status, row.activated_by, row.activated_at = "active", actor[:120], now
    chain.append(
        session,
        "travel:model:activated",
        actor=actor,
        subject=row.id,
        details={
            "name": row.name,
            "version": row.version,
            "digest": row.digest,
            "retired": previous.id if previous else None,
        },
        at=now,
    )
    return row


# -- trying a model or a condition on stored travellers --------------------------------------


@dataclass(slots=True)
class Tried:
    """How a model (or one condition) reads on the travellers of a day."""

    date: str
    flights: int = 0
    travellers: int = 0
    matched: int = 0
    by_indicator: Counter[str] = field(default_factory=Counter)
    queued: int = 0
    shareable: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "flights": self.flights,
            "travellers": self.travellers,
            "matched": self.matched,
            "by_indicator": dict(self.by_indicator.most_common()),
            "queued": self.queued,
            "shareable": self.shareable,
            "decisions": dict(self.decisions),
            "examples": self.examples,
            "note": "screening.* fields read the hits of each traveller's latest scoring",
        }


def travellers_of_day(session: Session, date: str) -> list[tuple[m.Flight, dict[str, Any]]]:
    """Each traveller of each flight departing on ``date`` as a record for risk conditions,
    with the lookout hits their latest scoring found (none for a traveller never scored)."""
    flights = session.execute(select(m.Flight).where(m.Flight.date == date)).scalars().all()
    found: list[tuple[m.Flight, dict[str, Any]]] = []
    for flight in flights:
        # the flight's local assessments, picked here, not in the query (see targeting._HELD)
        hits: dict[str, list[dict[str, Any]]] = {
            str(tid): found
            for tid, found, origin in session.execute(
                select(tm.Assessment.traveller_id, tm.Assessment.hits, tm.Assessment.origin).where(
                    tm.Assessment.flight_id == flight.id
                )
            )
            if origin == "local"
        }
        aboard = flight_records(session, flight)
        add_screening(aboard, hits)
        found.extend((flight, one.record) for one in aboard)
    return found


def latest_day(session: Session, yesterday: dt.date) -> str:
    """The day the condition builder previews by default: yesterday when it has flights, else
    the latest day up to today that has (a node that started today), else yesterday."""

    def latest(up_to: dt.date) -> str | None:
        found = session.execute(
            select(func.max(m.Flight.date)).where(m.Flight.date <= up_to.isoformat())
        ).scalar_one_or_none()
        return str(found) if found else None

    if latest(yesterday) == yesterday.isoformat():
        return yesterday.isoformat()
    return latest(yesterday + dt.timedelta(days=1)) or yesterday.isoformat()


def try_model(
    session: Session, doc: RiskModelDoc, date: str, *, node: str | None = None, examples: int = 5
) -> Tried:
    """What ``doc`` would flag among ``date``'s travellers, evaluated as ``node`` would (its
    own national indicators and the joint ones)."""
    if doc.subject != "traveller":
        raise Conflict(f"model {doc.name} scores {doc.subject}s; this trial runs over stored "
                       "travellers only")  # fmt: skip
    model = RiskModel(doc, node)

    def judge(tried: Tried, record: dict[str, Any]) -> dict[str, Any] | None:
        assessment = model.assess(record)
        tried.decisions[assessment.decision] += 1
        if not assessment.fired:
            return None
        tried.by_indicator.update(i.id for i in assessment.fired)
        tried.queued += model.queued(assessment)
        tried.shareable += model.shareable(assessment)
        return assessment.as_dict(record)

    return _trial(session, date, judge, examples)


def try_condition(session: Session, condition: Condition, date: str, *, examples: int = 5) -> Tried:
    test = compile_condition(condition)

    def judge(_tried: Tried, record: dict[str, Any]) -> dict[str, Any] | None:
        return {"matched": explain(condition, record)} if test(record) else None

    return _trial(session, date, judge, examples)


def _trial(
    session: Session,
    date: str,
    judge: Callable[[Tried, dict[str, Any]], dict[str, Any] | None],
    examples: int,
) -> Tried:
    """Judge each traveller of the day; ``judge`` says why one matched (None: no match)."""
    tried = Tried(date)
    flights: set[str] = set()
    for flight, record in travellers_of_day(session, date):
        flights.add(flight.id)
        tried.travellers += 1
        why = judge(tried, record)
        if why is None:
            continue
        tried.matched += 1
        if len(tried.examples) < examples:
            tried.examples.append(_example(flight, record, why))
    tried.flights = len(flights)
    return tried


def _example(flight: m.Flight, record: dict[str, Any], why: dict[str, Any]) -> dict[str, Any]:
    return {
        "traveller_id": record["_traveller"],
        "flight_id": flight.id,
        "flight": f"{flight.carrier}{flight.number} {flight.date}",
        "name": ", ".join(
            record.get(f) or "" for f in ("traveller.surname", "traveller.given_names")
        ),
        **why,
    }
