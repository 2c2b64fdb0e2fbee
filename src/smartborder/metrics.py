"""The node's metrics in the Prometheus text format (``GET /metrics``, with the monitoring token).

Two kinds, both through ``prometheus_client``:
- **Counted as it happens** in the process (requests by route and status with their latency,
  job runs and failures, delivery failures, inbox refusals by reason, screening latency). With
  several workers (``serve --workers N``) each process writes its values to the folder named by
  ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds them up (the library's multiprocess mode).
- **Read from the database at scrape time**, declared by each domain (``Domain.metrics``):
  outbox depth and oldest age per partner, intake messages by state and source, the analysts'
  queue, the audit chain. These are the node's, whichever worker answers.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartborder import registry
from smartborder.db import unit_of_work

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"

REQUESTS = Counter(
    "smartborder_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "smartborder_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOBS = Counter(
    "smartborder_job_runs",
    "Background job runs in this node, by job and outcome (ok, failed).",
    ["job", "outcome"],
)
DELIVERY_FAILURES = Counter(
    "smartborder_delivery_failures",
    "Envelope deliveries that failed (to be retried, or refused), by partner.",
    ["partner"],
)
INBOX_REFUSED = Counter(
    "smartborder_inbox_refused",
    "Envelopes refused at the exchange inbox, by reason code.",
    ["code"],
)
TLS_REFUSED = Counter(
    "smartborder_tls_refused",
    "Connections to the partner listener refused during the TLS handshake, by reason "
    "(no-certificate, untrusted, expired, not-pinned, retired, handshake).",
    ["reason"],
)
SCREENING = Histogram(
    "smartborder_screening_duration_seconds",
    "Time to screen one subject against the node's lookouts.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)

LANE = Histogram(
    "smartborder_lane_decision_duration_seconds",
    "Time to decide at a trusted lane or kiosk (card, biometric 1:1, screening), by decision.",
    ["decision"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5),
)

DatabaseMetrics = Callable[[Session], Iterable[Metric]]


class _FromDatabase(Collector):
    """Every domain's scrape-time metrics, read in one unit of work."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def collect(self) -> Iterable[Metric]:
        readers: list[DatabaseMetrics] = [
            registry.resolve(name) for d in registry.domains() for name in d.metrics
        ]
        found: list[Metric] = []
        with unit_of_work(self._sessions) as session:
            for read in readers:
                found.extend(read(session))
        return found


def exposition(sessions: sessionmaker[Session]) -> bytes:
    """The metrics text: this process's (or every worker's) counts, then the database's."""
    counted = CollectorRegistry()
    if os.environ.get(MULTIPROCESS):
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        text = generate_latest(counted)
    else:
        from prometheus_client import REGISTRY

        text = generate_latest(REGISTRY)
    from_db = CollectorRegistry(auto_describe=False)
    from_db.register(_FromDatabase(sessions))
    return text + generate_latest(from_db)


def authorised(request: Request, token: str) -> bool:
    """The monitoring token (``SMARTBORDER_METRICS_TOKEN``) as a bearer token."""
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value, token)


def response(sessions: sessionmaker[Session]) -> Response:
    return Response(exposition(sessions), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every HTTP request by its route template (not its path: ids stay out of labels)
    and status, and times it. Outermost, so refusals (429, 503) are counted too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = _route(scope)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status["code"])).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


def _route(scope: Scope) -> str:
    """The matched route's template with its router's prefix (``/api/v1/travel/flights/
    {flight_id}``): FastAPI's effective route when it gives one, else the route's own."""
    effective: Any = scope.get("fastapi", {}).get("effective_route_context")
    for found in (effective, scope.get("route")):
        path = getattr(found, "path_format", None) or getattr(found, "path", None)
        if isinstance(path, str):
            return path
    return "/static" if scope["path"].startswith("/static/") else "unrouted"


def job_ran(name: str, ok: bool) -> None:
    JOBS.labels(name, "ok" if ok else "failed").inc()
