"""Use cases for users, API tokens, browser sessions and sign-in. No HTTP here."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from smartborder.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    SessionExpired,
    ValidationFailed,
)
from smartborder.gate import Bounded, Busy
from smartborder.roles import Role
from smartborder.settings import Settings
from smartborder.users.models import ApiToken, LoginThrottle, User, WebSession

TEAM_PATTERN = re.compile(r"[a-z][a-z0-9-]{1,39}")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "sbt_"  # noqa: S105 - a marker, not a secret
TOUCH_INTERVAL = dt.timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            details=[{"field": "password", "problem": "too short"}],
        )


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    teams: list[str] | None = None,
) -> User:
    problems = []
    problems += _team_problems(teams or [])
    if not USERNAME_PATTERN.fullmatch(username):
        problems.append(
            {
                "field": "username",
                "problem": "2-64 of a-z 0-9 . _ -, starting with a letter or digit",
            }
        )
    if role not in {r.value for r in Role}:
        problems.append({"field": "role", "problem": f"one of {', '.join(r.value for r in Role)}"})
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            {"field": "password", "problem": f"at least {MIN_PASSWORD_LENGTH} characters"}
        )
    if problems:
        raise ValidationFailed("the user cannot be created as given", details=problems)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user '{username}' already exists")
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        active=True,
        teams=sorted(set(teams or [])),
    )
    session.add(user)
    session.flush()
    return user


def _team_problems(teams: list[str]) -> list[dict[str, str]]:
    return [
        {"field": "teams", "problem": f"{team!r}: 2-40 of a-z 0-9 -, starting with a letter"}
        for team in teams
        if not TEAM_PATTERN.fullmatch(team)
    ]


def set_teams(session: Session, username: str, teams: list[str]) -> User:
    """The targeting teams whose hits the user works (replacing those held)."""
    problems = _team_problems(teams)
    if problems:
        raise ValidationFailed("the teams cannot be set as given", details=problems)
    user = get_user(session, username)
    user.teams = sorted(set(teams))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable a user; disabling ends their browser sessions at once."""
    user = get_user(session, username)
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


@dataclass(frozen=True)
class LoginOutcome:
    """The sign-in decision with its reason; failures are recorded before the caller answers."""

    user: User | None
    reason: str
    retry_after_seconds: int = 0


def authenticate(
    session: Session,
    username: str,
    password: str,
    settings: Settings,
    now: dt.datetime,
    *,
    client: str = "unknown",
    gate: Bounded | None = None,
) -> LoginOutcome:
    """Check a sign-in. Failures from one client address for one username earn a growing wait
    (1 s, 2 s, 4 s … up to ``login_lockout_minutes``) once ``login_max_failures`` is reached;
    the same username from elsewhere is not affected. Password hashing goes through ``gate``, so
    a flood of sign-ins is turned away ("busy") instead of taking every worker thread."""
    key = username.strip().lower()[:64]
    where = client[:64]
    # Locked (PostgreSQL) so that concurrent attempts from one place count one after another.
    throttle = session.get(LoginThrottle, (key, where), with_for_update=True)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        wait = math.ceil((throttle.locked_until - now).total_seconds())
        return LoginOutcome(None, "locked", wait)
    user = session.scalar(select(User).where(User.username == key))
    try:
        with gate.slot() if gate else contextlib.nullcontext():
            ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
    except Busy:
        return LoginOutcome(None, "busy", 2)
    if ok and user is not None and user.active:
        if throttle:
            session.delete(throttle)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now
        session.flush()
        return LoginOutcome(user, "ok")
    if throttle is None:
        throttle = _new_throttle(session, key, where)
    longest = dt.timedelta(minutes=settings.login_lockout_minutes)
    if throttle.failures and throttle.last_failure_at < now - longest:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    beyond = throttle.failures - settings.login_max_failures
    if beyond >= 0:
        backoff = min(longest, dt.timedelta(seconds=2 ** min(beyond, 20)))
        throttle.locked_until = now + backoff
        session.flush()
        return LoginOutcome(None, "locked", math.ceil(backoff.total_seconds()))
    session.flush()
    return LoginOutcome(None, "disabled" if ok else "bad_credentials")


