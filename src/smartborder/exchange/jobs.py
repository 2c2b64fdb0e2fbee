"""The node's background exchange work, as ``serve`` runs it: delivery, checkpoints, retention."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from smartborder.audit.checkpoints import make_checkpoint
from smartborder.db import unit_of_work
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.dispatch import Dispatcher
from smartborder.exchange.notices import purge_expired
from smartborder.exchange.transport import HttpTransport

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


def background_dispatcher(sessions: sessionmaker[Session], ex: NodeExchange) -> Dispatcher:
    jobs = [(RETENTION_INTERVAL_S, lambda: retention_job(sessions, ex))]
    if ex.settings.audit_checkpoint_minutes:
        minutes = ex.settings.audit_checkpoint_minutes
        jobs.append((minutes * 60.0, lambda: checkpoint_job(sessions, ex)))
    transport = HttpTransport(ex.settings.exchange_timeout_seconds)
    return Dispatcher(sessions, ex, transport, jobs)
