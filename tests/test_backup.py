"""``smartborder backup`` and ``restore``, on SQLite and PostgreSQL: what the node held comes
back, the audit chain verifies after the restore, and an altered backup is caught."""

from __future__ import annotations

import io
import sqlite3
import tarfile
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from smartborder import db
from smartborder.backup import SQLITE_FILE
from smartborder.screening.models import Lookout
from smartborder.settings import Settings, load_settings
from tests.conftest import Cli, api_token
from tests.screening.test_api_cli import LOOKOUT


def _lookouts(settings: Settings) -> int:
    engine = db.make_engine(settings.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as s:
            return int(s.scalar(select(func.count()).select_from(Lookout)) or 0)
    finally:
        engine.dispose()


def _wipe(settings: Settings) -> None:
    """The node is lost: its database emptied and its data directory gone."""
    if settings.database_url.startswith("postgresql"):
        engine = db.make_engine(settings.database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def test_a_node_is_backed_up_and_restored_with_its_chain_verified(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    analyst = api_token(app, "ana", "analyst")
    assert (
        client.post("/api/v1/screening/lookouts", json=LOOKOUT, headers=analyst).status_code == 201
    )
    app.state.engine.dispose()
    app.state.read_engine.dispose()
    archive = tmp_path / "backups" / "ca.tar.gz"
    code, out, err = cli(["backup", "--to", str(archive), "--data-dir", str(node.data_dir)])
    assert code == 0, err
    assert "audit chain of" in out
    assert archive.stat().st_mode & 0o077 == 0  # it holds the signing key
    assert cli(["backup", "--to", str(archive), "--data-dir", str(node.data_dir)])[0] == 1

    _wipe(node)
    restored_dir = tmp_path / "restored"
    code, out, err = cli(["restore", str(archive), "--data-dir", str(restored_dir)])
    assert code == 0, out + err
    assert "verified" in out
    restored = load_settings(data_dir=restored_dir)
    assert restored.node_id == "ca"
    assert _lookouts(restored) == 1
    assert (restored_dir / "keys" / "signing-key.pem").read_bytes() == node.key_path.read_bytes()
    code, _, _ = cli(["audit", "verify", "--data-dir", str(restored_dir)])
    assert code == 0
    again = cli(["restore", str(archive), "--data-dir", str(restored_dir)])
    assert again[0] == 1  # never over a node


def test_an_altered_backup_does_not_verify(node: Settings, cli: Cli, tmp_path: Path) -> None:
    if not node.database_url.startswith("sqlite"):
        return  # the SQLite file is the one a test can alter inside the archive
    home = ["--data-dir", str(node.data_dir)]
    made = cli(["users", "create", "--username", "ana", "--role", "analyst",
                "--password", "a-long-enough-password", *home])  # fmt: skip
    assert made[0] == 0  # the chain holds an entry
    archive = tmp_path / "ca.tar.gz"
    assert cli(["backup", "--to", str(archive), *home])[0] == 0
    work = tmp_path / "open"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    altered = sqlite3.connect(work / SQLITE_FILE)  # someone rewrites history
    changed = altered.execute("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 1")
    assert changed.rowcount == 1
    altered.commit()
    altered.close()
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for item in sorted(work.iterdir()):
            tar.add(item, arcname=item.name)
    code, out, _ = cli(["restore", str(forged), "--data-dir", str(tmp_path / "r")])
    assert code == 1
    assert "does not verify" in out


def test_what_is_not_a_backup_is_refused_clearly(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    code, _, err = cli(["restore", str(junk), "--data-dir", str(tmp_path / "r")])
    assert code == 1
    assert "not a smartborder backup" in err
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("x"), io.BytesIO(b""))
    code, _, err = cli(["restore", str(empty), "--data-dir", str(tmp_path / "r2")])
    assert code == 1
    assert "no manifest.json" in err
