"""The demo's visa policy scenario, through each node's HTTP API: the convergence report of
Canada's and the United States' visa requirements on the shipped data set, then one
consultation round trip - ca proposes to lift the visa requirement on Qatari nationals (an
eTA instead, as the US admits them under ESTA), us answers, the answer comes back to ca."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smartborder import clock
from smartborder.demo.exchange import NodeAccess, Scenario, wait

NATIONALITY = "QA"
RATIONALE = (
    "Qatari nationals meet the eTA criteria (document security, overstay and refusal rates); "
    "the United States admits them under ESTA. Lifting the visa brings our lists together."
)


def run_visa(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    report = ca.call("supervisor", "GET", "/visa/compare")
    a, b = report["a"], report["b"]
    kinds = "; ".join(f"{k['kind']}: {', '.join(k['nationalities'])}" for k in report["by_kind"])
    console.print(
        f"visa policy: {a} and {b} treat {report['agree']} of {report['nationalities']} "
        f"third-country nationalities alike and {report['differ']} differently ({kinds}); "
        f"visa needed or not: {report['visa_needed']['differ']} differ",
        highlight=False,
    )
    sent = _consultation(ca, us)
    detail = ca.call("supervisor", "GET", f"/visa/consultations/{sent['id']}")
    preview = detail["preview"]
    console.print(
        f"ca consults us: lift the visa for {NATIONALITY} nationals "
        f"({detail['current_label']} → {detail['proposed_label']}) from {detail['effective']}; "
        f"adopted, {a} and {b} would differ on {preview['adopted']['differ']} "
        f"(now {preview['now']['differ']})",
        highlight=False,
    )
    wait(
        "us to receive the visa consultation",
        lambda: _received(us, sent["reference"]) is not None,
    )
    received = _received(us, sent["reference"])
    assert received is not None
    if received["state"] != "answered":
        us.call(
            "supervisor",
            "POST",
            f"/visa/consultations/{received['id']}/reply",
            json={
                "position": "support",
                "comments": "Consistent with ESTA eligibility; no objection to the date.",
            },
        )
    wait(
        "ca to receive us's answer",
        lambda: (
            ca.call("supervisor", "GET", f"/visa/consultations/{sent['id']}")["state"] == "answered"
        ),
    )
    answered = ca.call("supervisor", "GET", f"/visa/consultations/{sent['id']}")
    console.print(
        f"us answered the consultation: {answered['position']} — {answered['comments']}",
        highlight=False,
    )


def _consultation(ca: NodeAccess, us: NodeAccess) -> dict[str, Any]:
    """ca's consultation on Qatar (the one already sent, on an existing demo directory)."""
    for row in ca.call("supervisor", "GET", "/visa/consultations")["items"]:
        if row["direction"] == "out" and row["nationality"] == NATIONALITY:
            return dict(row)
    today = clock.now().date()
    sent: dict[str, Any] = ca.call(
        "supervisor",
        "POST",
        "/visa/consultations",
        json={
            "partner": us.node_id,
            "nationality": NATIONALITY,
            "change": "lift",
            "effective": (today + dt.timedelta(days=90)).isoformat(),
            "due_date": (today + dt.timedelta(days=30)).isoformat(),
            "rationale": RATIONALE,
        },
    )
    return sent


def _received(us: NodeAccess, reference: str) -> dict[str, Any] | None:
    for row in us.call("supervisor", "GET", "/visa/consultations")["items"]:
        if row["reference"] == reference and row["direction"] == "in":
            return dict(row)
    return None
