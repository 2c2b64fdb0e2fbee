"""The running node as its domains see it: settings, database sessions, the exchange acting
for it, its one clock, and the services the domains built (``Screening``, ``Targeting``, ...),
each kept under its type. The app, the scheduler and the CLI build one (``NodeContext.build``);
routers reach it through the typed dependencies in ``smartborder.deps``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from smartborder import registry
from smartborder.exchange.context import NodeExchange
from smartborder.settings import Settings

log = logging.getLogger("smartborder.app")

T = TypeVar("T")


@dataclass
class NodeContext:
    settings: Settings
    sessions: sessionmaker[Session]
    exchange: NodeExchange
    services: dict[type, object] = field(default_factory=dict)

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        """The node's clock (tests inject their own through the exchange)."""
        return self.exchange.clock

    def now(self) -> dt.datetime:
        return self.exchange.clock()

    def add(self, service: object) -> None:
        self.services[type(service)] = service

    def get(self, kind: type[T]) -> T:
        """The service of type ``kind`` a domain built; a clear error when none did."""
        found = self.services.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} on this node (is its domain installed?)")
        return found

    def build_services(self) -> None:
        """Each domain's services, in domain order (a service may use an earlier one)."""
        for domain in registry.domains():
            for factory in domain.services:
                self.add(registry.resolve(factory)(self))

    def call_each(self, hook: str) -> None:
        """Run every domain's ``startup`` or ``shutdown`` functions, in domain order."""
        for domain in registry.domains():
            for target in getattr(domain, hook):
                registry.resolve(target)(self)


def load_at_start(ctx: NodeContext, what: str, load: Callable[[Session], int]) -> None:
    """Run ``load`` (which says how many it loaded) in a unit of work before the first
    request, and log it; a database not ready (migrations not applied yet) is logged, and
    the load happens on first use instead (``/ready`` says why)."""
    from sqlalchemy.exc import SQLAlchemyError

    from smartborder.db import unit_of_work

    try:
        with unit_of_work(ctx.sessions) as session:
            loaded = load(session)
        log.info("%s loaded at start-up: %d", what, loaded)
    except SQLAlchemyError as exc:
        log.warning("%s not loaded at start-up (loaded on first use): %s", what, exc)


def node_exchange(settings: Settings) -> NodeExchange:
    """The exchange acting for this node, with every domain's envelope handlers and hooks."""
    return NodeExchange.for_node(
        settings, handlers=registry.handlers(), on_signed=registry.on_signed()
    )
