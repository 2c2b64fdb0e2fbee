"""API/PNR on a running node: targeting (one per process), retention of personal data and
re-scoring when the lookouts or the model changed."""

from __future__ import annotations

import logging

from smartborder.context import NodeContext
from smartborder.db import unit_of_work
from smartborder.screening.service import Screening
from smartborder.travel.retention.service import run_retention
from smartborder.travel.targeting.service import Targeting, rescore

log = logging.getLogger("smartborder.exchange")


def targeting(ctx: NodeContext) -> Targeting:
    return Targeting(ctx.get(Screening), ctx.settings.travel_teams, ctx.exchange)


def retain(ctx: NodeContext) -> None:
    settings = ctx.settings
    with unit_of_work(ctx.sessions) as session:
        run = run_retention(
            session,
            mask_after_days=settings.travel_mask_after_days,
            delete_after_days=settings.travel_delete_after_days,
            now=ctx.now(),
            actor="system:retention",
        )
    if run.masked.flights or run.deleted.flights or run.masked.messages or run.deleted.messages:
        log.info("travel retention: %s", run.as_dict())


def rescore_changed(ctx: NodeContext) -> None:
    """Screen and score flights not yet arrived again when the lookouts or the model changed."""
    found = ctx.get(Targeting)
    with unit_of_work(ctx.sessions) as session:
        changed = found.changes(session)
        if changed is None:
            return
        run = rescore(session, found, now=ctx.now(), actor="system:targeting", reason=changed)
        found.seen(session)
    log.info("travel re-scoring (%s): %s", changed, run.as_dict())
