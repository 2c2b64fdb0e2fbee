"""The in-memory index kept in step with the lookouts table (``Screening.sync``)."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
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
