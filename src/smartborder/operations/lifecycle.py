"""The operations overview on a running node: the job counting the series by the hour."""

from __future__ import annotations

import logging

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.operations.rollup import behind, rollup

log = logging.getLogger("smartborder.operations")
CATCH_UP = 60  # weeks a run may count before it leaves the rest to the next one


def count_hours(ctx: NodeContext) -> None:
    """Count every series up to now, a week per transaction while one is behind."""
    for _ in range(CATCH_UP):
        with unit_of_work(ctx.sessions) as session:
            now = ctx.exchange.clock()
            written = rollup(session, now=now)
            late = behind(session, now)
        if written:
            log.debug("hourly counts: %s", written)
        if not late:
            return
