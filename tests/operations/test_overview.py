"""The operations overview: each series counted by the hour as the rows behind it say (the
job's counts against a direct count), counted again to the same rows, caught up week by week;
ranges by hour and by day; the figures of now (queue, each partner's exchange); the API, the
CSV, the page and the CLI; impossible ranges refused saying why."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.cargo.models import CargoReport
from smartborder.exchange import agreements
from smartborder.exchange.document import from_template
from smartborder.operations import lifecycle
from smartborder.operations.models import HourlyCount
from smartborder.operations.overview import overview, parse_range
from smartborder.operations.rollup import SPAN, behind, rollup
from smartborder.operations.series import every_series, gauges
from smartborder.screening import service as lookouts
from smartborder.screening.schemas import LookoutIn
from smartborder.settings import Settings
from smartborder.travel.intake.models import Passenger
from tests.conftest import PASSWORD, Cli, api_token, login, make_user
from tests.pair import Pair

PAXLST = (Path(__file__).parents[1] / "travel" / "data" / "paxlst_d05b.edi").read_bytes()
HOUR = dt.timedelta(hours=1)


def _report(at: dt.datetime, state: str = "stored") -> CargoReport:
    return CargoReport(id=str(uuid.uuid4()), digest=uuid.uuid4().hex, form="json",
                       source="test", size=1, raw=b"{}", state=state, received_at=at,
                       received_by="user:test")  # fmt: skip


def test_the_counts_are_the_rows_hour_by_hour_and_counting_again_changes_nothing(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    assert client.post("/api/v1/travel/messages", content=PAXLST,
                       headers=analyst).status_code == 201  # fmt: skip
    now = app.state.node.exchange.clock()
    base = now.replace(minute=30, second=0, microsecond=0) - 3 * HOUR
    with db.unit_of_work(app.state.sessions) as s:
        s.add_all([_report(base), _report(base + dt.timedelta(minutes=20)),
                   _report(base + 2 * HOUR, "quarantined")])  # fmt: skip
        made = lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Ningbo Home Goods Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:ana", today=now.date())  # fmt: skip
        lookouts.retract_lookout(s, made.id, actor="user:ana", reason="done")
    lifecycle.count_hours(app.state.node)
    with db.unit_of_work(app.state.sessions) as s:
        first = sorted(tuple(r) for r in s.execute(select(
            HourlyCount.series, HourlyCount.key, HourlyCount.hour, HourlyCount.value)))  # fmt: skip
        travellers = s.scalar(select(func.count()).select_from(Passenger))
        seen = overview(s, parse_range(None, None, now=now), now=now)
    by_name = {one["name"]: one for one in seen["series"]}
    assert travellers
    assert by_name["travel.received"]["total"] == travellers
    reports = {line["key"]: line["values"] for line in by_name["cargo.reports"]["lines"]}
    at = seen["buckets"].index((base - dt.timedelta(minutes=30)).isoformat())
    assert reports["stored"][at] == 2  # two in one hour
    assert reports["quarantined"][at + 2] == 1
    assert sum(reports["stored"]) == 2
    assert {line["key"]: line["total"] for line in by_name["screening.lookouts"]["lines"]} == {
        "screening:lookout:created": 1, "screening:lookout:retracted": 1}  # fmt: skip
    lifecycle.count_hours(app.state.node)  # again: the same rows
    with db.unit_of_work(app.state.sessions) as s:
        again = sorted(tuple(r) for r in s.execute(select(
            HourlyCount.series, HourlyCount.key, HourlyCount.hour, HourlyCount.value)))  # fmt: skip
    assert again == first


def test_a_node_with_weeks_of_rows_catches_up_week_by_week(app: FastAPI) -> None:
    now = app.state.node.exchange.clock()
    start = now - dt.timedelta(days=20)
    series = tuple(s for s in every_series() if s.name == "cargo.reports")
    with db.unit_of_work(app.state.sessions) as s:
        s.add_all([_report(start + n * dt.timedelta(hours=7)) for n in range(20 * 24 // 7)])
    rounds, late = 0, True
    while late:
        with db.unit_of_work(app.state.sessions) as s:
            rollup(s, now=now, series=series)
            late = behind(s, now)  # (only this series is counted here)
        rounds += 1
    assert rounds == -(-dt.timedelta(days=20) // SPAN)  # a week at a time
    with db.unit_of_work(app.state.sessions) as s:
        total = s.scalar(select(func.sum(HourlyCount.value)).where(
            HourlyCount.series == "cargo.reports"))  # fmt: skip
        span = parse_range((start - dt.timedelta(days=1)).date().isoformat(), None, now=now)
        seen = overview(s, span, now=now)
    assert total == 20 * 24 // 7
    assert seen["step"] == "day"
    [reports] = [one for one in seen["series"] if one["name"] == "cargo.reports"]
    assert reports["total"] == total
    assert len(reports["lines"][0]["values"]) == len(seen["buckets"]) == 22


def test_each_partner_s_exchange_health_now(pair: Pair) -> None:
    with pair.ca.uow() as s:
        agreements.propose(s, pair.ca.ex, from_template("smu", ("ca", "us")), actor="user:sup")
    with pair.ca.uow() as s:
        found = {g.title: g for g in gauges(s, pair.ca.ex.clock()) if g.panel == "Partner us"}
    assert found["Outbox depth (undelivered)"].value == 1
    assert found["Last contact"].value is None
    assert found["Last contact"].warn
    pair.pump()
    with pair.ca.uow() as s:
        found = {g.title: g for g in gauges(s, pair.ca.ex.clock()) if g.panel == "Partner us"}
    assert found["Outbox depth (undelivered)"].value == 0
    assert found["Oldest undelivered (hours)"].value is None
    assert str(found["Last contact"].value).endswith("UTC")
    assert not found["Last contact"].warn


def test_the_api_csv_page_and_cli_and_impossible_ranges(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli
) -> None:
    now = app.state.node.exchange.clock()
    with db.unit_of_work(app.state.sessions) as s:
        s.add(_report(now - HOUR))
    lifecycle.count_hours(app.state.node)
    auditor = api_token(app, "aud", "auditor")
    seen = client.get("/api/v1/operations/overview", headers=auditor)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["step"] == "hour"
    assert len(body["buckets"]) == 24
    assert any(g["title"] == "Open in the analysts' queue" for g in body["now"])
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/operations/overview.csv",
                                                  headers=auditor).text)))  # fmt: skip
    assert rows[0] == ["bucket_start_utc", "step", "series", "key", "count"]
    assert ["hour", "cargo.reports", "stored", "1"] in [r[1:] for r in rows[1:]]
    for params, said in (
        ({"from": "2026-12-05", "to": "2026-12-01"}, "is not before to"),
        ({"from": "yesterday"}, "from: 'yesterday' is not a date"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most 400 are shown"),
    ):
        refused = client.get("/api/v1/operations/overview", params=params, headers=auditor)
        assert refused.status_code == 422
        assert said in refused.json()["error"]["message"]
    assert client.get("/api/v1/operations/overview").status_code == 401

    make_user(app, "ops", "planner", PASSWORD)
    login(client, "ops", PASSWORD)
    page = client.get("/operations")
    assert page.status_code == 200
    assert 'data-series="cargo.reports"' in page.text
    assert (
        "Advance cargo reports, stored, quarantined or duplicate: <strong>1</strong>" in page.text
    )
    assert 'id="overview-data"' in page.text
    wrong = client.get("/operations", params={"from": "tomorrow"})
    assert wrong.status_code == 422
    assert "is not a date" in wrong.text

    where = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["operations", "count", "--as", "ops", *where])
    assert code == 0, err
    assert "counted up to" in out
    code, out, err = cli(["operations", "overview", "--as", "ops", *where])
    assert code == 0, err
    assert "cargo.reports" in out
    code, out, err = cli(["operations", "overview", "--csv", "--as", "ops", *where])
    assert out.startswith("bucket_start_utc,step,series,key,count")
    code, _, err = cli(["operations", "overview", "--from", "2026-13-01", "--as", "ops", *where])
    assert code != 0
    assert "is not a date" in err
