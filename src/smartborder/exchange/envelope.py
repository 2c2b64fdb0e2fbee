"""Envelopes: the one message shape nodes exchange, signed as compact JWS with Ed25519.

The protected header names the algorithm by its fully-specified identifier ``Ed25519``
(RFC 9864; the older polymorphic name is ``EdDSA``), the signing key's fingerprint (``kid``) and
the type ``smartborder-envelope+jws``. The payload is the envelope as JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ALGORITHM = "Ed25519"
MEDIA_TYPE = "smartborder-envelope+jws"
STATEMENT_TYPE = "smartborder-statement+jws"
VERSION = 1
NODE_ID = r"^[a-z][a-z0-9-]{1,31}$"


class Envelope(BaseModel):
    """What one node says to another, and under which agreement and purpose."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    v: int = Field(VERSION, ge=1, le=VERSION)
    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    sender: str = Field(alias="from", pattern=NODE_ID)
    recipient: str = Field(alias="to", pattern=NODE_ID)
    agreement: str | None = Field(None, max_length=80)
    purpose: str | None = Field(None, max_length=80)
    kind: str = Field(min_length=1, max_length=60)
    created: dt.datetime
    in_reply_to: str | None = Field(None, max_length=36)
    case_ref: str | None = Field(None, max_length=80)
    user_ref: str | None = Field(None, max_length=120)
    body: dict[str, Any] = Field(default_factory=dict)

    def payload(self) -> bytes:
        data = self.model_dump(mode="json", by_alias=True)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_id() -> str:
    return str(uuid.uuid4())


class Signer:
    """The node's signing key in the form joserfc uses, with its fingerprint as ``kid``."""

    def __init__(self, key: Ed25519PrivateKey, kid: str) -> None:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._key = OKPKey.import_key(pem)
        self.kid = kid
        self._header = {"alg": ALGORITHM, "kid": kid, "typ": MEDIA_TYPE}

    def sign(self, envelope: Envelope) -> str:
        return jws.serialize_compact(
            self._header, envelope.payload(), self._key, algorithms=[ALGORITHM]
        )

    def sign_statement(self, statement: dict[str, Any]) -> str:
        """Sign a small JSON statement (an agreement signature), typed apart from envelopes."""
        header = {"alg": ALGORITHM, "kid": self.kid, "typ": STATEMENT_TYPE}
        payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
        return jws.serialize_compact(header, payload, self._key, algorithms=[ALGORITHM])


def read_statement(token: str, public_pem: str) -> dict[str, Any]:
    """Verify a statement signed by :meth:`Signer.sign_statement`; return its content."""
    try:
        result = jws.deserialize_compact(token, verifier_key(public_pem), algorithms=[ALGORITHM])
        data = json.loads(result.payload)
    except (JoseError, ValueError) as exc:
        raise EnvelopeError("bad_signature", f"the signature does not verify ({exc})") from None
    if result.headers().get("typ") != STATEMENT_TYPE or not isinstance(data, dict):
        raise EnvelopeError("malformed", "not a signed statement")
    return data


def verifier_key(public_pem: str) -> OKPKey:
    return OKPKey.import_key(public_pem)


def load_public_pem(text: str) -> Ed25519PublicKey:
    """Parse a partner's public key file, or say why it is not one."""
    try:
        key = serialization.load_pem_public_key(text.encode())
    except ValueError as exc:
        raise ValueError(f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key must be Ed25519")
    return key


class EnvelopeError(Exception):
    """An envelope that cannot be read: ``code`` is the refusal's reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def peek(token: str) -> tuple[dict[str, Any], Envelope]:
    """Read header and envelope WITHOUT checking the signature (to find the sender's key)."""
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        header = compact.headers()
        data = json.loads(compact.payload)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise EnvelopeError("malformed", f"not a compact JWS with a JSON payload ({exc})") from None
    if header.get("alg") != ALGORITHM or header.get("typ") != MEDIA_TYPE:
        raise EnvelopeError(
            "malformed", f"the header must say alg {ALGORITHM} and typ {MEDIA_TYPE}"
        )
    if not isinstance(data, dict):
        raise EnvelopeError("malformed", "the payload is not a JSON object")
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'envelope'}: {e['msg']}" for e in exc.errors()
        )
        raise EnvelopeError("malformed", f"the envelope is not valid: {problems}") from None
    if envelope.created.tzinfo is None:
        raise EnvelopeError("malformed", "created: the time must carry a UTC offset")
    return header, envelope


def check_signature(token: str, key: OKPKey) -> None:
    try:
        jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
    except (JoseError, ValueError) as exc:
        raise EnvelopeError(
            "bad_signature",
            f"the signature does not verify with the sender's registered key ({exc})",
        ) from None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def detached(token: str) -> str:
    """The token with its payload cut out (``header..signature``, RFC 7515 Appendix F).

    What a node keeps of a message whose body was destroyed, corrected or is past retention: the
    protected header (algorithm, signing key) and the signature still prove who signed a message
    with the stored digest, and whoever shows the body again can have it checked, but the node
    itself no longer holds the data."""
    header, _, rest = token.partition(".")
    _, _, signature = rest.partition(".")
    return f"{header}..{signature}"
