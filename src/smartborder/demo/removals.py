"""The demo's joint removal: through both nodes' HTTP APIs, ca plans a charter to Haiti with
seats for both countries; each opens removal cases (SYNTHETIC removees, their passports'
MRZs made by the document check's own writer) and proposes them; a removee whose passport
will have expired by the flight is refused before anything is sent; ca accepts one of us'
removees and refuses the other with reasons, then records who was removed and who was not,
and us hears each outcome."""

from __future__ import annotations

import datetime as dt

from smartborder import clock
from smartborder.demo.exchange import NodeAccess, Scenario, wait
from smartborder.errors import SmartborderError
from smartborder.identity.documents import fields_to_mrz
from smartborder.identity.schemas import MrzFieldsIn


def _mrz(surname: str, given: str, number: str, expiry: dt.date) -> str:
    return fields_to_mrz(MrzFieldsIn(issuer="HTI", surname=surname, given_names=given,
                                     document_number=number, nationality="HTI",
                                     birth_date="1988-07-14", sex="M",
                                     expiry_date=expiry))  # fmt: skip


def _case(node: NodeAccess, reference: str, surname: str, given: str, number: str,
          expiry: dt.date) -> str:  # fmt: skip
    made = node.call("supervisor", "POST", "/removals/cases", json={
        "reference": reference, "order_reference": f"ORD-{reference}",
        "order_date": "2026-09-15", "destination": "HTI", "escorts": 1,
        "escort_notes": "SYNTHETIC", "mrz": _mrz(surname, given, number, expiry)})  # fmt: skip
    return str(made["id"])


def run_removals(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    departs = clock.now().replace(microsecond=0) + dt.timedelta(days=12)
    later = departs.date() + dt.timedelta(days=900)
    reference = f"HTI-CHARTER-{departs:%Y%m%d}"
    if any(o["reference"] == reference for o in ca.call("supervisor", "GET",
                                                        "/removals/operations")):  # fmt: skip
        console.print(f"Joint removal {reference} already planned; skipping.")
        return
    op = ca.call("supervisor", "POST", "/removals/operations", json={
        "reference": reference, "partner": us.node_id, "destination": "HTI",
        "flight": "SBX 901 (charter)", "departs": departs.isoformat(), "seats_here": 2,
        "seats_partner": 2, "escorts_here": 2, "escorts_partner": 2})["id"]  # fmt: skip
    console.print(f"ca plans {reference}: a charter to Haiti on {departs:%Y-%m-%d}, 2 seats "
                  "each", highlight=False)  # fmt: skip
    wait(
        "us to hear of the operation",
        lambda: any(o["id"] == op for o in us.call("supervisor", "GET", "/removals/operations")),
    )
    ca_cases = [_case(ca, f"CA-R{n}-{departs:%m%d}", surname, "JEAN", f"HT00{n}1234", later)
                for n, surname in enumerate(("DUPONT", "LAFLEUR"), 1)]  # fmt: skip
    expired = _case(ca, f"CA-R3-{departs:%m%d}", "MARTIN", "LUC", "HT0031234",
                    departs.date() - dt.timedelta(days=3))  # fmt: skip
    for case in ca_cases:
        ca.call("supervisor", "POST", f"/removals/operations/{op}/proposals", json={"case": case})
    try:
        ca.call("supervisor", "POST", f"/removals/operations/{op}/proposals",
                json={"case": expired})  # fmt: skip
    except SmartborderError as exc:
        console.print(f"ca: a removee refused before anything was sent: "
                      f"{exc.message.split(': ', 2)[-1][:160]}", highlight=False)  # fmt: skip
    us_cases = [_case(us, f"US-R{n}-{departs:%m%d}", surname, "PAUL", f"HT10{n}5678", later)
                for n, surname in enumerate(("PIERRE", "JOSEPH"), 1)]  # fmt: skip
    for case in us_cases:
        us.call("supervisor", "POST", f"/removals/operations/{op}/proposals", json={"case": case})

    def proposed() -> bool:
        found = ca.call("supervisor", "GET", f"/removals/operations/{op}")
        return sum(1 for e in found["entries"] if e["country"] == us.node_id) == 2

    wait("ca to receive us' proposals", proposed)
    entries = ca.call("supervisor", "GET", f"/removals/operations/{op}")["entries"]
    theirs = sorted((e for e in entries if e["country"] == us.node_id),
                    key=lambda e: e["case_reference"])  # fmt: skip
    ca.call("supervisor", "POST", f"/removals/manifest/{theirs[0]['id']}/decision",
            json={"decision": "accept"})  # fmt: skip
    ca.call(
        "supervisor",
        "POST",
        f"/removals/manifest/{theirs[1]['id']}/decision",
        json={"decision": "refuse", "reasons": ["no escort seat for a second removee"]},
    )
    manifest = ca.call("supervisor", "GET", f"/removals/operations/{op}")["manifest"]
    for entry in manifest:
        outcome = (
            {"outcome": "not-removed", "reason": "medical hold at departure (SYNTHETIC)"}
            if entry["case_reference"].startswith("CA-R2")
            else {"outcome": "removed"}
        )
        ca.call("supervisor", "POST", f"/removals/manifest/{entry['id']}/outcome", json=outcome)
    shown = ", ".join(e["case_reference"] for e in manifest)
    console.print(f"ca: manifest of {len(manifest)} ({shown}); outcomes recorded",
                  highlight=False)  # fmt: skip

    def heard() -> bool:
        cases = {c["reference"]: c["status"] for c in us.call("supervisor", "GET",
                                                              "/removals/cases")}  # fmt: skip
        return cases.get(f"US-R1-{departs:%m%d}") == "removed"

    wait("us to hear the outcomes", heard)
    statuses = {c["reference"]: c["status"] for c in us.call("supervisor", "GET",
                                                             "/removals/cases")}  # fmt: skip
    console.print("us: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
                  highlight=False)  # fmt: skip
