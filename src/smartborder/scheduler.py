"""The node's scheduler: the background work ``serve`` runs (delivery, checkpoints, retention
of partner-provided data and of API/PNR data, re-scoring). It sits above the domains and the
exchange, so the exchange itself imports no domain."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from smartborder.audit.checkpoints import make_checkpoint
from smartborder.audit.heads import HeadLog
from smartborder.db import unit_of_work
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.dispatch import Dispatcher
from smartborder.exchange.notices import purge_expired
from smartborder.exchange.transport import HttpTransport
from smartborder.travel.retention import run_retention
from smartborder.travel.targeting import Targeting, rescore

log = logging.getLogger("smartborder.exchange")
RETENTION_INTERVAL_S = 3600.0


def checkpoint_job(sessions: sessionmaker[Session], ex: NodeExchange) -> None:
    with unit_of_work(sessions) as session:
        made = make_checkpoint(session, ex, actor="system:checkpoint")
    if made:
        log.info("audit checkpoint of %d entries sent to %d partner(s)", made[0].size, len(made))


def retention_job(sessions: sessionmaker[Session], ex: NodeExchange) -> None:
    with unit_of_work(sessions) as session:
        purged = purge_expired(session, ex, actor="system:retention")
    if purged:
        log.info("retention: purged %d partner-provided record(s)", len(purged))


def travel_retention_job(sessions: sessionmaker[Session], ex: NodeExchange) -> None:
    settings = ex.settings
    with unit_of_work(sessions) as session:
        run = run_retention(
            session,
            mask_after_days=settings.travel_mask_after_days,
            delete_after_days=settings.travel_delete_after_days,
            now=ex.clock(),
            actor="system:retention",
        )
    if run.masked.flights or run.deleted.flights or run.masked.messages or run.deleted.messages:
        log.info("travel retention: %s", run.as_dict())


def rescore_job(sessions: sessionmaker[Session], ex: NodeExchange, targeting: Targeting) -> None:
    """Screen and score flights not yet arrived again when the lookouts or the model changed."""
    with unit_of_work(sessions) as session:
        changed = targeting.changes(session)
        if changed is None:
            return
        run = rescore(session, targeting, now=ex.clock(), actor="system:targeting", reason=changed)
        targeting.seen(session)
    log.info("travel re-scoring (%s): %s", changed, run.as_dict())


def heads_job(sessions: sessionmaker[Session], ex: NodeExchange, head_log: HeadLog) -> None:
    """Sign the audit chain's head if anything was added since the last signed head."""
    with unit_of_work(sessions) as session:
        head_log.sign_current(session, ex.clock())


def background_dispatcher(
    sessions: sessionmaker[Session],
    ex: NodeExchange,
    targeting: Targeting | None = None,
    head_log: HeadLog | None = None,
) -> Dispatcher:
    jobs = [
        (RETENTION_INTERVAL_S, lambda: retention_job(sessions, ex)),
        (RETENTION_INTERVAL_S, lambda: travel_retention_job(sessions, ex)),
    ]
    if targeting is not None:
        jobs.append(
            (
                float(ex.settings.travel_rescore_seconds),
                lambda: rescore_job(sessions, ex, targeting),
            )
        )
    if head_log is not None:
        seconds = float(ex.settings.audit_head_seconds)
        jobs.append((seconds, lambda: heads_job(sessions, ex, head_log)))
    if ex.settings.audit_checkpoint_minutes:
        minutes = ex.settings.audit_checkpoint_minutes
        jobs.append((minutes * 60.0, lambda: checkpoint_job(sessions, ex)))
    transport = HttpTransport(ex.settings.exchange_timeout_seconds)
    return Dispatcher(sessions, ex, transport, jobs)
