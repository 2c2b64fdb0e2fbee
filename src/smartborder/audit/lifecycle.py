"""The audit log on a running node: the signed heads of the chain, and checkpoints sent to
partners."""

from __future__ import annotations

import logging

from smartborder.audit.checkpoints import make_checkpoint
from smartborder.audit.heads import HeadLog
from smartborder.context import NodeContext
from smartborder.db import unit_of_work

log = logging.getLogger("smartborder.exchange")


def head_log(ctx: NodeContext) -> HeadLog:
    heads = HeadLog.for_node(ctx.settings, ctx.exchange.signer)
    heads.watch(ctx.sessions)
    return heads


def sign_heads(ctx: NodeContext) -> None:
    """Sign the audit chain's head if anything was added since the last signed head."""
    with unit_of_work(ctx.sessions) as session:
        ctx.get(HeadLog).sign_current(session, ctx.now())


def send_checkpoints(ctx: NodeContext) -> None:
    with unit_of_work(ctx.sessions) as session:
        made = make_checkpoint(session, ctx.exchange, actor="system:checkpoint")
    if made:
        log.info("audit checkpoint of %d entries sent to %d partner(s)", made[0].size, len(made))
