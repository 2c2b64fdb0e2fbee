"""The demo's operations picture: once every other step has run, each node's job has counted
the day by the hour; both overviews are read through the API (the last 24 hours: each series'
total by key, and the figures of now, the exchange with the partner among them). Then each
node shares its travellers by nationality for the day under the statistics annex (cells under
the annex's minimum suppressed), and each compares its own with the partner's."""

from __future__ import annotations

from typing import Any

from smartborder.demo.exchange import NodeAccess, Scenario, wait

SHOWN = ("travel.received", "travel.assessed", "travel.hits", "exchange.out", "exchange.in",
         "screening.lookouts", "cargo.reports")  # fmt: skip


def _overview(node: NodeAccess) -> dict[str, Any]:
    found: dict[str, Any] = node.call("auditor", "GET", "/operations/overview")
    return found


def run_operations(run: Scenario) -> None:
    console = run.console
    for node in (run.ca, run.us):
        seen: dict[str, Any] = {}

        def counted(node: NodeAccess = node, seen: dict[str, Any] = seen) -> bool:
            seen.update(_overview(node))
            totals: dict[str, int] = {s["name"]: s["total"] for s in seen["series"]}
            return totals.get("exchange.out", 0) > 0 and totals.get("exchange.in", 0) > 0

        wait(f"{node.node_id}'s hourly counts", counted)
        console.print(f"{node.node_id}: the last 24 hours by the hour (/operations):",
                      highlight=False)  # fmt: skip
        for one in seen["series"]:
            if one["name"] in SHOWN and one["total"]:
                keys = ", ".join(f"{line['key'] or 'all'} {line['total']}"
                                 for line in one["lines"][:4])  # fmt: skip
                console.print(f"  {one['title']}: {one['total']} ({keys})", highlight=False)
        for gauge in seen["now"]:
            if gauge["panel"].startswith("Partner") or gauge["title"].startswith("Open"):
                flag = " (needs attention)" if gauge["warn"] else ""
                console.print(f"  now, {gauge['panel']}: {gauge['title']}: "
                              f"{gauge['value'] if gauge['value'] is not None else '-'}{flag}",
                              highlight=False)  # fmt: skip


def run_trends(run: Scenario) -> None:
    console = run.console
    seen = run.ca.call("auditor", "GET", "/operations/overview")
    period = {"from": seen["from"][:16], "to": seen["to"][:16]}
    report = "travellers-by-nationality"
    for node in (run.ca, run.us):
        partner = run.us.node_id if node is run.ca else run.ca.node_id
        sent = node.call("supervisor", "POST", f"/operations/trends/{report}/shares",
                         json={"partner": partner, **period})  # fmt: skip
        console.print(f"{node.node_id} shares {report} with {partner} under "
                      f"{sent['agreement']}: {len(sent['cells'])} cells, "
                      f"{sent['suppressed_cells']} suppressed (under {sent['minimum_cell']})",
                      highlight=False)  # fmt: skip
    for node in (run.ca, run.us):
        found: dict[str, Any] = {}

        def arrived(node: NodeAccess = node, found: dict[str, Any] = found) -> bool:
            found.update(node.call("auditor", "GET", f"/operations/trends/{report}",
                                   params=period))  # fmt: skip
            return found.get("theirs") is not None

        wait(f"the partner's {report} at {node.node_id}", arrived)
        theirs = {c["key"]: c for c in found["theirs"]["cells"]}
        mine = {c["key"]: c["count"] for c in found["ours"]["cells"]}
        both = sorted(set(mine) & set(theirs), key=lambda k: -mine[k])[:3]
        shown = ", ".join(f"{k} {mine[k]} here, " + ("suppressed" if theirs[k]["suppressed"]
                          else str(theirs[k]["count"])) + " there" for k in both)  # fmt: skip
        console.print(f"{node.node_id} compares (/operations/trends): {shown or 'no overlap'}",
                      highlight=False)  # fmt: skip
