from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from smartborder import db
from smartborder.errors import Conflict, SettingsError
from smartborder.node import init_node
from smartborder.settings import load_settings
from smartborder.users.models import User


def test_failed_init_leaves_nothing_half_written(tmp_path: Path, database_url: str) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    values = {"node_id": "ca", "node_name": "Canada", "country": "CA", "database_url": database_url}
    broken = load_settings(
        data_dir=tmp_path / "node", signing_key_path=blocker / "key.pem", **values
    )
    with pytest.raises(SettingsError, match="cannot write the signing key"):
        init_node(broken, admin_password="long-enough-pass")
    assert not broken.initialised
    engine = db.make_engine(broken.database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == 0
    engine.dispose()
    fixed = load_settings(data_dir=tmp_path / "node", **values)
    result = init_node(fixed, admin_password="long-enough-pass")
    assert fixed.initialised
    assert result.admin_password is None
    with pytest.raises(Conflict, match="already initialised"):
        init_node(fixed, admin_password="long-enough-pass")


def test_generated_admin_password_is_returned_once(tmp_path: Path, database_url: str) -> None:
    settings = load_settings(
        data_dir=tmp_path / "n",
        node_id="us",
        node_name="US",
        country="US",
        database_url=database_url,
    )
    result = init_node(settings)
    assert result.admin_password is not None
    assert len(result.admin_password) >= 12
    assert result.admin_password not in settings.node_file.read_text()
