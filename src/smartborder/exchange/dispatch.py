"""Deliver queued envelopes: at least once, with retries and backoff, in creation order.

A row leaves ``pending`` only after the partner answered for it, so a crash on either side at
any moment means a re-delivery, which the partner's inbox recognises by envelope id.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smartborder import metrics
from smartborder.audit import chain
from smartborder.db import unit_of_work
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.models import OutboxMessage, Partner
from smartborder.exchange.transport import Transport, TransportError
from smartborder.locks import JobLocks

log = logging.getLogger("smartborder.exchange")
MAX_BACKOFF_S = 300.0


@dataclass
class DispatchReport:
    delivered: int = 0
    refused: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.delivered + self.refused


def backoff(attempts: int) -> dt.timedelta:
    """1 s, 2 s, 4 s … up to 5 min, with jitter so both nodes do not retry in step."""
    base = min(MAX_BACKOFF_S, 2.0 ** max(0, attempts - 1))
    return dt.timedelta(seconds=base * random.uniform(0.75, 1.0))  # noqa: S311


def dispatch_once(
    sessions: sessionmaker[Session], ex: NodeExchange, transport: Transport
) -> DispatchReport:
    """Send one batch per partner of what is due; record each partner's answer."""
    report = DispatchReport()
    with unit_of_work(sessions) as session:
        partners = {p.id: p.url for p in session.scalars(select(Partner))}
        due: dict[str, list[tuple[str, str]]] = {}
        for partner_id in partners:
            rows = session.execute(
                select(OutboxMessage.envelope_id, OutboxMessage.token)
                .where(
                    OutboxMessage.partner == partner_id,
                    OutboxMessage.state == "pending",
                    OutboxMessage.next_attempt_at <= ex.clock(),
                )
                .order_by(OutboxMessage.created_at, OutboxMessage.envelope_id)
                .limit(ex.settings.exchange_batch_size)
            ).all()
            if rows:
                due[partner_id] = [(r[0], r[1]) for r in rows]
    # No transaction is open while we wait for the partner.
    for partner_id, batch in due.items():
        ids = [envelope_id for envelope_id, _ in batch]
        try:
            results = transport.deliver(partner_id, partners[partner_id], [t for _, t in batch])
        except TransportError as exc:
            _postpone(sessions, ex, ids, str(exc))
            report.failed += len(ids)
            report.errors.append(str(exc))
            metrics.DELIVERY_FAILURES.labels(partner_id).inc(len(ids))
            log.warning("delivery to %s failed, will retry: %s", partner_id, exc)
            continue
        _record(sessions, ex, partner_id, ids, results, report)
    return report


def _postpone(
    sessions: sessionmaker[Session], ex: NodeExchange, ids: list[str], error: str
) -> None:
    with unit_of_work(sessions) as session:
        for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.envelope_id.in_(ids))
        ):
            message.attempts += 1
            message.last_error = error[:1000]
            message.next_attempt_at = ex.clock() + backoff(message.attempts)


def _record(
    sessions: sessionmaker[Session],
    ex: NodeExchange,
    partner_id: str,
    ids: list[str],
    results: list[dict[str, Any]],
    report: DispatchReport,
) -> None:
    now = ex.clock()
    with unit_of_work(sessions) as session:
        messages = {
            m.envelope_id: m
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.envelope_id.in_(ids))
            )
        }
        for envelope_id, result in zip(ids, results, strict=True):
            message = messages[envelope_id]
            if message.state != "pending":
                continue
            message.attempts += 1
            status = result.get("status") if isinstance(result, dict) else None
            if status in ("accepted", "duplicate"):
                message.state, message.delivered_at = "delivered", now
                report.delivered += 1
                event, details = "exchange:envelope:delivered", {"kind": message.kind}
            elif status == "refused":
                message.state = "refused"
                message.refusal_code = str(result.get("code", "unknown"))[:40]
                metrics.DELIVERY_FAILURES.labels(partner_id).inc()
                message.last_error = str(result.get("message", ""))[:1000]
                report.refused += 1
                event = "exchange:envelope:refused-by-partner"
                details = {
                    "kind": message.kind,
                    "code": message.refusal_code,
                    "reason": message.last_error,
                }
            else:
                message.last_error = f"unreadable result: {result!r}"[:1000]
                metrics.DELIVERY_FAILURES.labels(partner_id).inc()
                message.next_attempt_at = now + backoff(message.attempts)
                report.failed += 1
                continue
            chain.append(
                session,
                event,
                actor="system:dispatcher",
                partner=partner_id,
                agreement=message.agreement,
                subject=envelope_id,
                details=details,
                at=now,
            )


