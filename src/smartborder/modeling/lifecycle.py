"""Traffic modelling on a running node: the runner of model runs, runs a previous process left
unfinished, and the runner stopped with the node."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from smartborder import locks
from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.modeling.service import Runner, mark_interrupted

log = logging.getLogger("smartborder.app")


def runner(ctx: NodeContext) -> Runner:
    """On PostgreSQL, where several workers serve the node, each holds its runs under advisory
    locks; SQLite is served by one process, which owns every unfinished run."""
    engine = ctx.sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        return Runner(ctx.sessions, ctx.clock)
    return Runner(ctx.sessions, ctx.clock, locks.PostgresLocks(engine, ctx.settings.node_id))


def mark_unfinished(ctx: NodeContext) -> None:
    """Model runs a stopped process left unfinished are marked so (they cannot resume); those
    another live worker of the node holds are left to it."""
    try:
        with unit_of_work(ctx.sessions) as session:
            count = mark_interrupted(session, ctx.now(), ctx.get(Runner).orphaned)
        if count:
            log.warning("%d model run(s) interrupted by the last stop marked failed", count)
    except SQLAlchemyError as exc:
        log.warning("model runs not checked at start-up: %s", exc)


def stop_runner(ctx: NodeContext) -> None:
    ctx.get(Runner).stop()
