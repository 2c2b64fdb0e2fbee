"""Screening on a running node: its index (one per process) and the index built at start-up."""

from __future__ import annotations

from smartborder.context import NodeContext, load_at_start
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening


def screening(ctx: NodeContext) -> Screening:
    settings = ctx.settings
    return Screening(Thresholds.from_settings(settings))


def build_index(ctx: NodeContext) -> None:
    """Build the screening index from the database before the first request."""
    load_at_start(ctx, "screening index: active lookouts", ctx.get(Screening).sync)
