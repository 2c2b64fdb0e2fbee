"""API/PNR through RabbitMQ into PostgreSQL, screened and scored: one consumer and two.

    uv run python bench/consume.py [--flights 30] [--amqp amqp://guest:guest@127.0.0.1:5672/%2F]

A fresh node on PostgreSQL (2,000 synthetic lookouts, the shipped risk model active). Three runs,
each over its own day of synthetic traffic (``--flights`` flights, PAXLST and PNRGOV pushes):
- baseline: the messages filed in this process straight through intake (``intake.receive``
  with screening and scoring, one transaction each), as the API files them;
- 1 consumer and 2 consumers: the messages published to a fresh queue, then taken by that many
  ``smartborder travel consume`` processes until the queue stays empty for a second.
Per run: messages, travellers stored, travellers/s (the consumers' time, less their idle
second). Target: one consumer at 2,000 travellers/s or more; the baseline is printed beside
it. The last line is one JSON object with a ``met`` object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pika

from load import prepare
from serve import activate_shipped_model
from smartborder import clock, db
from smartborder.settings import Settings
from smartborder.synthetic.travel import day_of_traffic
from smartborder.travel.intake import service as intake

TARGET = 2000.0
IDLE_S = 1.0


def traffic(flights: int, seed: int) -> list[bytes]:
    day = clock.today()
    return [m.data for m in day_of_traffic(day, flights, seed=seed, country="CA")]


def publish(url: str, queue: str, bodies: list[bytes]) -> None:
    """As a carrier does: persistent messages, confirmed by the broker."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare(queue, durable=True)
    for body in bodies:
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    connection.close()


def baseline(settings: Settings, messages: list[bytes]) -> dict[str, Any]:
    targeting = activate_shipped_model(settings)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    travellers = 0
    started = time.perf_counter()
    for data in messages:
        with db.unit_of_work(sessions) as session:
            result = intake.receive(
                session, data, source="file:bench", actor="bench", now=clock.now(),
                targeting=targeting,
            )  # fmt: skip
        travellers += result.travellers if result.state == "stored" else 0
    took = time.perf_counter() - started
    engine.dispose()
    return {"messages": len(messages), "travellers": travellers, "seconds": round(took, 2),
            "travellers_per_s": round(travellers / took, 1)}  # fmt: skip


def through_broker(
    settings: Settings, url: str, messages: list[bytes], consumers: int
) -> dict[str, Any]:
    queue = f"smartborder.bench.{uuid.uuid4().hex[:10]}"
    publish(url, queue, messages)
    command = [sys.executable, "-m", "smartborder", "travel", "consume", url, "--as", "loader",
               "--queue", queue, "--idle-exit", str(IDLE_S), "--json",
               "--data-dir", str(settings.data_dir)]  # fmt: skip
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(consumers)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=3600)
        if process.returncode != 0:
            raise SystemExit(f"a consumer failed:\n{err.decode()[-3000:]}")
        reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    took = time.perf_counter() - started - IDLE_S
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    for doomed in (queue, f"{queue}.dead"):
        channel.queue_delete(doomed)
    connection.close()
    travellers = sum(r["travellers"] for r in reports)
    return {"consumers": consumers, "messages": sum(r["received"] for r in reports),
            "travellers": travellers, "seconds": round(took, 2),
            "travellers_per_s": round(travellers / took, 1),
            "dead_lettered": sum(r["dead_lettered"] for r in reports),
            "per_consumer": [r["received"] for r in reports]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=30)
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings, _token = prepare("postgresql", Path(folder))
        base = baseline(settings, traffic(args.flights, seed=101))
        print(f"baseline (in process)  {base['travellers_per_s']:8.1f} travellers/s "
              f"({base['travellers']} in {base['seconds']} s)")  # fmt: skip
        runs = {}
        for consumers, seed in ((1, 202), (2, 303)):
            run = through_broker(settings, args.amqp, traffic(args.flights, seed), consumers)
            runs[f"{consumers}_consumer"] = run
            rate, split = run["travellers_per_s"], run["per_consumer"]
            print(f"{consumers} consumer(s)          {rate:8.1f} travellers/s "
                  f"({run['travellers']} in {run['seconds']} s; split {split})")  # fmt: skip
    one = runs["1_consumer"]["travellers_per_s"]
    two = runs["2_consumer"]["travellers_per_s"]
    figures = {"baseline": base, **runs,
               "ratio_to_baseline": round(one / max(base["travellers_per_s"], 0.1), 2),
               "scaling_2_over_1": round(two / max(one, 0.1), 2)}  # fmt: skip
    met = {"one_consumer_2000_per_s": one >= TARGET}
    print(json.dumps({"figures": figures, "target": TARGET, "met": met}))


if __name__ == "__main__":
    main()
