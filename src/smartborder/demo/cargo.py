"""The demo's goods: through both nodes' HTTP APIs, ca proposes the shipped shipment risk model
and us co-signs it; ca's trade parties are registered and approved; a day of SYNTHETIC vessel
reports lands at Vancouver (JSON and one CUSCAR interchange, one vessel reported late), with
a few planted risky shipments among the ordinary ones; the one in transit to Chicago, from a
shipper a lookout names, is shared with us under the cargo annex; us asks ca to examine it,
ca records a seizure, and the result reaches us."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from importlib import resources
from typing import Any

from smartborder import clock
from smartborder.demo.exchange import Scenario, ScenarioError, wait
from smartborder.demo.targeting import joint_model
from smartborder.synthetic import cargo as synthetic

MODEL_FILE = "joint-cargo.yaml"
FLAGGED = "RED LANTERN TRADING CO (SYNTHETIC)"


def _planted(arrival_at: dt.datetime) -> dict[str, Any]:
    """A vessel with three risky bills: arms parts from a shipper a lookout names, in transit to
    Chicago; freight of all kinds far too heavy for its cartons; cigarettes routed through a
    transhipment hub for an importer nobody registered."""
    box = [synthetic.container_number(random.Random(n)) for n in (1, 2, 3)]  # noqa: S311
    bills = [
        {"number": "SBPLANT00001", "destination": "USCHI", "destination_country": "US",
         "consignor": {"name": FLAGGED, "country": "CN"},
         "consignee": {"name": "LAKESHORE OUTDOOR SUPPLY (SYNTHETIC)", "country": "US"},
         "containers": [{"number": box[0], "seal": "SL0000001", "size": "45G1"}],
         "goods": [{"description": "SPORTING RIFLE PARTS", "hs": "930591", "packages": 240,
                    "weight_kg": 4100.0, "container": box[0]}]},
        {"number": "SBPLANT00002", "destination": "CATOR", "destination_country": "CA",
         "consignor": {"name": "EAST HARBOR TRADING CO LTD (SYNTHETIC)", "country": "CN"},
         "consignee": {"name": "NORTH RIVER SUPPLY LTD (SYNTHETIC)", "country": "CA"},
         "containers": [{"number": box[1], "seal": "SL0000002", "size": "22G1"}],
         "goods": [{"description": "FAK", "hs": "", "packages": 20, "weight_kg": 26000.0,
                    "container": box[1]}]},
        {"number": "SBPLANT00003", "destination": "CAMTR", "destination_country": "CA",
         "routing": ["PA"], "consignor": {"name": "GOLDEN STAR INDUSTRIAL CO (SYNTHETIC)",
                                          "country": "CN"},
         "consignee": {"name": "DELTA IMPORTS INC (SYNTHETIC)", "country": "CA"},
         "importer": {"name": "DELTA IMPORTS INC (SYNTHETIC)", "identifier": "IMP-4040"},
         "containers": [{"number": box[2], "seal": "SL0000003", "size": "45G1"}],
         "goods": [{"description": "CIGARETTES", "hs": "240220", "packages": 900,
                    "weight_kg": 9000.0, "container": box[2]}]},
    ]  # fmt: skip
    return {"reference": "VOY-PLANTED-CAVAN", "mode": "marine", "carrier": "MSCU",
            "conveyance": {"name": "SYNTHETIC VESSEL PLANTED", "id": "9777777", "voyage": "77E"},
            "loading": "CNYTN", "loading_at": (arrival_at - dt.timedelta(days=14)).isoformat(),
            "arrival": "CAVAN", "arrival_at": arrival_at.isoformat(), "bills": bills}  # fmt: skip


def run_cargo(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    text = (resources.files("smartborder.cargo") / "shipped" / MODEL_FILE).read_text()
    joint_model(ca, us, console, text, MODEL_FILE)
    ca.call("analyst", "POST", "/screening/lookouts", json={
        "category": "customs", "names": [{"name": FLAGGED}],
        "source_reference": "SYNTHETIC: arms parts seized at Long Beach"})  # fmt: skip
    for n in range(8):  # the importers of record this node has validated
        made = ca.call("officer", "POST", "/cargo/parties", json={
            "role": "importer", "identifier": f"IMP-{n}", "country": "CA", "program": "PIP",
            "name": f"IMPORTER {n} (SYNTHETIC)"})  # fmt: skip
        ca.call("officer", "POST", f"/cargo/parties/{made['id']}/decision",
                json={"action": "approve", "reasons": ["validated (demo)"]})  # fmt: skip
    arrival = clock.now() + dt.timedelta(days=16)  # loaded in two days: reported on time
    rng = random.Random(34)  # noqa: S311
    reports = synthetic.port_day(rng, 48, arrival="CAVAN", arrival_at=arrival)
    reports.append(_planted(arrival))
    late = copy.deepcopy(reports[0])  # a vessel that sailed yesterday, reported only now
    late["reference"], late["loading_at"] = (
        "VOY-LATE-CAVAN",
        (clock.now() - dt.timedelta(days=1)).isoformat(),
    )
    for k, b in enumerate(late["bills"]):
        b["number"] = f"SBLATE{k:06d}"
    reports.append(late)
    results = []
    for k, report in enumerate(reports):
        if k == 1:  # one carrier's system sends CUSCAR
            results.append(ca.call("analyst", "POST", "/cargo/reports",
                                   content=synthetic.cuscar(report, k),
                                   headers={"Content-Type": "application/edifact"}))  # fmt: skip
        else:
            results.append(ca.call("analyst", "POST", "/cargo/reports",
                                   content=json.dumps(report).encode(),
                                   headers={"Content-Type": "application/json"}))  # fmt: skip
    shipments = [s for r in results for s in r["shipments"]]
    by_status: dict[str, int] = {}
    for s in shipments:
        by_status[s["status"]] = by_status.get(s["status"], 0) + 1
    console.print(
        f"ca: {len(shipments)} bills landed at Vancouver in {len(reports)} reports "
        f"(one CUSCAR); {sum(s['late'] for s in shipments)} reported late; "
        + ", ".join(f"{n} {k}" for k, n in sorted(by_status.items())), highlight=False)  # fmt: skip
    planted = {s["bill"]: s for s in shipments if s["bill"].startswith("SBPLANT")}
    target = planted["SBPLANT00001"]
    if target["status"] != "held":
        raise ScenarioError(f"the planted arms parts were not held: {target}")
    for bill, s in sorted(planted.items()):
        console.print(f"  {bill}: {s['status']}, score {s['score']}", highlight=False)

    def shared_to_us() -> dict[str, Any] | None:
        queue = us.call("analyst", "GET", "/cargo/queue")
        return next((s for s in queue if s["bill"] == "SBPLANT00001"), None)

    wait("ca's in-transit target in us's queue", lambda: shared_to_us() is not None)
    theirs = shared_to_us()
    assert theirs is not None
    console.print(f"us: {theirs['bill']} in transit to Chicago shared by ca under the cargo "
                  f"annex (joint score {theirs['joint_score']}); us asks ca for a physical "
                  "examination", highlight=False)  # fmt: skip
    us.call(
        "analyst",
        "POST",
        f"/cargo/shipments/{theirs['id']}/examinations",
        json={"kind": "physical", "reasons": ["arms parts from a shipper under a lookout"]},
    )

    def asked_of_ca() -> dict[str, Any] | None:
        exams = ca.call("analyst", "GET", "/cargo/examinations", params={"status": "requested"})
        return next((e for e in exams if e["partner"] == us.node_id), None)

    wait("us's examination request on ca", lambda: asked_of_ca() is not None)
    asked = asked_of_ca()
    assert asked is not None
    ca.call("analyst", "POST", f"/cargo/examinations/{asked['id']}/result",
            json={"result": "seizure", "findings": "rifle receivers under the stated goods "
                  "(SYNTHETIC)"})  # fmt: skip

    def result_at_us() -> dict[str, Any] | None:
        exams = us.call("analyst", "GET", "/cargo/examinations", params={"status": "done"})
        return next((e for e in exams if e["shipment_id"] == theirs["id"]), None)

    wait("ca's examination result on us", lambda: result_at_us() is not None)
    console.print("ca examined the container at Vancouver at us's request: seizure; the result "
                  "reached us, whose copy of the shipment is held", highlight=False)  # fmt: skip
