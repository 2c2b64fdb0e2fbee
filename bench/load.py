"""A node under load and under an unauthenticated flood, over loopback, on SQLite and PostgreSQL.

    uv run python bench/load.py [--seconds 30] [--levels 10,50,200] [--databases sqlite,postgresql]
                                [--flood-seconds 20] [--flood-clients 50]

For each database: a fresh node (2,000 synthetic lookouts, 200 people) is served by the real
``smartborder serve`` in its own process. Each level runs that many concurrent clients, each
sending one request after another for ``--seconds``: reads (people, lookouts, me) 60 %, screening
25 %, writes (a new lookout) 15 %, with an analyst's API token. A prober asks ``/api/v1/ready``
twice a second throughout. Per level: requests/s answered 2xx, p50/p99 of every answer, answers
by status, dropped connections (no answer at all). After the levels, ``audit verify`` must pass.

The flood: ``--flood-clients`` clients without credentials post junk envelope batches to the
exchange inbox and failed sign-ins to ``/login``, while 5 signed-in clients keep reading; reported:
the signed-in p99, the flood's answers by status, and the audit entries the flood added.

The baseline is the same node at the lowest level, measured in the same run before and after the
higher levels (the mean of the two: the tables grow as the run writes): throughput at the highest
level must be at least 80 % of it. The last line is one JSON object with a ``met`` object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.exchange.envelope import Envelope, Signer, new_id
from smartborder.identity import service as people_service
from smartborder.node import init_node
from smartborder.screening.seed import seed_lookouts
from smartborder.settings import Settings, load_settings
from smartborder.synthetic.people import PeopleGenerator
from smartborder.users import service as users

PG_BASE = os.environ.get("SMARTBORDER_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PASSWORD = "bench-password-123"  # noqa: S105 - a throw-away node's
NAMES = ["Maria Garcia", "Ivan Petrov", "Chen Wei", "Ahmed Hassan", "John Smith", "Olga Ivanova"]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    ok: int = 0
    dropped: int = 0

    def add(self, status: int | None, seconds: float) -> None:
        if status is None:
            self.dropped += 1
            return
        self.latencies.append(seconds)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.ok += 200 <= status < 300

    def pct(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection, as light as a load generator's client must be: on a
    2-core machine the client shares the CPU with the node, and a heavy client measures itself."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, bytes, list[str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        status_line = await self.reader.readline()
        if not status_line:
            self.close()
            raise ConnectionError("the node closed the connection")
        status = int(status_line.split()[1])
        length, close, cookies = 0, False, []
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                cookies.append(value.split(";")[0])
        content = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, content, cookies

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def timed(
    connection: Connection, tally: Tally, method: str, path: str,
    headers: dict[str, str], body: bytes | None = None,
) -> tuple[int, bytes, list[str]] | None:  # fmt: skip
    started = time.perf_counter()
    try:
        answer = await asyncio.wait_for(connection.request(method, path, headers, body), 60)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        connection.close()
        tally.add(None, time.perf_counter() - started)
        return None
    tally.add(answer[0], time.perf_counter() - started)
    return answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(kind: str, base: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{base / 'node' / 'smartborder.db'}"
    name = "smartborder_load"
    admin = db.make_engine(f"{PG_BASE}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return f"{PG_BASE}/{name}"


def prepare(kind: str, base: Path) -> tuple[Settings, str]:
    settings = load_settings(
        data_dir=base / "node", node_id="ca", node_name="Load", country="CA",
        database_url=fresh_database(kind, base),
    )  # fmt: skip
    init_node(settings, admin_password=PASSWORD)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    with db.unit_of_work(sessions) as session:
        seed_lookouts(session, node_id="ca", seed=7, count=2000, today=dt.date.today())
        for person in PeopleGenerator(7, "CA").people(200):
            people_service.create_person(session, person)
        users.create_user(session, username="loader", role="analyst", password=PASSWORD)
        _, secret = users.create_token(session, users.get_user(session, "loader"), "load")
    engine.dispose()
    return settings, secret


def serve(settings: Settings, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SMARTBORDER_DATA_DIR": str(settings.data_dir),
           "SMARTBORDER_EXCHANGE_DISPATCH_INTERVAL_SECONDS": "1"}  # fmt: skip
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "smartborder", *command],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the node did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the node did not become ready in 60 s")


JSON = {"Content-Type": "application/json"}


def mixed_request(rng: random.Random) -> tuple[str, str, bytes | None]:
    roll = rng.random()
    if roll < 0.2:
        return "GET", f"/api/v1/people?limit=20&offset={rng.randrange(0, 180)}", None
    if roll < 0.4:
        return "GET", f"/api/v1/screening/lookouts?limit=20&q={rng.choice(NAMES).split()[1]}", None
    if roll < 0.6:
        return "GET", "/api/v1/me", None
    if roll < 0.85:
        subject = {"names": [rng.choice(NAMES)], "birth_date": f"19{rng.randrange(50, 99)}"}
        return "POST", "/api/v1/screening/screen", json.dumps(subject).encode()
    lookout = {
        "category": "customs",
        "names": [{"name": f"{rng.choice(NAMES)} {rng.randrange(10**6)}"}],
        "source_reference": f"LOAD-{rng.randrange(10**9)}",
    }
    return "POST", "/api/v1/screening/lookouts", json.dumps(_lettered(lookout)).encode()


def _lettered(lookout: dict[str, Any]) -> dict[str, Any]:
    for name in lookout["names"]:  # a person's name has no digits
        name["name"] = re.sub(r"\d", lambda m: "abcdefghij"[int(m.group())], name["name"])
    return lookout


async def level(port: int, token: str, clients: int, seconds: float) -> tuple[Tally, Tally, float]:
    tally, ready = Tally(), Tally()
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        rng, connection = random.Random(seed), Connection(port)
        while time.perf_counter() < deadline:
            method, path, body = mixed_request(rng)
            headers = {**auth, **JSON} if body is not None else auth
            await timed(connection, tally, method, path, headers, body)
        connection.close()

    async def prober() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline:
            await timed(connection, ready, "GET", "/api/v1/ready", {})
            await asyncio.sleep(0.5)
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(prober(), *(worker(i) for i in range(clients)))
    return tally, ready, time.perf_counter() - started


def junk_batch(signer: Signer, size: int) -> list[Any]:
    now = dt.datetime.now(dt.UTC)
    base = {"from": "zz", "to": "ca", "kind": "case-request", "created": now}
    signed = [signer.sign(Envelope.model_validate({**base, "id": new_id()})) for _ in range(size)]
    return [*signed, "not-a-jws", 42]


async def flood(port: int, token: str, clients: int, seconds: float) -> tuple[Tally, Tally]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signer = Signer(Ed25519PrivateKey.generate(), "stranger")
    batch = json.dumps({"envelopes": junk_batch(signer, 200)}).encode()
    signed_in, attackers = Tally(), Tally()
    deadline = time.perf_counter() + seconds

    async def attacker(n: int) -> None:
        connection = Connection(port)
        if n % 2:
            while time.perf_counter() < deadline:
                await timed(connection, attackers, "POST", "/api/v1/exchange/inbox", JSON, batch)
            connection.close()
            return
        # A guesser as a browser would be: the sign-in form first (its CSRF cookie and token),
        # then one wrong password after another.
        form = await timed(connection, Tally(), "GET", "/login", {})
        found = re.search(rb'name="login_csrf" value="([^"]+)"', form[1]) if form else None
        csrf = found.group(1).decode() if found else ""
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": "; ".join(form[2]) if form else ""}  # fmt: skip
        while time.perf_counter() < deadline:
            guess = f"username=admin&password=guess-{n}-{time.time()}&login_csrf={csrf}"
            await timed(connection, attackers, "POST", "/login", headers, guess.encode())
        connection.close()

    async def reader() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline:
            await timed(connection, signed_in, "GET", "/api/v1/me",
                        {"Authorization": f"Bearer {token}"})  # fmt: skip
            await asyncio.sleep(0.05)
        connection.close()

    await asyncio.gather(*(attacker(i) for i in range(clients)), *(reader() for _ in range(5)))
    return signed_in, attackers


def audit_count(settings: Settings) -> int:
    engine = db.make_engine(settings.database_url)
    with db.unit_of_work(db.session_factory(engine)) as session:
        count = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    engine.dispose()
    return count


def verify(settings: Settings) -> bool:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "smartborder", "audit", "verify", "--data-dir",
         str(settings.data_dir)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(result.stdout.strip())
    return result.returncode == 0


def run_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"levels": {}}
    with tempfile.TemporaryDirectory() as tmp:
        settings, token = prepare(kind, Path(tmp))
        port = free_port()
        log = Path(tmp) / "serve.log"
        process = serve(settings, port, log)
        try:
            # The lowest level runs again at the end: the tables grow as the run writes, so the
            # baseline is the mean of the two, measured around the higher levels.
            runs = [*args.levels, min(args.levels)]
            for number, clients in enumerate(runs):
                tally, ready, elapsed = asyncio.run(level(port, token, clients, args.seconds))
                row = {
                    "clients": clients,
                    "ok_per_s": round(tally.ok / elapsed, 1),
                    "p50_ms": round(tally.pct(0.50) * 1000, 1),
                    "p99_ms": round(tally.pct(0.99) * 1000, 1),
                    "statuses": tally.statuses,
                    "dropped": tally.dropped,
                    "ready_failures": ready.dropped
                    + sum(n for s, n in ready.statuses.items() if s != "200"),
                }
                label = "baseline_again" if number == len(runs) - 1 else str(clients)
                figures["levels"][label] = row
                print(
                    f"{kind:10} {clients:4} clients: {row['ok_per_s']:7.1f} ok/s  "
                    f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
                    f"{row['statuses']} dropped {row['dropped']}  "
                    f"ready failures {row['ready_failures']}"
                )
            figures["audit_verifies"] = verify(settings)
            before = audit_count(settings)
            signed_in, attackers = asyncio.run(
                flood(port, token, args.flood_clients, args.flood_seconds)
            )
            added = audit_count(settings) - before
            figures["flood"] = {
                "signed_in_p99_ms": round(signed_in.pct(0.99) * 1000, 1),
                "signed_in_statuses": signed_in.statuses,
                "attacker_statuses": attackers.statuses,
                "attacker_dropped": attackers.dropped,
                "audit_entries_added": added,
            }
            print(f"{kind:10} flood: signed-in p99 {figures['flood']['signed_in_p99_ms']} ms, "
                  f"attackers {attackers.statuses}, audit entries added {added}")  # fmt: skip
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--levels", default="10,50,200")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--flood-seconds", type=float, default=20)
    parser.add_argument("--flood-clients", type=int, default=50)
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    # The flood may add at most one entry per refusal reason per admitted delivery: a burst of
    # a quarter of a minute's deliveries, then the rate (defaults), times 3 reasons.
    rate = 600 / 60
    bound = int((600 / 4 + rate * args.flood_seconds) * 3)
    results: dict[str, Any] = {"seconds": args.seconds, "flood_audit_bound": bound}
    met: dict[str, bool] = {}
    for kind in args.databases.split(","):
        figures = results[kind] = run_database(kind, args)
        levels = figures["levels"]
        low, high = levels[str(min(args.levels))], levels[str(max(args.levels))]
        baseline = (low["ok_per_s"] + levels["baseline_again"]["ok_per_s"]) / 2
        figures["baseline_ok_per_s"] = round(baseline, 1)
        errors = all(
            r["statuses"].get("500", 0) == 0 and r["dropped"] == 0 for r in levels.values()
        )
        met[f"{kind}_no_500_no_drops"] = errors
        met[f"{kind}_throughput_at_top_ge_80pct"] = high["ok_per_s"] >= 0.8 * baseline
        met[f"{kind}_p99_at_top_le_5s"] = high["p99_ms"] <= 5000
        met[f"{kind}_ready_throughout"] = all(r["ready_failures"] == 0 for r in levels.values())
        met[f"{kind}_audit_verifies"] = bool(figures["audit_verifies"])
        met[f"{kind}_flood_signed_in_p99_lt_1s"] = figures["flood"]["signed_in_p99_ms"] < 1000
        met[f"{kind}_flood_audit_bounded"] = figures["flood"]["audit_entries_added"] <= bound
        figures["ratio_top_to_baseline"] = round(high["ok_per_s"] / max(baseline, 1e-9), 2)
    results["met"] = met
    print(json.dumps(results))


if __name__ == "__main__":
    main()
