"""Trends over shared data: each node counts a report for a period, shares it with the partner
under the statistics annex with every cell under the annex's minimum suppressed (a lower
minimum refused), and the comparison shows both sides with the agreement; a partner's cell
under the minimum is refused; nothing travels without the annex."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange.models import InboxMessage
from smartborder.operations import trends
from smartborder.operations.models import SharedAggregate
from smartborder.operations.overview import parse_range
from smartborder.settings import Settings
from smartborder.synthetic.travel import Person, SyntheticFlight, day_of_traffic, paxlst
from smartborder.travel.intake import service
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user
from tests.pair import Node, Pair

DAY = dt.date(2026, 3, 2)


def _traffic(node: Node, country: str, flights: int) -> None:
    for message in day_of_traffic(DAY, flights, seed=5, country=country,
                                  passengers=(30, 60)):  # fmt: skip
        if message.kind == "PAXLST":
            with node.uow() as s:
                service.receive(s, message.data, source="test", actor="test",
                                now=node.ex.clock())  # fmt: skip


def test_counts_shared_suppressed_and_compared_under_the_annex(pair: Pair) -> None:
    now = pair.ca.ex.clock()
    span = parse_range(None, None, now=now)
    with pair.ca.uow() as s, pytest.raises(Conflict, match="sign the statistics annex"):
        trends.share(s, pair.ca.ex, "travellers-by-nationality", span, partner="us",
                     actor="user:sup")  # fmt: skip
    pair.in_force()
    pair.in_force("statistics")
    _traffic(pair.ca, "CA", 4)
    _traffic(pair.us, "US", 3)
    with pair.ca.uow() as s:
        ours = trends.ours(s, "travellers-by-nationality", span, "CA")
        counts = {c["key"]: c["count"] for c in ours["cells"]}
        assert sum(counts.values()) == ours["total"] > 0
        small = [k for k, n in counts.items() if n < 10]
        assert small  # a day of traffic has rare nationalities
        with pytest.raises(ValidationFailed, match="below the agreement's minimum of 10"):
            trends.share(s, pair.ca.ex, "travellers-by-nationality", span, partner="us",
                         actor="user:sup", minimum=5)  # fmt: skip
        sent = trends.share(s, pair.ca.ex, "travellers-by-nationality", span, partner="us",
                            actor="user:sup")  # fmt: skip
        assert sent.agreement == "annex-statistics"
        body: dict[str, Any] = sent.body
    shown = {c["key"]: c for c in body["cells"]}
    for key in small:
        assert shown[key] == {"key": key, "count": None, "of": None, "suppressed": True}
    assert body["suppressed_cells"] == len(small)
    assert body["total"] == sum(n for n in counts.values() if n >= 10)  # no cell worked back
    pair.pump()
    with pair.us.uow() as s:
        seen = trends.compare(s, "travellers-by-nationality", span, "US")
        row = s.query(SharedAggregate).one()
        assert (row.direction, row.partner, row.agreement) == ("in", "ca", "annex-statistics")
    assert seen["theirs"]["agreement"] == "annex-statistics"
    assert seen["theirs"]["cells"] == body["cells"]
    assert seen["ours"]["total"] > 0  # us' own travellers beside them


def test_a_cell_under_the_minimum_from_the_partner_is_refused(pair: Pair) -> None:
    pair.in_force()
    pair.in_force("statistics")
    now = pair.ca.ex.clock()
    span = parse_range(None, None, now=now)
    with pair.ca.uow() as s:
        sent = trends.share(s, pair.ca.ex, "hits-by-route", span, partner="us",
                            actor="user:sup")  # fmt: skip
    assert sent.body["cells"] == []  # nothing assessed: nothing to show, and nothing hidden
    forged = {"report": "hits-by-route", "title": "x", "dimension": "route", "measure": "x",
              "period_from": span.start.isoformat(), "period_to": span.end.isoformat(),
              "minimum_cell": 10, "total": 3, "suppressed_cells": 0,
              "cells": [{"key": "YUL-JFK", "count": 3, "of": 40, "suppressed": False}]}  # fmt: skip
    from smartborder.exchange import outbox
    from smartborder.exchange.policy import in_force_for

    with pair.ca.uow() as s:
        agreement = in_force_for(s, now.date(), trends.KIND, "us", "statistics")
        outbox.send(s, pair.ca.ex, partner="us", kind=trends.KIND, agreement=agreement,
                    purpose=trends.PURPOSE, body=forged, actor="user:sup")  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:
        kept = s.query(SharedAggregate).filter_by(direction="in").all()
        assert len(kept) == 1  # the honest one; the forged one refused
    assert pair.us.count(InboxMessage) >= 1


def test_the_api_page_and_cli_and_what_they_refuse(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli
) -> None:
    auditor = api_token(app, "aud", "auditor")
    supervisor = api_token(app, "sup", "supervisor")
    names = [r["name"] for r in client.get("/api/v1/operations/trends", headers=auditor).json()]
    assert names == list(trends.REPORTS)
    seen = client.get("/api/v1/operations/trends/hits-by-route", headers=auditor)
    assert seen.status_code == 200, seen.text
    assert seen.json()["theirs"] is None
    assert client.get("/api/v1/operations/trends/nope", headers=auditor).status_code == 404
    body = {"partner": "us", "from": "2026-03-01", "to": "2026-03-02"}
    assert client.post("/api/v1/operations/trends/hits-by-route/shares", headers=auditor,
                       json=body).status_code == 403  # fmt: skip
    refused = client.post("/api/v1/operations/trends/hits-by-route/shares", headers=supervisor,
                          json=body)  # fmt: skip
    assert refused.status_code == 409  # no statistics annex with us here
    assert "sign the statistics annex first" in refused.json()["error"]["message"]
    make_user(app, "ops", "supervisor", PASSWORD)
    login(client, "ops", PASSWORD)
    page = client.get("/operations/trends", params={"report": "asylum-claims-by-location"})
    assert page.status_code == 200
    assert "Asylum claims by where they were made" in page.text
    assert "The partner has shared nothing for this period" in page.text
    token = csrf_of(client)
    bad = client.post("/operations/trends/share", data={
        "csrf_token": token, "report": "hits-by-route", "from": "2026-03-01", "to": "2026-03-02",
        "partner": "us", "minimum_cell": "ten"})  # fmt: skip
    assert bad.status_code == 422
    assert "is not a number" in bad.text
    where = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["operations", "trends", "travellers-by-nationality", "--as", "ops",
                          *where])  # fmt: skip
    assert code == 0, err
    assert "nothing shared for this range" in out
    code, _, err = cli(["operations", "share", "hits-by-route", "--partner", "us", "--from",
                        "2026-03-01", "--to", "2026-03-02", "--as", "ops", *where])  # fmt: skip
    assert code != 0
    assert "sign the statistics annex first" in err


def test_every_report_counts_on_this_database_and_visa_differences_follow_the_lists(
    pair: Pair,
) -> None:
    _traffic(pair.ca, "CA", 3)
    # and a flight of Romanians and Bulgarians, whom one country asks a visa and not the other
    people = [Person(f"SYNTH{n}", "ANA", "F", "1990-01-0" + str(n % 9 + 1), nat, f"X{n}00",
                     nat, "2031-01-01") for n, nat in enumerate(["ROU"] * 12 + ["BGR"] * 3)]  # fmt: skip
    flight = SyntheticFlight("AC", "0871", "OTP", "YUL", dt.datetime(2026, 3, 2, 10, 0),
                             dt.datetime(2026, 3, 2, 13, 0))  # fmt: skip
    with pair.ca.uow() as s:
        service.receive(s, paxlst(flight, people, crew=False).encode(), source="test",
                        actor="test", now=pair.ca.ex.clock())  # fmt: skip
    span = parse_range(None, None, now=pair.ca.ex.clock())
    with pair.ca.uow() as s:
        for name in trends.REPORTS:  # each report's SQL, on SQLite and on PostgreSQL
            assert trends.ours(s, name, span, "CA")["total"] >= 0
        travellers = {c["key"]: c["count"] for c in
                      trends.ours(s, "travellers-by-nationality", span, "CA")["cells"]}  # fmt: skip
        differ = trends.ours(s, "visa-differences-against-arrivals", span, "CA")["cells"]
        from smartborder.identity import countries
        from smartborder.visa import service as visa

        lists = {c: visa.side(s, c, None, now=span.end) for c in ("CA", "US")}
    assert differ  # a day of traffic from everywhere holds some
    for cell in differ:
        code, said = cell["key"].split(" ", 1)
        assert cell["count"] == travellers[code]
        alpha2 = countries.to_alpha2(code)
        assert alpha2 is not None
        ca, us = (lists[c].policy(alpha2) for c in ("CA", "US"))
        assert ca is not None
        assert us is not None
        assert ca.needs_visa != us.needs_visa
        assert said == f"(visa for {'CA' if ca.needs_visa else 'US'} only)"
