"""Mutual TLS between nodes.

The *partner listener* (``exchange_port``) speaks TLS only and asks every client for a
certificate. A connection is refused during the handshake, before any request is read, unless
the client's certificate verifies (a pinned certificate, or one issued by ``tls_client_ca``) and
is pinned for a registered partner and still accepted (not past a rotation's overlap). Every
refusal is counted by reason (``smartborder_tls_refused``). The certificate then travels with each
request as the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``), and the
inbox accepts an envelope only from the partner that certificate is pinned for.

Delivery to a partner over ``https`` presents this node's certificate and trusts the partner's
pinned certificates (and ``tls_client_ca``).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, ClassVar

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from uvicorn.protocols.http.h11_impl import H11Protocol

from smartborder import clock, metrics
from smartborder.db import unit_of_work
from smartborder.exchange import certificates
from smartborder.exchange.models import PartnerCertificate
from smartborder.exchange.transport import INBOX_PATH, HttpTransport
from smartborder.settings import Settings

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# what the partner listener serves: the inbox, and liveness, for the partner's /ready
PARTNER_PATHS = frozenset({INBOX_PATH, "/api/v1/health"})
REFRESH_SECONDS = 2.0


class Pins:
    """The pinned certificates, as the partner listener sees them: read from the database at
    most every ``REFRESH_SECONDS``; certificates pinned since are added to the TLS context's
    trust store before the next handshake verifies."""

    def __init__(self, sessions: sessionmaker[Session], refresh_seconds: float = REFRESH_SECONDS):
        self._sessions = sessions
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._states: dict[str, str] = {}
        self._loaded: set[str] = set()
        self._read_at = float("-inf")
        self._context: ssl.SSLContext | None = None

    def attach(self, context: ssl.SSLContext) -> None:
        self._context = context
        self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._read_at < self._refresh_seconds:
            return
        with self._lock:
            now = clock.now()
            with unit_of_work(self._sessions) as session:
                rows = list(session.scalars(select(PartnerCertificate)))
                states = {row.fingerprint: certificates.state(row, now) for row in rows}
                fresh = {
                    row.fingerprint: row.pem for row in rows if row.fingerprint not in self._loaded
                }
            if self._context is not None and fresh:
                self._context.load_verify_locations(cadata="\n".join(fresh.values()))
                self._loaded.update(fresh)
            self._states = states
            self._read_at = time.monotonic()

    def refusal(self, fingerprint: str) -> str | None:
        """Why a verified client certificate is refused, or None when it is accepted."""
        state = self._states.get(fingerprint)
        if state is None:
            return "not-pinned"
        if state in ("retired", "expired"):
            return state
        return None


class PinnedSSLObject(ssl.SSLObject):
    """The server side of one TLS connection: counts each refused handshake by its reason,
    and refuses a verified certificate that is not pinned for a partner."""

    pins: ClassVar[Pins]

    def do_handshake(self) -> None:
        if not getattr(self, "_pins_fresh", False):
            self._pins_fresh = True
            self.pins.refresh()
        try:
            super().do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise
        except ssl.SSLError as exc:
            _refused(handshake_reason(exc), str(exc))
            raise
        der = self.getpeercert(binary_form=True)
        reason = "no-certificate" if not der else self.pins.refusal(fingerprint_of(der))
        if reason is not None:
            _refused(reason, "client certificate" + (f" {fingerprint_of(der)}" if der else ""))
            raise ssl.SSLError(f"the client certificate is refused: {reason}")


def _refused(reason: str, detail: str) -> None:
    metrics.TLS_REFUSED.labels(reason).inc()
    log.warning("partner listener: TLS connection refused (%s): %s", reason, detail)


def handshake_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        if code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
            return "expired"
        return "untrusted"
    text = f"{exc.reason or ''} {exc}".upper()
    if "PEER_DID_NOT_RETURN_A_CERTIFICATE" in text or "CERTIFICATE_REQUIRED" in text:
        return "no-certificate"
    if "CERTIFICATE" in text:
        return "untrusted"
    return "handshake"


def fingerprint_of(der: bytes) -> str:
    return certificates.fingerprint_der(der)


def partner_context(settings: Settings, pins: Pins) -> ssl.SSLContext:
    """The partner listener's TLS context: this node's certificate, a client certificate
    required, trust in the pinned certificates (and ``tls_client_ca``), pinning enforced."""
    assert settings.tls_certfile is not None
    assert settings.tls_keyfile is not None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(settings.tls_certfile), str(settings.tls_keyfile))
    context.verify_mode = ssl.CERT_REQUIRED
    if settings.tls_client_ca is not None:
        context.load_verify_locations(cafile=str(settings.tls_client_ca))
    context.sslobject_class = type("NodePinnedSSLObject", (PinnedSSLObject,), {"pins": pins})
    pins.attach(context)
    return context


class PeerCertificateProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, handing the client certificate of the connection to the
    application as the ASGI TLS extension."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if der:
            self.app = with_client_certificate(self.app, ssl.DER_cert_to_PEM_cert(der))


def with_client_certificate(app: Any, pem: str) -> ASGIApp:
    tls = {"client_cert_chain": [pem], "client_cert_error": None}

    async def run(scope: Scope, receive: Receive, send: Send) -> None:
        extensions = {**scope.get("extensions", {}), "tls": tls}
        await app({**scope, "extensions": extensions}, receive, send)

    return run


def only_partner_paths(app: ASGIApp) -> ASGIApp:
    """What the partner listener serves of the node: its inbox and ``/health``; nothing else."""

    async def run(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") not in PARTNER_PATHS:
            body = b'{"error":{"code":"not_found","message":"the partner listener serves the exchange inbox only"}}'  # noqa: E501
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return run


class ClientTLS:
    """What delivery presents to, and trusts in, each partner over ``https``."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self._settings = settings
        self._sessions = sessions

    def trusted(self, partner_id: str) -> list[str]:
        now = clock.now()
        with unit_of_work(self._sessions) as session:
            return sorted(
                row.pem
                for row in certificates.certificates_of(session, partner_id)
                if certificates.state(row, now) in ("active", "overlap")
            )

    def context(self, pems: list[str]) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if pems:
            context.load_verify_locations(cadata="\n".join(pems))
        if self._settings.tls_client_ca is not None:
            context.load_verify_locations(cafile=str(self._settings.tls_client_ca))
        if not pems and self._settings.tls_client_ca is None:
            context.load_default_certs()
        if self._settings.tls_certfile is not None and self._settings.tls_keyfile is not None:
            context.load_cert_chain(
                str(self._settings.tls_certfile), str(self._settings.tls_keyfile)
            )
        return context


