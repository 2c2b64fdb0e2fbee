"""ASGI middleware: request ids with an access log line, and a cap on request body size."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartborder.errorhandlers import error_response
from smartborder.errors import PayloadTooLarge
from smartborder.logs import request_id_var

access_log = logging.getLogger("smartborder.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Takes a sane ``X-Request-ID`` from the caller or makes one, echoes it, logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            principal = scope["state"].get("principal")
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": principal.username if principal else "-",
                },
            )


# Pages hold personal data: never cached, never framed, scripts only from this node.
_CSP = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "style-src 'self' 'unsafe-inline'"
)
_DOCS_CSP = _CSP + "; script-src 'self' 'unsafe-inline'; img-src 'self' data:"
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Adds the browser-hardening headers every response of a node should carry."""

    def __init__(self, app: ASGIApp, docs_path: str, hsts: bool = False) -> None:
        self.app = app
        self.docs_path = docs_path
        # Served over TLS: browsers must use HTTPS for this host from now on (two years).
        self.extra = [(b"strict-transport-security", b"max-age=63072000")] if hsts else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        csp = _DOCS_CSP if path == self.docs_path else _CSP
        cache = b"public, max-age=3600" if path.startswith("/static/") else b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *_SECURITY_HEADERS,
                    (b"content-security-policy", csp.encode()),
                    (b"cache-control", cache),
                    *self.extra,
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes``, whether announced by Content-Length or streamed.

    The body is read (up to the limit) before the app runs, so an oversized request is refused
    with 413 before any handler sees it, then replayed to the app unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.paths = paths or {}  # exact paths with their own limit (airline message intake)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.paths.get(scope.get("path", ""), self.default_max)
        announced = dict(scope["headers"]).get(b"content-length", b"0")
        too_big = announced.isdigit() and int(announced) > max_bytes
        chunks: list[bytes] = []
        received = 0
        more = not too_big
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > max_bytes:
                too_big = True
                break
            chunks.append(chunk)
            more = message.get("more_body", False)
        if too_big:
            request = Request(scope)
            response = error_response(
                request,
                413,
                PayloadTooLarge.code,
                f"request body exceeds the limit of {max_bytes} bytes",
                [{"location": "body", "limit_bytes": max_bytes}],
            )
            await response(scope, receive, send)
            return
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
