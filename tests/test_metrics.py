"""``GET /metrics``: the Prometheus text format, for the monitoring token only; requests counted
by route template and status, jobs by outcome, and the node's own state (outbox, intake,
queue, audit chain) read from the database at scrape time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from smartborder.app import create_app
from smartborder.context import NodeContext
from smartborder.scheduler import background_dispatcher
from smartborder.settings import Settings, load_settings
from tests.conftest import api_token
from tests.travel.test_retention import PAXLST

TOKEN = "monitoring-token-0123456789"
MONITOR = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def watched(node: Settings) -> Iterator[FastAPI]:
    settings = load_settings(**{**node.model_dump(), "metrics_token": TOKEN})
    application = create_app(settings, configure_logs=False)
    yield application
    application.state.engine.dispose()
    application.state.read_engine.dispose()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_without_a_token(client: TestClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 404
    assert "SMARTBORDER_METRICS_TOKEN" in answer.text


def test_only_the_monitoring_token_reads_them(watched: FastAPI) -> None:
    with TestClient(watched) as client:
        assert client.get("/metrics").status_code == 401
        wrong = {"Authorization": "Bearer " + "x" * len(TOKEN)}
        assert client.get("/metrics", headers=wrong).status_code == 401
        user = api_token(watched, "reader", "auditor")  # a user's API token is not it
        assert client.get("/metrics", headers=user).status_code == 401
        answer = client.get("/metrics", headers=MONITOR)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")


def test_a_short_token_is_refused_at_start(node: Settings) -> None:
    from smartborder.errors import SettingsError

    with pytest.raises(SettingsError, match="SMARTBORDER_METRICS_TOKEN"):
        load_settings(**{**node.model_dump(), "metrics_token": "short"})


def test_requests_are_counted_by_route_template_and_status(watched: FastAPI) -> None:
    with TestClient(watched) as client:
        before = samples(client.get("/metrics", headers=MONITOR).text)
        headers = api_token(watched, "ana", "analyst")
        for _ in range(3):
            assert client.get("/api/v1/health").status_code == 200
        assert (
            client.get("/api/v1/travel/flights/no-such-flight", headers=headers).status_code == 404
        )
        after = samples(client.get("/metrics", headers=MONITOR).text)
    counted = "smartborder_http_requests_total"
    health = {"method": "GET", "route": "/api/v1/health", "status": "200"}
    assert value(after, counted, **health) - value(before, counted, **health) == 3
    flight = {"method": "GET", "route": "/api/v1/travel/flights/{flight_id}", "status": "404"}
    assert value(after, counted, **flight) - value(before, counted, **flight) == 1
    timed = "smartborder_http_request_duration_seconds_count"
    assert value(after, timed, method="GET", route="/api/v1/health") >= 3


def test_the_nodes_state_is_read_at_scrape_time(watched: FastAPI) -> None:
    with TestClient(watched) as client:
        headers = api_token(watched, "ana", "analyst")
        posted = client.post(
            "/api/v1/travel/messages",
            content=PAXLST,
            headers={**headers, "Content-Type": "application/edifact"},
        )
        assert posted.status_code == 201, posted.text
        garbage = client.post(
            "/api/v1/travel/messages",
            content=b"UNA:+.? 'not a message",
            headers={**headers, "Content-Type": "application/edifact"},
        )
        assert garbage.status_code == 202, garbage.text
        text = client.get("/metrics", headers=MONITOR).text
    found = samples(text)
    assert value(found, "smartborder_travel_messages", state="stored", source="api") == 1
    assert value(found, "smartborder_travel_messages", state="quarantined", source="api") == 1
    assert value(found, "smartborder_audit_chain_size") > 0
    families = {f.name for f in text_string_to_metric_families(text)}
    assert {"smartborder_outbox_pending", "smartborder_travel_queue_open"} <= families


def client_text(app: FastAPI) -> str:
    with TestClient(app) as client:
        return client.get("/metrics", headers=MONITOR).text


def test_job_runs_are_counted(watched: FastAPI) -> None:
    node: NodeContext = watched.state.node
    before = samples(client_text(watched))
    dispatcher = background_dispatcher(node)
    try:
        dispatcher.round(time.monotonic(), every_job=True)
    finally:
        dispatcher.stop()
    after = samples(client_text(watched))
    name = "smartborder_job_runs_total"
    for job in ("travel retention", "signed audit heads"):
        assert (
            value(after, name, job=job, outcome="ok") - value(before, name, job=job, outcome="ok")
            == 1
        )
