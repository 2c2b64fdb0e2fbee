"""The operations overview of a node holding a year of traffic: the page over the whole year
(and over the last day) rendered from the hourly counts, beside the direct aggregate query the
counts spare, measured in the same run.

    uv run python bench/overview.py [--mentions 50000000] [--raw 1000000] [--quick]

One node (SQLite, in process). SYNTHETIC traffic:

- **The counts of a year**: every series of every domain counted by the hour for 365 days, as
  the node's job would have left them, with a day's rhythm and a week's (travellers received
  summing to ``--mentions``, about 50 million; assessed, hits by category, dispositions, board
  answers, envelopes by agreement, lookouts, consultations, runs, cargo reports). The figure:
  ``GET /operations`` over the year and over the default 24 hours, rendered through the app
  (sign-in cookie, templates, JSON for the charts), the median of 5; target 1 s or less.
- **Baseline**: ``--raw`` SYNTHETIC mentions written straight into ``travel_passengers`` over
  the year, and the overview's question for them (travellers received by day and kind) asked
  of those rows directly; its time is scaled by ``--mentions / --raw`` (the query scans the
  range: linear in the rows), the cost the counts spare. The job's catch-up over the same rows
  (``Series.counts`` a week at a time) is reported beside it.

The last line is one JSON object with every figure and a ``met`` object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exchange import Node  # the exchange bench's node
from smartborder import db
from smartborder.app import create_app
from smartborder.operations.models import HourlyCount, Rollup
from smartborder.operations.series import day_of, every_series, floor_hour
from smartborder.travel.intake.models import Passenger
from smartborder.users import service as users

TARGET_S = 1.0
PASSWORD = "bench-password-1"  # noqa: S105 (the bench's own throwaway user)
# per series: its keys and each key's share of the series' hourly volume (a share of the
# travellers received)
SHAPES: dict[str, tuple[float, dict[str, float]]] = {
    "travel.received": (1.0, {"PAXLST": 0.7, "PNRGOV": 0.3}),
    "travel.assessed": (0.7, {"board": 0.995, "no board": 0.002, "contact authority": 0.003}),
    "travel.boarding": (0.05, {"board": 0.997, "no board": 0.001, "contact authority": 0.002}),
    "travel.hits": (0.004, {"terrorism": 0.05, "customs": 0.4, "immigration": 0.35,
                            "criminal": 0.2}),
    "travel.dispositions": (0.004, {"cleared": 0.8, "referred": 0.15, "refused entry": 0.05}),
    "exchange.out": (0.001, {"smu-api-pnr": 0.6, "smu-lookouts": 0.3, "smu-visa": 0.1}),
    "exchange.in": (0.001, {"smu-api-pnr": 0.55, "smu-lookouts": 0.35, "smu-visa": 0.1}),
    "exchange.refused": (0.00001, {"us": 1.0}),
    "screening.lookouts": (0.0005, {"screening:lookout:created": 0.8,
                                    "screening:lookout:retracted": 0.2}),
    "visa.consultations": (0.00002, {"visa:consultation:sent": 0.5,
                                     "visa:consultation:answered": 0.5}),
    "modeling.runs": (0.00002, {"modeling:run:submitted": 0.5, "modeling:run:completed": 0.5}),
    "cargo.reports": (0.01, {"stored": 0.97, "quarantined": 0.02, "duplicate": 0.01}),
    "cargo.examinations": (0.0005, {"cargo:examination:requested": 0.5,
                                    "cargo:examination:recorded": 0.5}),
}  # fmt: skip


def rhythm(hour: dt.datetime) -> float:
    """Traffic by hour of day (a morning and an evening bank) and day of week."""
    day = 0.6 + 0.4 * math.sin((hour.hour - 6) / 24 * 2 * math.pi) ** 2
    return day * (1.15 if hour.weekday() in (4, 6) else 1.0)


def fill_counts(node: Node, now: dt.datetime, mentions: int, rng: random.Random) -> int:
    """A year of hourly counts for every series, travellers received summing to ``mentions``."""
    end = floor_hour(now)
    hours = [end - dt.timedelta(hours=n) for n in range(365 * 24, 0, -1)]
    weights = [rhythm(h) for h in hours]
    per_weight = mentions / sum(weights)
    known = {s.name for s in every_series()}
    rows: list[dict[str, Any]] = []
    for hour, weight in zip(hours, weights, strict=True):
        volume = per_weight * weight
        for series, (share, keys) in SHAPES.items():
            for key, part in keys.items():
                value = volume * share * part * rng.uniform(0.9, 1.1)
                count = int(value) + (rng.random() < value - int(value))
                if count and series in known:
                    rows.append({"series": series, "key": key, "hour": hour, "value": count})
    with db.unit_of_work(node.sessions) as s:
        for start in range(0, len(rows), 20_000):
            s.execute(insert(HourlyCount), rows[start : start + 20_000])
        for series in known:
            s.merge(Rollup(series=series, until=now))
    return len(rows)


def fill_raw(node: Node, now: dt.datetime, count: int, rng: random.Random) -> None:
    """``count`` SYNTHETIC mentions over the year, straight into travel_passengers (the
    flights, travellers and messages they would point at are left out: only the rows' shape
    and times matter to the query)."""
    start = now - dt.timedelta(days=365)
    span = (now - start).total_seconds()
    raw = node.engine.raw_connection()
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        batch: list[tuple[Any, ...]] = []
        for n in range(count):
            at = start + dt.timedelta(seconds=rng.random() * span)
            batch.append((uuid.uuid4().hex, "f", "t", "m", "PAXLST" if n % 10 < 7 else "PNRGOV",
                          "passenger", "SYNTHETIC", "TRAVELLER", "[]", "{}", 0, "bench",
                          "bench", at.strftime("%Y-%m-%d %H:%M:%S.%f"), 0))  # fmt: skip
            if len(batch) == 50_000 or n == count - 1:
                raw.executemany(
                    "INSERT INTO travel_passengers (id, flight_id, traveller_id, message_id, "
                    "kind, role, surname, given_names, documents, details, cancelled, "
                    "link_rule, link_reason, received_at, masked) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)  # fmt: skip
                batch.clear()
        raw.commit()
    finally:
        raw.close()


def page(client: TestClient, params: dict[str, str], runs: int = 5) -> dict[str, Any]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get("/operations", params=params)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text[:500]
        size = len(answer.content)
    return {"median_s": round(statistics.median(times), 3), "bytes": size}


def direct(node: Node, now: dt.datetime) -> dict[str, Any]:
    """The overview's question asked of the rows: travellers received by day and kind."""
    start = now - dt.timedelta(days=365)
    day = day_of(Passenger.received_at)
    query = (select(day, Passenger.kind, func.count())
             .where(Passenger.received_at >= start, Passenger.received_at < now)
             .group_by(day, Passenger.kind))  # fmt: skip
    with db.unit_of_work(node.sessions) as s:
        started = time.perf_counter()
        found = s.execute(query).all()
        took = time.perf_counter() - started
        [series] = [x for x in every_series() if x.name == "travel.received"]
        started = time.perf_counter()
        counted, at = 0, start
        while at < now:  # the job's catch-up: a week at a time
            counted += sum(
                n for _, _, n in series.counts(s, at, min(now, at + dt.timedelta(days=7)))
            )
            at += dt.timedelta(days=7)
        catch_up = time.perf_counter() - started
        s.rollback()
    return {"rows": len(found), "direct_s": round(took, 3), "catch_up_s": round(catch_up, 3),
            "counted": counted}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=50_000_000)
    parser.add_argument("--raw", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=35)
    parser.add_argument("--quick", action="store_true", help="100,000 raw mentions")
    args = parser.parse_args()
    if args.quick:
        args.raw = 100_000
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as base:
        node = Node("ca", Path(base), 8000, 100)
        now = node.ex.clock()
        started = time.perf_counter()
        counts = fill_counts(node, now, args.mentions, rng)
        with db.unit_of_work(node.sessions) as s:
            received = s.scalar(select(func.sum(HourlyCount.value)).where(
                HourlyCount.series == "travel.received")) or 0  # fmt: skip
            users.create_user(s, username="ops", role="planner", password=PASSWORD)
        print(f"a year of hourly counts: {counts:,} rows, {received:,} travellers received "
              f"({time.perf_counter() - started:.1f} s)", flush=True)  # fmt: skip
        app = create_app(node.settings, configure_logs=False)
        with TestClient(app) as client:
            form = client.get("/login").text
            token = re.search(r'name="login_csrf" value="([^"]+)"', form)
            assert token is not None
            signed = client.post("/login", data={"username": "ops", "password": PASSWORD,
                                                  "login_csrf": token.group(1), "next": "/"},
                                 follow_redirects=False)  # fmt: skip
            assert signed.status_code == 303, signed.text[:300]
            year = {"from": (now - dt.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M"),
                    "to": now.strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
            over_year = page(client, year)
            over_day = page(client, {})
        print(f"the page over the year: {over_year}; over the last 24 h: {over_day}", flush=True)
        started = time.perf_counter()
        fill_raw(node, now, args.raw, rng)
        with node.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(f"{args.raw:,} raw mentions written ({time.perf_counter() - started:.1f} s)",
              flush=True)  # fmt: skip
        baseline = direct(node, now)
        assert baseline["counted"] == args.raw, baseline
        scale = received / args.raw
        baseline["scaled_to_mentions_s"] = round(baseline["direct_s"] * scale, 1)
        print(f"direct aggregate over {args.raw:,} rows: {baseline}", flush=True)
    met = {"year_page_s<=1": over_year["median_s"] <= TARGET_S}
    print(json.dumps({"mentions": received, "hourly_rows": counts, "page_year": over_year,
                      "page_day": over_day, "direct_query": {"raw_rows": args.raw, **baseline},
                      "ratio_direct_scaled_to_page": round(
                          baseline["scaled_to_mentions_s"] / max(over_year["median_s"], 1e-9),
                          1), "met": met}))  # fmt: skip


if __name__ == "__main__":
    main()
