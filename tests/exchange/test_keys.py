from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from smartborder.errors import Conflict, SettingsError
from smartborder.exchange import keys


def test_signing_key_is_private_and_loadable(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing-key.pem"
    key = keys.create_signing_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = keys.load_signing_key(path)
    assert keys.fingerprint(loaded.public_key()) == keys.fingerprint(key.public_key())
    assert keys.public_path(path).read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    with pytest.raises(Conflict):
        keys.create_signing_key(path)


def test_bad_key_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no signing key"):
        keys.load_signing_key(tmp_path / "missing.pem")
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    with pytest.raises(SettingsError, match="not a PEM private key"):
        keys.load_signing_key(broken)
