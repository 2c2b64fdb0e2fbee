"""Retention of API/PNR data: masking after SMARTBORDER_TRAVEL_MASK_AFTER_DAYS, deletion after
SMARTBORDER_TRAVEL_DELETE_AFTER_DAYS, holds that keep a traveller, the audit trail, the preview,
the API, CLI and background job (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.errors import SettingsError
from smartborder.settings import Settings, load_settings
from smartborder.travel import lifecycle
from smartborder.travel.intake import models as m
from smartborder.travel.intake import service
from smartborder.travel.retention import models as hm
from smartborder.travel.retention.service import RetentionRun, run_retention
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user
from tests.pair import Clock

API = "/api/v1/travel"
DATA = Path(__file__).parent / "data"
PAXLST = (DATA / "paxlst_d05b.edi").read_bytes()
PNRGOV = (DATA / "pnrgov_13.edi").read_bytes()
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
# the card number as far as its masked form never shows it ("4111" alone turns up in random
# ids one run in seventy)
PERSONAL = ("HK123456", "O'BRIEN", "QWE123", "1985-04-15", "411111111111", "MARY ANNE")


def ingest(app: FastAPI, *messages: bytes, at: dt.datetime = T0) -> list[str]:
    with db.unit_of_work(app.state.sessions) as s:
        return [
            service.receive(s, data, source="test", actor="test", now=at).message_id
            for data in messages
        ]


def retain(app: FastAPI, days: int, *, preview: bool = False) -> RetentionRun:
    with db.unit_of_work(app.state.sessions) as s:
        return run_retention(
            s,
            mask_after_days=180,
            delete_after_days=1826,
            now=T0 + dt.timedelta(days=days),
            actor="test:retention",
            preview=preview,
        )


def dump(session: Session) -> str:
    """Every travel row as text: what a reader of the database could see."""
    tables = (m.TravelMessage, m.Flight, m.Traveller, m.TravellerDocument, m.Passenger)
    rows: list[Any] = []
    for model in (*tables, m.Reservation):
        for row in session.execute(select(model)).scalars():
            rows.append({c.key: repr(getattr(row, c.key)) for c in model.__table__.columns})
    return json.dumps(rows)


def events(session: Session, prefix: str) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry).where(AuditEntry.event.startswith(prefix)).order_by(AuditEntry.seq)
        ).scalars()
    )


def mary(session: Session) -> str:
    return session.execute(
        select(m.Traveller.id).where(m.Traveller.surname == "O'BRIEN")
    ).scalar_one()


def test_data_is_masked_then_deleted_on_schedule_and_every_step_audited(app: FastAPI) -> None:
    ingest(app, PAXLST, PNRGOV)
    nothing = retain(app, 179)
    assert (
        nothing.masked.as_dict()
        == nothing.deleted.as_dict()
        == {
            "flights": 0,
            "messages": 0,
            "passengers": 0,
            "reservations": 0,
            "travellers": 0,
        }
    )

    masked = retain(app, 181)
    assert masked.masked.flights == 1
    assert masked.masked.messages == 2
    assert masked.masked.passengers == 6  # 3 mentions in the PAXLST, 3 in the PNR
    assert masked.masked.reservations == 2
    assert masked.masked.travellers == 4
    with db.unit_of_work(app.state.sessions) as s:
        text = dump(s)
        for value in PERSONAL:
            assert value not in text, value
        people = s.execute(select(m.Passenger)).scalars().all()
        assert {(p.surname, p.given_names, p.masked) for p in people} == {("", "", True)}
        assert "1985" in {p.birth_date for p in people}  # the year stays, for statistics
        assert {d["type"] for p in people for d in p.documents} == {"P"}
        assert all(set(d) == {"type", "country"} for p in people for d in p.documents)
        bookings = s.execute(select(m.Reservation)).scalars().all()
        assert all(b.locator.startswith("#") and b.masked for b in bookings)
        assert all(set(b.details) <= {"agency", "itinerary", "amounts"} for b in bookings)
        assert bookings[0].details["itinerary"]  # the route is kept
        # the booking pseudonym still groups the booking's travellers
        locators = {b.locator for b in bookings}
        assert {p.reservation for p in people if p.reservation} <= locators
        assert all(r.raw is None and r.masked_at for r in s.scalars(select(m.TravelMessage)))
        assert s.scalar(select(func.count()).select_from(m.TravellerDocument)) == 0
        assert all(t.masked and t.name_key == "" for t in s.scalars(select(m.Traveller)))
        [flight] = s.execute(select(m.Flight)).scalars().all()
        assert flight.masked_at is not None
        assert flight.passengers == 3
        [entry] = events(s, "travel:flight:masked")
        assert entry.subject == flight.id
        assert entry.details["passengers"] == 6
        assert entry.actor == "test:retention"
        assert len(events(s, "travel:traveller:masked")[0].details["travellers"]) == 4

    again = retain(app, 182)
    assert again.masked.flights == 0
    assert again.masked.travellers == 0

    # a masked traveller is never a match for new data: the same person is a new traveller
    ingest(app, PAXLST.replace(b"AC870", b"AC872"), at=T0 + dt.timedelta(days=183))
    with db.unit_of_work(app.state.sessions) as s:
        fresh = s.execute(select(m.Passenger).where(m.Passenger.masked.is_(False))).scalars()
        assert {p.link_rule for p in fresh} == {"new"}

    deleted = retain(app, 1827)
    assert deleted.deleted.flights == 1
    assert deleted.deleted.messages == 2
    assert deleted.deleted.passengers == 6
    assert deleted.deleted.travellers == 4
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(m.Flight)) == 1  # the newer one
        assert s.scalar(select(func.count()).select_from(m.Traveller)) == 3  # the newer PAXLST
        [entry] = events(s, "travel:flight:deleted")
        assert entry.details["whole_flight"] is True
        assert entry.details["messages"] == 2


def test_a_hold_keeps_a_traveller_until_it_is_released(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    ingest(app, PAXLST, PNRGOV)
    with db.unit_of_work(app.state.sessions) as s:
        held = mary(s)
    placed = client.post(
        f"{API}/travellers/{held}/holds", json={"reason": "case 2026-114"}, headers=analyst
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["open"], hold["placed_by"], hold["source"]) == (True, "user:ana", "analyst")

    run = retain(app, 181)
    assert run.held_travellers == 1
    assert run.kept_for_holds.passengers == 2
    assert run.kept_for_holds.reservations == 1
    with db.unit_of_work(app.state.sessions) as s:
        hers = s.execute(select(m.Passenger).where(m.Passenger.traveller_id == held)).scalars()
        assert {(p.surname, p.masked) for p in hers} == {("O'BRIEN", False)}
        others = s.execute(select(m.Passenger).where(m.Passenger.traveller_id != held)).scalars()
        assert {p.masked for p in others} == {True}
        kept = s.execute(select(m.Reservation).where(m.Reservation.masked.is_(False))).scalars()
        assert [b.locator for b in kept] == ["QWE123"]
        assert all(r.raw for r in s.scalars(select(m.TravelMessage)))  # evidence for the case
        assert s.get(m.Traveller, held).masked is False  # type: ignore[union-attr]
        assert events(s, "travel:hold:placed")[0].subject == held
    page = client.get(f"{API}/travellers/{held}", headers=analyst).json()
    assert page["holds"][0]["reason"] == "case 2026-114"

    # kept past the deletion period too: her mentions, booking and the flight remain
    gone = retain(app, 1827)
    assert gone.deleted.flights == 0
    assert gone.deleted.passengers == 4
    assert gone.deleted.travellers == 3
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(m.Passenger)) == 2
        assert s.scalar(select(func.count()).select_from(m.Flight)) == 1

    released = client.post(
        f"{API}/holds/{hold['id']}/release", json={"reason": "case closed"}, headers=analyst
    )
    assert released.status_code == 200
    assert released.json()["open"] is False
    after = retain(app, 1828)
    assert after.deleted.flights == 1
    assert after.deleted.travellers == 1
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(m.Traveller)) == 0
        assert events(s, "travel:hold:released")[0].details["reason"] == "case closed"


def test_preview_counts_what_a_run_would_do_and_changes_nothing(app: FastAPI) -> None:
    ingest(app, PAXLST, PNRGOV)
    with db.unit_of_work(app.state.sessions) as s:
        before, audit_before = dump(s), len(events(s, ""))
    preview = retain(app, 181, preview=True)
    with db.unit_of_work(app.state.sessions) as s:
        assert dump(s) == before
        assert len(events(s, "")) == audit_before
    real = retain(app, 181)
    assert preview.preview
    assert not real.preview
    assert preview.masked.as_dict() == real.masked.as_dict()


def test_hold_requests_are_checked(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    auditor = api_token(app, "aud", "auditor")
    ingest(app, PAXLST)
    with db.unit_of_work(app.state.sessions) as s:
        held = mary(s)
    url = f"{API}/travellers/{held}/holds"
    blank = client.post(url, json={"reason": ""}, headers=analyst)
    assert blank.status_code == 422
    assert blank.json()["error"]["details"][0]["location"].endswith("reason")
    extra = client.post(url, json={"reason": "case", "days": 3}, headers=analyst)
    assert extra.status_code == 422
    assert client.post(url, json={"reason": "case 1"}, headers=auditor).status_code == 403
    missing = client.post(f"{API}/travellers/nobody/holds", json={"reason": "x12"}, headers=analyst)
    assert missing.status_code == 404
    hold = client.post(url, json={"reason": "case 1"}, headers=analyst).json()
    release = f"{API}/holds/{hold['id']}/release"
    assert client.post(release, json={}, headers=analyst).status_code == 200
    twice = client.post(release, json={}, headers=analyst)
    assert twice.status_code == 409
    assert "already released" in twice.json()["error"]["message"]
    assert client.post(f"{API}/holds/none/release", json={}, headers=analyst).status_code == 404

    retain(app, 181)
    masked = client.post(url, json={"reason": "too late"}, headers=analyst)
    assert masked.status_code == 409
    assert "masked" in masked.json()["error"]["message"]
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(hm.Hold)) == 1


def test_preview_api_and_the_background_job_use_the_node_settings(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    ingest(app, PAXLST)
    clock = Clock(offset=(T0 - db.utcnow()) + dt.timedelta(days=200))
    app.state.exchange.clock = clock
    preview = client.get(f"{API}/retention", headers=analyst)
    assert preview.status_code == 200
    assert preview.json()["preview"] is True
    assert preview.json()["masked"]["passengers"] == 3
    lifecycle.retain(app.state.node)
    with db.unit_of_work(app.state.sessions) as s:
        assert {p.masked for p in s.scalars(select(m.Passenger))} == {True}
        assert events(s, "travel:flight:masked")[0].actor == "system:retention"


def test_traveller_page_shows_holds_and_places_one(app: FastAPI, client: TestClient) -> None:
    make_user(app, "ana", "analyst")
    ingest(app, PAXLST)
    with db.unit_of_work(app.state.sessions) as s:
        held = mary(s)
    login(client, "ana", PASSWORD)
    page = client.get(f"/travel/travellers/{held}")
    assert "No holds." in page.text
    placed = client.post(
        f"/travel/travellers/{held}/holds",
        data={"reason": "case 77", "csrf_token": csrf_of(client)},
    )
    assert placed.status_code == 303
    page = client.get(f"/travel/travellers/{held}")
    assert "case 77" in page.text
    assert "Release" in page.text


def test_cli_retention_hold_and_release(node: Settings, app: FastAPI, cli: Cli) -> None:
    make_user(app, "ana", "analyst")
    now = db.utcnow()
    ingest(app, PAXLST, PNRGOV, at=now - dt.timedelta(days=200))
    with db.unit_of_work(app.state.sessions) as s:
        held = mary(s)
    args = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["travel", "hold", held, "--as", "ana", "--reason", "case 9", *args])
    assert code == 0, err
    hold_id = out.split()[1]
    code, out, _ = cli(["travel", "retention", "--preview", "--json", *args])
    assert code == 0
    assert json.loads(out)["masked"]["passengers"] == 4
    code, out, _ = cli(["travel", "retention", *args])
    assert code == 0
    assert "masked" in out
    assert "on hold" in out
    code, out, err = cli(["travel", "release", hold_id, "--as", "ana", *args])
    assert code == 0, err
    code, out, _ = cli(["travel", "retention", "--json", *args])
    assert json.loads(out)["masked"]["passengers"] == 2
    code, _, err = cli(["travel", "release", hold_id, "--as", "ana", *args])
    assert code != 0
    assert "already released" in err


def test_the_deletion_period_must_be_longer_than_the_masking_period(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="travel_delete_after_days"):
        load_settings(data_dir=tmp_path, travel_mask_after_days=30, travel_delete_after_days=30)
