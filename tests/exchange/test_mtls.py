"""Mutual TLS between two nodes, with real certificates made here (cryptography): the partner
listener refuses, during the handshake, a client without a certificate, with an untrusted,
expired or unpinned one; it takes envelopes only from the partner the certificate is pinned
for; delivery presents the node's certificate; a rotation announced in a signed envelope keeps
the old certificate accepted for the overlap only."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from smartborder import clock
from smartborder.app import create_app
from smartborder.exchange import certificates, partners
from smartborder.exchange.dispatch import dispatch_once
from smartborder.exchange.models import InboxMessage, OutboxMessage, PartnerCertificate
from smartborder.exchange.mtls import node_transport, partner_server
from smartborder.exchange.transport import INBOX_PATH
from tests.conftest import free_port
from tests.pair import Node, make_node

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issued:
    cert: Path
    key: Path

    @property
    def pem(self) -> str:
        return self.cert.read_text()

    @property
    def pair(self) -> tuple[str, str]:
        return str(self.cert), str(self.key)


def issue(
    where: Path,
    name: str,
    *,
    signer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    not_before: dt.datetime = NOW - dt.timedelta(days=1),
    not_after: dt.datetime = NOW + dt.timedelta(days=365),
) -> tuple[Issued, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate for ``name`` on 127.0.0.1: self-signed, or issued by ``signer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_cert, issuer_key = signer if signer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        ).add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    where.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = where / f"{name}.crt", where / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Issued(cert_path, key_path), cert, key


@dataclass
class Mesh:
    ca: Node  # serves the partner listener
    us: Node  # delivers to it
    port: int
    pki: Path
    authority: tuple[x509.Certificate, ec.EllipticCurvePrivateKey]
    ca_cert: Issued
    us_cert: Issued

    def client(self, cert: tuple[str, str] | None) -> httpx.Client:
        """A client trusting the partner listener's certificate, presenting ``cert``."""
        context = ssl.create_default_context(cafile=str(self.ca_cert.cert))
        if cert is not None:
            context.load_cert_chain(*cert)
        return httpx.Client(verify=context, timeout=5)

    def post(self, cert: tuple[str, str] | None, body: object) -> httpx.Response:
        with self.client(cert) as client:
            return client.post(f"https://127.0.0.1:{self.port}{INBOX_PATH}", json=body)

    def opens(self, cert: tuple[str, str] | None) -> int:
        """Connect with ``cert`` and ask the listener's /health: the status, if let in."""
        with self.client(cert) as client:
            return client.get(f"https://127.0.0.1:{self.port}/api/v1/health").status_code


def two_nodes(tmp_path: Path, database_url: str, peer_database_url: str, **us: object) -> Mesh:
    """'ca' with a partner listener (its own certificate, an agency CA for clients); 'us' with
    its certificate; each registered and pinned at the other."""
    pki = tmp_path / "pki"
    authority_issued, authority_cert, authority_key = issue(pki, "agency-ca", ca=True)
    ca_cert, _, _ = issue(pki, "ca-node")
    us_cert, _, _ = issue(pki, "us-node")
    port = free_port()
    ca = make_node(
        "ca",
        database_url,
        tmp_path,
        None,
        tls_certfile=ca_cert.cert,
        tls_keyfile=ca_cert.key,
        tls_client_ca=authority_issued.cert,
        exchange_port=port,
    )
    us_node = make_node(
        "us",
        peer_database_url,
        tmp_path,
        None,
        tls_certfile=us_cert.cert,
        tls_keyfile=us_cert.key,
        **us,
    )
    for node, other, url, cert in (
        (ca, us_node, "https://127.0.0.1:1", us_cert),
        (us_node, ca, f"https://127.0.0.1:{port}", ca_cert),
    ):
        with node.uow() as s:
            partners.add_partner(
                s,
                partner_id=other.id,
                name=other.id.upper(),
                url=url,
                public_key_pem=other.public_pem(),
                own_node_id=node.id,
                actor="cli:test",
            )
            certificates.pin(s, partner_id=other.id, pem=cert.pem, actor="cli:test", now=NOW)
    authority = (authority_cert, authority_key)
    return Mesh(ca, us_node, port, pki, authority, ca_cert, us_cert)


