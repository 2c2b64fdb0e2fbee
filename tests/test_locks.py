"""Background work runs exactly once per node, however many processes serve it: delivery and
each job run only where their lock is held (PostgreSQL advisory locks, or file locks beside
SQLite), and another process takes a job over as soon as the holder is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from smartborder import db, locks
from smartborder.context import node_exchange
from smartborder.exchange.dispatch import DELIVERY, Dispatcher
from smartborder.exchange.transport import HttpTransport
from smartborder.settings import Settings
from tests.conftest import Cli, free_port
from tests.pair import Pair


def _locks(engine: Engine, node: Settings) -> locks.JobLocks:
    return locks.for_node(engine, node.node_id, node.data_dir)


def test_one_holder_at_a_time_and_a_takeover_when_it_goes(node: Settings) -> None:
    engine = db.make_engine(node.database_url)
    first, second = _locks(engine, node), _locks(engine, node)
    try:
        assert first.held("audit checkpoints")
        assert first.held("audit checkpoints")  # still ours, asked again
        assert not second.held("audit checkpoints")
        assert second.held("travel retention")  # another job is free
        assert not first.held("travel retention")
        first.close()  # the holder stops (or dies: its connection or file goes with it)
        assert second.held("audit checkpoints")
    finally:
        first.close()
        second.close()
        engine.dispose()


def test_a_node_is_not_another_nodes_lock() -> None:
    assert locks.lock_key("ca", "travel retention") != locks.lock_key("us", "travel retention")
    assert locks.lock_key("ca", "travel retention") == locks.lock_key("ca", "travel retention")


def _dispatcher(node: Settings, engine: Engine, counts: dict[str, int], tag: str) -> Dispatcher:
    sessions = db.session_factory(engine)
    ex = node_exchange(node)

    def job() -> None:
        counts[tag] = counts.get(tag, 0) + 1

    return Dispatcher(
        sessions,
        ex,
        HttpTransport(1.0),
        [("count", 10.0, job)],
        _locks(engine, node),
    )


def test_two_processes_run_each_job_once_per_interval(node: Settings) -> None:
    engine = db.make_engine(node.database_url)
    counts: dict[str, int] = {}
    a, b = _dispatcher(node, engine, counts, "a"), _dispatcher(node, engine, counts, "b")
    try:
        for second in range(0, 60, 5):  # both wake every 5 s for a job due every 10 s
            a.round(float(second))
            b.round(float(second))
        assert counts == {"a": 5}  # one process ran it, once per interval (10 s ... 50 s)
        a.stop()  # the holder goes; the other takes the job (and delivery) on its next round
        b.round(70.0)
        assert counts == {"a": 5, "b": 1}
        assert b.ran == {"count": True}
        assert b._mine(DELIVERY)
    finally:
        a.stop()
        b.stop()
        engine.dispose()


def test_worker_once_runs_what_it_holds_and_names_what_it_does_not(
    node: Settings, cli: Cli
) -> None:
    home = ["--data-dir", str(node.data_dir)]
    code, out, _ = cli(["worker", "--once", *home])
    assert code == 0, out
    assert "signed audit heads" in out
    assert "travel retention" in out
    assert node.audit_heads_path.is_file()  # the heads job ran: the chain's head is signed
    engine = db.make_engine(node.database_url)
    other = _locks(engine, node)
    try:
        assert other.held("travel retention")  # another process holds this job
        code, out, _ = cli(["worker", "--once", *home])
        assert code == 0, out
        assert "held by another process: travel retention" in out
    finally:
        other.close()
        engine.dispose()


def test_serve_refuses_workers_on_sqlite(node: Settings, cli: Cli) -> None:
    if not node.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL serves many workers")
    code, _, err = cli(["serve", "--workers", "2", "--data-dir", str(node.data_dir)])
    assert code == 2
    assert "SQLite serves one process" in err


def test_a_killed_worker_hands_its_jobs_over(node: Settings, tmp_path: Path) -> None:
    """A worker process killed with SIGKILL: its locks go with it, another takes the jobs."""
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "smartborder", "worker", "--data-dir", str(node.data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    engine = db.make_engine(node.database_url)
    mine = _locks(engine, node)
    try:
        deadline = time.monotonic() + 120  # a loaded CI machine starts a worker slowly
        while not (taken := not mine.held(DELIVERY)) and time.monotonic() < deadline:
            mine.close()  # let go, so the worker can take it
            time.sleep(0.2)
        assert taken, "the worker never took delivery"
        worker.kill()
        worker.wait(10)
        deadline = time.monotonic() + 10
        while not mine.held(DELIVERY) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mine.held(DELIVERY)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        log.close()
        mine.close()
        engine.dispose()


def test_two_workers_serve_one_node_and_deliver_once(node: Settings, tmp_path: Path) -> None:
    """``serve --workers 2`` on PostgreSQL: every request is answered, and exactly one of the
    two processes holds the delivery lock (read from PostgreSQL's own lock table)."""
    if node.database_url.startswith("sqlite"):
        pytest.skip("SQLite serves one process")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "smartborder", "serve", "--workers", "2", "--port", str(port)]
    token = "monitoring-token-0123456789"
    server = subprocess.Popen(
        [*command, "--data-dir", str(node.data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SMARTBORDER_METRICS_TOKEN": token},
    )
    engine = db.make_engine(node.database_url)
    key = locks.lock_key(node.node_id, DELIVERY) & 0xFFFFFFFFFFFFFFFF
    held = text(
        "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid::bigint = :high AND objid::bigint = :low"
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/health"
        deadline = time.monotonic() + 180  # a loaded CI machine starts a node slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        answers = [httpx.get(url, timeout=5).status_code for _ in range(20)]
        assert answers == [200] * 20
        # every worker's counts, added up by one scrape (prometheus_client's multiprocess mode)
        scraped = httpx.get(
            f"http://127.0.0.1:{port}/metrics",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert scraped.status_code == 200, scraped.text
        counted = [
            sample.value
            for family in text_string_to_metric_families(scraped.text)
            for sample in family.samples
            if sample.name == "smartborder_http_requests_total"
            and sample.labels == {"method": "GET", "route": "/api/v1/health", "status": "200"}
        ]
        assert sum(counted) >= 20
        assert any((node.data_dir / "metrics").iterdir())
        deadline = time.monotonic() + 20
        holders = 0
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                holders = connection.execute(held, {"high": key >> 32, "low": key & 0xFFFFFFFF})
                holders = holders.scalar_one()
            if holders:
                break
            time.sleep(0.3)
        assert holders == 1
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()
        engine.dispose()


def test_an_upgrade_waits_for_another_in_progress(node: Settings) -> None:
    """Migrations run under an advisory lock on PostgreSQL: while another process holds it (is
    migrating), an upgrade waits, then finds the schema current."""
    if node.database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers itself")
    from alembic import command

    engine = db.make_engine(node.database_url)
    holder = engine.connect()
    try:
        command.downgrade(db._alembic_config(engine), "0013")  # one migration to apply
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": locks.MIGRATIONS})
        holder.commit()
        upgrade = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartborder",
                "db",
                "upgrade",
                "--data-dir",
                str(node.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)
        assert upgrade.poll() is None  # waiting for the lock
        assert db.current_revision(engine) == "0013"
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": locks.MIGRATIONS})
        holder.commit()
        assert upgrade.wait(60) == 0
        assert db.current_revision(engine) == db.head_revision(engine)
    finally:
        holder.close()
        engine.dispose()


def test_a_long_job_does_not_hold_delivery_up(pair: Pair, tmp_path: Path) -> None:
    """With a second set of locks the jobs run in their own thread: while one is stuck,
    envelopes are still delivered."""
    from smartborder.exchange import agreements
    from smartborder.exchange.document import from_template
    from smartborder.exchange.models import InboxMessage

    stuck, release = threading.Event(), threading.Event()

    def long_job() -> None:
        stuck.set()
        release.wait(30)

    dispatcher = Dispatcher(
        pair.ca.sessions,
        pair.ca.ex,
        pair.transport,
        [("long job", 0.1, long_job)],
        locks.FileLocks(tmp_path / "delivery"),
        locks.FileLocks(tmp_path / "jobs"),
    )
    dispatcher.start()
    try:
        assert stuck.wait(10), "the job never started"
        with pair.ca.uow() as s:
            agreements.propose(s, pair.ca.ex, from_template("smu", ("ca", "us")), actor="t")
        deadline = time.monotonic() + 10
        while pair.us.count(InboxMessage) == 0:
            assert time.monotonic() < deadline, "delivery waited for the job"
            time.sleep(0.05)
        assert not release.is_set()  # delivered while the job was still running
    finally:
        release.set()
        dispatcher.stop()
