"""The targeting pages as an analyst uses them (signed in through the login form): the queue
with its filters, the hit page with the lookout's evidence, the indicators and the PNR, a
disposition recorded from the page, and the condition builder: a live preview, located errors,
an indicator added to a new draft that is then activated."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartborder import db
from smartborder.travel.riskmodels import models as rm
from tests.conftest import PASSWORD, api_token, csrf_of, login, make_user
from tests.travel.test_retention import PAXLST, PNRGOV
from tests.travel.test_targeting import (
    NOW,
    add_lookout,
    load_and_activate,
    mary_lookout,
    node_app,  # noqa: F401 - the fixture
    post,
)


def _prepared(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    load_and_activate(client, analyst, chief)
    add_lookout(app, mary_lookout())
    post(client, PAXLST, analyst)
    post(client, PNRGOV, analyst)


def test_queue_hit_page_and_disposition(node_app: FastAPI, client: TestClient) -> None:  # noqa: F811
    _prepared(node_app, client)
    make_user(node_app, "desk", "analyst")
    login(client, "desk", PASSWORD)

    page = client.get("/travel/queue")
    assert page.status_code == 200
    assert "O&#39;BRIEN, MARY ANNE" in page.text
    assert "NGUYEN" in page.text  # cash payment: over the review threshold
    high = client.get("/travel/queue", params={"severity": "high"}).text
    assert "O&#39;BRIEN" in high
    assert "NGUYEN" not in high  # joint score 20: under the share threshold
    assert "NGUYEN" in client.get("/travel/queue", params={"severity": "medium"}).text
    assert "TREMBLAY" not in client.get("/travel/queue").text  # nothing fired
    none = client.get("/travel/queue", params={"flight": "XX1"}).text
    assert "Nobody in the queue." in none

    link = re.search(r'href="/travel/assessments/([^"]+)">O&#39;BRIEN', page.text)
    assert link
    hit = client.get(f"/travel/assessments/{link.group(1)}")
    assert hit.status_code == 200
    text = hit.text
    assert "Decision: <strong>no board</strong>" in text
    assert "action asked: <strong>deny-boarding</strong>" in text
    assert "birth_date" in text  # the evidence table of the lookout hit
    assert "Matches a lookout" in text  # the indicator, with what matched
    assert "screening.hit is true" in text
    assert "QWE123" in text  # the booking
    assert "No disposition yet." in text

    token = csrf_of(client)
    refused = client.post(
        f"/travel/assessments/{link.group(1)}/dispositions",
        data={"status": "cleared", "note": "", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert "note" in refused.text
    done = client.post(
        f"/travel/assessments/{link.group(1)}/dispositions",
        data={
            "status": "denied boarding",
            "note": "Confirmed with the airline.",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    text = client.get(f"/travel/assessments/{link.group(1)}").text
    assert "Confirmed with the airline." in text
    assert "user:desk" in text
    assert "O&#39;BRIEN" not in client.get("/travel/queue").text  # closed
    assert "O&#39;BRIEN" in client.get("/travel/queue", params={"closed": "on"}).text


def test_condition_builder_previews_reports_and_saves(
    node_app: FastAPI,  # noqa: F811
    client: TestClient,
) -> None:
    _prepared(node_app, client)
    make_user(node_app, "chief", "supervisor")
    login(client, "chief", PASSWORD)
    page = client.get("/travel/risk")
    assert "Condition builder" in page.text
    assert "test-model" in page.text
    token = csrf_of(client)
    day = (NOW.date()).isoformat()  # the demo flight leaves the next day; NOW's day has none
    form = {
        "csrf_token": token,
        "date": "2026-11-22",
        "combine": "all",
        "field_1": "pnr.payment_forms",
        "op_1": "contains",
        "value_1": "CASH",
    }
    preview = client.post("/travel/risk/preview", data=form, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert re.search(r'<strong class="matched">1</strong> of 4 travellers', preview.text)
    assert "NGUYEN" in preview.text
    assert "pnr.payment_forms includes the code CASH" in preview.text
    empty = client.post("/travel/risk/preview", data={**form, "date": day})
    assert re.search(r'<strong class="matched">0</strong> of 0 travellers', empty.text)

    bad = {**form, "field_2": "traveller.age", "op_2": "gt", "value_2": "old"}
    wrong = client.post("/travel/risk/preview", data=bad)
    assert "row 2 (traveller.age): traveller.age is a number" in wrong.text
    wrong = client.post(
        "/travel/risk/preview", data={**form, "field_2": "traveller.sex", "op_2": "gt"}
    )
    assert "row 2 (traveller.sex): operator &#39;gt&#39; does not apply" in wrong.text

    with db.unit_of_work(node_app.state.sessions) as s:
        model_id = s.execute(select(rm.RiskModelRow.id)).scalar_one()
    indicator = {
        **form,
        "model": model_id,
        "id": "cash-and-one-way",
        "title": "Cash, one way",
        "rationale": "Cash paid for a one-way ticket.",
        "weight": "150",
        "scope": "joint",
        "category": "narcotics",
        "owner": "ca",
        "field_2": "itinerary.one_way",
        "op_2": "is_true",
    }
    refused = client.post("/travel/risk/indicators", data=indicator)
    assert refused.status_code == 422
    assert "weight" in refused.text
    assert "less than or equal to 100" in refused.text
    saved = client.post(
        "/travel/risk/indicators", data={**indicator, "weight": "30"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    draft_id = saved.headers["location"].split("saved=", 1)[1]
    with db.unit_of_work(node_app.state.sessions) as s:
        draft = s.get(rm.RiskModelRow, draft_id)
        assert draft is not None
        assert (draft.version, draft.status, draft.indicators) == (2, "draft", 4)
        added = draft.document["indicators"][-1]
        assert added["id"] == "cash-and-one-way"
        assert added["when"] == {
            "all": [
                {"field": "pnr.payment_forms", "op": "contains", "value": "CASH"},
                {"field": "itinerary.one_way", "op": "is_true"},
            ]
        }
    activated = client.post(
        f"/travel/risk/models/{draft_id}/activate",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert activated.status_code == 303
    with db.unit_of_work(node_app.state.sessions) as s:
        assert s.get(rm.RiskModelRow, draft_id).status == "active"  # type: ignore[union-attr]
