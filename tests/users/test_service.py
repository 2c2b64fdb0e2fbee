from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from smartborder.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    SessionExpired,
    ValidationFailed,
)
from smartborder.settings import Settings
from smartborder.users import service
from smartborder.users.models import ApiToken

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_passwords_are_stored_as_argon2_hashes(session: Session) -> None:
    user = service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    assert user.password_hash.startswith("$argon2id$")
    assert "long-enough-pass" not in user.password_hash


def test_create_user_collects_every_problem(session: Session) -> None:
    with pytest.raises(ValidationFailed) as raised:
        service.create_user(session, username="X", role="king", password="short")
    assert {d["field"] for d in raised.value.details} == {"username", "role", "password"}
    service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    with pytest.raises(Conflict):
        service.create_user(session, username="ana", role="analyst", password="long-enough-pass")


def test_authenticate_outcomes(session: Session, node: Settings) -> None:
    service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    assert service.authenticate(session, "ana", "long-enough-pass", node, NOW).reason == "ok"
    assert service.authenticate(session, "ANA ", "long-enough-pass", node, NOW).reason == "ok"
    assert (
        service.authenticate(session, "ana", "wrong-password", node, NOW).reason
        == "bad_credentials"
    )
    assert (
        service.authenticate(session, "ghost", "whatever-pass", node, NOW).reason
        == "bad_credentials"
    )
    service.set_active(session, "ana", False)
    outcome = service.authenticate(session, "ana", "long-enough-pass", node, NOW)
    assert outcome.user is None
    assert outcome.reason == "disabled"


def test_lockout_expires(session: Session, node: Settings) -> None:
    service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    for _ in range(node.login_max_failures):
        outcome = service.authenticate(session, "ana", "wrong-password", node, NOW)
    assert outcome.reason == "locked"
    assert outcome.retry_after_seconds == node.login_lockout_minutes * 60
    assert service.authenticate(session, "ana", "long-enough-pass", node, NOW).reason == "locked"
    later = NOW + dt.timedelta(minutes=node.login_lockout_minutes, seconds=1)
    assert service.authenticate(session, "ana", "long-enough-pass", node, later).reason == "ok"


def test_unknown_usernames_are_throttled_too(session: Session, node: Settings) -> None:
    for _ in range(node.login_max_failures):
        outcome = service.authenticate(session, "ghost", "guess-guess-guess", node, NOW)
    assert outcome.reason == "locked"


def test_tokens_are_stored_as_digests_and_revocable(session: Session) -> None:
    user = service.create_user(
        session, username="feed", role="analyst", password="long-enough-pass"
    )
    token, secret = service.create_token(session, user, "airline")
    stored = session.get(ApiToken, token.id)
    assert stored is not None
    assert secret not in (stored.digest, stored.prefix)
    assert service.resolve_token(session, secret, NOW) is user
    assert service.resolve_token(session, secret + "x", NOW) is None
    assert service.resolve_token(session, "not-a-token", NOW) is None
    other = service.create_user(
        session, username="other", role="analyst", password="long-enough-pass"
    )
    with pytest.raises(PermissionDenied):
        service.revoke_token(session, token.id, actor=other, now=NOW)
    service.revoke_token(session, token.id, actor=user, now=NOW)
    assert service.resolve_token(session, secret, NOW) is None
    with pytest.raises(NotFound):
        service.revoke_token(session, 9999, actor=user, now=NOW)
    with pytest.raises(ValidationFailed):
        service.create_token(session, user, "   ")


def test_sessions_expire_when_idle_or_too_old(session: Session, node: Settings) -> None:
    user = service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    _, secret = service.start_web_session(session, user, node, NOW)
    assert service.resolve_web_session(session, secret, node, NOW).user is user
    idle = NOW + dt.timedelta(minutes=node.session_idle_minutes, seconds=1)
    with pytest.raises(SessionExpired):
        service.resolve_web_session(session, secret, node, idle)
    # Staying active keeps a session alive, but never past its absolute lifetime.
    _, secret = service.start_web_session(session, user, node, NOW)
    moment = NOW
    while moment < NOW + dt.timedelta(hours=node.session_max_hours - 1):
        moment += dt.timedelta(minutes=node.session_idle_minutes - 1)
        service.resolve_web_session(session, secret, node, moment)
    with pytest.raises(SessionExpired):
        service.resolve_web_session(
            session, secret, node, NOW + dt.timedelta(hours=node.session_max_hours)
        )
    with pytest.raises(SessionExpired):
        service.resolve_web_session(session, "made-up", node, NOW)
