"""The demo's IBET case, worked from both sides through the HTTP APIs: ca's RCMP officer opens
a case on boat landings west of Blaine with officers of the RCMP, CBSA and CBP and two
SYNTHETIC subjects (one named by a lookout us holds); each node screens them; us' CBP officer
logs a sighting, sets ca a task and attaches a report; ca's CBSA officer does the task; us'
supervisor, not on the case, is refused (need-to-know); the case closes with its outcome on
both nodes."""

from __future__ import annotations

from typing import Any

from smartborder.demo.exchange import NodeAccess, Scenario, ScenarioError, wait

REFERENCE = "IBET-PAC-DEMO"
SUBJECT = "MARKO VUKOVIC (SYNTHETIC)"


def _timeline(node: NodeAccess, user: str, case: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = node.call(user, "GET", f"/ibet/cases/{case}")["timeline"]
    return found


def run_ibet(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    if any(c["reference"] == REFERENCE for c in ca.call("analyst", "GET", "/ibet/cases")):
        console.print(f"IBET case {REFERENCE} already worked; skipping.")
        return
    us.call("analyst", "POST", "/screening/lookouts", json={
        "category": "serious-crime", "names": [{"name": SUBJECT}],
        "birth_date": "1981-06-30", "source_reference": "SYNTHETIC IBET demo"})  # fmt: skip
    members = [{"node": ca.node_id, "username": "analyst", "agency": "RCMP"},
               {"node": ca.node_id, "username": "supervisor", "agency": "CBSA"},
               {"node": us.node_id, "username": "analyst", "agency": "CBP"}]  # fmt: skip
    case = ca.call("analyst", "POST", "/ibet/cases", json={
        "reference": REFERENCE, "title": "Boat landings west of Blaine (SYNTHETIC)",
        "partner": us.node_id, "members": members,
        "subjects": [{"names": [SUBJECT], "birth_date": "1981-06-30", "nationality": "HRV"},
                     {"names": ["ELENA MOROZ (SYNTHETIC)"]}]})["id"]  # fmt: skip
    console.print(f"ca (RCMP) opens {REFERENCE} with the RCMP, CBSA and CBP",
                  highlight=False)  # fmt: skip
    wait(
        "us to hold the case",
        lambda: any(c["id"] == case for c in us.call("analyst", "GET", "/ibet/cases")),
    )

    def screened() -> bool:
        texts = [e["text"] for e in _timeline(ca, "analyst", case) if e["kind"] == "screening"]
        return len(texts) == 4  # two subjects, on each node

    wait("both nodes to screen the subjects", screened)
    for entry in _timeline(ca, "analyst", case):
        if entry["kind"] == "screening" and "lookout" in entry["text"] and "no lookout" not in \
                entry["text"]:  # fmt: skip
            console.print(f"  {entry['text'][:150]}", highlight=False)
    us.call(
        "analyst",
        "POST",
        f"/ibet/cases/{case}/entries",
        json={
            "kind": "event",
            "text": "Coast Guard: a 7 m boat landed two people at 02:10 (SYNTHETIC)",
        },
    )
    task = us.call("analyst", "POST", f"/ibet/cases/{case}/entries", json={
        "kind": "task", "text": "Check the marina cameras for 02:00-03:00",
        "assignee": f"{ca.node_id}:supervisor"})["id"]  # fmt: skip
    us.call("analyst", "POST", f"/ibet/cases/{case}/attachments",
            files={"file": ("boat.txt", b"SYNTHETIC sighting report: hull number BC-1234",
                            "text/plain")}, data={"note": "sighting report"})  # fmt: skip
    wait(
        "ca to see the task",
        lambda: any(e["id"] == task for e in _timeline(ca, "supervisor", case)),
    )
    ca.call("supervisor", "POST", f"/ibet/tasks/{task}/done")
    try:
        us.call("supervisor", "GET", f"/ibet/cases/{case}")
    except ScenarioError as exc:
        console.print(f"us' supervisor, not on the case, is refused: {exc.message[-40:]}",
                      highlight=False)  # fmt: skip
    ca.call(
        "analyst",
        "POST",
        f"/ibet/cases/{case}/close",
        json={"outcome": "Two arrested on landing; the boat seized (SYNTHETIC)"},
    )

    def closed() -> bool:
        return bool(us.call("analyst", "GET", f"/ibet/cases/{case}")["status"] == "closed")

    wait("us to see the case closed", closed)
    done = [e for e in _timeline(us, "analyst", case) if e["kind"] == "task"]
    console.print(f"us: {REFERENCE} closed; the task is {done[0]['task']['status']}",
                  highlight=False)  # fmt: skip
