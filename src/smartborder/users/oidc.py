"""Single sign-on with the agency's identity provider: OpenID Connect, authorization code flow
with PKCE (S256), a state bound to the browser and a nonce bound to the ID token.

Authlib drives the protocol (authorization URL, PKCE, the token request); joserfc verifies the
ID token (signature against the provider's published keys, issuer, audience, expiry, nonce).
A user is known by the provider's issuer and subject; their username comes from
``oidc_username_claim`` and their role from ``oidc_role_claim`` through ``oidc_role_map``, read
anew at every sign-in (the provider is the source of truth). A local account is never taken over
by a provider's user of the same name.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import SmartborderError
from smartborder.settings import Settings
from smartborder.users.models import OidcLogin, User

LOGIN_MINUTES = 10
DISCOVERY_SECONDS = 3600
LEEWAY_SECONDS = 60
# asymmetric algorithms only: "none" and shared-secret HMAC are refused whatever the token says
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
NO_PASSWORD = "!sso"  # noqa: S105  # never a valid hash: such a user cannot sign in with a password


class SignOnFailed(SmartborderError):
    """Single sign-on did not succeed; the message says why, for the user to retry."""

    status_code = 401
    code = "sign_on_failed"


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None


@dataclass(frozen=True)
class Identity:
    subject: str
    username: str
    display_name: str
    role: str
    claims: dict[str, Any]
    id_token: str


class OidcClient:
    """One node's relying party. Discovery and the provider's keys are cached; keys are read
    again once when a token names a key not seen yet (the provider rotated)."""

    def __init__(self, settings: Settings, http: httpx2.Client | None = None) -> None:
        self.settings = settings
        self._http = http or httpx2.Client(timeout=10)
        self._lock = threading.Lock()
        self._provider: Provider | None = None
        self._provider_at = 0.0
        self._keys: KeySet | None = None

    def provider(self) -> Provider:
        with self._lock:
            if self._provider and time.monotonic() - self._provider_at < DISCOVERY_SECONDS:
                return self._provider
            issuer = self.settings.oidc_issuer.rstrip("/")
            data = self._get_json(f"{issuer}/.well-known/openid-configuration", "discovery")
            if str(data.get("issuer", "")).rstrip("/") != issuer:
                raise SignOnFailed(
                    f"the identity provider calls itself '{data.get('issuer')}', not '{issuer}'"
                )
            try:
                self._provider = Provider(
                    issuer=str(data["issuer"]),
                    authorization_endpoint=str(data["authorization_endpoint"]),
                    token_endpoint=str(data["token_endpoint"]),
                    jwks_uri=str(data["jwks_uri"]),
                    userinfo_endpoint=data.get("userinfo_endpoint"),
                    end_session_endpoint=data.get("end_session_endpoint"),
                )
            except KeyError as exc:
                raise SignOnFailed(f"the identity provider's discovery lacks {exc}") from None
            self._provider_at = time.monotonic()
            self._keys = None
            return self._provider

    def _get_json(self, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.get(url, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (httpx2.HTTPError, ValueError) as exc:
            raise SignOnFailed(
                f"the identity provider's {what} could not be read ({exc})"
            ) from None
        if not isinstance(data, dict):
            raise SignOnFailed(f"the identity provider's {what} is not a JSON object")
        return data

    def _key_set(self, refresh: bool) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                provider = self._provider
                assert provider is not None
                data = self._get_json(provider.jwks_uri, "signing keys")
                try:
                    self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError) as exc:
                    raise SignOnFailed(
                        f"the provider's signing keys are unusable ({exc})"
                    ) from None
            return self._keys

    def _oauth(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=self.settings.oidc_client_secret or None,
            scope=self.settings.oidc_scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=(
                "client_secret_basic" if self.settings.oidc_client_secret else "none"
            ),
            timeout=10,
        )

    def begin(
        self, session: Session, *, next_url: str, redirect_uri: str, now: dt.datetime
    ) -> tuple[str, str]:
        """Start a sign-in: the provider's URL to send the browser to, and the state the
        browser must bring back (kept in a cookie)."""
        provider = self.provider()
        session.execute(
            delete(OidcLogin).where(
                OidcLogin.created_at < now - dt.timedelta(minutes=LOGIN_MINUTES)
            )
        )
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)[:96]
        with self._oauth(redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(
                provider.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        session.add(
            OidcLogin(
                state=state, nonce=nonce, code_verifier=verifier, next_url=next_url, created_at=now
            )
        )
        session.flush()
        return url, state

    def finish(
        self,
        session: Session,
        *,
        state: str,
        browser_state: str,
        code: str,
        redirect_uri: str,
        now: dt.datetime,
    ) -> tuple[Identity, str]:
        """Complete a sign-in from the provider's answer: the identity, and where to go next."""
        if not state or not secrets.compare_digest(state, browser_state or ""):
            raise SignOnFailed("the answer does not belong to a sign-in started in this browser")
        login = session.get(OidcLogin, state)
        if login is None:
            raise SignOnFailed("this sign-in was already used, or never started here")
        session.delete(login)
        session.flush()
        if login.created_at < now - dt.timedelta(minutes=LOGIN_MINUTES):
            raise SignOnFailed(f"the sign-in took longer than {LOGIN_MINUTES} minutes")
        provider = self.provider()
        try:
            with self._oauth(redirect_uri) as oauth:
                token = oauth.fetch_token(
                    provider.token_endpoint, code=code, code_verifier=login.code_verifier
                )
        except (AuthlibBaseError, httpx2.HTTPError, ValueError) as exc:
            raise SignOnFailed(f"the identity provider refused the code ({exc})") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnFailed("the identity provider sent no ID token")
        claims = self.verify_id_token(id_token, nonce=login.nonce, now=now)
        access_token = token.get("access_token")
        if (
            self.settings.oidc_role_claim not in claims
            and provider.userinfo_endpoint
            and access_token
        ):
            extra = self._get_json(
                provider.userinfo_endpoint,
                "user information",
                headers={"Authorization": f"Bearer {access_token}"},
            )
            if extra.get("sub") != claims["sub"]:
                raise SignOnFailed("the user information is about someone else")
            claims = {**extra, **claims}
        return self.identity(claims, id_token), login.next_url

    def verify_id_token(self, id_token: str, *, nonce: str, now: dt.datetime) -> dict[str, Any]:
        """Check the ID token's signature with the provider's keys and its claims: issuer,
        audience (and authorized party), expiry, issue time and the nonce of this sign-in."""
        provider = self.provider()
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(refresh=False), algorithms=ALGORITHMS)
            except JoseError as exc:
                if "key" not in str(exc).lower():
                    raise
                decoded = jwt.decode(id_token, self._key_set(refresh=True), algorithms=ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise SignOnFailed(f"the ID token's signature does not verify ({exc})") from None
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": self.settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise SignOnFailed(f"the ID token is not for this sign-in ({exc})") from None
        claims = dict(decoded.claims)
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.settings.oidc_client_id:
            raise SignOnFailed("the ID token was issued to another client (azp)")
        return claims

    def identity(self, claims: dict[str, Any], id_token: str) -> Identity:
        raw = claims.get(self.settings.oidc_username_claim) or claims.get("email") or ""
        username = str(raw).strip().lower()
        if not USERNAME.match(username):
            raise SignOnFailed(
                f"the provider's '{self.settings.oidc_username_claim}' ('{raw}') is not a usable "
                "username"
            )
        granted = claims.get(self.settings.oidc_role_claim, [])
        values = [granted] if isinstance(granted, str) else list(granted or [])
        role = next(
            (role for value, role in self.settings.oidc_role_map.items() if value in values), None
        )
        if role is None:
            raise SignOnFailed(
                f"your identity provider grants you no role on this node "
                f"('{self.settings.oidc_role_claim}': {values})"
            )
        display = str(claims.get("name") or username)[:120]
        subject = f"{claims['iss']} {claims['sub']}"[:400]
        return Identity(subject, username, display, role, claims, id_token)

    def end_session_url(self, *, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        provider = self.provider()
        if not provider.end_session_endpoint:
            return None
        query = {"client_id": self.settings.oidc_client_id,
                 "post_logout_redirect_uri": post_logout_redirect_uri}  # fmt: skip
        if id_token:
            query["id_token_hint"] = id_token
        return f"{provider.end_session_endpoint}?{urlencode(query)}"


def sign_in(session: Session, identity: Identity, now: dt.datetime) -> User:
    """The local user for this identity: made on first sign-in, its name and role kept in step
    with the provider. Refused: a disabled user, or a local account holding the username."""
    user = session.scalar(select(User).where(User.external_subject == identity.subject))
    if user is None:
        holder = session.scalar(select(User).where(User.username == identity.username))
        if holder is not None:
            raise SignOnFailed(
                f"the username '{identity.username}' belongs to a local account; an administrator "
                "must rename one of them"
            )
        user = User(
            username=identity.username,
            display_name=identity.display_name,
            role=identity.role,
            password_hash=NO_PASSWORD,
            active=True,
            created_at=now,
            teams=[],
            external_subject=identity.subject,
        )
        session.add(user)
        session.flush()
        chain.append(
            session,
            "users:sso:provisioned",
            actor=f"sso:{identity.username}",
            subject=identity.username,
            details={"role": identity.role, "subject": identity.subject},
            at=now,
        )
    if not user.active:
        raise SignOnFailed("your account on this node is disabled")
    if user.role != identity.role:
        chain.append(
            session,
            "users:sso:role-changed",
            actor=f"sso:{identity.username}",
            subject=user.username,
            details={"from": user.role, "to": identity.role, "subject": identity.subject},
            at=now,
        )
        user.role = identity.role
    user.display_name = identity.display_name
    user.last_login_at = now
    session.flush()
    return user


def client_for(node: Any) -> OidcClient:
    """The node's relying party (a service of the node context, ``Domain.services``)."""
    return OidcClient(node.settings)
