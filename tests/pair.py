"""Two nodes, 'ca' and 'us', in one process (fixture ``pair``): own databases and keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from smartborder import db
from smartborder.context import node_exchange
from smartborder.exchange import agreements, keys, partners
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.dispatch import DispatchReport, dispatch_once
from smartborder.exchange.document import AgreementDocument, from_template
from smartborder.exchange.inbox import receive
from smartborder.exchange.transport import InProcessTransport
from smartborder.node import init_node
from smartborder.settings import Settings, load_settings
from tests.conftest import ADMIN_PASSWORD


@dataclass
class Clock:
    """A settable clock shared by both nodes (time travel for retention and skew tests)."""

    offset: dt.timedelta = field(default_factory=dt.timedelta)

    def __call__(self) -> dt.datetime:
        return db.utcnow() + self.offset


@dataclass
class Node:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    ex: NodeExchange

    @property
    def id(self) -> str:
        return self.settings.node_id

    def uow(self) -> AbstractContextManager[Session]:
        return db.unit_of_work(self.sessions)

    def count(self, model: Any) -> int:
        with self.uow() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    def count_where(self, model: Any, *conditions: Any) -> int:
        with self.uow() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)

    def public_pem(self) -> str:
        return keys.public_path(self.settings.key_path).read_text()


@dataclass
class Pair:
    ca: Node
    us: Node
    transport: InProcessTransport
    clock: Clock

    def pump(self, rounds: int = 10) -> list[DispatchReport]:
        """Deliver until both outboxes are quiet."""
        reports = []
        for _ in range(rounds):
            handled = 0
            for node in (self.ca, self.us):
                report = dispatch_once(node.sessions, node.ex, self.transport)
                reports.append(report)
                handled += report.handled
            if not handled:
                return reports
        raise AssertionError("the exchange did not settle")

    def in_force(self, template: str | AgreementDocument = "smu") -> str:
        """Put a shipped template (or a document of the test's own) in force between the two."""
        document = from_template(template, ("ca", "us")) if isinstance(template, str) else template
        with self.ca.uow() as s:
            agreements.propose(s, self.ca.ex, document, actor="user:sup-ca")
        self.pump()
        with self.us.uow() as s:
            agreements.approve(s, self.us.ex, document.id, actor="user:sup-us")
        self.pump()
        return document.id


def make_node(
    node_id: str, url: str, base: Path, clock: Clock | None, **settings_values: Any
) -> Node:
    settings = load_settings(
        data_dir=base / node_id,
        node_id=node_id,
        node_name=node_id.upper(),
        country=node_id.upper(),
        database_url=url,
        exchange_dispatch_interval_seconds=0,
        **settings_values,
    )
    init_node(settings, admin_password=ADMIN_PASSWORD)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    ex = node_exchange(settings)
    if clock is not None:
        ex.clock = clock
    return Node(settings, engine, sessions, ex)


@pytest.fixture
def pair(tmp_path: Path, database_url: str, peer_database_url: str) -> Iterator[Pair]:
    clock = Clock()
    ca = make_node("ca", database_url, tmp_path, clock)
    us = make_node("us", peer_database_url, tmp_path, clock)
    for node, other in ((ca, us), (us, ca)):
        with node.uow() as s:
            partners.add_partner(
                s,
                partner_id=other.id,
                name=other.id.upper(),
                url=f"http://{other.id}.invalid",
                public_key_pem=other.public_pem(),
                own_node_id=node.id,
                actor="cli:test",
            )
    transport = InProcessTransport(
        {
            "ca": lambda tokens: receive(ca.sessions, ca.ex, tokens),
            "us": lambda tokens: receive(us.sessions, us.ex, tokens),
        }
    )
    yield Pair(ca, us, transport, clock)
    ca.engine.dispose()
    us.engine.dispose()
