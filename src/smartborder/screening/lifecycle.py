"""Screening on a running node: its index (one per process) and the index built at start-up."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening

log = logging.getLogger("smartborder.app")


def screening(ctx: NodeContext) -> Screening:
    settings = ctx.settings
    return Screening(Thresholds.from_settings(settings))


def build_index(ctx: NodeContext) -> None:
    """Build the screening index from the database before the first request."""
    try:
        with unit_of_work(ctx.sessions) as session:
            loaded = ctx.get(Screening).sync(session)
        log.info("screening index built: %d active lookouts", loaded)
    except SQLAlchemyError as exc:  # e.g. migrations not applied yet; /ready says so
        log.warning("screening index not built at start-up (built on first use): %s", exc)
