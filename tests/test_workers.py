"""Every request works on any worker: two apps over one database (as two workers of
``serve --workers 2`` are) share lookouts as screening sees them, signed-in sessions with their
CSRF token, and the sign-in throttle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder import clock, db, ids
from smartborder.app import create_app
from smartborder.exchange.models import OutboxMessage, Partner
from smartborder.settings import Settings
from tests.conftest import ADMIN_PASSWORD, api_token, csrf_of, login, post_login
from tests.screening.test_api_cli import LOOKOUT

API = "/api/v1/screening"


@pytest.fixture
def second(node: Settings) -> Iterator[FastAPI]:
    """Another worker of the same node."""
    application = create_app(node, configure_logs=False)
    yield application
    application.state.engine.dispose()
    application.state.read_engine.dispose()


def test_a_lookout_made_on_one_worker_is_screened_on_the_other(
    app: FastAPI, second: FastAPI
) -> None:
    with (
        TestClient(app, follow_redirects=False) as one,
        TestClient(second, follow_redirects=False) as other,
    ):
        analyst = api_token(app, "ana", "analyst")
        subject = {"reference": "PAX-1", "names": ["PETROV SERGEI"], "birth_date": "1971-04-12"}
        assert other.post(f"{API}/screen", json=subject, headers=analyst).json()["hits"] == []
        created = one.post(f"{API}/lookouts", json=LOOKOUT, headers=analyst).json()
        hits = other.post(f"{API}/screen", json=subject, headers=analyst).json()["hits"]
        assert [h["lookout_id"] for h in hits] == [created["id"]]
        retracted = one.post(
            f"{API}/lookouts/{created['id']}/retract", json={"reason": "arrested"}, headers=analyst
        )
        assert retracted.status_code == 200, retracted.text
        assert other.post(f"{API}/screen", json=subject, headers=analyst).json()["hits"] == []


def test_a_session_signed_in_on_one_worker_acts_on_the_other(app: FastAPI, second: FastAPI) -> None:
    with (
        TestClient(app, follow_redirects=False) as one,
        TestClient(second, follow_redirects=False) as other,
    ):
        login(one, "admin", ADMIN_PASSWORD)
        token = csrf_of(one)
        other.cookies.update(one.cookies)
        assert "admin" in other.get("/").text.lower()  # signed in there too
        signed_out = other.post("/logout", headers={"X-CSRF-Token": token})
        assert signed_out.status_code in (200, 303), signed_out.text
        assert one.get("/", follow_redirects=False).status_code in (302, 303, 307)


def test_failed_sign_ins_count_on_every_worker(app: FastAPI, second: FastAPI) -> None:
    with (
        TestClient(app, follow_redirects=False) as one,
        TestClient(second, follow_redirects=False) as other,
    ):
        for client in (one, other, one, other):
            assert post_login(client, "admin", "wrong-password-x").status_code == 401
        # the fifth failure, wherever it lands, locks the username on every worker
        assert post_login(one, "admin", "wrong-password-x").status_code == 429
        assert post_login(other, "admin", ADMIN_PASSWORD).status_code == 429


def test_ready_reports_each_partner_apart(app: FastAPI, client: TestClient) -> None:
    """/ready says each partner's delivery state (from the outbox, without calling it)."""
    now = clock.now()
    with db.unit_of_work(app.state.sessions) as s:
        for partner in ("us", "mx", "fr"):
            s.add(
                Partner(
                    id=partner,
                    name=partner,
                    url=f"https://{partner}.invalid",
                    public_key="-",
                    fingerprint="-",
                    added_at=now,
                    added_by="test",
                )
            )
        s.flush()

        def envelope(partner: str, state: str, age: dt.timedelta, error: str | None) -> None:
            s.add(
                OutboxMessage(
                    envelope_id=ids.new_id(),
                    partner=partner,
                    kind="lookout-upsert",
                    token="t",
                    state=state,
                    attempts=1,
                    created_at=now - age,
                    next_attempt_at=now,
                    last_error=error,
                )
            )

        envelope("us", "delivered", dt.timedelta(minutes=1), None)
        envelope("mx", "pending", dt.timedelta(minutes=10), "connection refused")
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 200  # a partner down does not make this node unready
    partners = ready.json()["components"]["partners"]
    assert partners["us"]["reachable"] is True
    assert partners["mx"]["reachable"] is False
    assert partners["mx"]["pending"] == 1
    assert partners["mx"]["last_error"] == "connection refused"
    assert partners["mx"]["oldest_pending_seconds"] >= 600
    assert partners["fr"] == {
        "reachable": None,
        "pending": 0,
        "oldest_pending_seconds": None,
        "last_error": None,
    }


def test_the_sign_in_rate_limit_holds_for_the_node_not_per_worker(node: Settings) -> None:
    """On PostgreSQL the buckets are the database's: two workers spend from one."""
    if not node.database_url.startswith("postgresql"):
        pytest.skip("SQLite is served by one process: its buckets are that process's")
    slow = node.model_copy(update={"login_rate_per_minute": 4})  # a burst of 2 a minute
    workers = [create_app(slow, configure_logs=False) for _ in range(2)]
    try:
        with (
            TestClient(workers[0], follow_redirects=False) as one,
            TestClient(workers[1], follow_redirects=False) as other,
        ):
            answers = [client.post("/login", data={}) for client in (one, other, one, other)]
            assert [a.status_code for a in answers[:2]] == [403, 403]  # through (no form token)
            assert [a.status_code for a in answers[2:]] == [429, 429]  # the node's bucket is empty
            assert int(answers[3].headers["retry-after"]) >= 1
    finally:
        for application in workers:
            application.state.engine.dispose()
