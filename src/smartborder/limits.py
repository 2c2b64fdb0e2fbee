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
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from smartborder.errorhandlers import error_response

EXEMPT_PREFIXES = ("/static/", "/api/v1/health", "/api/v1/ready")


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
    await response(scope, receive, send)


class AdmissionMiddleware:
    """A bounded number of requests in service, a bounded queue before it, 503 past both."""

    def __init__(self, app: ASGIApp, limit: int, queue: int, wait_seconds: float) -> None:
        self.app = app
        self.limit, self.queue, self.wait_seconds = limit, queue, wait_seconds
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0
        self.refused = 0

    @property
    def in_service(self) -> int:
        return self.limit - (self._slots._value if self._slots else self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made on the server's event loop, at the first request
            self._slots = asyncio.Semaphore(self.limit)
        slots = self._slots
        if slots.locked() and self.waiting >= self.queue:
            self.refused += 1
            await _refuse(
                scope, receive, send, 503, "overloaded",
                f"the node is serving {self.limit} requests and {self.waiting} are waiting; "
                "try again shortly", 1 + self.waiting / max(1, self.limit),
            )  # fmt: skip
            return
        self.waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                await slots.acquire()
        except TimeoutError:
            self.refused += 1
            await _refuse(
                scope, receive, send, 503, "overloaded",
                f"the request waited {self.wait_seconds:g} s for its turn; try again shortly",
                self.wait_seconds / 2,
            )  # fmt: skip
            return
        finally:
            self.waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()


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


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """Token buckets per client address for the unauthenticated ``POST`` endpoints."""

    def __init__(self, app: ASGIApp, limits: dict[str, TokenBuckets]) -> None:
        self.app = app
        self.limits = limits  # exact path -> its buckets
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        buckets = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if buckets is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        wait = buckets.take(client_address(scope))
        if wait:
            self.refused += 1
            await _refuse(
                scope, receive, send, 429, "rate_limited",
                f"too many requests to {scope['path']} from this address; "
                f"at most {buckets.rate * 60:g} a minute", wait,
            )  # fmt: skip
            return
        await self.app(scope, receive, send)