@pytest.fixture
def mesh(tmp_path: Path, database_url: str, peer_database_url: str) -> Iterator[Mesh]:
    """The two nodes, 'ca' serving its partner listener (as 'serve --partners-only' does)."""
    built = two_nodes(tmp_path, database_url, peer_database_url)
    server = partner_server(create_app(built.ca.settings), built.ca.settings, lifespan=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "partner listener stopped"
        assert time.monotonic() < deadline, "partner listener did not start"
        time.sleep(0.05)
    try:
        yield built
    finally:
        server.should_exit = True
        thread.join(10)
        built.ca.engine.dispose()
        built.us.engine.dispose()


def refused(reason: str) -> float:
    return REGISTRY.get_sample_value("smartborder_tls_refused_total", {"reason": reason}) or 0.0


def refused_during_handshake(mesh: Mesh, cert: tuple[str, str] | None, reason: str) -> None:
    before = refused(reason)
    with pytest.raises(httpx.TransportError):
        mesh.opens(cert)
    deadline = time.monotonic() + 5
    while refused(reason) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert refused(reason) == before + 1, reason


def deliver(node: Node) -> tuple[int, int, list[str]]:
    transport = node_transport(node.settings, node.sessions)
    try:
        report = dispatch_once(node.sessions, node.ex, transport)
    finally:
        transport.close()
    return report.delivered, report.refused, report.errors


def test_pinned_partner_delivers_over_mutual_tls_and_rotates_its_certificate(mesh: Mesh) -> None:
    new_cert, _, _ = issue(mesh.pki, "us-node-2026")
    with mesh.us.uow() as s:
        told = certificates.announce_certificate(
            s, mesh.us.ex, pem=new_cert.pem, overlap_hours=24, actor="cli:test"
        )
    assert told == ["ca"]
    assert deliver(mesh.us) == (1, 0, [])  # over mutual TLS, with the old certificate
    with mesh.ca.uow() as s:
        assert s.scalar(select(InboxMessage.kind)) == "certificate-rotation"
        rows = {row.fingerprint: row for row in certificates.certificates_of(s, "us")}
    new_fp = certificates.read_certificate(new_cert.pem).fingerprint
    old_fp = certificates.read_certificate(mesh.us_cert.pem).fingerprint
    assert set(rows) == {old_fp, new_fp}
    assert rows[new_fp].retire_at is None
    retire_at = rows[old_fp].retire_at
    assert retire_at is not None
    assert dt.timedelta(hours=23) < retire_at - NOW < dt.timedelta(hours=25)

    # during the overlap both certificates open a connection (pins are re-read every 2 s)
    time.sleep(2.1)
    assert mesh.opens(mesh.us_cert.pair) == 200
    assert mesh.opens(new_cert.pair) == 200
    # after it, the old one is refused before any request is read
    later = retire_at + dt.timedelta(minutes=1)
    with clock.use(lambda: later):
        time.sleep(2.1)  # the listener re-reads its pins
        refused_during_handshake(mesh, mesh.us_cert.pair, "retired")
        assert mesh.opens(new_cert.pair) == 200


def test_the_handshake_refuses_what_is_not_a_pinned_partner(mesh: Mesh) -> None:
    stranger, _, _ = issue(mesh.pki, "stranger")
    expired, _, _ = issue(
        mesh.pki,
        "expired",
        signer=mesh.authority,
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW - dt.timedelta(days=1),
    )
    unpinned, _, _ = issue(mesh.pki, "agency-issued", signer=mesh.authority)
    refused_during_handshake(mesh, None, "no-certificate")
    refused_during_handshake(mesh, stranger.pair, "untrusted")
    refused_during_handshake(mesh, expired.pair, "expired")
    refused_during_handshake(mesh, unpinned.pair, "not-pinned")
    # pinned, it gets through: the agency CA vouches, the pin decides
    with mesh.ca.uow() as s:
        certificates.pin(s, partner_id="us", pem=unpinned.pem, actor="cli:test", now=NOW)
    time.sleep(2.1)
    assert mesh.opens(unpinned.pair) == 200


def test_an_envelope_is_taken_only_from_the_partner_its_certificate_is_pinned_for(
    mesh: Mesh,
) -> None:
    other, _, _ = issue(mesh.pki, "mx-node")
    with mesh.ca.uow() as s:
        partners.add_partner(
            s,
            partner_id="mx",
            name="MX",
            url="https://127.0.0.1:1",
            public_key_pem=mesh.us.public_pem(),  # any key: the certificate decides first
            own_node_id="ca",
            actor="cli:test",
        )
        certificates.pin(s, partner_id="mx", pem=other.pem, actor="cli:test", now=NOW)
    successor, _, _ = issue(mesh.pki, "us-next")
    with mesh.us.uow() as s:
        certificates.announce_certificate(
            s, mesh.us.ex, pem=successor.pem, overlap_hours=1, actor="cli:test"
        )
    with mesh.us.uow() as s:
        token = s.scalars(select(OutboxMessage.token)).one()
    time.sleep(2.1)
    answer = mesh.post(other.pair, {"envelopes": [token]})
    assert answer.status_code == 200
    assert answer.json()["results"][0]["code"] == "certificate_mismatch"
    assert mesh.ca.count(InboxMessage) == 0
    # the same envelope over the certificate pinned for 'us' is taken
    answer = mesh.post(mesh.us_cert.pair, {"envelopes": [token]})
    assert answer.json()["results"][0]["status"] == "accepted", answer.json()


def test_the_partner_listener_serves_the_inbox_only_and_the_main_port_refuses_deliveries(
    mesh: Mesh,
) -> None:
    with mesh.client(mesh.us_cert.pair) as c:
        assert c.get(f"https://127.0.0.1:{mesh.port}/api/v1/health").status_code == 200
        assert c.get(f"https://127.0.0.1:{mesh.port}/api/v1/users").status_code == 404
    with TestClient(create_app(mesh.ca.settings)) as client:
        answer = client.post(INBOX_PATH, json={"envelopes": ["a.b.c"]})
    assert answer.status_code == 403
    assert "partner listener" in answer.json()["error"]["message"]


def test_delivery_refuses_a_partner_whose_server_certificate_is_not_pinned(mesh: Mesh) -> None:
    with mesh.us.uow() as s:
        for row in s.scalars(select(PartnerCertificate)):
            s.delete(row)
        impostor, _, _ = issue(mesh.pki, "impostor")
        certificates.pin(s, partner_id="ca", pem=impostor.pem, actor="cli:test", now=NOW)
        certificates.announce_certificate(
            s, mesh.us.ex, pem=impostor.pem, overlap_hours=1, actor="cli:test"
        )
    delivered, refused_count, errors = deliver(mesh.us)
    assert (delivered, refused_count) == (0, 0)
    assert errors
    assert "CERTIFICATE_VERIFY_FAILED" in errors[0]
    assert mesh.ca.count(InboxMessage) == 0


def test_pinning_refuses_what_is_not_a_usable_certificate(mesh: Mesh) -> None:
    from smartborder.errors import Conflict, ValidationFailed

    expired, _, _ = issue(
        mesh.pki, "old", not_before=NOW - dt.timedelta(days=9), not_after=NOW - dt.timedelta(days=2)
    )
    with mesh.ca.uow() as s:
        with pytest.raises(ValidationFailed, match="expired"):
            certificates.pin(s, partner_id="us", pem=expired.pem, actor="t", now=NOW)
        with pytest.raises(ValidationFailed, match="not a PEM certificate"):
            certificates.pin(s, partner_id="us", pem="-----BEGIN NONSENSE", actor="t", now=NOW)
        partners.add_partner(
            s,
            partner_id="mx",
            name="MX",
            url="https://127.0.0.1:1",
            public_key_pem=mesh.us.public_pem(),
            own_node_id="ca",
            actor="t",
        )
        with pytest.raises(Conflict, match="one partner only"):
            certificates.pin(s, partner_id="mx", pem=mesh.us_cert.pem, actor="t", now=NOW)


def serve(node: Node, port: int, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """``smartborder serve`` for ``node`` in its own process, with its TLS settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTBORDER_")}
    env.update({f"SMARTBORDER_{name.upper()}": value for name, value in settings.items()})
    env["SMARTBORDER_EXCHANGE_DISPATCH_INTERVAL_SECONDS"] = "0.1"
    env["SMARTBORDER_AUDIT_CHECKPOINT_MINUTES"] = "0"
    env["SMARTBORDER_TLS_CERTFILE"] = str(node.settings.tls_certfile)
    env["SMARTBORDER_TLS_KEYFILE"] = str(node.settings.tls_keyfile)
    command = [sys.executable, "-m", "smartborder", "serve", "--data-dir"]
    command += [str(node.settings.data_dir), "--port", str(port)]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def test_two_served_nodes_deliver_over_mutual_tls(
    tmp_path: Path, database_url: str, peer_database_url: str
) -> None:
    built = two_nodes(tmp_path, database_url, peer_database_url)
    successor, _, _ = issue(built.pki, "us-node-next")
    with built.us.uow() as s:  # waiting in the outbox when 'us' starts
        certificates.announce_certificate(
            s, built.us.ex, pem=successor.pem, overlap_hours=8, actor="cli:test"
        )
    ca_port, us_port = free_port(), free_port()
    log = tmp_path / "serve.log"
    ca_settings = built.ca.settings
    processes = [
        serve(
            built.ca,
            ca_port,
            log,
            tls_client_ca=str(ca_settings.tls_client_ca),
            exchange_port=str(built.port),
        ),
        serve(built.us, us_port, log),
    ]
    try:
        trust = ssl.create_default_context(cafile=str(built.ca_cert.cert))
        deadline = time.monotonic() + 40
        while built.ca.count(InboxMessage) == 0:
            for process in processes:
                assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        with built.ca.uow() as s:
            assert s.scalar(select(InboxMessage.kind)) == "certificate-rotation"
            assert len(certificates.certificates_of(s, "us")) == 2
        # the main listener is HTTPS for people, and sends partners to the partner listener
        with httpx.Client(verify=trust, timeout=5) as client:
            assert client.get(f"https://127.0.0.1:{ca_port}/api/v1/ready").status_code == 200
            answer = client.post(
                f"https://127.0.0.1:{ca_port}{INBOX_PATH}", json={"envelopes": ["a.b.c"]}
            )
            assert answer.status_code == 403
            with pytest.raises(httpx.TransportError):  # no client certificate: no connection
                client.get(f"https://127.0.0.1:{built.port}/api/v1/health")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
        built.ca.engine.dispose()
        built.us.engine.dispose()
