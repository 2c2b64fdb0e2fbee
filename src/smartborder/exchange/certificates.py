"""The partners' TLS certificates (pinned), and rotation of this node's own certificate and
signing key, announced to every partner in a signed envelope with an overlap period.

A certificate is pinned by its SHA-256 fingerprint, the way ``openssl x509 -fingerprint
-sha256`` prints it. During a rotation's overlap the partner's old certificate (or signing key)
and its successor are both accepted; after it, only the successor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import keys, outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.envelope import EnvelopeError, Signer, load_public_pem, read_statement
from smartborder.exchange.models import Partner, PartnerCertificate

MAX_OVERLAP_HOURS = 24 * 30
CERTIFICATE_KIND = "certificate-rotation"
KEY_KIND = "signing-key-rotation"


@dataclass(frozen=True)
class Certificate:
    pem: str
    fingerprint: str
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime


def fingerprint_der(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def peer_fingerprint(scope: Mapping[str, Any]) -> str | None:
    """The fingerprint of the client certificate a request came with over mutual TLS (the ASGI
    TLS extension the partner listener fills in), or None."""
    chain = (scope.get("extensions") or {}).get("tls", {}).get("client_cert_chain") or []
    if not chain:
        return None
    return fingerprint_der(ssl.PEM_cert_to_DER_cert(chain[0]))


def read_certificate(text: str, *, where: str = "certificate") -> Certificate:
    """Parse one PEM certificate, or say why it is not one."""
    try:
        cert = x509.load_pem_x509_certificate(text.encode())
    except ValueError as exc:
        raise ValidationFailed(
            f"{where}: not a PEM certificate",
            details=[{"field": where, "problem": str(exc) or "unreadable PEM"}],
        ) from None
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return Certificate(
        pem=pem,
        fingerprint=fingerprint_der(cert.public_bytes(serialization.Encoding.DER)),
        subject=cert.subject.rfc4514_string()[:300],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _usable(cert: Certificate, now: dt.datetime, where: str) -> None:
    if cert.not_after <= now:
        raise ValidationFailed(
            f"{where}: the certificate expired on {cert.not_after:%Y-%m-%d %H:%M} UTC",
            details=[{"field": where, "problem": "expired"}],
        )


def pin(
    session: Session,
    *,
    partner_id: str,
    pem: str,
    actor: str,
    now: dt.datetime,
    retire_others_at: dt.datetime | None = None,
) -> PartnerCertificate:
    """Pin a partner's certificate; with ``retire_others_at``, its other certificates are
    accepted only until then (a rotation's overlap)."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner '{partner_id}'; register it with 'smartborder partners add'")
    cert = read_certificate(pem)
    _usable(cert, now, "certificate")
    existing = session.get(PartnerCertificate, cert.fingerprint)
    if existing is not None:
        if existing.partner != partner_id:
            raise Conflict(
                f"certificate {cert.fingerprint} is already pinned for partner "
                f"'{existing.partner}'; a certificate identifies one partner only"
            )
        return existing
    row = PartnerCertificate(
        fingerprint=cert.fingerprint,
        partner=partner_id,
        pem=cert.pem,
        subject=cert.subject,
        not_after=cert.not_after,
        added_at=now,
        added_by=actor,
        retire_at=None,
    )
    session.add(row)
    retired: list[str] = []
    if retire_others_at is not None:
        for other in certificates_of(session, partner_id):
            if other.fingerprint != cert.fingerprint and (
                other.retire_at is None or other.retire_at > retire_others_at
            ):
                other.retire_at = retire_others_at
                retired.append(other.fingerprint)
    session.flush()
    details: dict[str, Any] = {
        "fingerprint": cert.fingerprint,
        "subject": cert.subject,
        "not_after": cert.not_after.isoformat(),
    }
    if retire_others_at is not None:
        details["previous_accepted_until"] = retire_others_at.isoformat()
        details["previous"] = retired
    chain.append(
        session,
        "exchange:certificate:pinned",
        actor=actor,
        partner=partner_id,
        subject=partner_id,
        details=details,
        at=now,
    )
    return row


def unpin(session: Session, *, partner_id: str, fingerprint: str, actor: str) -> None:
    row = session.get(PartnerCertificate, fingerprint.strip().upper())
    if row is None or row.partner != partner_id:
        raise NotFound(f"no certificate {fingerprint} pinned for partner '{partner_id}'")
    session.delete(row)
    chain.append(
        session,
        "exchange:certificate:unpinned",
        actor=actor,
        partner=partner_id,
        subject=partner_id,
        details={"fingerprint": row.fingerprint},
    )


def certificates_of(session: Session, partner_id: str) -> list[PartnerCertificate]:
    return list(
        session.scalars(
            select(PartnerCertificate)
            .where(PartnerCertificate.partner == partner_id)
            .order_by(PartnerCertificate.added_at, PartnerCertificate.fingerprint)
        )
    )


def accepted(session: Session, now: dt.datetime) -> list[PartnerCertificate]:
    """Every pinned certificate accepted now: not expired, not past its rotation overlap."""
    return list(
        session.scalars(
            select(PartnerCertificate).where(
                PartnerCertificate.not_after > now,
                or_(PartnerCertificate.retire_at.is_(None), PartnerCertificate.retire_at > now),
            )
        )
    )


def state(row: PartnerCertificate, now: dt.datetime) -> str:
    if row.not_after <= now:
        return "expired"
    if row.retire_at is not None:
        return "retired" if row.retire_at <= now else "overlap"
    return "active"


def check_peer(session: Session, sender: str, peer: str, now: dt.datetime) -> None:
    """The envelope came over mutual TLS with certificate ``peer``: it must be one pinned for
    the envelope's sender, and still accepted."""
    row = session.get(PartnerCertificate, peer)
    if row is None or row.partner != sender:
        raise EnvelopeError(
            "certificate_mismatch",
            f"the TLS client certificate {peer[:23]}… is not pinned for '{sender}'",
        )
    if state(row, now) in ("expired", "retired"):
        raise EnvelopeError(
            "certificate_retired", f"the TLS client certificate of '{sender}' is {state(row, now)}"
        )


def _overlap(hours: float) -> dt.timedelta:
    if not 0 < hours <= MAX_OVERLAP_HOURS:
        raise ValidationFailed(
            f"--overlap-hours {hours:g}: give more than 0 and at most {MAX_OVERLAP_HOURS}",
            details=[{"field": "overlap_hours", "problem": f"0 < hours <= {MAX_OVERLAP_HOURS}"}],
        )
    return dt.timedelta(hours=hours)


def _partner_ids(session: Session) -> list[str]:
    partners = list(session.scalars(select(Partner.id).order_by(Partner.id)))
    if not partners:
        raise NotFound("no partner is registered; there is nobody to announce the rotation to")
    return partners


def announce_certificate(
    session: Session, ex: NodeExchange, *, pem: str, overlap_hours: float, actor: str
) -> list[str]:
    """Tell every partner to pin this node's new TLS certificate; the old one stays accepted
    for the overlap. Returns the partners told (one signed envelope each, in the outbox)."""
    now = ex.clock()
    cert = read_certificate(pem, where="certificate")
    _usable(cert, now, "certificate")
    until = now + _overlap(overlap_hours)
    told = _partner_ids(session)
    body = {"certificate": cert.pem, "fingerprint": cert.fingerprint, "overlap_until": until}
    for partner_id in told:
        outbox.send(
            session, ex, partner=partner_id, kind=CERTIFICATE_KIND, body=_json(body), actor=actor
        )
    chain.append(
        session,
        "exchange:certificate:announced",
        actor=actor,
        subject=ex.node_id,
        details={"fingerprint": cert.fingerprint, "overlap_until": until.isoformat(), "to": told},
        at=now,
    )
    return told


def on_certificate(session: Session, ex: NodeExchange, received: Any) -> None:
    """A partner announced its new TLS certificate: pin it, keep the others until the overlap
    ends (never later than the announcement allows)."""
    body = received.envelope.body
    until = _until(body.get("overlap_until"), ex.clock())
    try:
        cert = read_certificate(str(body.get("certificate", "")))
    except ValidationFailed as exc:
        raise EnvelopeError("malformed", f"certificate-rotation: {exc.message}") from None
    if cert.fingerprint != body.get("fingerprint"):
        raise EnvelopeError("malformed", "certificate-rotation: the fingerprint does not match")
    try:
        pin(
            session,
            partner_id=received.partner.id,
            pem=cert.pem,
            actor=f"partner:{received.partner.id}",
            now=ex.clock(),
            retire_others_at=until,
        )
    except (ValidationFailed, Conflict) as exc:
        raise EnvelopeError("malformed", f"certificate-rotation: {exc}") from None


def announce_signing_key(
    session: Session,
    ex: NodeExchange,
    *,
    new_key: Ed25519PrivateKey,
    overlap_hours: float,
    actor: str,
) -> list[str]:
    """Announce ``new_key`` to every partner in an envelope signed with the current key; the
    new key signs a statement inside it, proving it is held. The caller puts the new key in
    place once this commits (``keys.promote_signing_key``). Processes that loaded the old key
    keep signing with it until restarted, which the partners accept until the overlap ends."""
    now = ex.clock()
    until = now + _overlap(overlap_hours)
    told = _partner_ids(session)
    new_public = keys.public_pem(new_key.public_key()).decode()
    new_fingerprint = keys.fingerprint(new_key.public_key())
    proof = Signer(new_key, new_fingerprint).sign_statement(
        {"node": ex.node_id, "public_key": new_public, "overlap_until": until.isoformat()}
    )
    body = {"public_key": new_public, "proof": proof, "overlap_until": until}
    for partner_id in told:
        outbox.send(session, ex, partner=partner_id, kind=KEY_KIND, body=_json(body), actor=actor)
    chain.append(
        session,
        "exchange:signing-key:rotated",
        actor=actor,
        subject=ex.node_id,
        details={
            "previous": ex.signer.kid,
            "fingerprint": new_fingerprint,
            "overlap_until": until.isoformat(),
            "to": told,
        },
        at=now,
    )
    return told


def on_signing_key(session: Session, ex: NodeExchange, received: Any) -> None:
    """A partner announced a new signing key: the envelope verified with its current key;
    the proof must verify with the new one. The old key stays accepted until the overlap ends."""
    body = received.envelope.body
    until = _until(body.get("overlap_until"), ex.clock())
    new_public = str(body.get("public_key", ""))
    try:
        load_public_pem(new_public)
    except ValueError as exc:
        raise EnvelopeError("malformed", f"signing-key-rotation: {exc}") from None
    statement = read_statement(str(body.get("proof", "")), new_public)
    if statement.get("node") != received.partner.id or statement.get("public_key") != new_public:
        raise EnvelopeError("malformed", "signing-key-rotation: the proof names another key")
    partner: Partner = received.partner
    previous = partner.fingerprint
    partner.previous_public_key, partner.previous_key_until = partner.public_key, until
    partner.public_key = new_public.strip() + "\n"
    partner.fingerprint = keys.fingerprint(load_public_pem(new_public))
    chain.append(
        session,
        "exchange:signing-key:replaced",
        actor=f"partner:{partner.id}",
        partner=partner.id,
        subject=partner.id,
        details={
            "previous": previous,
            "fingerprint": partner.fingerprint,
            "previous_accepted_until": until.isoformat(),
        },
    )


def verifying_keys(partner: Partner, now: dt.datetime) -> list[str]:
    """The partner's keys an envelope may be signed with now: the current one, and during a
    rotation's overlap the one it replaced."""
    found = [partner.public_key]
    if (
        partner.previous_public_key
        and partner.previous_key_until is not None
        and now < partner.previous_key_until
    ):
        found.append(partner.previous_public_key)
    return found


def _until(value: Any, now: dt.datetime) -> dt.datetime:
    try:
        until = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise EnvelopeError("malformed", "overlap_until is not a date and time") from None
    if until.tzinfo is None:
        raise EnvelopeError("malformed", "overlap_until must carry its UTC offset")
    if not now < until <= now + dt.timedelta(hours=MAX_OVERLAP_HOURS):
        raise EnvelopeError(
            "malformed", f"overlap_until must lie within {MAX_OVERLAP_HOURS} hours from now"
        )
    return until


def _json(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in body.items()}
