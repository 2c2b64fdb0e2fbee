"""Through the HTTP API and the HTML pages of two real apps, delivering via each app's inbox."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartborder.app import create_app
from smartborder.exchange.dispatch import dispatch_once
from smartborder.exchange.transport import InProcessTransport
from tests.conftest import ADMIN_PASSWORD, PASSWORD, api_token, csrf_of, login, make_user
from tests.pair import Pair


class Apps:
    def __init__(self, pair: Pair) -> None:
        self.apps = {n.id: create_app(n.settings, configure_logs=False) for n in (pair.ca, pair.us)}
        self.clients = {k: TestClient(a, follow_redirects=False) for k, a in self.apps.items()}

        def via_http(node: str) -> Any:
            def post(tokens: list[str]) -> list[dict[str, Any]]:
                r = TestClient(self.apps[node]).post(
                    "/api/v1/exchange/inbox", json={"envelopes": tokens}
                )
                assert r.status_code == 200, r.text
                return list(r.json()["results"])

            return post

        self.transport = InProcessTransport({"ca": via_http("ca"), "us": via_http("us")})

    def pump(self) -> None:
        for _ in range(10):
            handled = sum(
                dispatch_once(a.state.sessions, a.state.exchange, self.transport).handled
                for a in self.apps.values()
            )
            if not handled:
                return
        raise AssertionError("did not settle")


@pytest.fixture
def apps(pair: Pair) -> Iterator[Apps]:
    # Partners were registered by the pair fixture; the apps share those databases and keys.
    made = Apps(pair)
    yield made
    for a in made.apps.values():
        a.state.engine.dispose()


def test_agreement_request_and_audit_through_api_and_pages(apps: Apps) -> None:
    ca, us = apps.apps["ca"], apps.apps["us"]
    sup_ca = api_token(ca, "sup", "supervisor")
    analyst_ca = api_token(ca, "ana", "analyst")
    # Only a supervisor proposes.
    r = apps.clients["ca"].post(
        "/api/v1/agreements", headers=analyst_ca, json={"template": "smu", "partner": "us"}
    )
    assert r.status_code == 403
    r = apps.clients["ca"].post(
        "/api/v1/agreements", headers=sup_ca, json={"template": "smu", "partner": "us"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "proposed"
    apps.pump()
    # us's supervisor approves in the browser UI.
    make_user(us, "chief", "supervisor")
    browser_us = login(apps.clients["us"], "chief", PASSWORD)
    page = browser_us.get("/agreements/smu-case-by-case")
    assert "awaiting-approval" in page.text
    assert "Approve and counter-sign" in page.text
    r = browser_us.post(
        "/agreements/smu-case-by-case/approve", data={"csrf_token": csrf_of(browser_us)}
    )
    assert r.status_code == 303
    apps.pump()
    assert (
        apps.clients["ca"]
        .get("/api/v1/agreements/smu-case-by-case", headers=sup_ca)
        .json()["status"]
        == "in-force"
    )
    # A ca analyst asks through the API; an extra subject field is refused at the edge.
    bad = apps.clients["ca"].post(
        "/api/v1/exchange/requests",
        headers=analyst_ca,
        json={
            "agreement": "smu-case-by-case",
            "purpose": "immigration-enforcement",
            "subject": {"surname": "X", "religion": "y"},
            "justification": "long enough text",
            "case_reference": "C-1",
        },
    )
    assert bad.status_code == 422
    r = apps.clients["ca"].post(
        "/api/v1/exchange/requests",
        headers=analyst_ca,
        json={
            "agreement": "smu-case-by-case",
            "purpose": "immigration-enforcement",
            "subject": {"surname": "OKAFOR", "given_names": "CHIDI", "nationality": "NGA"},
            "justification": "Prior US residence claimed",
            "case_reference": "CA-7",
            "due_date": "2026-12-24",
        },
    )
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    apps.pump()
    incoming = browser_us.get("/exchange/requests?direction=incoming")
    assert "OKAFOR" in incoming.text
    found = re.search(r'href="/exchange/requests/(\d+)"', incoming.text)
    assert found
    detail = browser_us.get(f"/exchange/requests/{found.group(1)}")
    assert "Approve and send the answer" in detail.text
    r = browser_us.post(
        f"/exchange/requests/{found.group(1)}/decision",
        data={
            "csrf_token": csrf_of(browser_us),
            "decision": "approve",
            "answer.found": "yes",
            "answer.immigration_status": "H-1B 2016-2019",
            "answer.remarks": "no adverse record",
        },
    )
    assert r.status_code == 303
    apps.pump()
    answered = apps.clients["ca"].get(f"/api/v1/exchange/requests/{request_id}", headers=analyst_ca)
    assert answered.json()["state"] == "answered"
    assert answered.json()["response"] == {
        "found": True,
        "immigration_status": "H-1B 2016-2019",
        "remarks": "no adverse record",
    }
    browser_ca = login(apps.clients["ca"], "ana", PASSWORD)
    shown = browser_ca.get(f"/exchange/requests/{request_id}")
    assert "partner-provided (us)" in shown.text
    assert "H-1B 2016-2019" in shown.text
    # The auditor sees the entries, the per-agreement counts and a passing verification.
    auditor = api_token(ca, "aud", "auditor")
    entries = apps.clients["ca"].get(
        "/api/v1/audit/entries",
        headers=auditor,
        params={"event": "exchange:envelope", "agreement": "smu-case-by-case"},
    )
    assert entries.status_code == 200
    assert {e["event"] for e in entries.json()["items"]} >= {
        "exchange:envelope:queued",
        "exchange:envelope:received",
        "exchange:envelope:delivered",
    }
    counts = apps.clients["ca"].get("/api/v1/audit/agreements", headers=auditor).json()
    assert counts[0]["agreement"] == "smu-case-by-case"
    assert apps.clients["ca"].get("/api/v1/audit/verify", headers=auditor).json()["ok"] is True
    assert apps.clients["ca"].get("/api/v1/audit/verify", headers=analyst_ca).status_code == 403
    apps.clients["ca"].cookies.clear()
    browser_aud = login(apps.clients["ca"], "aud", PASSWORD)
    page = browser_aud.get("/audit?check=true&agreement=smu-case-by-case")
    assert "Chain verified" in page.text
    assert "exchange:envelope:received" in page.text


def test_inbox_answers_each_envelope_and_refuses_junk(apps: Apps) -> None:
    r = apps.clients["us"].post("/api/v1/exchange/inbox", json={"envelopes": ["junk", 5]})
    assert r.status_code == 200
    assert [x["code"] for x in r.json()["results"]] == ["malformed", "malformed"]
    assert (
        apps.clients["us"].post("/api/v1/exchange/inbox", json={"envelopes": []}).status_code == 422
    )
    assert (
        apps.clients["us"]
        .post("/api/v1/exchange/inbox", content=b"{", headers={"Content-Type": "application/json"})
        .status_code
        == 400
    )


def test_partners_api_registers_and_removes(apps: Apps, pair: Pair) -> None:
    admin = apps.clients["ca"]
    login(admin, "admin", ADMIN_PASSWORD)
    headers = {"X-CSRF-Token": csrf_of(admin)}
    listed = admin.get("/api/v1/partners").json()
    assert [p["id"] for p in listed] == ["us"]
    bad = admin.post(
        "/api/v1/partners",
        headers=headers,
        json={"id": "MX!", "url": "ftp://x", "public_key": "nope"},
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"id", "url", "public_key"}
    assert admin.delete("/api/v1/partners/us", headers=headers).status_code == 204
    assert admin.get("/api/v1/partners/us").status_code == 404


def test_partner_certificates_are_pinned_listed_and_unpinned_over_the_api(
    apps: Apps, pair: Pair, tmp_path: Path
) -> None:
    from tests.exchange.test_mtls import NOW, issue

    admin = apps.clients["ca"]
    login(admin, "admin", ADMIN_PASSWORD)
    headers = {"X-CSRF-Token": csrf_of(admin)}
    cert, _, _ = issue(tmp_path / "pki", "us-node")
    pinned = admin.post(
        "/api/v1/partners/us/certificates", headers=headers, json={"certificate": cert.pem}
    )
    assert pinned.status_code == 201, pinned.text
    fingerprint = pinned.json()["fingerprint"]
    assert pinned.json()["state"] == "active"
    listed = admin.get("/api/v1/partners/us/certificates").json()
    assert [c["fingerprint"] for c in listed] == [fingerprint]
    expired, _, _ = issue(
        tmp_path / "pki",
        "old",
        not_before=NOW - dt.timedelta(days=40),
        not_after=NOW - dt.timedelta(days=1),
    )
    refused = admin.post(
        "/api/v1/partners/us/certificates", headers=headers, json={"certificate": expired.pem}
    )
    assert refused.status_code == 422
    assert "expired" in refused.json()["error"]["message"]
    garbage = admin.post(
        "/api/v1/partners/us/certificates", headers=headers, json={"certificate": "not a cert"}
    )
    assert garbage.status_code == 422
    assert admin.get("/api/v1/partners/mx/certificates").status_code == 404
    gone = admin.delete(f"/api/v1/partners/us/certificates/{fingerprint}", headers=headers)
    assert gone.status_code == 204
    assert admin.get("/api/v1/partners/us/certificates").json() == []
