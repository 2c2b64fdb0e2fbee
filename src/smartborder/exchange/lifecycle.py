"""The exchange on a running node: partner-provided data purged at the end of its retention."""

from __future__ import annotations

import logging

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.exchange.notices import purge_expired

log = logging.getLogger("smartborder.exchange")


def purge_partner_data(ctx: NodeContext) -> None:
    with unit_of_work(ctx.sessions) as session:
        purged = purge_expired(session, ctx.exchange, actor="system:retention")
    if purged:
        log.info("retention: purged %d partner-provided record(s)", len(purged))
