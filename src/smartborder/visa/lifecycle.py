"""Visa policy on a running node: the shipped data set loaded before the first request."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.visa import service

log = logging.getLogger("smartborder.app")


def load_bundled(ctx: NodeContext) -> None:
    """The shipped visa data set is loaded before the first request (pages only read)."""
    try:
        with unit_of_work(ctx.sessions) as session:
            service.ensure_bundled(session, now=ctx.now())
    except SQLAlchemyError as exc:
        log.warning("visa data set not loaded at start-up: %s", exc)
