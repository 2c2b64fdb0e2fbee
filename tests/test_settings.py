from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartborder.errors import SettingsError
from smartborder.settings import ENV_PREFIX, Settings, load_settings, write_node_file

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_defaults_use_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{(tmp_path / 'smartborder.db').resolve()}"
    assert settings.key_path == tmp_path / "keys" / "signing-key.pem"
    assert not settings.initialised


def test_environment_overrides_node_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_node_file(
        load_settings(data_dir=tmp_path, node_id="ca", node_name="Canada", country="CA")
    )
    monkeypatch.setenv("SMARTBORDER_DATA_DIR", str(tmp_path))
    from_file = load_settings()
    assert (from_file.node_id, from_file.node_name, from_file.country) == ("ca", "Canada", "CA")
    monkeypatch.setenv("SMARTBORDER_NODE_NAME", "Canada (test)")
    assert load_settings().node_name == "Canada (test)"
    assert load_settings(node_name="Explicit").node_name == "Explicit"


def test_postgresql_urls_use_psycopg(tmp_path: Path) -> None:
    url = load_settings(data_dir=tmp_path, database_url="postgresql://u@h/db").database_url
    assert url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SMARTBORDER_PORT", "eighty", "SMARTBORDER_PORT"),
        ("SMARTBORDER_PORT", "70000", "less than or equal to 65535"),
        ("SMARTBORDER_COUNTRY", "XX", "not an ISO 3166-1 alpha-2"),
        ("SMARTBORDER_NODE_ID", "Bad Id", "SMARTBORDER_NODE_ID"),
        ("SMARTBORDER_LOG_FORMAT", "xml", "'text' or 'json'"),
        ("SMARTBORDER_DATABASE_URL", "mysql://x", "must start with"),
        ("SMARTBORDER_COOKIE_SECURE", "perhaps", "SMARTBORDER_COOKIE_SECURE"),
    ],
)
def test_bad_values_name_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(data_dir=tmp_path)
    assert expected in raised.value.message


def test_all_problems_reported_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTBORDER_PORT", "x")
    monkeypatch.setenv("SMARTBORDER_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError) as raised:
        load_settings(data_dir=tmp_path)
    assert "SMARTBORDER_PORT" in raised.value.message
    assert "SMARTBORDER_LOG_LEVEL" in raised.value.message


def test_broken_node_file_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "node.toml").write_text("node_id = ")
    with pytest.raises(SettingsError, match=re.escape(str(tmp_path / "node.toml"))):
        load_settings(data_dir=tmp_path)


def test_node_file_round_trips_awkward_names(tmp_path: Path) -> None:
    name = 'Agence "frontière" \\ Canada'
    write_node_file(load_settings(data_dir=tmp_path, node_id="ca", node_name=name, country="CA"))
    assert load_settings(data_dir=tmp_path).node_name == name


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    for field in Settings.model_fields:
        assert f"`{ENV_PREFIX}{field.upper()}`" in text, f"{field} missing from docs/settings.md"
