"""Goods on a running node: trade parties screened again when the lookouts change."""

from __future__ import annotations

import logging

from smartborder.cargo import parties
from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.screening.service import Screening

log = logging.getLogger("smartborder.cargo")
BATCH = 200


def rescreen_parties(ctx: NodeContext) -> None:
    """Screen again the parties screened before the lookouts last changed, a batch per
    transaction."""
    while True:
        with unit_of_work(ctx.sessions) as session:
            screened, changes = parties.rescreen_stale(
                session, ctx.get(Screening), now=ctx.exchange.clock(), limit=BATCH
            )
        for change in changes:
            log.info("%s %s: new hits %s, gone %s", change["role"], change["identifier"],
                     change["new"] or "none", change["gone"] or "none")  # fmt: skip
        if screened < BATCH:
            return
