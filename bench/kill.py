"""Consumers and workers killed with SIGKILL, over and over, while API/PNR traffic flows through
RabbitMQ into PostgreSQL: nothing is lost, nothing is filed twice, the audit chain verifies.

    uv run python bench/kill.py [--flights 30] [--kills 24] [--amqp amqp://guest:guest@127.0.0.1:5672/%2F]

A fresh node (the shipped model active) and a day of synthetic traffic published to a fresh
queue. Two ``travel consume`` processes and one ``worker`` run; every 1 to 2.5 s one of them (a
consumer two times in three) is killed with SIGKILL and started again, until ``--kills`` kills
(bounded: at most five minutes). Then consumers drain the queue. Checked: every message
published is held once (stored, or quarantined), none is stored twice (a redelivery is a
duplicate), the queue is empty, and ``smartborder audit verify`` passes. The baseline is the
same traffic consumed once without kills, in the same run (for its travellers/s). The last line
is one JSON object with a ``met`` object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pika
from sqlalchemy import func, select

from consume import publish, traffic
from load import prepare
from serve import activate_shipped_model
from smartborder import db
from smartborder.settings import Settings
from smartborder.travel.intake import models as m

LIMIT_S = 300.0


def waiting(url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    count = connection.channel().queue_declare(queue, durable=True, passive=True).method
    connection.close()
    return int(count.message_count)


def start(settings: Settings, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    home = ["--data-dir", str(settings.data_dir)]
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "smartborder", *args, *home],
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
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
        worker = start(settings, ["worker"], log)
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
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
                worker = start(settings, ["worker"], log)
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
               "baseline_seconds": round(baseline_s, 1)}  # fmt: skip
    verdict = "verifies" if audit.returncode == 0 else "FAILS"
    print(f"{sum(kills.values())} kills ({kills}); {outcome['published']} published, "
          f"{outcome['lost']} lost, {outcome['stored_twice']} stored twice, "
          f"{outcome['duplicates_recorded']} redeliveries recorded as duplicates; "
          f"{left} left in the queue; audit {verdict}")  # fmt: skip
    met = {
        "at_least_20_kills": sum(kills.values()) >= 20,
        "none_lost": outcome["lost"] == 0 and left == 0,
        "none_filed_twice": outcome["stored_twice"] == 0,
        "audit_verifies": audit.returncode == 0,
    }
    print(json.dumps({"figures": figures, "met": met}))


if __name__ == "__main__":
    main()
