"""Two processes filing messages of the same new flight at the same moment (two consumers of a
queue, two API workers): the one that loses the race finds the flight the other committed and
files into it; it is not quarantined. PostgreSQL only: SQLite lets one writer in at a time."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, false, func, select

from smartborder import clock, db
from smartborder.settings import Settings
from smartborder.travel.intake import models as m
from smartborder.travel.intake import service, store
from tests.travel.test_retention import PAXLST, PNRGOV


def test_a_flight_filed_elsewhere_meanwhile_is_found_not_quarantined(
    node: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if node.database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the race cannot happen")
    engine = db.make_engine(node.database_url)
    sessions = db.session_factory(engine)
    real, seeing = store.file_flight, store._FLIGHT
    # a lookup that finds nothing: the flight is not there yet when this process looks
    blind = select(m.Flight).where(
        m.Flight.carrier == bindparam("carrier"),
        m.Flight.number == bindparam("number"),
        m.Flight.date == bindparam("date"),
        m.Flight.origin == bindparam("origin"),
        false(),
    )
    raced = {"done": False}

    def racing(session: Any, message: Any, now: Any) -> Any:
        if raced["done"]:
            return real(session, message, now)
        raced["done"] = True
        with db.unit_of_work(sessions) as other:  # the other process files the flight first
            assert service.receive(other, PNRGOV, source="t", actor="t", now=now).state == (
                "stored"
            )
        monkeypatch.setattr(store, "_FLIGHT", blind)  # ... after this one looked for it
        try:
            return real(session, message, now)
        finally:
            monkeypatch.setattr(store, "_FLIGHT", seeing)

    monkeypatch.setattr(store, "file_flight", racing)
    try:
        with db.unit_of_work(sessions) as session:
            result = service.receive(session, PAXLST, source="t", actor="t", now=clock.now())
        assert result.state == "stored", result.problems
        with db.unit_of_work(sessions) as session:
            assert session.scalar(select(func.count()).select_from(m.Flight)) == 1
            states = session.scalars(select(m.TravelMessage.state)).all()
            assert sorted(states) == ["stored", "stored"]
    finally:
        engine.dispose()
