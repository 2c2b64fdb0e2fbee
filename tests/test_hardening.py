"""A node under a hostile or heavy caller: admission and queueing, reads beside a writer, rate
limits, bounded integers, control characters, malformed JSON, write permissions, TLS defaults."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.app import create_app
from smartborder.audit.models import AuditEntry
from smartborder.exchange.envelope import Envelope, Signer, new_id
from smartborder.limits import AdmissionMiddleware, TokenBuckets
from smartborder.node import init_node
from smartborder.settings import Settings, load_settings
from tests.conftest import ADMIN_PASSWORD, api_token, login
from tests.test_app import assert_error_shape

_MADE: list[FastAPI] = []


@pytest.fixture(autouse=True)
def _dispose_apps() -> Iterator[None]:
    yield
    while _MADE:
        made = _MADE.pop()
        made.state.engine.dispose()
        made.state.read_engine.dispose()


def node_app(tmp_path: Path, database_url: str, **values: Any) -> FastAPI:
    settings = load_settings(
        data_dir=tmp_path / "n",
        node_id="ca",
        country="CA",
        database_url=database_url,
        exchange_dispatch_interval_seconds=0,
        **values,
    )
    init_node(settings, admin_password=ADMIN_PASSWORD)
    return _made(create_app(settings, configure_logs=False))


def _made(app: FastAPI) -> FastAPI:
    _MADE.append(app)
    return app


# --- admission ------------------------------------------------------------------------------


def _held_app(
    limit: int, queue: int, wait: float, lanes: dict[str, tuple[int, int]] | None = None
) -> tuple[Any, asyncio.Event]:
    release = asyncio.Event()

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"].endswith("/slow"):
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = AdmissionMiddleware(inner, limit=limit, queue=queue, wait_seconds=wait, lanes=lanes)
    return gate, release


def test_requests_past_capacity_wait_their_turn_then_are_refused_with_retry_after() -> None:
    async def scenario() -> list[int | str]:
        app, release = _held_app(limit=2, queue=1, wait=30)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            held = [asyncio.create_task(client.get("/slow")) for _ in range(3)]
            await asyncio.sleep(0.05)  # two in service, one queued
            full = await client.get("/api/v1/other")
            health = await client.get("/api/v1/health")  # never queued
            release.set()
            served = [r.status_code for r in await asyncio.gather(*held)]
            return [*served, full.status_code, full.headers.get("retry-after", ""),
                    full.json()["error"]["code"], health.status_code]  # fmt: skip

    assert asyncio.run(scenario()) == [200, 200, 200, 503, "2", "overloaded", 200]


def test_a_flooded_lane_keeps_its_own_places_and_leaves_the_rest_to_users() -> None:
    async def scenario() -> list[int]:
        app, release = _held_app(limit=4, queue=4, wait=30, lanes={"/api/v1/slow": (1, 1)})
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            held = [asyncio.create_task(client.get("/api/v1/slow")) for _ in range(2)]
            await asyncio.sleep(0.05)  # one in its lane, one waiting
            turned_away = await client.get("/api/v1/slow")
            user = await client.get("/api/v1/me")  # the node's other places are free
            release.set()
            return [turned_away.status_code, user.status_code,
                    *[r.status_code for r in await asyncio.gather(*held)]]  # fmt: skip

    assert asyncio.run(scenario()) == [503, 200, 200, 200]


def test_a_request_that_waits_too_long_is_answered_not_dropped() -> None:
    async def scenario() -> tuple[int, str, int]:
        app, release = _held_app(limit=1, queue=5, wait=0.2)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            first = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.05)
            late = await client.get("/api/v1/x")
            release.set()
            return late.status_code, late.headers["retry-after"], (await first).status_code

    assert asyncio.run(scenario()) == (503, "1", 200)


def test_reads_do_not_wait_for_sqlites_write_lock(tmp_path: Path, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    app = node_app(tmp_path, database_url)
    headers = api_token(app, "reader", "analyst")
    with TestClient(app) as client:
        client.get("/api/v1/people", headers=headers)  # first use of the token recorded
        writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1)
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            started = time.monotonic()
            response = client.get("/api/v1/people?limit=5", headers=headers)
            took = time.monotonic() - started
        finally:
            writer.rollback()
            writer.close()
    assert response.status_code == 200
    assert took < 5  # the busy timeout is 15 s: a read that took the lock would wait it out


def test_every_admitted_request_finds_a_database_connection(
    tmp_path: Path, database_url: str
) -> None:
    app = node_app(tmp_path, database_url, max_concurrent_requests=24)
    assert app.state.engine.pool.size() >= 24
    assert app.state.read_engine.pool.size() >= 24


# --- rate limits and flooding ---------------------------------------------------------------


def test_token_buckets_refill_and_stay_bounded() -> None:
    buckets = TokenBuckets(rate=1.0, burst=2, keys=100)
    assert [buckets.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert buckets.take("a", now=1.0) == 0.0
    for i in range(1000):
        buckets.take(f"flood-{i}", now=2.0)
    assert len(buckets._buckets) == 100


def test_sign_in_posts_are_rate_limited_per_address(tmp_path: Path, database_url: str) -> None:
    app = node_app(tmp_path, database_url, login_rate_per_minute=6)
    with TestClient(app) as client:
        codes = [
            client.post("/login", data={"username": "a", "password": "b"}).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [403, 403, 403]  # the form's own checks: the limit is not reached
    assert codes[3:] == [429, 429]


def _junk(count: int) -> list[str]:
    signer = Signer(Ed25519PrivateKey.generate(), "stranger")
    envelope = {"from": "zz", "to": "ca", "kind": "case-request", "created": db.utcnow()}
    return [
        signer.sign(Envelope.model_validate({**envelope, "id": new_id()})) for _ in range(count)
    ]


def test_a_junk_flood_adds_a_bounded_number_of_audit_entries(
    tmp_path: Path, database_url: str
) -> None:
    app = node_app(tmp_path, database_url, exchange_rate_per_minute=40)
    statuses = []
    with TestClient(app) as client:
        with db.unit_of_work(app.state.sessions) as s:  # after start-up's own entries
            before = s.scalar(select(func.count()).select_from(AuditEntry))
        for _ in range(20):
            response = client.post(
                "/api/v1/exchange/inbox", json={"envelopes": [*_junk(200), "x", 7]}
            )
            statuses.append(response.status_code)
        too_many = client.post("/api/v1/exchange/inbox", json={"envelopes": ["x"] * 501})
    accepted = statuses.count(200)  # a burst of a quarter of a minute's 40 (and what refilled)
    assert 10 <= accepted <= 12
    assert statuses[:10] == [200] * 10
    assert statuses.count(429) == 20 - accepted
    assert too_many.status_code in (422, 429)
    with db.unit_of_work(app.state.sessions) as s:
        entries = list(
            s.scalars(select(AuditEntry).where(AuditEntry.seq > before).order_by(AuditEntry.seq))
        )
    # Deliveries of 202 junk envelopes: one entry per reason and claimed sender in each.
    assert len(entries) == 2 * accepted
    unknown = [e for e in entries if e.details["code"] == "unknown_sender"]
    assert {e.details["count"] for e in unknown} == {200}
    assert len(unknown[0].details["sample"]) == 5
    assert all(e.event == "exchange:envelope:refused" for e in entries)


def test_envelopes_per_delivery_are_capped(tmp_path: Path, database_url: str) -> None:
    app = node_app(tmp_path, database_url, exchange_max_envelopes=3)
    with TestClient(app) as client:
        response = client.post("/api/v1/exchange/inbox", json={"envelopes": ["a"] * 4})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "envelopes", "problem": "at most 3"}]


# --- item 6: bounds, text, JSON, permissions, TLS --------------------------------------------

HUGE = str(2**63)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/audit/entries?offset={HUGE}",
        f"/api/v1/people?offset={HUGE}",
        f"/api/v1/people/{HUGE}",
        f"/api/v1/travel/flights?offset={HUGE}",
        f"/api/v1/travel/queue?offset={HUGE}",
        f"/api/v1/screening/lookouts?offset={HUGE}",
        f"/api/v1/travel/messages?offset={HUGE}",
        f"/api/v1/exchange/requests/{HUGE}",
    ],
)
def test_integers_past_the_database_are_422_not_500(app: FastAPI, path: str) -> None:
    with TestClient(app) as client:
        response = client.get(path, headers=api_token(app, "boss", "admin"))
    assert response.status_code == 422, response.text
    assert_error_shape(response.json(), "validation_failed")


def test_revoking_a_huge_token_id_is_422(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.delete(f"/api/v1/tokens/{HUGE}", headers=api_token(app, "uu", "admin"))
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body", "where"),
    [
        ("GET", "/api/v1/people?q=a%00b", None, "query.q"),
        (
            "POST",
            "/api/v1/screening/lookouts",
            {"category": "customs", "names": [{"name": "Ana"}], "source_reference": "x\u0000y"},
            "body.source_reference",
        ),
        ("POST", "/api/v1/tokens", {"name": "bell\u0007"}, "body.name"),
    ],
)
def test_control_characters_in_text_are_refused_with_the_field(
    app: FastAPI, method: str, path: str, body: Any, where: str
) -> None:
    with TestClient(app) as client:
        response = client.request(method, path, json=body, headers=api_token(app, "ww", "admin"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["location"] == where
    assert "U+00" in error["message"]


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000 + b"]" * 100_000, b'{"name": "\xff\xfe"}', b"{nope"]
)
def test_unreadable_json_is_malformed_json(app: FastAPI, raw: bytes) -> None:
    headers = {**api_token(app, "jj", "admin"), "content-type": "application/json"}
    with TestClient(app) as client:
        response = client.post("/api/v1/tokens", content=raw, headers=headers)
    assert response.status_code == 400
    assert_error_shape(response.json(), "malformed_json")


def test_writes_need_write_permissions(app: FastAPI) -> None:
    with TestClient(app) as client:
        auditor = client.post("/api/v1/audit/checkpoints", headers=api_token(app, "aud", "auditor"))
        planner = client.post(
            f"/api/v1/modeling/runs/{'0' * 8}-0000-0000-0000-{'0' * 12}/calibration",
            content=b"x",
            headers=api_token(app, "reader", "auditor"),
        )
        supervisor = client.post(
            "/api/v1/audit/checkpoints", headers=api_token(app, "sup", "supervisor")
        )
    assert auditor.status_code == 403
    assert planner.status_code == 403
    assert supervisor.status_code == 201


def test_case_request_subjects_are_checked_as_people_fields(app: FastAPI) -> None:
    body = {
        "agreement": "smu-case-by-case",
        "purpose": "immigration-enforcement",
        "subject": {"surname": "DOE", "date_of_birth": "1990-13-45", "nationality": "QQQ"},
        "justification": "Identity check at port of entry.",
        "case_reference": "CA-1",
    }
    with TestClient(app) as client:
        response = client.post(
            "/api/v1/exchange/requests", json=body, headers=api_token(app, "oo", "supervisor")
        )
    assert response.status_code == 422
    where = {d["location"] for d in response.json()["error"]["details"]}
    assert where == {"body.subject.date_of_birth", "body.subject.nationality"}


def _tls_settings(tmp_path: Path, database_url: str, **values: Any) -> Settings:
    return load_settings(
        data_dir=tmp_path / "tls",
        database_url=database_url,
        tls_certfile=tmp_path / "cert.pem",
        tls_keyfile=tmp_path / "key.pem",
        **values,
    )


def test_over_tls_cookies_are_secure_and_hsts_is_on(tmp_path: Path, database_url: str) -> None:
    settings = _tls_settings(tmp_path, database_url, exchange_dispatch_interval_seconds=0)
    assert settings.secure_cookies
    assert not _tls_settings(tmp_path, database_url, cookie_secure=False).secure_cookies
    assert not load_settings(data_dir=tmp_path / "plain").secure_cookies
    init_node(settings, admin_password=ADMIN_PASSWORD)
    app = _made(create_app(settings, configure_logs=False))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        signed_in = login(client, "admin", ADMIN_PASSWORD)
        cookie = next(c for c in signed_in.cookies.jar if c.name == "sb_session")
        assert cookie.secure
