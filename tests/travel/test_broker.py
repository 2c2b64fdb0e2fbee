"""API/PNR messages from RabbitMQ (the machine's broker, started by the test command): each is
filed once in effect (acknowledged only after its commit; a redelivery is a duplicate, never a
second filing), what cannot be stored goes to quarantine and to the dead-letter queue with its
reasons, and several consumers share a queue."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pika
import pytest
from sqlalchemy import func, select

from smartborder import db
from smartborder.settings import Settings
from smartborder.travel.intake import models as m
from smartborder.travel.intake.broker import REASONS, Consumer
from tests.conftest import Cli
from tests.travel.test_retention import PAXLST, PNRGOV

# the machine's RabbitMQ, which the test command makes sure is running
AMQP = os.environ.get("SMARTBORDER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
JUNK = b"UNA:+.? 'UNB+UNOA:4+AIRLINE+CBSA+261122:1830+1'not a passenger list at all"


@pytest.fixture(scope="module", autouse=True)
def _the_broker_to_ourselves() -> Iterator[None]:
    """The test command runs the SQLite and PostgreSQL suites side by side against one broker;
    one test here closes every connection, so the two runs take turns with this module."""
    with open(os.path.join(tempfile.gettempdir(), "smartborder-test-broker.lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield
        fcntl.flock(held, fcntl.LOCK_UN)


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"smartborder.test.{uuid.uuid4().hex[:12]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    channel = connection.channel()
    for doomed in (name, f"{name}.dead"):
        channel.queue_delete(doomed)
    connection.close()


def publish(queue: str, *bodies: bytes) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare(queue, durable=True)
    for body in bodies:
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    connection.close()


def drain(queue: str) -> list[tuple[Any, bytes]]:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    channel = connection.channel()
    found = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        found.append((properties, body))
    connection.close()
    return found


def held(node: Settings) -> dict[str, int]:
    engine = db.make_engine(node.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as s:
            rows = s.execute(
                select(m.TravelMessage.state, func.count()).group_by(m.TravelMessage.state)
            ).all()
            return {state: count for state, count in rows}
    finally:
        engine.dispose()


def test_consume_files_quarantines_dead_letters_and_knows_a_redelivery(
    node: Settings, cli: Cli, queue: str
) -> None:
    home = ["--data-dir", str(node.data_dir)]
    made = cli(["users", "create", "--username", "airline-feed", "--role", "analyst",
                "--password", "a-long-feed-password", *home])  # fmt: skip
    assert made[0] == 0, made
    publish(queue, PAXLST, PNRGOV, JUNK, PAXLST)
    code, out, err = cli(
        ["travel", "consume", AMQP, "--as", "airline-feed", "--queue", queue,
         "--max-messages", "4", "--json", *home]
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["states"] == {"stored": 2, "quarantined": 1, "duplicate": 1}
    assert report["dead_lettered"] == 1
    assert held(node) == {"stored": 2, "quarantined": 1, "duplicate": 1}
    [(properties, body)] = drain(f"{queue}.dead")
    assert body == JUNK
    reasons = json.loads(properties.headers[REASONS])
    assert reasons
    assert properties.headers["x-smartborder-message-id"]
    assert drain(queue) == []  # everything taken was acknowledged


class _DiesBeforeAcknowledging(Consumer):
    """A consumer killed between its commit and its acknowledgement."""

    def _one(self, channel: Any, tag: int, properties: Any, body: bytes) -> None:
        from smartborder import clock
        from smartborder.travel.intake import service

        with db.unit_of_work(self.sessions) as session:
            service.receive(session, body, source="amqp:x", actor="t", now=clock.now())
        raise RuntimeError("killed before the acknowledgement")


def test_a_message_committed_but_not_acknowledged_is_not_filed_twice(
    node: Settings, queue: str
) -> None:
    publish(queue, PAXLST)
    engine = db.make_engine(node.database_url)
    sessions = db.session_factory(engine)
    try:
        with pytest.raises(RuntimeError, match="killed"):
            _DiesBeforeAcknowledging(AMQP, queue, sessions, "t", None).run(max_messages=1)
        report = Consumer(AMQP, queue, sessions, "t", None).run(idle_seconds=1.0)
    finally:
        engine.dispose()
    assert report.states == {"duplicate": 1}  # redelivered, recognised, not filed again
    assert held(node) == {"stored": 1, "duplicate": 1}


def test_two_consumers_share_a_queue(node: Settings, queue: str) -> None:
    bodies = [PAXLST.replace(b"000000001", f"{n:09d}".encode()) for n in range(2, 22)]
    assert len(set(bodies)) == 20
    publish(queue, *bodies)
    engine = db.make_engine(node.database_url)
    sessions = db.session_factory(engine)
    reports = []

    def consume() -> None:
        consumer = Consumer(AMQP, queue, sessions, "t", None, prefetch=2)
        reports.append(consumer.run(idle_seconds=1.5))

    try:
        threads = [threading.Thread(target=consume) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        engine.dispose()
    assert sum(r.received for r in reports) == 20
    assert all(r.received for r in reports)  # both took a share
    assert sum(held(node).values()) == 20


def test_the_consumer_survives_the_broker_dropping_it(node: Settings, queue: str) -> None:
    """The broker closes every connection (as a restart does): the consumer reconnects and
    goes on taking messages."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    assert rabbitmqctl is not None, "rabbitmqctl comes with the broker the test command starts"
    engine = db.make_engine(node.database_url)
    consumer = Consumer(AMQP, queue, db.session_factory(engine), "t", None)
    stop = threading.Event()
    thread = threading.Thread(target=lambda: consumer.run(stop=stop.is_set))
    thread.start()
    try:
        publish(queue, PAXLST)
        _until(lambda: consumer.report.received == 1)
        dropped = subprocess.run(
            [rabbitmqctl, "close_all_connections", "smartborder test: dropped"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert dropped.returncode == 0, dropped.stderr
        _until(lambda: consumer.report.reconnects >= 1)
        publish(queue, PNRGOV)
        _until(lambda: consumer.report.received == 2)
    finally:
        stop.set()
        thread.join(30)
        engine.dispose()
    assert consumer.report.states == {"stored": 2}


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
