"""The node's scheduler: the background work ``serve`` runs. Envelope delivery is the
dispatcher's own; every other job is declared by a domain (``Domain.jobs``) and run here every
so many seconds, so the scheduler, like the exchange, imports no domain."""

from __future__ import annotations

import logging
from collections.abc import Callable

from smartborder import locks, registry
from smartborder.context import NodeContext
from smartborder.exchange.dispatch import Dispatcher

log = logging.getLogger("smartborder.exchange")


def scheduled(ctx: NodeContext) -> list[tuple[str, float, Callable[[], None]]]:
    """Every domain's periodic job this node runs: its name, its interval in seconds, the call."""
    jobs: list[tuple[str, float, Callable[[], None]]] = []
    for domain in registry.domains():
        for job in domain.jobs:
            seconds = job.every(ctx.settings)
            if not seconds:
                continue
            run = registry.resolve(job.target)
            jobs.append((job.name, float(seconds), _bound(run, ctx)))
    return jobs


def _bound(run: Callable[[NodeContext], None], ctx: NodeContext) -> Callable[[], None]:
    return lambda: run(ctx)


def background_dispatcher(ctx: NodeContext) -> Dispatcher:
    """Delivery and every job, each run only where this process holds its lock
    (``smartborder.locks``): exactly once per node, however many processes serve it."""
    from smartborder.exchange.mtls import node_transport

    transport = node_transport(ctx.settings, ctx.sessions)
    engine = ctx.sessions.kw["bind"]
    delivery_locks = locks.for_node(engine, ctx.settings.node_id, ctx.settings.data_dir)
    job_locks = locks.for_node(engine, ctx.settings.node_id, ctx.settings.data_dir)
    return Dispatcher(
        ctx.sessions, ctx.exchange, transport, scheduled(ctx), delivery_locks, job_locks
    )
