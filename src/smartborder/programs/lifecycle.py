"""Trusted travellers on a running node: the job vetting the partners' applicants, and the
members' recheck against new lookouts (the members' index: one per process)."""

from __future__ import annotations

import logging

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.programs import recheck, vetting
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening

log = logging.getLogger("smartborder.programs")


def member_index(ctx: NodeContext) -> recheck.MemberIndex:
    return recheck.MemberIndex()


def vet_queued(ctx: NodeContext) -> None:
    """Screen the partners' applicants waiting, a batch per transaction."""
    while True:
        with unit_of_work(ctx.sessions) as session:
            done = vetting.screen_queued(session, ctx.exchange, ctx.get(Screening), limit=20)
        if not done:
            return


def recheck_members(ctx: NodeContext) -> None:
    """Flag the members the lookouts made or changed since the last run name."""
    with unit_of_work(ctx.sessions) as session:
        raised = recheck.recheck(session, ctx.get(recheck.MemberIndex),
                                 Thresholds.from_settings(ctx.settings),
                                 now=ctx.exchange.clock())  # fmt: skip
    for flag in raised:
        log.info("member %s flagged by %s lookout %s", flag["card_number"], flag["category"],
                 flag["lookout"])  # fmt: skip
