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


def test_failures_from_one_address_earn_a_growing_wait(session: Session, node: Settings) -> None:
    service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    at = NOW
    for _ in range(node.login_max_failures):
        outcome = service.authenticate(
            session, "ana", "wrong-password", node, at, client="10.9.9.9"
        )
    assert outcome.reason == "locked"
    waits = [outcome.retry_after_seconds]
    for _ in range(4):  # each failure after the wait doubles the next one
        at += dt.timedelta(seconds=waits[-1])
        outcome = service.authenticate(
            session, "ana", "wrong-password", node, at, client="10.9.9.9"
        )
        waits.append(outcome.retry_after_seconds)
    assert waits == [1, 2, 4, 8, 16]
    # Even the right password waits from that address ...
    assert (
        service.authenticate(session, "ana", "long-enough-pass", node, at, client="10.9.9.9").reason
        == "locked"
    )
    # ... but the account is not locked for everyone: the owner signs in from elsewhere.
    assert (
        service.authenticate(session, "ana", "long-enough-pass", node, at, client="10.1.1.1").reason
        == "ok"
    )
    later = at + dt.timedelta(seconds=17)
    assert (
        service.authenticate(
            session, "ana", "long-enough-pass", node, later, client="10.9.9.9"
        ).reason
        == "ok"
    )


def test_the_wait_is_capped_at_the_lockout_minutes(session: Session, node: Settings) -> None:
    at = NOW
    for _ in range(node.login_max_failures + 30):
        outcome = service.authenticate(session, "root", "guess-guess-x", node, at, client="c")
        at += dt.timedelta(seconds=max(outcome.retry_after_seconds, 1))
    assert outcome.retry_after_seconds == node.login_lockout_minutes * 60


def test_a_busy_hashing_gate_turns_sign_ins_away(session: Session, node: Settings) -> None:
    from smartborder.gate import Bounded

    service.create_user(session, username="ana", role="analyst", password="long-enough-pass")
    gate = Bounded(1, 0)  # nobody may wait: while one hash runs, the next is turned away
    with gate.slot():
        outcome = service.authenticate(
            session, "ana", "long-enough-pass", node, NOW, client="c", gate=gate
        )
    assert (outcome.reason, outcome.retry_after_seconds) == ("busy", 2)
    assert service.authenticate(session, "ana", "long-enough-pass", node, NOW, gate=gate).user


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
    assert service.resolve_token(session, secret, NOW)[0] is user
    assert service.resolve_token(session, secret + "x", NOW)[0] is None
    assert service.resolve_token(session, "not-a-token", NOW)[0] is None
    other = service.create_user(
        session, username="other", role="analyst", password="long-enough-pass"
    )
    with pytest.raises(PermissionDenied):
        service.revoke_token(session, token.id, actor=other, now=NOW)
    service.revoke_token(session, token.id, actor=user, now=NOW)
    assert service.resolve_token(session, secret, NOW)[0] is None
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
