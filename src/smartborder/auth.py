"""Who is calling, and may they? The request-side of access control.

A caller is either a browser session (cookie ``sb_session``, CSRF token required on unsafe
methods) or an integration with an API token (``Authorization: Bearer sbt_...``). Every route
except the health checks depends on :func:`require`; the role table lives in ``smartborder.roles``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from smartborder.db import unit_of_work, utcnow
from smartborder.errors import CsrfFailed, NotAuthenticated, PermissionDenied
from smartborder.roles import Permission, allowed
from smartborder.settings import Settings
from smartborder.users import service as users
from smartborder.users.models import User

SESSION_COOKIE = "sb_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("smartborder.auth")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def reads_only(request: Request) -> bool:
    """GET and HEAD change nothing: their unit of work reads (on SQLite without the write lock,
    on a connection that refuses writes)."""
    return request.method in SAFE_METHODS


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed before the response is sent, rolled back on error.
    Opening a session touches no database, so it opens on the event loop; the commit or the
    rollback runs in a worker thread (one hop per request where a plain generator made two)."""
    state = request.app.state
    async with _unit(state.read_sessions if reads_only(request) else state.sessions) as session:
        yield session


async def get_write_db(request: Request) -> AsyncIterator[Session]:
    """A unit of work that may write whatever the method (a dry run rolled back at its end)."""
    async with _unit(request.app.state.sessions) as session:
        yield session


@asynccontextmanager
async def _unit(factory: sessionmaker[Session]) -> AsyncIterator[Session]:
    unit = unit_of_work(factory)
    session = unit.__enter__()
    try:
        yield session
    except BaseException as exc:
        await run_in_threadpool(unit.__exit__, type(exc), exc, exc.__traceback__)
        raise
    await run_in_threadpool(unit.__exit__, None, None, None)


Db = Annotated[Session, Depends(get_db, scope="function")]
WriteDb = Annotated[Session, Depends(get_write_db, scope="function")]
CurrentSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Principal:
    """The caller. Identity fields are copied so error pages can use them after a rollback."""

    user: User
    via: Literal["session", "token"]
    username: str
    role: str
    display_name: str
    csrf_token: str = ""
    teams: tuple[str, ...] = ()  # targeting teams whose hits the user works

    @classmethod
    def of(cls, user: User, via: Literal["session", "token"], csrf_token: str = "") -> Principal:
        teams = tuple(user.teams or ())
        return cls(user, via, user.username, user.role, user.display_name, csrf_token, teams)

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)


async def authenticate(request: Request, db: Db, settings: CurrentSettings) -> Principal:
    now = utcnow()
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        # Database work off the event loop: on SQLite a transaction may wait for the write
        # lock, and waiting on the loop would stall the request holding it (a deadlock).
        read = reads_only(request)
        user, due = (
            await run_in_threadpool(users.resolve_token, db, secret.strip(), now, touch=not read)
            if scheme.lower() == "bearer"
            else (None, False)
        )
        if user is None:
            raise NotAuthenticated("the API token is invalid, revoked, or its user is disabled")
        if due and read:
            await _touch_apart(request, users.touch_token, secret.strip(), now)
        principal = Principal.of(user, "token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise NotAuthenticated("sign in, or send an API token as 'Authorization: Bearer ...'")
        read = reads_only(request)
        web = await run_in_threadpool(
            users.resolve_web_session, db, cookie, settings, now, touch=not read
        )
        if read and users.touch_due(web, now):
            await _touch_apart(request, users.touch_web_session, cookie, now)
        principal = Principal.of(web.user, "session", web.csrf_token)
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, web.csrf_token)
    request.state.principal = principal
    return principal


async def _touch_apart(
    request: Request,
    touch: Callable[[Session, str, dt.datetime], None],
    secret: str,
    now: dt.datetime,
) -> None:
    """Record a read-only request's sign-in activity in a short write of its own (at most once
    a minute per session or token), so the read itself never holds the write lock. A failed
    touch only delays the idle timeout's clock; the request goes on."""
    sessions = request.app.state.sessions

    def write() -> None:
        try:
            with unit_of_work(sessions) as session:
                touch(session, secret, now)
        except SQLAlchemyError as exc:
            log.warning("sign-in activity not recorded: %s", exc)

    await run_in_threadpool(write)


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
        if not sent or not hmac.compare_digest(sent, expected):
            await form.close()  # refused: the handler that would close its files never runs
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("missing or wrong CSRF token; reload the page and try again")


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits the request only when the caller's role grants ``permission``.
    A coroutine, though it awaits nothing: FastAPI runs a plain function dependency in a worker
    thread, and the hop there and back would cost more than the check."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise PermissionDenied(
                f"role '{principal.role}' does not grant '{permission.value}'",
                details=[{"permission": permission.value, "role": principal.role}],
            )
        return principal

    return check