DELIVERY = "exchange delivery"  # the job name delivery runs under
JOB_TICK_SECONDS = 1.0  # how often the jobs' thread looks for a job that is due


class Dispatcher:
    """``serve``'s (or ``worker``'s) background threads: delivery of the outbox and the node's
    periodic jobs. With ``locks``, each runs only in the process holding its lock, so a node
    with many workers delivers and runs each job exactly once. With ``job_locks`` too (a second
    set: a lock connection serves one thread), the jobs run in a thread of their own, so a long
    job delays neither delivery nor the take-over of delivery from a worker that died."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ex: NodeExchange,
        transport: Transport,
        jobs: list[tuple[str, float, Callable[[], Any]]] | None = None,
        locks: JobLocks | None = None,
        job_locks: JobLocks | None = None,
    ) -> None:
        self._sessions, self._ex, self._transport = sessions, ex, transport
        self._jobs = [(name, interval, job, 0.0) for name, interval, job in (jobs or [])]
        self._locks = locks
        self._job_locks = job_locks
        self.ran: dict[str, bool] = {}  # the last round's jobs: run here, or held elsewhere
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="exchange-dispatcher", daemon=True)
        self._jobs_thread = threading.Thread(
            target=self._run_jobs_apart, name="node-jobs", daemon=True
        )

    def start(self) -> None:
        started = time.monotonic()  # each job's first run is one interval from now
        self._jobs = [(name, every, job, started) for name, every, job, _ in self._jobs]
        self._thread.start()
        if self._job_locks is not None and self._jobs:
            self._jobs_thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._ex.wake.set()
        for thread in (self._thread, self._jobs_thread):
            if thread.ident is not None:  # started
                thread.join(timeout)
        self._transport.close()
        for held in (self._locks, self._job_locks):
            if held is not None:
                held.close()

    def _mine(self, name: str) -> bool:
        return self._locks is None or self._locks.held(name)

    def _jobs_apart(self) -> bool:
        return self._job_locks is not None and bool(self._jobs) and self._jobs_thread.is_alive()

    def _run_jobs_apart(self) -> None:
        assert self._job_locks is not None
        job_locks = self._job_locks
        while not self._stop.wait(JOB_TICK_SECONDS):
            try:
                self.ran = self._run_jobs(time.monotonic(), held=job_locks.held)
            except Exception:
                log.exception("the jobs' round failed; retrying")

    def _run(self) -> None:
        interval = self._ex.settings.exchange_dispatch_interval_seconds
        while not self._stop.is_set():
            self._ex.wake.clear()
            try:
                report = self.round(time.monotonic())
            except Exception:
                log.exception("the dispatcher's round failed; retrying")
                report = DispatchReport()
            if report.handled and not report.failed:
                continue  # more may be waiting
            self._ex.wake.wait(interval)

    def round(self, now: float, *, every_job: bool = False) -> DispatchReport:
        """One delivery round and the jobs that are due (``every_job``: all of them), each only
        where this process holds its lock."""
        report = (
            dispatch_once(self._sessions, self._ex, self._transport)
            if self._mine(DELIVERY)
            else DispatchReport()
        )
        if not self._jobs_apart():
            self.ran = self._run_jobs(now, every_job=every_job)
        return report

    def _run_jobs(
        self,
        now: float,
        *,
        every_job: bool = False,
        held: Callable[[str], bool] | None = None,
    ) -> dict[str, bool]:
        """Run the due jobs; which ran here (True) and which another process holds (False)."""
        mine = held or self._mine
        ran: dict[str, bool] = {}
        for index, (name, interval, job, last) in enumerate(self._jobs):
            if every_job or now - last >= interval:
                ran[name] = mine(name)
                if ran[name]:
                    try:
                        job()
                    except Exception:  # one job failing does not stop the others
                        log.exception("job %r failed; it runs again at its next interval", name)
                        metrics.job_ran(name, ok=False)
                    else:
                        metrics.job_ran(name, ok=True)
                self._jobs[index] = (name, interval, job, now)
        return ran
