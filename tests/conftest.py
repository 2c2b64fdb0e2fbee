"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
SMARTBORDER_TEST_DATABASE_URL is set (the test command runs both)."""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.app import create_app
from smartborder.cli import main
from smartborder.models import metadata
from smartborder.node import init_node
from smartborder.settings import Settings, load_settings
from smartborder.users import service as users

ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "correct-horse-battery"
pytest_plugins = ["tests.pair"]
TEST_DATABASE_URL = os.environ.get("SMARTBORDER_TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's SMARTBORDER_* variables."""
    for name in list(os.environ):
        if name.startswith("SMARTBORDER_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema for the whole session ('' when the suite runs on SQLite)."""
    if not TEST_DATABASE_URL:
        yield ""
        return
    engine = db.make_engine(load_settings(database_url=TEST_DATABASE_URL).database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield TEST_DATABASE_URL


@pytest.fixture
def database_url(postgres_url: str, tmp_path: Path) -> Iterator[str]:
    """Each test's own empty database: a SQLite file, or the PostgreSQL tables emptied."""
    if not postgres_url:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = load_settings(database_url=postgres_url).database_url
    engine = db.make_engine(url)
    with engine.begin() as connection:
        existing = set(engine.dialect.get_table_names(connection))
        tables = [t.name for t in metadata.sorted_tables if t.name in existing]
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        if "audit_head" in existing:  # the migration's row: an empty chain
            connection.execute(text("INSERT INTO audit_head VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()
    yield url


def node_settings(tmp_path: Path, database_url: str, **values: Any) -> Settings:
    """The test node 'ca' in ``tmp_path``, with any other ``values``."""
    return load_settings(
        data_dir=tmp_path / "node",
        node_id="ca",
        node_name="Canada",
        country="CA",
        database_url=database_url,
        exchange_dispatch_interval_seconds=0,
        **values,
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return node_settings(tmp_path, database_url)


@pytest.fixture
def node(settings: Settings) -> Settings:
    """An initialised node with one admin (password ADMIN_PASSWORD)."""
    init_node(settings, admin_password=ADMIN_PASSWORD)
    return settings


@pytest.fixture
def app(node: Settings) -> Iterator[FastAPI]:
    application = create_app(node, configure_logs=False)
    yield application
    application.state.engine.dispose()
    application.state.read_engine.dispose()


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with db.unit_of_work(app.state.sessions) as s:
        yield s


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def make_user(app: FastAPI, username: str, role: str, password: str = PASSWORD) -> None:
    with db.unit_of_work(app.state.sessions) as s:
        users.create_user(s, username=username, role=role, password=password)


def login(client: TestClient, username: str, password: str) -> TestClient:
    """Sign in through the real login form; returns the client holding the session cookie."""
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_csrf": token.group(1),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    return client


def post_login(client: TestClient, username: str, password: str) -> object:
    """One post of the sign-in form (with its form token), its answer not followed."""
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": token.group(1)},
        follow_redirects=False,
    )


def free_port() -> int:
    """A TCP port free on loopback, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, read from a page like a browser would."""
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    return login(client, "admin", ADMIN_PASSWORD)


def api_token(app: FastAPI, username: str, role: str) -> dict[str, str]:
    """Authorization header for a new user of ``role`` holding a fresh API token."""
    make_user(app, username, role)
    with db.unit_of_work(app.state.sessions) as s:
        _, secret = users.create_token(s, users.get_user(s, username), "test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def peer_database_url(postgres_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, separate database for a partner node (another PostgreSQL database, or file)."""
    if not postgres_url:
        yield f"sqlite:///{tmp_path / 'peer.db'}"
        return
    url = load_settings(database_url=postgres_url).database_url
    base, _, name = url.rpartition("/")
    peer_url = f"{base}/{name}_peer"
    admin = db.make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_peer"}
        ).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}_peer"'))
    admin.dispose()
    engine = db.make_engine(peer_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield peer_url


Cli = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run `smartborder ARGS` through the real entry point: (exit code, stdout, stderr)."""

    def run(args: list[str]) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["smartborder", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        code = exited.value.code
        return (code if isinstance(code, int) else 1), captured.out, captured.err

    return run