def _new_throttle(session: Session, key: str, where: str) -> LoginThrottle:
    """The counter for a first failure; a concurrent first failure may have made it already."""
    try:
        with session.begin_nested():
            throttle = LoginThrottle(username=key, client=where, failures=0)
            session.add(throttle)
            session.flush()
        return throttle
    except IntegrityError:
        found = session.get(
            LoginThrottle, (key, where), with_for_update=True, populate_existing=True
        )
        assert found is not None
        return found


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token; the secret is returned once and never stored."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed(
            "token name must be 1-80 characters", details=[{"field": "name", "problem": "length"}]
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], digest=digest(secret))
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))


def revoke_token(
    session: Session,
    token_id: int,
    *,
    actor: User | None,
    now: dt.datetime,
    any_user: bool = False,
) -> ApiToken:
    """Revoke a token. A user may revoke their own; ``any_user`` (admins, the CLI) any token."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    if not any_user and (actor is None or token.user_id != actor.id):
        raise PermissionDenied("you may revoke only your own tokens")
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()
    return token


# Built once, its user loaded with it: every API request runs it.
_TOKEN = (
    select(ApiToken)
    .where(ApiToken.digest == bindparam("digest"))
    .options(joinedload(ApiToken.user))
)


def resolve_token(
    session: Session, secret: str, now: dt.datetime, *, touch: bool = True
) -> tuple[User | None, bool]:
    """The token's user (None when invalid), and whether its last use is due to be recorded
    (recorded here when ``touch``; a read-only request records it with :func:`touch_token`)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None, False
    token = session.scalar(_TOKEN, {"digest": digest(secret)})
    if token is None or token.revoked_at is not None or not token.user.active:
        return None, False
    due = token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL
    if due and touch:
        token.last_used_at = now
    return token.user, due


def touch_token(session: Session, secret: str, now: dt.datetime) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.digest == digest(secret)).values(last_used_at=now)
    )


def start_web_session(
    session: Session, user: User, settings: Settings, now: dt.datetime, id_token: str | None = None
) -> tuple[WebSession, str]:
    idle_cutoff = now - dt.timedelta(minutes=settings.session_idle_minutes)
    session.execute(
        delete(WebSession).where(
            (WebSession.expires_at <= now) | (WebSession.last_seen_at <= idle_cutoff)
        )
    )
    secret = secrets.token_urlsafe(32)
    web = WebSession(
        digest=digest(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(hours=settings.session_max_hours),
        id_token=id_token,
    )
    session.add(web)
    session.flush()
    return web, secret


def resolve_web_session(
    session: Session, secret: str, settings: Settings, now: dt.datetime, *, touch: bool = True
) -> WebSession:
    """The live session for a cookie; raises SessionExpired when it has timed out or ended.
    Its last activity is moved on here when ``touch`` (else see :func:`touch_due`)."""
    web = session.get(WebSession, digest(secret))
    if web is None:
        raise SessionExpired("your session has ended; sign in again")
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    if web.expires_at <= now or web.last_seen_at + idle <= now or not web.user.active:
        raise SessionExpired("your session has expired; sign in again")
    if touch and touch_due(web, now):
        web.last_seen_at = now
    return web


def touch_due(web: WebSession, now: dt.datetime) -> bool:
    return now - web.last_seen_at > TOUCH_INTERVAL


def touch_web_session(session: Session, secret: str, now: dt.datetime) -> None:
    session.execute(
        update(WebSession).where(WebSession.digest == digest(secret)).values(last_seen_at=now)
    )


def end_web_session(session: Session, secret: str) -> str | None:
    """End the session; the identity provider's ID token when it began with single sign-on."""
    id_token = session.scalar(
        select(WebSession.id_token).where(WebSession.digest == digest(secret))
    )
    session.execute(delete(WebSession).where(WebSession.digest == digest(secret)))
    return id_token
