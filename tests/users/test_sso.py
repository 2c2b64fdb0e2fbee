"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock: an
Authlib-based provider that signs real ID tokens), through the node's real sign-in pages:
authorization code + PKCE, a claim mapped to roles, sign-out at the provider, and the answers
that must be refused (state, nonce, audience, signature)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from werkzeug.serving import make_server

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.settings import Settings, load_settings
from smartborder.users import service as users
from smartborder.users.models import OidcLogin, User
from smartborder.users.oidc import OidcClient, SignOnFailed
from tests.conftest import node_settings

CLIENT_ID = "smartborder-ca"
ROLE_MAP = {"cbsa-admin": "admin", "cbsa-targeting": "analyst", "cbsa-audit": "auditor"}
PEOPLE = [
    oidc_provider_mock.User(sub="a1b2-alice", claims=
        {"preferred_username": "alice.tremblay", "name": "Alice Tremblay",
         "roles": ["staff", "cbsa-targeting"]},
    ),
    oidc_provider_mock.User(sub="c3d4-bob", claims= {"preferred_username": "bob", "name": "Bob", "roles": ["staff"]}
    ),
    oidc_provider_mock.User(sub="e5f6-admin", claims= {"preferred_username": "admin", "name": "Not the local admin",
                       "roles": ["cbsa-admin"]},
    ),
]  # fmt: skip


@dataclass
class Provider:
    url: str
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)

    def form(self, path: str) -> dict[str, list[str]]:
        """The last form (or query) our node sent to ``path``."""
        return [sent for p, _, sent in self.requests if p == path][-1]


@pytest.fixture
def provider() -> Iterator[Provider]:
    """The identity provider, on loopback; it records what the node sends it."""
    app = oidc_provider_mock.app(require_nonce=True, user_claims=PEOPLE)
    seen = Provider("")

    def recording(environ: dict[str, Any], start: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        sent = parse_qs(environ.get("QUERY_STRING", "")) | parse_qs(body.decode("latin-1"))
        seen.requests.append((environ["PATH_INFO"], environ["REQUEST_METHOD"], sent))
        return app(environ, start)

    server = make_server("127.0.0.1", 0, recording, threaded=True)
    seen.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield seen
    server.shutdown()
    thread.join(5)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, provider: Provider) -> Settings:
    return node_settings(
        tmp_path,
        database_url,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="a-client-secret-for-tests",
        oidc_provider_name="CBSA sign-in",
        oidc_role_map=ROLE_MAP,
    )


def authorize(provider: Provider, location: str, subject: str) -> str:
    """The person signs in at the provider (its form), which sends the browser back to us."""
    answer = httpx.post(location, data={"sub": subject}, follow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def start(client: TestClient, next_url: str = "/") -> str:
    page = client.get("/login")
    assert "Sign in with CBSA sign-in" in page.text
    answer = client.get("/login/sso", params={"next": next_url})
    assert answer.status_code == 303
    return answer.headers["location"]


def come_back(client: TestClient, callback: str) -> httpx.Response:
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def test_sign_in_with_the_identity_provider_maps_a_claim_to_a_role(
    client: TestClient, app: FastAPI, provider: Provider
) -> None:
    location = start(client, "/travel/queue")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["nonce"]
    assert query["state"]

    answer = come_back(client, authorize(provider, location, "a1b2-alice"))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/travel/queue"
    # PKCE: the verifier sent with the code is the one the challenge was made from
    verifier = provider.form("/oauth2/token")["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == [challenge.decode()]

    home = client.get("/")
    assert home.status_code == 200
    assert "Alice Tremblay" in home.text
    with db.unit_of_work(app.state.sessions) as s:
        user = s.scalar(select(User).where(User.username == "alice.tremblay"))
        assert user is not None
        assert user.role == "analyst"
        assert user.external_subject == f"{provider.url} a1b2-alice"
        assert user.display_name == "Alice Tremblay"
        events = list(
            s.scalars(select(AuditEntry.event).where(AuditEntry.event.like("users:sso%")))
        )
        assert events == ["users:sso:provisioned"]
        assert s.scalar(select(OidcLogin)) is None  # used once, gone
        # no password opens this account
        outcome = users.authenticate(s, "alice.tremblay", "!sso", app.state.settings, db.utcnow())
        assert outcome.user is None


def test_sign_out_ends_the_session_here_and_at_the_provider(
    client: TestClient, provider: Provider
) -> None:
    come_back(client, authorize(provider, start(client), "a1b2-alice"))
    page = client.get("/")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post("/logout", data={"csrf_token": csrf})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == provider.url
    assert target.path == "/oauth2/end_session"
    sent = parse_qs(target.query)
    assert sent["post_logout_redirect_uri"][0].endswith("/login?signed_out=1")
    assert sent["id_token_hint"]
    assert client.get("/").status_code == 303  # signed out here


def test_a_role_change_at_the_provider_follows_at_the_next_sign_in(
    client: TestClient, app: FastAPI, provider: Provider
) -> None:
    come_back(client, authorize(provider, start(client), "a1b2-alice"))
    claims = {"preferred_username": "alice.tremblay", "name": "Alice", "roles": ["cbsa-audit"]}
    assert httpx.put(f"{provider.url}/users/a1b2-alice", json=claims).status_code == 204
    client.cookies.clear()
    assert come_back(client, authorize(provider, start(client), "a1b2-alice")).status_code == 303
    with db.unit_of_work(app.state.sessions) as s:
        user = s.scalar(select(User).where(User.username == "alice.tremblay"))
        assert user is not None
        assert user.role == "auditor"
        changed = s.scalars(
            select(AuditEntry).where(AuditEntry.event == "users:sso:role-changed")
        ).one()
        assert changed.details["to"] == "auditor"


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("c3d4-bob", "grants you no role on this node"),
        ("e5f6-admin", "belongs to a local account"),  # never a takeover of the local admin
    ],
)
def test_who_cannot_be_signed_in_is_told_why(
    client: TestClient, provider: Provider, subject: str, why: str
) -> None:
    answer = come_back(client, authorize(provider, start(client), subject))
    assert answer.status_code == 401
    assert why in answer.text
    assert "Try again" in answer.text
    assert client.get("/").status_code == 303


