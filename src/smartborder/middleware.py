"""ASGI middleware: request ids with an access log line, security headers, and a cap on
request body size with a check of text for control characters."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

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
    """Refuses bodies over ``max_bytes``, whether announced by Content-Length or streamed, and
    text with control characters (in the query string and in JSON or form bodies).

    The body is read (up to the limit) before the app runs, so an oversized request is refused
    with 413 before any handler sees it, then replayed to the app unchanged.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        paths: dict[str, int] | None = None,
        raw_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.default_max = max_bytes
        self.paths = paths or {}  # exact paths with their own limit (airline message intake)
        # Paths whose bodies their own parser reads and quarantines (airline messages).
        self.raw_paths = raw_paths

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
        raw = b"".join(chunks)
        problem = text_problem(scope, b"" if scope.get("path") in self.raw_paths else raw)
        if problem is not None:
            refusal = error_response(Request(scope), *problem)
            await refusal(scope, receive, send)
            return
        whole: Message = {"type": "http.request", "body": raw, "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


# Text fields never hold control characters (tab, line feed and carriage return excepted):
# a NUL is refused by PostgreSQL and would be stored by SQLite, the others hide text on screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
Problem = tuple[int, str, str, list[dict[str, Any]]]


def _control_at(where: str, value: str) -> Problem:
    found = _CONTROL.search(value)
    assert found is not None
    char = f"U+{ord(found.group()):04X}"
    return (
        422,
        "validation_failed",
        f"invalid input at {where}: control character {char} at position {found.start()}",
        [{"location": where, "message": f"contains the control character {char}",
          "type": "control_character"}],
    )  # fmt: skip


def text_problem(scope: Scope, body: bytes) -> Problem | None:
    """The first control character in the query string or a JSON or form body, or why the JSON
    cannot be read (``malformed_json``: not UTF-8, not JSON, nested too deeply), with where."""
    query = scope.get("query_string", b"")
    if query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if _CONTROL.search(key) or _CONTROL.search(value):
                return _control_at(f"query.{key}", value if _CONTROL.search(value) else key)
    if not body:
        return None
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if _CONTROL.search(value) or _CONTROL.search(key):
                return _control_at(f"body.{key}", value if _CONTROL.search(value) else key)
        return None
    if not (content_type.startswith("application/json") or "+json" in content_type):
        return None
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return _malformed(f"the body is not UTF-8 (byte {exc.start})")
    except RecursionError:
        return _malformed("the JSON is nested too deeply")
    except ValueError as exc:
        return _malformed(str(exc))
    return _first_control(data)


def _malformed(why: str) -> Problem:
    return 400, "malformed_json", "request body is not valid JSON", [
        {"location": "body", "message": why}
    ]  # fmt: skip


def _first_control(data: Any) -> Problem | None:
    stack: list[tuple[str, Any]] = [("body", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _CONTROL.search(value):
                return _control_at(where, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if _CONTROL.search(key):
                    return _control_at(where, key)
                stack.append((f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}", item) for i, item in enumerate(value))
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
