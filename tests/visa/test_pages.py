"""The visa policy pages as a policy analyst uses them: the convergence chart and table, the
live preview of a proposed change, the consultation form's errors, a received consultation
answered through its page."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder import db
from smartborder.visa import consult
from smartborder.visa.models import VisaConsultation
from tests.conftest import PASSWORD, csrf_of, login, make_user


def test_the_report_page_and_the_preview(app: FastAPI, client: TestClient) -> None:
    make_user(app, "vera", "policy-analyst")
    login(client, "vera", PASSWORD)
    page = client.get("/visa")
    assert page.status_code == 200
    text = page.text
    assert '<span id="agree">181</span> the same, <span id="differ">16</span> different' in text
    assert "CA eta / US visa-required" in text
    assert (
        "<td>QA</td><td>Qatar</td><td>visa required</td><td>electronic travel authorisation</td>"
        in text
    )
    assert "compare.csv?a=CA&amp;b=US" in text
    assert 'href="/visa"' in text  # in the navigation
    token = csrf_of(client)
    shown = client.post("/visa/preview", data={"csrf_token": token, "nationality": "qa",
                                               "change": "lift", "proposed": ""})  # fmt: skip
    assert "<strong>182</strong> nationalities the same and <strong>15</strong>" in shown.text
    assert "QA would then be treated the same" in shown.text
    unknown = client.post("/visa/preview", data={"csrf_token": token, "nationality": "QA",
                                                 "change": "lift", "proposed": "soon"})  # fmt: skip
    assert "unknown requirement &#39;soon&#39;" in unknown.text
    older = client.get("/visa", params={"snapshot": "2020-01-01"})
    assert older.status_code == 404
    assert "no visa requirement list for CA on or before 2020-01-01" in older.text
    refused = client.post("/visa/consultations", data={"csrf_token": token, "partner": "us",
                          "nationality": "QA", "change": "lift", "effective": "",
                          "due_date": "", "rationale": "x"})  # fmt: skip
    assert refused.status_code == 422
    assert "effective: give a date" in refused.text


def test_a_received_consultation_is_answered_from_its_page(
    app: FastAPI, client: TestClient
) -> None:
    today = app.state.exchange.clock().date()
    with db.unit_of_work(app.state.sessions) as s:
        row = VisaConsultation(
            id="c0ffee00-0000-4000-8000-000000000001", reference="r-1", direction="in",
            partner="us", destination="US", nationality="QA", change="impose",
            current="eta", proposed="visa required", effective=today + dt.timedelta(days=60),
            due_date=today + dt.timedelta(days=20), rationale="Overstay rates rose.",
            state="received", created_at=app.state.exchange.clock(), created_by="partner:us",
            envelopes=[],
        )  # fmt: skip
        s.add(row)
    make_user(app, "vera", "policy-analyst")
    login(client, "vera", PASSWORD)
    page = client.get(f"/visa/consultations/{row.id}")
    assert "US would impose a visa requirement for QA nationals" in page.text
    assert "<strong>182</strong> the same, <strong>15</strong> different" in page.text
    answered = client.post(f"/visa/consultations/{row.id}/reply", data={
        "csrf_token": csrf_of(client), "position": "object", "comments": ""})  # fmt: skip
    assert answered.status_code == 422
    assert "an objection needs its reasons" in answered.text
    assert consult.POSITIONS == ("support", "no objection", "object")
