"""How much a node takes on at once, and from whom.

- :class:`AdmissionMiddleware`: at most ``max_concurrent_requests`` requests are served at a time;
  the next ``request_queue_size`` wait their turn, first come first served, for at most
  ``request_queue_timeout_seconds``; beyond that the node answers 503 ``overloaded`` with
  ``Retry-After`` at once instead of letting requests pile up inside it and time out there. The
  health checks and static files are never queued, so a load balancer sees the node alive.
- :class:`RateLimitMiddleware`: the endpoints anyone can call without signing in (the sign-in
  form, the exchange inbox) are limited per client address by a token bucket; over the limit,
  429 ``rate_limited`` with ``Retry-After``, before the request costs a password hash, a
  signature check or an audit entry.
- :class:`smartborder.gate.Bounded` gates CPU-heavy work (password hashing) the same way.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from smartborder.errorhandlers import error_response

log = logging.getLogger("smartborder.limits")
EXEMPT_PREFIXES = ("/static/", "/api/v1/health", "/api/v1/ready", "/metrics")


def _exempt(path: str) -> bool:
    return path.startswith(EXEMPT_PREFIXES)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str, wait: float
) -> None:
    retry = max(1, math.ceil(wait))
    response = error_response(
        Request(scope), status, code, message, [{"retry_after_seconds": retry}]
    )
    response.headers["Retry-After"] = str(retry)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    await response(scope, receive, send)


class _Queue:
    """A bounded number of holders, a bounded FIFO queue of waiters, made on the server's loop."""

    def __init__(self, limit: int, queue: int, wait_seconds: float) -> None:
        self.limit, self.queue, self.wait_seconds = limit, queue, wait_seconds
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0

    async def enter(self) -> str | None:
        """None once a place is held; otherwise why not (the caller answers 503)."""
        if self._slots is None:  # made on the server's event loop, at the first request
            self._slots = asyncio.Semaphore(self.limit)
        if self._slots.locked() and self.waiting >= self.queue:
            return f"{self.limit} are being served and {self.waiting} are waiting"
        self.waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            return f"the request waited {self.wait_seconds:g} s for its turn"
        finally:
            self.waiting -= 1
        return None

    def leave(self) -> None:
        assert self._slots is not None
        self._slots.release()

    def retry_after(self) -> float:
        return 1 + self.waiting / max(1, self.limit)


class AdmissionMiddleware:
    """A bounded number of requests in service, a bounded queue before it, 503 past both.

    ``lanes`` give some paths (the partners' inbox) a smaller number of places of their own, so
    that a flood on them cannot fill the node's places and its queue ahead of its users."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        queue: int,
        wait_seconds: float,
        lanes: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        self.app = app
        self.main = _Queue(limit, queue, wait_seconds)
        self.lanes = {
            path: _Queue(lane_limit, lane_queue, wait_seconds)
            for path, (lane_limit, lane_queue) in (lanes or {}).items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        held: list[_Queue] = []
        try:
            for gate in (self.lanes.get(scope["path"]), self.main):
                if gate is None:
                    continue
                why = await gate.enter()
                if why is not None:
                    await _refuse(
                        scope, receive, send, 503, "overloaded",
                        f"the node is busy ({why}); try again shortly", gate.retry_after(),
                    )  # fmt: skip
                    return
                held.append(gate)
            await self.app(scope, receive, send)
        finally:
            for gate in held:
                gate.leave()


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """Per-key token buckets (``rate`` per second, up to ``burst``), at most ``keys`` remembered
    (the least recently seen are forgotten first, so memory stays bounded under any flood)."""

    def __init__(self, rate: float, burst: float, keys: int = 10_000) -> None:
        self.rate, self.burst, self.keys = rate, burst, keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0, now: float | None = None) -> float:
        """0 when allowed (and charged); otherwise the seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self._buckets[key] = bucket
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return 0.0
            return (cost - bucket.tokens) / self.rate


class SharedTokenBuckets:
    """The same buckets kept in PostgreSQL, so that every worker of the node (on any machine)
    spends from one bucket per address: the limit holds for the node, not per worker. Each
    take is one statement, timed by the database's clock; rows of buckets that have filled up
    again are deleted now and then, so the table stays bounded."""

    TAKE = text(
        "INSERT INTO rate_buckets AS b (bucket, address, tokens, at) "
        "VALUES (:bucket, :address, :burst - 1, clock_timestamp()) "
        "ON CONFLICT (bucket, address) DO UPDATE SET "
        "tokens = LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * :rate)"
        " - 1, at = clock_timestamp() "
        "WHERE LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * :rate)"
        " >= 1 RETURNING tokens"
    )
    LEFT = text(
        "SELECT LEAST(:burst, tokens + EXTRACT(EPOCH FROM clock_timestamp() - at) * :rate) "
        "FROM rate_buckets WHERE bucket = :bucket AND address = :address"
    )
    PRUNE = text(
        "DELETE FROM rate_buckets WHERE bucket = :bucket "
        "AND at < clock_timestamp() - make_interval(secs => :full)"
    )
    PRUNE_EVERY = 500

    def __init__(self, engine: Engine, bucket: str, rate: float, burst: float) -> None:
        self.engine, self.bucket, self.rate, self.burst = engine, bucket, rate, burst
        self._takes = 0

    def take(self, key: str) -> float:
        """0 when allowed (and charged); otherwise the seconds until it would be."""
        values = {"bucket": self.bucket, "address": key[:64], "rate": self.rate,
                  "burst": self.burst}  # fmt: skip
        with self.engine.begin() as connection:
            if connection.execute(self.TAKE, values).first() is not None:
                self._prune(connection)
                return 0.0
            left = float(connection.execute(self.LEFT, values).scalar() or 0.0)
        return max(0.001, (1 - left) / self.rate)

    def _prune(self, connection: Connection) -> None:
        self._takes += 1
        if self._takes % self.PRUNE_EVERY == 0:
            full = self.burst / self.rate
            connection.execute(self.PRUNE, {"bucket": self.bucket, "full": full})


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """Token buckets per client address for the unauthenticated ``POST`` endpoints.

    The outermost middleware: a caller over its rate costs the node as little as possible (no
    request id, no access log line per refusal: a summary per address every ten seconds)."""

    SUMMARY_SECONDS = 10.0

    def __init__(
        self,
        app: ASGIApp,
        limits: dict[str, TokenBuckets],
        shared: dict[str, SharedTokenBuckets] | None = None,
    ) -> None:
        self.app = app
        self.limits = limits  # exact path -> its buckets (this worker's: a flood stops here)
        self.shared = shared or {}  # exact path -> the node's buckets (PostgreSQL)
        self._unlogged: dict[str, int] = {}
        self._logged_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        buckets = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if buckets is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        wait = buckets.take(address)
        node_wide = self.shared.get(scope["path"])
        if not wait and node_wide is not None:
            wait = await run_in_threadpool(node_wide.take, address)
        if wait:
            self._summarise(address)
            await _refuse(
                scope, receive, send, 429, "rate_limited",
                f"too many requests to {scope['path']} from this address; "
                f"at most {buckets.rate * 60:g} a minute", wait,
            )  # fmt: skip
            return
        await self.app(scope, receive, send)

    def _summarise(self, address: str) -> None:
        self._unlogged[address] = self._unlogged.get(address, 0) + 1
        now = time.monotonic()
        if now - self._logged_at < self.SUMMARY_SECONDS:
            return
        self._logged_at = now
        for where, count in sorted(self._unlogged.items(), key=lambda kv: -kv[1])[:20]:
            log.warning("rate limited %d request(s) from %s", count, where)
        self._unlogged.clear()
