"""One node served by one worker and by two, on PostgreSQL, over loopback.

    uv run python bench/serve.py [--seconds 20] [--clients 32]

A fresh node (2,000 synthetic lookouts, 200 people, the shipped risk model active and a day of
synthetic API/PNR traffic filed and scored) is served by the real ``smartborder serve
--workers N``, N = 1 then 2. For each, three mixes run for ``--seconds`` with ``--clients``
concurrent keep-alive clients, from wrk when it is installed (Debian's package: one C thread, so
the generator leaves the workers most of the two cores) or else bench/load.py's light client:
- read: the analysts' queue, a traveller's page, a subject screened (a third each);
- write: a lookout created, a disposition recorded (half each);
- check: the board / no-board decision for one traveller (JSON).
Per mix: requests/s answered 2xx, p50 and p99, answers that were not 2xx. The baseline is one
worker, measured in the same run: the read mix on two workers should reach 1.7 times its
throughput (this machine has two cores, shared with the load generator). The last line is one
JSON object with a ``met`` object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select

from load import JSON, Connection, Tally, _lettered, free_port, prepare, serve, timed
from smartborder import clock, db
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.settings import Settings
from smartborder.synthetic.travel import day_of_traffic
from smartborder.travel.intake import models as m
from smartborder.travel.intake import service as intake
from smartborder.travel.riskmodels import service as riskmodels
from smartborder.travel.riskmodels.document import load_model
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting.service import Targeting, activate_model

TARGET = 1.7
NAMES = ["Maria Garcia", "Ivan Petrov", "Chen Wei", "Ahmed Hassan", "John Smith"]


def activate_shipped_model(settings: Settings) -> Targeting:
    """The shipped joint model loaded and active; the targeting that scores with it."""
    engine = db.make_engine(settings.database_url)
    now = clock.now()
    text = resources.files("smartborder.travel.riskmodels") / "shipped" / "joint-api-pnr.yaml"
    targeting = Targeting(Screening(Thresholds(0.7, {})), settings.travel_teams)
    with db.unit_of_work(db.session_factory(engine)) as session:
        row = riskmodels.store_model(
            session, load_model(text.read_text(), "shipped"), source="bench", actor="bench", now=now
        )
        activate_model(session, targeting, row.id, actor="bench", now=now)
    engine.dispose()
    return targeting


def seed_travel(settings: Settings) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The shipped model active, a day of traffic filed and scored: traveller ids, assessment
    ids, and check requests built from the travellers filed."""
    targeting = activate_shipped_model(settings)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    now = clock.now()
    for message in day_of_traffic(now.date(), 12, seed=7, country="CA"):
        with db.unit_of_work(sessions) as session:
            intake.receive(
                session, message.data, source="file:bench", actor="bench", now=now,
                targeting=targeting,
            )  # fmt: skip
    with db.unit_of_work(sessions) as session:
        travellers = list(session.scalars(select(m.Traveller.id).limit(500)))
        assessments = list(session.scalars(select(tm.Assessment.id).limit(500)))
        rows = session.execute(
            select(m.Passenger, m.Flight).join(m.Flight, m.Flight.id == m.Passenger.flight_id)
            .limit(200)
        ).all()  # fmt: skip
        checks = [_check(p, f) for p, f in rows]
    engine.dispose()
    return travellers, assessments, [c for c in checks if c]


def _check(passenger: m.Passenger, flight: m.Flight) -> dict[str, Any] | None:
    documents = [
        {"type": d.get("type") or "P", "number": d["number"], "country": d["country"]}
        for d in passenger.documents
        if d.get("number") and d.get("country")
    ][:1]
    if not passenger.birth_date or len(passenger.birth_date) != 10:
        return None
    return {
        "reference": "BENCH",
        "traveller": {
            "surname": passenger.surname, "given_names": passenger.given_names,
            "birth_date": passenger.birth_date, "sex": passenger.sex or "X",
            "nationality": passenger.nationality or "CAN", "documents": documents,
        },
        "flight": {
            "carrier": flight.carrier, "number": flight.number, "origin": flight.origin,
            "destination": flight.destination, "date": flight.date,
        },
    }  # fmt: skip


def request_of(
    mix: str, rng: random.Random, data: tuple[list[str], list[str], list[dict[str, Any]]]
) -> tuple[str, str, bytes | None]:
    travellers, assessments, checks = data
    if mix == "read":
        roll = rng.random()
        if roll < 1 / 3:
            return "GET", "/api/v1/travel/queue?limit=50", None
        if roll < 2 / 3:
            return "GET", f"/api/v1/travel/travellers/{rng.choice(travellers)}", None
        subject = {"names": [rng.choice(NAMES)], "birth_date": f"19{rng.randrange(50, 99)}"}
        return "POST", "/api/v1/screening/screen", json.dumps(subject).encode()
    if mix == "write":
        if rng.random() < 0.5 or not assessments:
            lookout = {
                "category": "customs",
                "names": [{"name": f"{rng.choice(NAMES)} {rng.randrange(10**6)}"}],
                "source_reference": f"SERVE-{rng.randrange(10**9)}",
            }
            return "POST", "/api/v1/screening/lookouts", json.dumps(_lettered(lookout)).encode()
        note = {"status": "in review", "note": "bench"}
        path = f"/api/v1/travel/assessments/{rng.choice(assessments)}/dispositions"
        return "POST", path, json.dumps(note).encode()
    return "POST", "/api/v1/travel/check", json.dumps(rng.choice(checks)).encode()


