"""The node's scheduler: the background work ``serve`` runs. Envelope delivery is the
dispatcher's own; every other job is declared by a domain (``Domain.jobs``) and run here every
so many seconds, so the scheduler, like the exchange, imports no domain."""

from __future__ import annotations

import logging
from collections.abc import Callable

from smartborder import registry
from smartborder.context import NodeContext
from smartborder.exchange.dispatch import Dispatcher
from smartborder.exchange.transport import HttpTransport

log = logging.getLogger("smartborder.exchange")


def scheduled(ctx: NodeContext) -> list[tuple[float, Callable[[], None]]]:
    """Every domain's periodic job this node runs, with its interval in seconds."""
    jobs: list[tuple[float, Callable[[], None]]] = []
    for domain in registry.domains():
        for job in domain.jobs:
            seconds = job.every(ctx.settings)
            if not seconds:
                continue
            run = registry.resolve(job.target)
            jobs.append((float(seconds), _bound(run, ctx)))
    return jobs


def _bound(run: Callable[[NodeContext], None], ctx: NodeContext) -> Callable[[], None]:
    return lambda: run(ctx)


def background_dispatcher(ctx: NodeContext) -> Dispatcher:
    transport = HttpTransport(ctx.settings.exchange_timeout_seconds)
    return Dispatcher(ctx.sessions, ctx.exchange, transport, scheduled(ctx))