def node_transport(settings: Settings, sessions: sessionmaker[Session]) -> HttpTransport:
    """How this node delivers: HTTP, or mutual TLS to partners registered at https URLs."""
    return HttpTransport(settings.exchange_timeout_seconds, ClientTLS(settings, sessions))


def partner_server(app: Any, settings: Settings, *, lifespan: bool) -> uvicorn.Server:
    """The partner listener: the node's inbox (and /health) on ``exchange_port``, mutual TLS
    only. ``lifespan``: run the node's start-up here (False beside the main listener, which
    runs it)."""
    assert settings.exchange_port is not None
    pins = Pins(app.state.sessions)

    def context(_config: uvicorn.Config, _default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        return partner_context(settings, pins)

    config = uvicorn.Config(
        only_partner_paths(app),
        host=settings.host,
        port=settings.exchange_port,
        http=PeerCertificateProtocol,
        ssl_context_factory=context,
        lifespan="on" if lifespan else "off",
        log_config=None,
        access_log=False,
        server_header=False,
    )
    return uvicorn.Server(config)


def serve_with_partners(app: Any, settings: Settings, main: uvicorn.Config) -> None:
    """One process serving both listeners; a signal stops both."""
    import asyncio

    servers = [uvicorn.Server(main), partner_server(app, settings, lifespan=False)]

    async def both() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(both())
