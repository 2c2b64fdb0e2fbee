"""Biometrics on a running node: its galleries (one set per process), loaded at start-up."""

from __future__ import annotations

import logging

from smartborder.biometrics import searches
from smartborder.biometrics.service import Biometrics
from smartborder.context import NodeContext, load_at_start
from smartborder.db import unit_of_work

log = logging.getLogger("smartborder.biometrics")


def biometrics(ctx: NodeContext) -> Biometrics:
    return Biometrics()


def load_galleries(ctx: NodeContext) -> None:
    """Load the galleries from the database before the first request."""
    load_at_start(ctx, "biometric templates", ctx.get(Biometrics).sync)


def answer_searches(ctx: NodeContext) -> None:
    """Answer the fingerprint searches partners sent, one transaction each."""
    while True:
        with unit_of_work(ctx.sessions) as session:
            done = searches.answer_queued(session, ctx.exchange, ctx.get(Biometrics), limit=1)
        if not done:
            return
        log.info("fingerprint search %s answered: %s", done[0].reference, done[0].result)
