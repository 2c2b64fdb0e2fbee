"""Trusted travellers on a running node: the job vetting the partners' applicants."""

from __future__ import annotations

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.programs import vetting
from smartborder.screening.service import Screening


def vet_queued(ctx: NodeContext) -> None:
    """Screen the partners' applicants waiting, a batch per transaction."""
    while True:
        with unit_of_work(ctx.sessions) as session:
            done = vetting.screen_queued(session, ctx.exchange, ctx.get(Screening), limit=20)
        if not done:
            return
