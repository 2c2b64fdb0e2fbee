"""Consumers and workers killed with SIGKILL, over and over, while API/PNR traffic flows through
RabbitMQ into PostgreSQL: nothing is lost, nothing is filed twice, the audit chain verifies.

    uv run python bench/kill.py [--flights 30] [--kills 24] [--amqp amqp://guest:guest@127.0.0.1:5672/%2F]

A fresh node (the shipped model active) and a day of synthetic traffic published to a fresh
queue. Two ``travel consume`` processes and two ``worker`` processes run; every 1 to 2.5 s one of
them (a consumer two times in three) is killed with SIGKILL and started again, until ``--kills``
kills (bounded: at most five minutes). Then consumers drain the queue. Checked: every message
published is held once (stored, or quarantined), none is stored twice (a redelivery is a
duplicate), the queue is empty, and ``smartborder audit verify`` passes. Meanwhile the
database's lock table is read every 0.1 s: each job (delivery, re-scoring, signed heads, ...) is
held by at most one process at every reading, and when the worker holding delivery is killed
(only while the other has been up 20 s) the other takes it over within 10 s. The baseline is the
same traffic consumed once without kills, in the same run (for its travellers/s). The last line
is one JSON object with a ``met`` object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pika
from sqlalchemy import func, select, text

from consume import publish, traffic
from load import prepare
from serve import activate_shipped_model
from smartborder import db, locks
from smartborder.context import NodeContext, node_exchange
from smartborder.exchange.dispatch import DELIVERY
from smartborder.scheduler import scheduled
from smartborder.settings import Settings
from smartborder.travel.intake import models as m

LIMIT_S = 300.0
TAKEOVER_S = 10.0  # the other worker's next round, after the job it may be in the middle of
WORKER_UP_S = 20.0  # a worker starts in a few seconds; one is killed only while the other is up
# jobs due often enough to change hands during the run
os.environ.setdefault("SMARTBORDER_AUDIT_HEAD_SECONDS", "5")


class JobWatch(threading.Thread):
    """Reads ``pg_locks`` every 0.1 s: how many processes hold each of the node's job locks."""

    HOLDERS = text(
        "SELECT l.classid::bigint, l.objid::bigint, count(DISTINCT l.pid),"
        " max(a.application_name) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted GROUP BY l.classid, l.objid"
    )

    def __init__(self, settings: Settings, names: list[str]) -> None:
        super().__init__(daemon=True)
        self.engine = db.make_engine(settings.database_url)
        self.keys = {}
        for name in names:
            key = locks.lock_key(settings.node_id, name) & 0xFFFFFFFFFFFFFFFF
            self.keys[(key >> 32, key & 0xFFFFFFFF)] = name
        self.readings = 0
        self.most = dict.fromkeys(names, 0)  # the most holders seen at once, per job
        self.delivery_unheld_since: float | None = None
        self.longest_gap = 0.0  # the longest time delivery was held by nobody
        self.gaps = 0  # times delivery was seen held by nobody (its holder was killed)
        self.delivery_holder = ""  # the application name of the process holding delivery
        self.stop = threading.Event()

    def run(self) -> None:
        with self.engine.connect() as connection:
            while not self.stop.wait(0.1):
                held = dict.fromkeys(self.most, 0)
                for high, low, count, holder in connection.execute(self.HOLDERS):
                    name = self.keys.get((high, low))
                    if name is not None:
                        held[name] = int(count)
                        if name == DELIVERY:
                            self.delivery_holder = str(holder or "")
                connection.commit()
                self.readings += 1
                for name, count in held.items():
                    self.most[name] = max(self.most[name], count)
                now = time.monotonic()
                if held[DELIVERY]:
                    if self.delivery_unheld_since is not None:
                        gap = now - self.delivery_unheld_since
                        self.longest_gap = max(self.longest_gap, gap)
                    self.delivery_unheld_since = None
                elif self.delivery_unheld_since is None and self.most[DELIVERY]:
                    self.delivery_unheld_since = now  # once a worker has held it: a take-over
                    self.gaps += 1
        self.engine.dispose()


def waiting(url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    count = connection.channel().queue_declare(queue, durable=True, passive=True).method
    connection.close()
    return int(count.message_count)


def start(
    settings: Settings, args: list[str], log: Path, name: str = "smartborder"
) -> subprocess.Popen[bytes]:
    """``smartborder ARGS`` for the node; ``name`` is its connections' application name."""
    home = ["--data-dir", str(settings.data_dir)]
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "smartborder", *args, *home],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, env={**os.environ, "PGAPPNAME": name},
    )  # fmt: skip


def held(settings: Settings, digests: set[str]) -> dict[str, Any]:
    engine = db.make_engine(settings.database_url)
    with db.unit_of_work(db.session_factory(engine)) as s:
        rows = s.execute(
            select(m.TravelMessage.digest, m.TravelMessage.state, func.count())
            .group_by(m.TravelMessage.digest, m.TravelMessage.state)
        ).all()  # fmt: skip
    engine.dispose()
    stored = {d: n for d, state, n in rows if state == "stored"}
    kept = {d for d, state, _ in rows if state in ("stored", "quarantined")}
    return {
        "published": len(digests),
        "lost": len(digests - kept),
        "stored_twice": sum(1 for d in digests if stored.get(d, 0) > 1),
        "duplicates_recorded": sum(n for _, state, n in rows if state == "duplicate"),
    }


