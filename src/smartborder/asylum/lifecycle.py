"""Asylum on a running node: the claimants' index (one per process) and the job answering the
partners' comparisons."""

from __future__ import annotations

import logging

from smartborder.asylum import comparisons
from smartborder.asylum.matching import ClaimIndex
from smartborder.biometrics.service import Biometrics
from smartborder.context import NodeContext
from smartborder.db import unit_of_work

log = logging.getLogger("smartborder.asylum")


def claim_index(ctx: NodeContext) -> ClaimIndex:
    return ClaimIndex()


def answer_comparisons(ctx: NodeContext) -> None:
    """Answer the claimant comparisons partners sent, a batch per transaction."""
    while True:
        with unit_of_work(ctx.sessions) as session:
            done = comparisons.answer_queued(
                session, ctx.exchange, ctx.get(ClaimIndex), ctx.get(Biometrics), limit=20
            )
        for row in done:
            log.info("claimant comparison %s answered: %s", row.reference, row.result)
        if not done:
            return
