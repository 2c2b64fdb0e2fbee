"""IBET cases on a running node: the job screening the subjects not yet screened here."""

from __future__ import annotations

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.ibet.service import screen_pending
from smartborder.screening.service import Screening


def screen_subjects(ctx: NodeContext) -> None:
    with unit_of_work(ctx.sessions) as session:
        screen_pending(session, ctx.exchange, ctx.get(Screening))
