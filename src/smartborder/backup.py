"""A node's backup and its restore, with the audit chain verified after the restore.

A backup is one ``.tar.gz`` (mode 0600: it holds the signing key) with:
- the database: SQLite copied through SQLite's online backup API (a consistent snapshot while the
  node runs), or PostgreSQL through ``pg_dump --format=custom``;
- the node's files: ``node.toml``, ``keys/``, the signed heads of the audit chain;
- ``manifest.json``: node, time, schema revision, and the chain's size and head when taken.

A restore puts them into a data directory that holds no node yet (SQLite beside it; PostgreSQL
into the node's database, or ``database_url``, with ``pg_restore --clean``), then verifies the
whole audit chain against the restored signed heads and the manifest: a backup that was altered,
or restored incompletely, is reported as such (and ``smartborder restore`` exits 1)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from smartborder import __version__, clock, db
from smartborder.audit.checkpoints import own_heads, verify
from smartborder.audit.models import AuditHead
from smartborder.errors import Conflict, ValidationFailed
from smartborder.settings import Settings, load_settings, write_node_file

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
FILES = ("node.toml", "keys", "audit")  # of the data directory, where present


def _pg_url(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (pg_dump and pg_restore read it)."""
    return "postgresql://" + url.split("://", 1)[1]


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _chain(settings: Settings) -> dict[str, Any]:
    engine = db.make_engine(settings.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            row = session.execute(select(AuditHead.size, AuditHead.head_hash)).one()
        return {"size": row.size, "head": row.head_hash, "revision": db.current_revision(engine)}
    finally:
        engine.dispose()


def backup(settings: Settings, target: Path) -> dict[str, Any]:
    """Write the node's backup to ``target``; what it holds (the manifest)."""
    if target.exists():
        raise Conflict(f"{target} already exists; choose another file")
    chain = _chain(settings)
    manifest = {
        "node_id": settings.node_id,
        "taken_at": clock.now().isoformat(),
        "smartborder": __version__,
        "database": "sqlite" if settings.database_url.startswith("sqlite") else "postgresql",
        "revision": chain["revision"],
        "audit_size": chain["size"],
        "audit_head": chain["head"],
    }
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if manifest["database"] == "sqlite":
            source = sqlite3.connect(_sqlite_path(settings.database_url))
            copy = sqlite3.connect(work / SQLITE_FILE)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            dump = work / SQLITE_FILE
        else:
            dump = work / PG_FILE
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
                  _pg_url(settings.database_url)], "pg_dump")  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(clock.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for name in FILES:
                if (settings.data_dir / name).exists():
                    tar.add(settings.data_dir / name, arcname=f"node/{name}")
    return manifest


def restore(source: Path, data_dir: Path, *, database_url: str | None = None) -> dict[str, Any]:
    """Restore ``source`` into ``data_dir`` (which must hold no node) and verify the audit
    chain; the verification report beside the manifest."""
    if (data_dir / "node.toml").exists():
        raise Conflict(f"{data_dir} already holds a node; restore into an empty directory")
    if not source.is_file():
        raise ValidationFailed(f"{source}: no such backup file")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        try:
            with tarfile.open(source, "r:gz") as tar:
                tar.extractall(work, filter="data")  # refuses links and paths out of the folder
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ValidationFailed(f"{source}: not a smartborder backup ({exc})") from None
        if not (work / MANIFEST).is_file():
            raise ValidationFailed(f"{source}: not a smartborder backup (no {MANIFEST})")
        manifest = json.loads((work / MANIFEST).read_text())
        data_dir.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            if (work / "node" / name).exists():
                _copy(work / "node" / name, data_dir / name)
        settings = load_settings(data_dir=data_dir)
        if manifest["database"] == "sqlite":
            url = database_url or f"sqlite:///{(data_dir / 'smartborder.db').resolve()}"
            shutil.copyfile(work / SQLITE_FILE, _sqlite_path(url))
        else:
            url = database_url or settings.database_url
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                  f"--dbname={_pg_url(url)}", str(work / PG_FILE)], "pg_restore")  # fmt: skip
    settings = load_settings(data_dir=data_dir, database_url=url)
    write_node_file(settings)
    return {"manifest": manifest, "verified": _verified(settings, manifest)}


def _verified(settings: Settings, manifest: dict[str, Any]) -> dict[str, Any]:
    engine = db.make_engine(settings.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            report = verify(session, own_heads(settings)).as_dict()
    finally:
        engine.dispose()
    if report["size"] != manifest["audit_size"] or report["head"] != manifest["audit_head"]:
        report["ok"] = False
        report["problems"].append(
            f"the restored chain ends at entry {report['size']} ({report['head'][:12]}...), the "
            f"backup's at {manifest['audit_size']} ({str(manifest['audit_head'])[:12]}...)"
        )
    return dict(report)


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def _run(command: list[str], tool: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - our own arguments: the tool, a file, the URL
            command, capture_output=True, text=True, timeout=3600, check=False
        )
    except FileNotFoundError:
        raise ValidationFailed(
            f"{tool} is not installed: a PostgreSQL backup needs the PostgreSQL client tools"
        ) from None
    if done.returncode != 0:
        raise ValidationFailed(f"{tool} failed: {done.stderr.strip()[-1500:]}")
