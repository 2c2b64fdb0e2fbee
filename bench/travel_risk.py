"""Joint risk assessment speed: ingest + screen + score + store, and board / no board latency.

    uv run python bench/travel_risk.py [--lookouts N] [--flights F] [--indicators K]
                                       [--history D] [--quick]

Builds the screening index over N synthetic lookouts (default 1,000,000; built in memory as
``serve`` builds it at start-up; the planted ones below are also stored as real lookouts, so
their hits carry the lookout's action) and a risk model of K indicators (default 100: the
shipped joint model plus generated ones, each two facts together, over routes, nationalities,
ages, documents, booking lead times, payments and itineraries), activates it on a fresh SQLite
node, plants lookouts on 0.5% of the day's travellers, files D earlier days of traffic on both
nodes untimed (--history, default 0: tables that have grown, as on a node in service), then
measures in the same run:

  baseline   parse + store alone (receive() without screening or scoring) on another node
  end-to-end receive() with screening against the N lookouts, scoring by the K indicators,
             assessments, hit holds and audit stored; one transaction per message
             (each message goes to the baseline's node, then end to end: the two take turns,
             so a machine that speeds up or slows down during the run affects both alike;
             messages are received a second apart, in the order the day's traffic sends them)
  check      board / no board through POST /api/v1/travel/check (JSON, HTTP in process):
             p50 / p99 latency, beside screening one identity alone (the index's own cost)

Travellers are counted per message, as in bench/travel_intake.py. The last line is one JSON
object with all figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartborder import db
from smartborder.app import create_app
from smartborder.node import init_node
from smartborder.screening import service as lookouts
from smartborder.screening.index import Entry
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening
from smartborder.screening.subject import make_identity
from smartborder.settings import load_settings
from smartborder.synthetic.lookouts import LookoutGenerator
from smartborder.synthetic.travel import day_of_traffic
from smartborder.travel.intake.parser import parse
from smartborder.travel.intake.service import receive
from smartborder.travel.riskmodels import service as models_service
from smartborder.travel.riskmodels.document import RiskModelDoc
from smartborder.travel.targeting.service import Targeting
from smartborder.users import service as users

END_TO_END_TARGET = 2_000  # travellers/s
CHECK_P99_TARGET_MS = 20.0
DAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


def model_of(indicators: int, rng: random.Random) -> dict[str, Any]:
    shipped = resources.files("smartborder.travel.riskmodels") / "shipped" / "joint-api-pnr.yaml"
    doc: dict[str, Any] = yaml.safe_load(shipped.read_text())
    airports = ["CDG", "LHR", "FRA", "AMS", "MEX", "BOG", "IST", "DXB", "DOH", "GRU", "PTY", "MAD"]
    nations = ["COL", "MEX", "NGA", "PAK", "IRN", "VEN", "SYR", "AFG", "TUR", "BRA", "IND", "CHN"]
    makers = [
        lambda: {"field": "itinerary.airports", "op": "contains_any",
                 "value": rng.sample(airports, 2)},
        lambda: {"field": "traveller.nationality", "op": "in", "value": rng.sample(nations, 3)},
        lambda: {"all": [{"field": "traveller.age", "op": "between",
                          "value": sorted(rng.sample(range(18, 70), 2))},
                         {"field": "traveller.sex", "op": "equals", "value": rng.choice("MF")}]},
        lambda: {"field": "document.days_to_expiry", "op": "lt", "value": rng.randint(10, 200)},
        lambda: {"field": "booking.days_booked_before", "op": "le", "value": rng.randint(0, 5)},
        lambda: {"all": [{"field": "pnr.payment_forms", "op": "contains", "value": "CASH"},
                         {"field": "itinerary.one_way", "op": "is_true"}]},
        lambda: {"field": "itinerary.max_dwell_hours", "op": "gt", "value": rng.randint(6, 20)},
        lambda: {"any": [{"field": "flight.destination", "op": "in",
                          "value": rng.sample(airports, 3)},
                         {"field": "booking.changes", "op": "ge", "value": rng.randint(2, 5)}]},
        lambda: {"not": {"field": "document.issuer_is_nationality", "op": "is_true"}},
        lambda: {"field": "flight.departure_hour", "op": "between",
                 "value": sorted(rng.sample(range(0, 24), 2))},
    ]  # fmt: skip
    for number in range(indicators - len(doc["indicators"])):
        doc["indicators"].append(
            {
                "id": f"generated-{number:03d}",
                "title": f"Generated indicator {number}",
                "rationale": "A generated condition giving the benchmark a realistic mix.",
                "owner": "ca",
                "scope": rng.choice(["joint", "national"]),
                "weight": rng.randint(1, 12),
                "category": rng.choice(["narcotics", "migration", "documents", "general"]),
                "when": {  # two facts together, as targeting rules are written
                    "all": [
                        makers[number % len(makers)](),
                        makers[(number * 7 + 3) % len(makers)](),
                    ]
                },
            }
        )
    RiskModelDoc.model_validate(doc)
    return doc


def fresh_node(folder: Path, name: str) -> Any:
    settings = load_settings(
        data_dir=folder / name, node_id=name, exchange_dispatch_interval_seconds=0
    )
    init_node(settings, admin_password="bench password 123")
    return settings


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--lookouts", type=int, default=1_000_000)
    options.add_argument("--flights", type=int, default=40)
    options.add_argument("--indicators", type=int, default=100)
    options.add_argument("--checks", type=int, default=2000)
    options.add_argument("--seed", type=int, default=7)
    options.add_argument(
        "--history", type=int, default=0,
        help="days of traffic filed before the measured day on both nodes (not timed)",
    )  # fmt: skip
    options.add_argument("--quick", action="store_true", help="20,000 lookouts, 8 flights")
    args = options.parse_args()
    if args.quick:
        args.lookouts, args.flights, args.checks = 20_000, 8, 300
    rng = random.Random(args.seed)
    messages = day_of_traffic(DAY, args.flights, seed=args.seed)
    total = sum(m.travellers for m in messages)
    people = {
        (t.surname, t.given_names, t.birth_date, t.sex, t.nationality): t
        for m in messages
        if m.name.endswith("-API.edi")
        for message in parse(m.data, today=DAY).messages
        for t in message.travellers
    }
    planted = rng.sample(sorted(people, key=str), max(len(people) // 200, 1))
    print(f"{len(messages)} messages, {total:,} travellers; {len(planted)} planted lookouts")

    started = time.perf_counter()
    generator = LookoutGenerator(args.seed)
    entries = [
        Entry(f"synthetic-{n}", s.category, "local", 1,
              make_identity(s.names, s.birth, s.sex, [s.nationality], [s.document]))
        for n, s in enumerate(generator.lookouts(args.lookouts - len(planted)))
    ]  # fmt: skip
    print(f"{len(entries):,} synthetic lookouts in {time.perf_counter() - started:.1f} s")

    with tempfile.TemporaryDirectory() as folder:
        base = fresh_node(Path(folder), "base")  # the baseline's node: parse + store only
        base_sessions = db.session_factory(db.make_engine(base.database_url))
        settings = fresh_node(Path(folder), "ca")
        app = create_app(settings, configure_logs=False)
        app.state.exchange.clock = lambda: NOW
        sessions = app.state.sessions
        with db.unit_of_work(sessions) as session:
            row = models_service.store_model(
                session,
                RiskModelDoc.model_validate(model_of(args.indicators, rng)),
                source="bench", actor="bench", now=NOW,
            )  # fmt: skip
            models_service.activate(session, row.id, actor="bench", now=NOW)
            for surname, given, born, sex, nationality in planted:
                lookouts.create_lookout(
                    session,
                    LookoutIn.model_validate({
                        "category": rng.choice(["terrorism", "serious-crime", "customs"]),
                        "action": rng.choice(["deny-boarding", "refer-secondary", "notify"]),
                        "names": [{"name": f"{given} {surname}"}], "birth_date": born, "sex": sex,
                        "nationalities": [nationality] if nationality else [],
                        "source_reference": "bench",
                    }),
                    actor="bench", today=NOW.date(),
                )  # fmt: skip
            users.create_user(session, username="agent", role="analyst", password="x" * 14)
            _, token = users.create_token(session, users.get_user(session, "agent"), "bench")
        screening = app.state.node.get(Screening)
        started = time.perf_counter()
        with db.unit_of_work(sessions) as session:
            screening.sync(session)  # as at start-up: the planted lookouts, from the database
            stored = [lookouts.entry_of(row) for row in session.scalars(select(Lookout))]
        screening.index.build([*entries, *stored])
        print(
            f"index of {len(screening.index):,} lookouts in {time.perf_counter() - started:.1f} s"
        )

        targeting = app.state.node.get(Targeting)
        # Earlier days (--history), filed on both nodes and not timed: the measured day's
        # statements then run against tables that have grown, as on a node in service.
        started = time.perf_counter()
        earlier = 0
        for back in range(args.history, 0, -1):
            for n, m in enumerate(
                day_of_traffic(DAY - dt.timedelta(days=back), args.flights, seed=args.seed + back)
            ):
                at = NOW - dt.timedelta(days=back) + dt.timedelta(seconds=n)
                with db.unit_of_work(base_sessions) as session:
                    receive(session, m.data, source=m.name, actor="bench", now=at)
                with db.unit_of_work(sessions) as session:
                    receive(
                        session, m.data, source=m.name, actor="bench", now=at, targeting=targeting
                    )
                earlier += m.travellers
        if args.history:
            print(
                f"history   {args.history} earlier day(s), {earlier:,} travellers filed on "
                f"both nodes in {time.perf_counter() - started:.1f} s (not timed)"
            )

        # Each message goes to the baseline's node (parse + store alone), then end to end to
        # this one: the two take turns, so that both see the machine as it is at the time.
        summary: dict[str, int] = {"hits": 0, "stored": 0, "queued": 0}
        spent = {"baseline": 0.0, "end_to_end": 0.0}
        for n, m in enumerate(messages):
            # each message received a second after the one before: which mention of a
            # traveller is the latest is then decided by the time, as in service, not by ids
            at = NOW + dt.timedelta(seconds=n)
            started = time.perf_counter()
            with db.unit_of_work(base_sessions) as session:
                receive(session, m.data, source=m.name, actor="bench", now=at)
            spent["baseline"] += time.perf_counter() - started
            started = time.perf_counter()
            with db.unit_of_work(sessions) as session:
                result = receive(
                    session, m.data, source=m.name, actor="bench", now=at, targeting=targeting
                )
            spent["end_to_end"] += time.perf_counter() - started
            for key in summary:
                summary[key] += (result.assessed or {}).get(key, 0)
        baseline_rate = total / spent["baseline"]
        rate = total / spent["end_to_end"]
        print(f"baseline  parse + store: {baseline_rate:,.0f} travellers/s")
        print(
            f"end-to-end ingest + screen + score + store: {rate:,.0f} travellers/s "
            f"({rate / baseline_rate:.2f}x parse + store alone), {summary}"
        )

        # board / no board through the HTTP API
        pool = list(people)
        headers = {"Authorization": f"Bearer {token}"}
        latencies, alone, decisions = [], [], {}
        with TestClient(app) as client:
            for n in range(args.checks):
                surname, given, born, sex, nationality = pool[n % len(pool)]
                body = {
                    "traveller": {"surname": surname, "given_names": given,
                                  "birth_date": born, "sex": sex, "nationality": nationality},
                    "flight": {"carrier": "AC", "number": "870", "origin": "YUL",
                               "destination": "CDG", "date": DAY.isoformat()},
                }  # fmt: skip
                started = time.perf_counter()
                response = client.post("/api/v1/travel/check", json=body, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                decision = response.json()["decision"]
                decisions[decision] = decisions.get(decision, 0) + 1
                identity = make_identity([f"{given} {surname}"], born, sex, [nationality])
                started = time.perf_counter()
                screening.matcher.screen(identity, today=DAY)
                alone.append((time.perf_counter() - started) * 1000)
        q = statistics.quantiles(latencies, n=100)
        qa = statistics.quantiles(alone, n=100)
        print(
            f"check     board / no board over HTTP: p50 {q[49]:.2f} ms, p99 {q[98]:.2f} ms "
            f"(screening alone p50 {qa[49]:.2f} ms, p99 {qa[98]:.2f} ms), {decisions}"
        )
        app.state.engine.dispose()
    figures = {
        "lookouts": args.lookouts,
        "indicators": args.indicators,
        "flights": args.flights,
        "messages": len(messages),
        "travellers": total,
        "history_days": args.history,
        "planted": len(planted),
        "baseline_parse_store_travellers_per_s": round(baseline_rate),
        "end_to_end_travellers_per_s": round(rate),
        "end_to_end_vs_baseline": round(rate / baseline_rate, 2),
        "assessed": summary,
        "check_p50_ms": round(q[49], 2),
        "check_p99_ms": round(q[98], 2),
        "screen_alone_p50_ms": round(qa[49], 3),
        "screen_alone_p99_ms": round(qa[98], 3),
        "decisions": decisions,
        "targets": {"end_to_end": END_TO_END_TARGET, "check_p99_ms": CHECK_P99_TARGET_MS},
        "met": {
            "end_to_end": rate >= END_TO_END_TARGET,
            "check_p99": q[98] <= CHECK_P99_TARGET_MS,
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
