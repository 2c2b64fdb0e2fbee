"""API/PNR messages taken from a RabbitMQ queue (AMQP 0-9-1), as a national API/PNR centre
receives carriers' traffic.

Each message is filed through the same intake as the API (parsed, stored, screened, scored)
in its own transaction, and acknowledged only after that transaction commits, so a message is
never lost: a consumer that dies before acknowledging gets it again, and the same bytes are then
recognised (intake records a duplicate, never a second filing). What cannot be stored is
quarantined with its reasons and also published, with those reasons in its headers, to the
dead-letter queue ``<queue>.dead`` under publisher confirms before it is acknowledged. Several
consumers, on one machine or many, share a queue (each takes ``prefetch`` at a time). When the
broker goes away the consumer reconnects, waiting longer each time up to ``MAX_BACKOFF_S``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPChannelError, AMQPConnectionError, AMQPError
from sqlalchemy.orm import Session, sessionmaker

from smartborder import clock
from smartborder.db import unit_of_work
from smartborder.travel.intake import service
from smartborder.travel.intake.service import Received
from smartborder.travel.targeting.service import Targeting

log = logging.getLogger("smartborder.travel.broker")
MAX_BACKOFF_S = 30.0
REASONS = "x-smartborder-reasons"  # the dead letter's header: why it could not be stored
MAX_REASONS = 20


@dataclass
class ConsumeReport:
    """What a consumer did: messages by what became of them, and the broker's interruptions."""

    received: int = 0
    travellers: int = 0  # in the messages stored
    states: dict[str, int] = field(default_factory=dict)
    dead_lettered: int = 0
    reconnects: int = 0

    def add(self, result: Received) -> None:
        self.received += 1
        self.travellers += result.travellers if result.state == "stored" else 0
        self.states[result.state] = self.states.get(result.state, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "travellers": self.travellers,
            "states": dict(self.states),
            "dead_lettered": self.dead_lettered,
            "reconnects": self.reconnects,
        }


@dataclass
class Consumer:
    url: str
    queue: str
    sessions: sessionmaker[Session]
    actor: str
    targeting: Targeting | None
    strict: bool = False
    max_bytes: int = 16 * 1024 * 1024
    prefetch: int = 16
    report: ConsumeReport = field(default_factory=ConsumeReport)

    @property
    def dead_letters(self) -> str:
        return f"{self.queue}.dead"

    def run(
        self,
        *,
        max_messages: int | None = None,
        idle_seconds: float | None = None,
        stop: Callable[[], bool] = lambda: False,
    ) -> ConsumeReport:
        """Consume until ``stop()``, ``max_messages`` were taken, or the queue stayed empty for
        ``idle_seconds``; reconnect whenever the broker goes away."""
        backoff = 0.5
        while not stop():
            try:
                finished = self._session(max_messages, idle_seconds, stop)
                backoff = 0.5
                if finished:
                    break
            except (AMQPConnectionError, AMQPChannelError, AMQPError, OSError) as exc:
                self.report.reconnects += 1
                log.warning("broker unavailable (%s); reconnecting in %.1f s", exc, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
        return self.report

    def _session(
        self, max_messages: int | None, idle_seconds: float | None, stop: Callable[[], bool]
    ) -> bool:
        """One connection's worth of consuming; True once done (not interrupted)."""
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        channel: BlockingChannel | None = None
        try:
            channel = connection.channel()
            channel.confirm_delivery()  # what we publish (dead letters) is confirmed
            channel.queue_declare(self.dead_letters, durable=True)
            channel.queue_declare(self.queue, durable=True)
            channel.basic_qos(prefetch_count=self.prefetch)
            idle_since = time.monotonic()
            for method, properties, body in channel.consume(self.queue, inactivity_timeout=0.5):
                if method is None:  # nothing for a while
                    if stop() or (
                        idle_seconds is not None and time.monotonic() - idle_since >= idle_seconds
                    ):
                        return True
                    continue
                idle_since = time.monotonic()
                self._one(channel, method.delivery_tag, properties, body)
                if stop() or (max_messages is not None and self.report.received >= max_messages):
                    return True
            return True
        finally:
            if connection.is_open:
                try:
                    if channel is not None:
                        channel.cancel()  # messages taken but not acknowledged go back
                    connection.close()
                except AMQPError:
                    pass

    def _one(self, channel: BlockingChannel, tag: int, properties: Any, body: bytes) -> None:
        with unit_of_work(self.sessions) as session:
            result = service.receive(
                session,
                body,
                source=f"amqp:{self.queue}",
                actor=self.actor,
                now=clock.now(),
                strict=self.strict,
                max_bytes=self.max_bytes,
                targeting=self.targeting,
            )
        # committed: from here on, a redelivery is recognised as a duplicate
        if result.state == "quarantined":
            self._dead_letter(channel, body, properties, result)
        channel.basic_ack(tag)
        self.report.add(result)

    def _dead_letter(
        self, channel: BlockingChannel, body: bytes, properties: Any, result: Received
    ) -> None:
        errors = [p for p in result.problems if p.get("severity") == "error"] or result.problems
        reasons = [_reason(p) for p in errors[:MAX_REASONS]]
        headers = dict(getattr(properties, "headers", None) or {})
        headers.update(
            {REASONS: json.dumps(reasons), "x-smartborder-message-id": result.message_id}
        )
        channel.basic_publish(
            "",
            self.dead_letters,
            body,
            pika.BasicProperties(delivery_mode=2, headers=headers),
            mandatory=True,
        )  # raises if the broker does not confirm it: the message is then not acknowledged
        self.report.dead_lettered += 1


def _reason(problem: dict[str, Any]) -> str:
    where = ", ".join(
        f"{label} {problem[key]}"
        for key, label in (("position", "segment"), ("tag", "tag"), ("element", "element"))
        if problem.get(key) is not None
    )
    return f"{where}: {problem.get('text', '')}" if where else str(problem.get("text", ""))