def test_a_wrong_state_a_replay_or_another_browser_is_refused(
    client: TestClient, app: FastAPI, provider: Provider
) -> None:
    callback = authorize(provider, start(client), "a1b2-alice")
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    forged = client.get(parts.path, params={"code": query["code"][0], "state": "forged"})
    assert forged.status_code == 401
    assert "not belong to a sign-in started in this browser" in forged.text
    with TestClient(app, follow_redirects=False) as elsewhere:  # no state cookie
        assert come_back(elsewhere, callback).status_code == 401
    real = come_back(client, callback)
    assert real.status_code == 303, real.text[-3000:]  # the real one, once
    assert come_back(client, callback).status_code == 401  # its cookie is gone
    client.cookies.set("sb_sso_state", query["state"][0], domain="testserver.local")
    replay = come_back(client, callback)  # even with the state cookie put back
    assert replay.status_code == 401
    assert "already used" in replay.text


def test_a_wrong_nonce_is_refused(client: TestClient, app: FastAPI, provider: Provider) -> None:
    location = start(client)
    with db.unit_of_work(app.state.sessions) as s:  # as if the token were for another sign-in
        login = s.scalars(select(OidcLogin)).one()
        login.nonce = "another-sign-in"
    answer = come_back(client, authorize(provider, location, "a1b2-alice"))
    assert answer.status_code == 401
    assert "nonce" in answer.text


def test_the_providers_error_answer_is_shown(client: TestClient, provider: Provider) -> None:
    location = start(client)
    denied = httpx.post(location, data={"action": "deny"}, follow_redirects=False, timeout=10)
    answer = come_back(client, denied.headers["location"])
    assert answer.status_code == 401
    assert "access_denied" in answer.text


def real_token_for(provider: Provider, client_id: str, nonce: str) -> str:
    """A real ID token from the provider, issued to ``client_id`` (not this node)."""
    from authlib.integrations.httpx_client import OAuth2Client

    redirect = "http://relying-party.invalid/callback"
    with OAuth2Client(client_id, "secret", scope="openid profile", redirect_uri=redirect) as oauth:
        url, _ = oauth.create_authorization_url(f"{provider.url}/oauth2/authorize", nonce=nonce)
        code = parse_qs(urlsplit(authorize(provider, url, "a1b2-alice")).query)["code"][0]
        token = oauth.fetch_token(f"{provider.url}/oauth2/token", code=code)
    return str(token["id_token"])


def test_an_id_token_for_another_client_or_badly_signed_is_refused(
    settings: Settings, provider: Provider
) -> None:
    rp = OidcClient(settings)
    now = dt.datetime.now(dt.UTC)
    other = real_token_for(provider, "another-client", "n-1")
    with pytest.raises(SignOnFailed, match="aud"):
        rp.verify_id_token(other, nonce="n-1", now=now)
    mine = real_token_for(provider, CLIENT_ID, "n-2")
    assert rp.verify_id_token(mine, nonce="n-2", now=now)["sub"] == "a1b2-alice"
    with pytest.raises(SignOnFailed, match="nonce"):
        rp.verify_id_token(mine, nonce="n-3", now=now)
    with pytest.raises(SignOnFailed, match="exp"):
        rp.verify_id_token(mine, nonce="n-2", now=now + dt.timedelta(days=2))

    # the same claims signed with a key the provider never published
    header, payload, _ = mine.split(".")
    claims = jwt.decode(mine, rp._key_set(refresh=False)).claims
    stranger = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid = jwt.decode(mine, rp._key_set(refresh=False)).header.get("kid")
    forged = jwt.encode({"alg": "RS256", **({"kid": kid} if kid else {})}, claims, stranger)
    with pytest.raises(SignOnFailed, match="signature"):
        rp.verify_id_token(forged, nonce="n-2", now=now)
    # payload swapped under the provider's real signature
    other_person = jwt.encode({"alg": "RS256"}, {**claims, "sub": "e5f6-admin"}, stranger)
    tampered = ".".join([header, other_person.split(".")[1], mine.split(".")[2]])
    with pytest.raises(SignOnFailed, match="signature"):
        rp.verify_id_token(tampered, nonce="n-2", now=now)
    # "none" is never accepted
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    unsigned = f"{none_header}.{payload}."
    with pytest.raises(SignOnFailed, match="signature"):
        rp.verify_id_token(unsigned, nonce="n-2", now=now)


def test_settings_refuse_an_incomplete_identity_provider(tmp_path: Path) -> None:
    from smartborder.errors import SettingsError

    with pytest.raises(SettingsError, match="oidc_client_id"):
        load_settings(data_dir=tmp_path, oidc_issuer="https://idp.example")
    with pytest.raises(SettingsError, match="oidc_role_map"):
        load_settings(data_dir=tmp_path, oidc_issuer="https://idp.example", oidc_client_id="x")
    with pytest.raises(SettingsError, match="not a role"):
        load_settings(data_dir=tmp_path, oidc_role_map={"x": "emperor"})