def python_mix(
    port: int, token: str, mix: str, clients: int, seconds: float,
    data: tuple[list[str], list[str], list[dict[str, Any]]],
) -> dict[str, Any]:  # fmt: skip
    tally, took = asyncio.run(run_mix(port, token, mix, clients, seconds, data))
    errors = sum(n for s, n in tally.statuses.items() if not s.startswith("2"))
    return {
        "requests_per_s": round(tally.ok / took, 1),
        "p50_ms": round(tally.pct(0.5) * 1000, 1),
        "p99_ms": round(tally.pct(0.99) * 1000, 1),
        "errors": errors + tally.dropped,
        "statuses": tally.statuses,
    }


async def run_mix(
    port: int, token: str, mix: str, clients: int, seconds: float,
    data: tuple[list[str], list[str], list[dict[str, Any]]],
) -> tuple[Tally, float]:  # fmt: skip
    tally = Tally()
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds

    async def client(seed: int) -> None:
        rng, connection = random.Random(seed), Connection(port)
        while time.perf_counter() < deadline:
            method, path, body = request_of(mix, rng, data)
            headers = {**auth, **JSON} if body is not None else auth
            await timed(connection, tally, method, path, headers, body)
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return tally, time.perf_counter() - started


WRK_DONE = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local e = summary.errors
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      table.insert(counted, string.format('"%d":%d', status, n))
    end
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"status_errors":%d,"other_errors":%d,'
    .. '"p50_us":%d,"p99_us":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(counted, ",")))
end
"""


def run_wrk(
    port: int, token: str, mix: str, clients: int, seconds: float,
    data: tuple[list[str], list[str], list[dict[str, Any]]], folder: Path,
) -> dict[str, Any]:  # fmt: skip
    """The same mix from wrk (C, one thread): the load generator takes far less of the two
    cores than the Python client, so the workers get what the machine has."""
    rng = random.Random(f"wrk-{mix}")
    lines = ["local reqs = {}"]
    for index in range(1, 301):
        method, path, body = request_of(mix, rng, data)
        headers = f'{{["Authorization"]="Bearer {token}", ["Content-Type"]="application/json"}}'
        text_body = f"[==[{body.decode()}]==]" if body is not None else "nil"
        lines.append(f'reqs[{index}] = wrk.format("{method}", "{path}", {headers}, {text_body})')
    lines += ["local i = 0", "request = function() i = i % #reqs + 1; return reqs[i] end"]
    script = folder / f"{mix}.lua"
    script.write_text("\n".join(lines) + WRK_DONE)
    command = ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s",
               "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)  # noqa: S603
    found = json.loads(done.stdout.strip().splitlines()[-1])
    took = found["duration_us"] / 1e6
    ok = found["requests"] - found["status_errors"]
    return {
        "requests_per_s": round(ok / took, 1),
        "p50_ms": round(found["p50_us"] / 1000, 1),
        "p99_ms": round(found["p99_us"] / 1000, 1),
        "errors": found["status_errors"] + found["other_errors"],
        "statuses": found["statuses"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--generator",
        choices=("auto", "python", "wrk"),
        default="auto",
        help="the load generator: wrk when installed (Debian's package), else bench/load.py's",
    )
    args = parser.parse_args()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    print(f"load generator: {generator}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        settings, token = prepare("postgresql", base)
        data = seed_travel(settings)
        print(f"node: {len(data[0])} travellers, {len(data[1])} assessments, {len(data[2])} checks")
        for workers in (1, 2):
            port = free_port()
            process = serve(settings, port, base / f"serve-{workers}.log", workers=workers)
            try:
                for mix in ("read", "write", "check"):
                    if generator == "wrk":
                        figures = run_wrk(port, token, mix, args.clients, args.seconds, data, base)
                    else:
                        figures = python_mix(port, token, mix, args.clients, args.seconds, data)
                    results[f"{mix}_{workers}w"] = figures
                    print(f"{workers} worker(s) {mix:5}  {figures['requests_per_s']:8.1f}/s  "
                          f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                          f"errors {figures['errors']}")  # fmt: skip
            finally:
                process.terminate()
                process.wait(30)
    scaling = {
        mix: round(results[f"{mix}_2w"]["requests_per_s"]
                   / max(results[f"{mix}_1w"]["requests_per_s"], 0.1), 2)
        for mix in ("read", "write", "check")
    }  # fmt: skip
    print(f"scaling, two workers over one: {scaling}")
    errors = sum(r["errors"] for r in results.values())
    met = {"read_scaling_1_7x": scaling["read"] >= TARGET, "no_errors": errors == 0}
    print(json.dumps({"figures": results, "generator": generator, "scaling": scaling,
                      "target": TARGET, "met": met}))  # fmt: skip


if __name__ == "__main__":
    main()
