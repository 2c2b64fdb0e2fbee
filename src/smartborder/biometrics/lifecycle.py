"""Biometrics on a running node: its galleries (one set per process), loaded at start-up."""

from __future__ import annotations

from smartborder.biometrics.service import Biometrics
from smartborder.context import NodeContext, load_at_start


def biometrics(ctx: NodeContext) -> Biometrics:
    return Biometrics()


def load_galleries(ctx: NodeContext) -> None:
    """Load the galleries from the database before the first request."""
    load_at_start(ctx, "biometric templates", ctx.get(Biometrics).sync)