def job_names(settings: Settings) -> list[str]:
    """The periodic jobs a worker of this node runs (besides delivery)."""
    engine = db.make_engine(settings.database_url)
    ctx = NodeContext(settings, db.session_factory(engine), node_exchange(settings))
    names = [name for name, _, _ in scheduled(ctx)]
    engine.dispose()
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=30)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        settings, _ = prepare("postgresql", base)
        activate_shipped_model(settings)
        log = base / "processes.log"
        consume = ["travel", "consume", args.amqp, "--as", "loader", "--idle-exit", "3"]

        # the baseline: the same kind of traffic, consumed once, nothing killed
        bodies = traffic(args.flights, seed=404)
        queue = f"smartborder.kill.{uuid.uuid4().hex[:10]}"
        publish(args.amqp, queue, bodies)
        started = time.perf_counter()
        once = start(settings, [*consume, "--queue", queue, "--json"], base / "baseline.log")
        once.wait(600)
        baseline_s = time.perf_counter() - started - 3

        bodies = traffic(args.flights, seed=505)
        digests = {hashlib.sha256(b).hexdigest() for b in bodies}
        queue = f"smartborder.kill.{uuid.uuid4().hex[:10]}"
        publish(args.amqp, queue, bodies)
        consumers = [start(settings, [*consume, "--queue", queue], log) for _ in range(2)]
        workers = [start(settings, ["worker"], log, f"kill-worker-{i}") for i in range(2)]
        started_at = [time.monotonic()] * 2
        watch = JobWatch(settings, [DELIVERY, *job_names(settings)])
        watch.start()
        kills = {"consumer": 0, "worker": 0}
        deadline = time.monotonic() + LIMIT_S
        while sum(kills.values()) < args.kills and time.monotonic() < deadline:
            time.sleep(rng.uniform(1.0, 2.5))  # time to take (and commit) some messages
            if rng.random() < 2 / 3:
                index = rng.randrange(len(consumers))
                consumers[index].send_signal(signal.SIGKILL)
                consumers[index].wait(10)
                consumers[index] = start(settings, [*consume, "--queue", queue], log)
                kills["consumer"] += 1
            else:
                # the worker holding delivery, while the other has been up long enough to
                # take it over
                holder = watch.delivery_holder
                index = int(holder[-1]) if holder.startswith("kill-worker-") else 0
                other = started_at[1 - index]
                if time.monotonic() - other < WORKER_UP_S:
                    continue
                workers[index].send_signal(signal.SIGKILL)
                workers[index].wait(10)
                workers[index] = start(settings, ["worker"], log, f"kill-worker-{index}")
                started_at[index] = time.monotonic()
                kills["worker"] += 1
        taken_while_killing = len(bodies) - waiting(args.amqp, queue)
        # drain: consumers stop once the queue stayed empty for three seconds
        while waiting(args.amqp, queue) and time.monotonic() < deadline + LIMIT_S:
            for index, process in enumerate(consumers):
                if process.poll() is not None:
                    consumers[index] = start(settings, [*consume, "--queue", queue], log)
            time.sleep(1)
        for process in consumers:
            process.wait(120)
        watch.stop.set()
        watch.join(10)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
        left = waiting(args.amqp, queue)
        outcome = held(settings, digests)
        audit = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "smartborder", "audit", "verify", "--data-dir",
             str(settings.data_dir)], capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    figures = {**outcome, "kills": kills, "left_in_queue": left,
               "taken_while_killing": taken_while_killing,
               "audit_verifies": audit.returncode == 0,
               "lock_readings": watch.readings, "most_holders_of_a_job": watch.most,
               "longest_delivery_gap_s": round(watch.longest_gap, 2),
               "delivery_take_overs": watch.gaps,
               "baseline_seconds": round(baseline_s, 1)}  # fmt: skip
    verdict = "verifies" if audit.returncode == 0 else "FAILS"
    print(f"{sum(kills.values())} kills ({kills}); {outcome['published']} published, "
          f"{outcome['lost']} lost, {outcome['stored_twice']} stored twice, "
          f"{outcome['duplicates_recorded']} redeliveries recorded as duplicates; "
          f"{left} left in the queue; audit {verdict}")  # fmt: skip
    print(f"{watch.readings} readings of the lock table: at most "
          f"{max(watch.most.values())} process(es) held any one job; delivery changed hands "
          f"{watch.gaps} time(s), held by nobody for at most {watch.longest_gap:.2f} s after "
          "its holder was killed")  # fmt: skip
    met = {
        "at_least_20_kills": sum(kills.values()) >= 20,
        "none_lost": outcome["lost"] == 0 and left == 0,
        "none_filed_twice": outcome["stored_twice"] == 0,
        "audit_verifies": audit.returncode == 0,
        "each_job_held_once": max(watch.most.values()) <= 1 and watch.most[DELIVERY] == 1,
        "delivery_taken_over": watch.gaps >= 1 and watch.longest_gap < TAKEOVER_S,
    }
    print(json.dumps({"figures": figures, "met": met}))


if __name__ == "__main__":
    main()
