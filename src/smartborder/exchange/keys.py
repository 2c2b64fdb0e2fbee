"""The node's Ed25519 signing key: created once by ``init`` (private file mode 0600)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from smartborder.errors import Conflict, SettingsError


def create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Write a new private key (0600) and its public key beside it; refuse to overwrite."""
    if path.exists():
        raise Conflict(f"{path}: a signing key already exists; refusing to overwrite it")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public_path(path).write_bytes(public_pem(key.public_key()))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot write the signing key ({exc.strerror})") from None
    return key


def stage_signing_key(path: Path) -> tuple[Ed25519PrivateKey, Path]:
    """A new key written beside the current one (0600), to replace it once its rotation is
    announced (:func:`promote_signing_key`)."""
    staged = path.with_name(path.stem + ".next.pem")
    staged.unlink(missing_ok=True)
    return create_signing_key(staged), staged


def promote_signing_key(path: Path, staged: Path, keep_as: str) -> Path:
    """Put the staged key in place; the one it replaces is kept as ``<stem>.<keep_as>.pem``."""
    kept = path.with_name(f"{path.stem}.{keep_as}.pem")
    try:
        os.replace(path, kept)
        os.replace(staged, path)
        public_path(staged).unlink(missing_ok=True)
        key = load_signing_key(path)
        public_path(path).write_bytes(public_pem(key.public_key()))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot put the new signing key in place ({exc})") from None
    return kept


def remove_signing_key(path: Path) -> None:
    """Undo :func:`create_signing_key` (only used when ``init`` fails part-way)."""
    path.unlink(missing_ok=True)
    public_path(path).unlink(missing_ok=True)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise SettingsError(f"{path}: no signing key; run 'smartborder init' first") from None
    except ValueError as exc:
        raise SettingsError(f"{path}: not a PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SettingsError(f"{path}: the signing key must be Ed25519")
    return key


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.stem + ".pub.pem")


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, grouped for reading aloud over the phone."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))
