"""The demo's exchange scenario, run through the nodes' real HTTP APIs while both are serving.

The nodes register each other (as operators do, with each other's public key files), ca's
supervisor proposes the SMU and every annex template, us's supervisor approves them, a ca analyst
asks a case-by-case question that us's supervisor answers, both nodes exchange audit checkpoints,
and ``audit verify`` must pass on both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from smartborder import db
from smartborder.errors import SmartborderError
from smartborder.exchange import keys, partners
from smartborder.exchange.document import TEMPLATES
from smartborder.exchange.models import Partner
from smartborder.settings import load_settings
from smartborder.users import service as users

WAIT_S = 30.0


class ScenarioError(SmartborderError):
    code = "demo_failed"


@dataclass(frozen=True)
class NodeAccess:
    node_id: str
    url: str
    tokens: dict[str, str]  # username -> API token

    def call(self, username: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[username]}"}
        response = httpx.request(
            method, f"{self.url}/api/v1{path}", timeout=30, headers=headers, **kwargs
        )
        if response.status_code >= 400:
            raise ScenarioError(
                f"{self.node_id}: {method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None


@dataclass(frozen=True)
class Scenario:
    """What every scenario step is given: both nodes, signed in, and where to report."""

    ca: NodeAccess
    us: NodeAccess
    console: Console
    seed: int


def link_and_grant(data_dirs: dict[str, Path], ports: dict[str, int]) -> dict[str, NodeAccess]:
    """Register each node as the other's partner (once) and issue this run's API tokens."""
    access = {}
    for node_id, data_dir in data_dirs.items():
        settings = load_settings(data_dir=data_dir)
        engine = db.make_engine(settings.database_url)
        try:
            with db.unit_of_work(db.session_factory(engine)) as session:
                for other_id, other_dir in data_dirs.items():
                    known = session.get(Partner, other_id) is not None
                    if other_id == node_id or known:
                        continue
                    other = load_settings(data_dir=other_dir)
                    partners.add_partner(
                        session,
                        partner_id=other_id,
                        name=other.node_name,
                        url=f"http://127.0.0.1:{ports[other_id]}",
                        public_key_pem=keys.public_path(other.key_path).read_text(),
                        own_node_id=node_id,
                        actor="cli:demo",
                    )
                tokens = {}
                for username in ("supervisor", "analyst", "auditor", "officer", "asylum"):
                    user = users.get_user(session, username)
                    tokens[username] = users.create_token(session, user, "demo run")[1]
        finally:
            engine.dispose()
        access[node_id] = NodeAccess(node_id, f"http://127.0.0.1:{ports[node_id]}", tokens)
    return access


def wait(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise ScenarioError(f"timed out after {WAIT_S:.0f} s waiting for {what}")


def run_scenario(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    existing = {a["id"] for a in ca.call("supervisor", "GET", "/agreements")}
    if existing:
        console.print(f"Agreements already in place ({len(existing)}); skipping the handshake.")
    else:
        _agreements(ca, us, console)
        _case_request(ca, us, console)
    for node in (ca, us):  # signing writes: a supervisor's; auditors read and verify
        node.call("supervisor", "POST", "/audit/checkpoints")
    wait(
        "the audit checkpoints' receipts",
        lambda: all(
            n.call("auditor", "GET", "/audit/verify")["receipts_checked"] > 0 for n in (ca, us)
        ),
    )
    for node in (ca, us):
        report = node.call("auditor", "GET", "/audit/verify")
        if not report["ok"]:
            raise ScenarioError(f"audit verify failed on {node.node_id}: {report['problems']}")
        console.print(
            f"audit verify on {node.node_id}: OK, {report['size']} entries, "
            f"{report['receipts_checked']} receipt(s) signed by the partner, "
            f"{report['signed_heads_checked']} signed head(s) of its own"
        )


def _agreements(ca: NodeAccess, us: NodeAccess, console: Console) -> None:
    ids = []
    for template in TEMPLATES:
        proposed = ca.call(
            "supervisor", "POST", "/agreements", json={"template": template, "partner": us.node_id}
        )
        ids.append(proposed["id"])
    wait(
        "us to receive the proposals",
        lambda: (
            {
                a["id"]
                for a in us.call("supervisor", "GET", "/agreements")
                if a["status"] == "awaiting-approval"
            }
            >= set(ids)
        ),
    )
    for agreement_id in ids:
        us.call("supervisor", "POST", f"/agreements/{agreement_id}/approve")
    wait(
        "ca to receive the counter-signatures",
        lambda: (
            {
                a["id"]
                for a in ca.call("supervisor", "GET", "/agreements")
                if a["status"] == "in-force"
            }
            >= set(ids)
        ),
    )
    console.print(f"In force on both nodes, signed by both: {', '.join(ids)}")


def _case_request(ca: NodeAccess, us: NodeAccess, console: Console) -> None:
    request = ca.call(
        "analyst",
        "POST",
        "/exchange/requests",
        json={
            "agreement": "smu-case-by-case",
            "purpose": "immigration-enforcement",
            "subject": {
                "surname": "OKAFOR",
                "given_names": "CHIDI EMEKA",
                "date_of_birth": "1984-03-09",
                "nationality": "NGA",
            },
            "justification": "Claims five years' residence in the US before arriving in Canada.",
            "case_reference": "CA-DEMO-0001",
            "due_date": None,
        },
    )

    def incoming() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = us.call(
            "supervisor", "GET", "/exchange/requests", params={"direction": "incoming"}
        )
        return found

    wait("us to receive the case request", lambda: bool(incoming()))
    [received] = incoming()
    us.call(
        "supervisor",
        "POST",
        f"/exchange/requests/{received['id']}/decision",
        json={
            "decision": "approve",
            "answer": {
                "found": True,
                "immigration_status": "F-1 student visa 2015-2019",
                "subject": {"surname": "OKAFOR", "given_names": "CHIDI EMEKA"},
                "remarks": "No adverse record.",
            },
        },
    )
    wait(
        "ca to receive the answer",
        lambda: (
            ca.call("analyst", "GET", f"/exchange/requests/{request['id']}")["state"] == "answered"
        ),
    )
    console.print(
        f"Case request {request['case_reference']}: asked by ca, approved by us's supervisor, "
        "answer received on ca"
    )
