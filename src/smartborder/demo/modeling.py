"""The demo's border traffic modelling, through each node's HTTP API: ca's planners compare
Peace Arch / Douglas with a second southbound NEXUS booth; us runs the Ambassador Bridge. Both
runs are made in the background by the nodes, and their pages show the finished figures and
plots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartborder.demo.exchange import NodeAccess, Scenario, ScenarioError, wait

REPLICATIONS = 5
RUNS = {
    "ca": {"example": "peace-arch-douglas", "variant_example": "peace-arch-douglas-nexus-booth"},
    "us": {"example": "ambassador-bridge"},
}


def run_modeling(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    nodes = {"ca": ca, "us": us}
    started = {name: _submitted(node, RUNS[name]) for name, node in nodes.items()}
    for name, node in nodes.items():
        wait(f"{name}'s model run to finish", _finished(node, started[name]))
    ca_run = ca.call("supervisor", "GET", f"/modeling/runs/{started['ca']}")
    us_run = us.call("supervisor", "GET", f"/modeling/runs/{started['us']}")
    for found in (ca_run, us_run):
        if found["status"] != "done":
            raise ScenarioError(f"model run {found['name']} failed: {found['error']}")
    rows = {
        (r["direction"], r["subject"], r["metric"]): r
        for r in ca_run["result"]["comparison"]["rows"]
    }
    nexus = rows[("southbound", "nexus lane", "mean_wait")]
    general = rows[("southbound", "general lane", "mean_wait")]
    console.print(
        f"ca models Peace Arch with a second NEXUS booth ({REPLICATIONS} paired replications): "
        f"southbound NEXUS wait {nexus['base']:.1f} → {nexus['variant']:.1f} min, general "
        f"{general['base']:.1f} → {general['variant']:.1f} min",
        highlight=False,
    )
    trucks = us_run["result"]["summary"]["directions"]["us-bound"]["lanes"]
    console.print(
        f"us models the Ambassador Bridge: US-bound trucks wait "
        f"{trucks['commercial']['mean_wait']['mean']:.1f} min (commercial), "
        f"{trucks['fast']['mean_wait']['mean']:.1f} min (FAST); see Traffic modelling",
        highlight=False,
    )


def _finished(node: NodeAccess, run_id: str) -> Callable[[], bool]:
    def check() -> bool:
        status = node.call("supervisor", "GET", f"/modeling/runs/{run_id}")["status"]
        return status in ("done", "failed")

    return check


def _submitted(node: NodeAccess, body: dict[str, str]) -> str:
    """The run asked for (the finished one, on an existing demo directory)."""
    for row in node.call("supervisor", "GET", "/modeling/runs")["items"]:
        if row["status"] == "done" and row["source"] == f"example:{body['example']}":
            return str(row["id"])
    queued: dict[str, Any] = node.call(
        "supervisor", "POST", "/modeling/runs", json={**body, "replications": REPLICATIONS}
    )
    return str(queued["id"])
