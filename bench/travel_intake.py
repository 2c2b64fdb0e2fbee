"""API/PNR intake speed: parse, and parse + store on SQLite, beside pydifact tokenising alone.

    uv run python bench/travel_intake.py [--flights N] [--seed S] [--quick]

Generates a day of synthetic traffic (N flights, each with PNRGOV pushes at 72/24/2/1 h and
wheels-up and PAXLST passenger and crew lists), then measures, in the same run:
  baseline   pydifact's tokeniser alone over the same bytes (no semantics at all)
  parse      our tokeniser + PAXLST/PNRGOV semantics (travellers/s)
  store      receive() into a fresh SQLite node: digest, parse, resolve identities, write flights,
             travellers, documents, mentions and reservations, audit; one transaction per message
Travellers are counted per message (a person in five pushes counts five times: each is parsed
and filed). The last line is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import warnings
from pathlib import Path

from pydifact.parser import Parser

from smartborder import db
from smartborder.node import init_node
from smartborder.settings import load_settings
from smartborder.synthetic.travel import day_of_traffic
from smartborder.travel.parser import parse
from smartborder.travel.service import receive

PARSE_TARGET = 20_000
STORE_TARGET = 5_000


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--flights", type=int, default=60)
    options.add_argument("--seed", type=int, default=7)
    options.add_argument("--quick", action="store_true", help="10 flights")
    args = options.parse_args()
    flights = 10 if args.quick else args.flights
    day = dt.date(2026, 11, 22)
    started = time.perf_counter()
    messages = day_of_traffic(day, flights, seed=args.seed)
    total = sum(m.travellers for m in messages)
    size = sum(len(m.data) for m in messages)
    print(
        f"generated {len(messages)} messages, {total:,} travellers, {size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )

    sample = messages[: max(len(messages) // 4, 1)]
    sample_travellers = sum(m.travellers for m in sample)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in sample:
            for _segment in Parser().parse(m.data.decode()):
                pass
    pydifact_rate = sample_travellers / (time.perf_counter() - started)
    print(f"baseline  pydifact tokenising alone: {pydifact_rate:,.0f} travellers/s (sample)")

    for m in sample:  # warm the caches as a running node has them
        parse(m.data, today=day)
    started = time.perf_counter()
    problems = 0
    for m in messages:
        outcome = parse(m.data, today=day)
        problems += len(outcome.problems)
    parse_rate = total / (time.perf_counter() - started)
    print(
        f"parse     PAXLST+PNRGOV: {parse_rate:,.0f} travellers/s "
        f"({parse_rate / pydifact_rate:.1f}x pydifact's tokeniser), {problems} problems"
    )

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(data_dir=Path(folder) / "node", node_id="bench")
        init_node(settings, admin_password="bench password 123")
        engine = db.make_engine(settings.database_url)
        sessions = db.session_factory(engine)
        now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
        states: dict[str, int] = {}
        started = time.perf_counter()
        for m in messages:
            with db.unit_of_work(sessions) as session:
                result = receive(session, m.data, source=m.name, actor="bench", now=now)
            states[result.state] = states.get(result.state, 0) + 1
        store_rate = total / (time.perf_counter() - started)
        engine.dispose()
    print(
        f"store     parse + store (SQLite): {store_rate:,.0f} travellers/s "
        f"({store_rate / pydifact_rate:.2f}x pydifact's tokeniser), {states}"
    )
    figures = {
        "flights": flights,
        "messages": len(messages),
        "travellers": total,
        "megabytes": round(size / 1e6, 2),
        "pydifact_tokenise_travellers_per_s": round(pydifact_rate),
        "parse_travellers_per_s": round(parse_rate),
        "parse_store_travellers_per_s": round(store_rate),
        "parse_vs_baseline": round(parse_rate / pydifact_rate, 2),
        "parse_store_vs_baseline": round(store_rate / pydifact_rate, 2),
        "targets": {"parse": PARSE_TARGET, "parse_store": STORE_TARGET},
        "met": {"parse": parse_rate >= PARSE_TARGET, "parse_store": store_rate >= STORE_TARGET},
        "states": states,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
