"""The in-memory index kept in step with the lookouts table (``Screening.sync``)."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

from smartborder.screening import service
from smartborder.screening.schemas import LookoutIn, LookoutPatch

TODAY = dt.date(2026, 11, 21)


def lookout(name: str) -> LookoutIn:
    return LookoutIn.model_validate(
        {"category": "customs", "action": "notify", "names": [{"name": name}],
         "birth_date": "1970-03-04", "source_reference": "test"}
    )  # fmt: skip


def test_sync_loads_amends_and_drops_lookouts_and_rereads_nothing_unchanged(
    app: FastAPI, session: Session
) -> None:
    screening = service.Screening(service.Thresholds(0.7, {}))
    first = service.create_lookout(session, lookout("Ines Albrecht"), actor="t", today=TODAY)
    assert screening.sync(session) == 1  # the first call builds the index
    held = screening.index.get(first.id)
    assert held is not None
    assert held.version == 1
    # the look-back re-reads the last seconds of changes: an unchanged lookout is not reloaded
    assert screening.sync(session) == 0
    second = service.create_lookout(session, lookout("Tomas Varga"), actor="t", today=TODAY)
    service.amend_lookout(
        session, first.id, LookoutPatch.model_validate({"names": [{"name": "Ines Albrech"}]}),
        actor="t",
    )  # fmt: skip
    assert screening.sync(session) == 2
    amended = screening.index.get(first.id)
    assert amended is not None
    assert amended.version == 2
    assert amended.identity.names == (("INES", "ALBRECH"),)
    assert screening.index.get(second.id) is not None
    service.retract_lookout(session, second.id, reason="withdrawn", actor="t")
    assert screening.sync(session) == 1
    assert screening.index.get(second.id) is None
    assert screening.sync(session) == 0


def test_a_quiet_window_is_checked_in_brief_and_a_late_commit_is_still_found(
    app: FastAPI, session: Session
) -> None:
    screening = service.Screening(service.Thresholds(0.7, {}))
    first = service.create_lookout(session, lookout("Ines Albrecht"), actor="t", today=TODAY)
    screening.sync(session)
    assert screening.sync(session) == 0  # reads the window once: its rows are in the index
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert screening.sync(session) == 0
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1  # the window in brief (count, versions, newest), no rows
    assert "count(" in statements[0].lower()
    # a write committed late carries an earlier time, inside the look-back: still loaded
    late = service.create_lookout(session, lookout("Tomas Varga"), actor="t", today=TODAY)
    late.updated_at = first.updated_at - dt.timedelta(seconds=1)
    session.flush()
    assert screening.sync(session) == 1
    assert screening.index.get(late.id) is not None
