"""SIGKILL either node at any moment: no message is lost and none is applied twice.

Two real ``smartborder serve`` processes exchange case requests (ca -> us) and answers
(us -> ca) over loopback HTTP while the test kills one or both with SIGKILL at random moments
and restarts them. At the end every request ca acknowledged exists once on both sides, every
answer us gave arrived once, nothing was refused, and both audit chains verify.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from smartborder.audit.checkpoints import verify
from smartborder.exchange import partners
from smartborder.exchange.models import CaseRequest, InboxMessage, OutboxMessage
from smartborder.users import service as users
from tests.conftest import free_port
from tests.pair import Clock, Node, Pair, make_node

ROUNDS = 6


class Server:
    def __init__(self, node: Node, port: int, log: Path) -> None:
        self.node, self.port, self.log = node, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTBORDER_")}
        env["SMARTBORDER_EXCHANGE_DISPATCH_INTERVAL_SECONDS"] = "0.1"
        env["SMARTBORDER_AUDIT_CHECKPOINT_MINUTES"] = "0"
        env["SMARTBORDER_LOG_LEVEL"] = "WARNING"
        command = [
            sys.executable,
            "-m",
            "smartborder",
            "serve",
            "--data-dir",
            str(self.node.settings.data_dir),
            "--port",
            str(self.port),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120  # a loaded CI machine starts a node slowly
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/api/v1/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"{self.node.id} did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def token(node: Node, username: str, role: str) -> dict[str, str]:
    with node.uow() as s:
        users.create_user(s, username=username, role=role, password="kill-test-password")
        secret = users.create_token(s, users.get_user(s, username), "kill test")[1]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def servers(tmp_path: Path, database_url: str, peer_database_url: str) -> Iterator[Pair]:
    clock = Clock()
    ports = {"ca": free_port(), "us": free_port()}
    ca = make_node("ca", database_url, tmp_path, clock)
    us = make_node("us", peer_database_url, tmp_path, clock)
    from smartborder.exchange.inbox import receive
    from smartborder.exchange.transport import InProcessTransport

    for node, other in ((ca, us), (us, ca)):
        with node.uow() as s:
            partners.add_partner(
                s,
                partner_id=other.id,
                name=other.id,
                url=f"http://127.0.0.1:{ports[other.id]}",
                public_key_pem=other.public_pem(),
                own_node_id=node.id,
                actor="cli:test",
            )
    transport = InProcessTransport(
        {
            "ca": lambda t: receive(ca.sessions, ca.ex, t),
            "us": lambda t: receive(us.sessions, us.ex, t),
        }
    )
    pair = Pair(ca, us, transport, clock)
    pair.in_force()  # set up in-process; the traffic below crosses real processes
    pair.ports = ports  # type: ignore[attr-defined]
    yield pair
    ca.engine.dispose()
    us.engine.dispose()


def test_sigkill_loses_nothing_and_applies_nothing_twice(servers: Pair, tmp_path: Path) -> None:
    rng = random.Random(20011212)
    ca_headers = token(servers.ca, "analyst", "analyst")
    us_headers = token(servers.us, "chief", "supervisor")
    ca = Server(servers.ca, servers.ports["ca"], tmp_path / "ca.log")  # type: ignore[attr-defined]
    us = Server(servers.us, servers.ports["us"], tmp_path / "us.log")  # type: ignore[attr-defined]
    acknowledged: set[str] = set()
    answered: set[int] = set()
    try:
        for round_no in range(ROUNDS):
            for server in (ca, us):
                if server.process is None or server.process.poll() is not None:
                    server.start()
            victims = rng.choice([(ca,), (us,), (ca, us)])
            kill_at = time.monotonic() + rng.uniform(0.05, 0.6)
            sent = 0
            while time.monotonic() < kill_at or sent < 3:
                sent += 1
                try:
                    r = httpx.post(
                        f"{ca.url}/api/v1/exchange/requests",
                        headers=ca_headers,
                        timeout=5,
                        json={
                            "agreement": "smu-case-by-case",
                            "purpose": "identity-verification",
                            "subject": {"surname": f"SUBJECT{round_no}X{sent}"},
                            "justification": "kill test traffic",
                            "case_reference": f"K-{round_no}-{sent}",
                        },
                    )
                    if r.status_code == 201:
                        acknowledged.add(r.json()["envelope_id"])
                    waiting = httpx.get(
                        f"{us.url}/api/v1/exchange/requests",
                        headers=us_headers,
                        params={"direction": "incoming", "state": "awaiting-decision"},
                        timeout=5,
                    )
                    for item in waiting.json()[:2]:
                        d = httpx.post(
                            f"{us.url}/api/v1/exchange/requests/{item['id']}/decision",
                            headers=us_headers,
                            timeout=5,
                            json={"decision": "approve", "answer": {"found": False}},
                        )
                        if d.status_code == 200:
                            answered.add(item["id"])
                except httpx.TransportError:
                    break
            for victim in victims:
                victim.kill()
        for server in (ca, us):
            if server.process is None or server.process.poll() is not None:
                server.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pending = [
                n.count_where(OutboxMessage, OutboxMessage.state == "pending")
                for n in (servers.ca, servers.us)
            ]
            if pending == [0, 0]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"outboxes did not drain: {pending}")
    finally:
        ca.stop()
        us.stop()

    assert len(acknowledged) >= ROUNDS
    with servers.ca.uow() as s:
        outgoing = dict(
            s.execute(
                select(CaseRequest.envelope_id, CaseRequest.state).where(
                    CaseRequest.direction == "outgoing"
                )
            ).all()
        )
        refused = s.scalar(select(func.count()).where(OutboxMessage.state == "refused"))
        assert verify(s).ok
    with servers.us.uow() as s:
        incoming = dict(
            s.execute(
                select(CaseRequest.envelope_id, CaseRequest.state).where(
                    CaseRequest.direction == "incoming"
                )
            ).all()
        )
        inbox_requests = s.scalar(select(func.count()).where(InboxMessage.kind == "case-request"))
        refused_us = s.scalar(select(func.count()).where(OutboxMessage.state == "refused"))
        assert verify(s).ok
    assert acknowledged <= set(outgoing)  # every acknowledged request was durable on ca
    assert set(incoming) == set(outgoing)  # every request arrived on us: none lost
    assert inbox_requests == len(incoming)  # none applied twice
    assert refused == refused_us == 0
    answered_on_us = {e for e, state in incoming.items() if state == "answered"}
    assert len(answered_on_us) >= len(answered)
    assert {e for e, state in outgoing.items() if state == "answered"} == answered_on_us
