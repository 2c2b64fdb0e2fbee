"""The demo's trusted travellers, through both nodes' real HTTP APIs: ca's program officer submits
three SYNTHETIC applicants; us vets them on its own records and denies the one its lookout names
(reason code only); the approved NEXUS applicant is interviewed at a ca centre (a real portrait
that matplotlib ships, SYNTHETIC fingerprints) and carded, the membership shared with us; a FAST
driver is carded too and meets the carrier and importer checks at the commercial lane; us's
lane admits the member on a new capture of the face; us suspends the membership for a
violation at its border, and ca's lane refuses the card within seconds of the decision.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
import zlib
from typing import Any

from rich.console import Console

from smartborder import clock
from smartborder.demo.exchange import NodeAccess, Scenario, ScenarioError, wait
from smartborder.synthetic import faces
from smartborder.synthetic.fingerprints import finger, png

CENTRE = "yul"  # open every day, so the demo books and enrols today


def _application(surname: str, given: str, born: str, sex: str, **more: Any) -> dict[str, Any]:
    today = clock.today()
    number = f"DM{zlib.crc32(surname.encode()) % 10**6:06d}"
    return {
        "program": "nexus", "modes": ["highway", "air"], "date": today.isoformat(),
        "applicant": {"surname": surname, "given_names": given, "birth_date": born,
                      "sex": sex, "citizenships": ["CA"]},
        "addresses": [{"from": "2015-01-01", "line": "12 rue Principale (SYNTHETIC)",
                       "city": "Lacolle", "country": "CA"}],
        "employment": [{"from": "2012-09-01", "employer": "Transport Lacolle inc. (SYNTHETIC)"}],
        "documents": [{"kind": "passport", "number": number,
                       "country": "CA", "expires": f"{today.year + 6}-01-01",
                       "surname": surname.upper(), "birth_date": born}],
        "consents_to_biometrics": True, **more,
    }  # fmt: skip


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _enrol(ca: NodeAccess, reference: str, photo: bytes, fingers: tuple[int, int]) -> str:
    day = ca.call("officer", "GET", f"/programs/centres/{CENTRE}/free-days")[0]["day"]
    interview = ca.call("officer", "POST", "/programs/interviews",
                        json={"reference": reference, "centre": CENTRE, "day": day})  # fmt: skip
    prints = [_b64(png(finger(seed).impression(0))) for seed in fingers]
    done = ca.call("officer", "POST", f"/programs/interviews/{interview['id']}/enrolment",
                   json={"face": _b64(photo), "fingerprints": prints})  # fmt: skip
    if done["state"] != "enrolled":
        raise ScenarioError(f"the interview of {reference} was not enrolled: {done}")
    return str(done["card_number"])


def run_programs(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    us.call("analyst", "POST", "/screening/lookouts", json={
        "category": "customs", "names": [{"name": "Luc Gagnon"}], "birth_date": "1979-03-03",
        "source_reference": "SYNTHETIC: seizure at Champlain"})  # fmt: skip
    licence = {"kind": "commercial-driver-licence", "number": "T1234-56789", "country": "CA",
               "expires": f"{clock.today().year + 3}-01-01"}  # fmt: skip
    applicants = {
        "nexus": _application("Tremblay", "Marie-Ève", "1984-07-09", "F"),
        "flagged": _application("Gagnon", "Luc", "1979-03-03", "M"),
        "fast": _application("Roy", "Paul", "1971-11-23", "M", program="fast",
                             modes=["commercial"]),
    }  # fmt: skip
    applicants["fast"]["documents"].append(licence)
    references = {}
    for label, body in applicants.items():
        made = ca.call("officer", "POST", "/programs/applications", json=body)
        references[label] = made["reference"]
        console.print(
            f"ca application {made['reference']} ({label}, {made['program']}): "
            f"{made['status']}, fee {made['fee']['amount']} USD; ca's own vetting: "
            f"{made['vetting']['own']['decision'] or 'held'}",
            highlight=False,
        )

    def held_at_us() -> list[dict[str, Any]]:
        queue: list[dict[str, Any]] = us.call("officer", "GET", "/programs/vetting")["partners"]
        return queue

    wait("us to vet ca's applicants", lambda: bool(held_at_us()))
    (held,) = held_at_us()
    us.call("officer", "POST", f"/programs/vetting/{held['id']}/decision",
            json={"decision": "deny", "reason_codes": ["customs-violation"],
                  "note": "seizure at Champlain"})  # fmt: skip

    def status(label: str) -> str:
        return str(ca.call("officer", "GET",
                           f"/programs/applications/{references[label]}")["status"])  # fmt: skip

    wait("both countries' decisions", lambda: [status(k) for k in applicants] ==
         ["approved", "denied", "approved"])  # fmt: skip
    denied = ca.call("officer", "GET", f"/programs/applications/{references['flagged']}")
    console.print(f"  us vetted on its own records: {references['nexus']} approved; "
                  f"{references['flagged']} DENIED by us (reason code "
                  f"{denied['vetting']['partners']['us']['reason_codes'][0]}, nothing of its "
                  "records)", highlight=False)  # fmt: skip
    card = _enrol(ca, references["nexus"], faces.hopper(), (901, 902))
    console.print(f"  enrolled at {CENTRE}: NEXUS card {card} (face, two fingerprints, checked "
                  "against every member)", highlight=False)  # fmt: skip
    wait("us to hold ca's membership",
         lambda: any(m["card_number"] == card
                     for m in us.call("auditor", "GET", "/programs/memberships")))  # fmt: skip
    face_now = _b64(faces.another_capture(faces.hopper(), 6, 0.8, 0.8))
    at_us = us.call("analyst", "POST", "/programs/lane",
                    json={"card": card, "lane": "highway", "port": "Champlain",
                          "face": face_now})  # fmt: skip
    if at_us["decision"] != "admit":
        raise ScenarioError(f"us's lane did not admit the member: {at_us}")
    console.print(f"  us lane, Champlain: card {card} + a new photograph: ADMIT "
                  f"({at_us['checks'][3]['reason'].split(':')[0]})", highlight=False)  # fmt: skip
    _fast_lane(ca, console, references["fast"])
    us.call("officer", "POST", f"/programs/memberships/{card}/status",
            json={"action": "suspend",
                  "reasons": ["undeclared goods at Champlain (SYNTHETIC)"]})  # fmt: skip
    suspended_at = time.monotonic()

    def refused_at_ca() -> bool:
        answer = ca.call("analyst", "POST", "/programs/lane",
                         json={"card": card, "lane": "highway", "face": face_now})  # fmt: skip
        return bool(answer["decision"] == "refer")

    wait("ca's lane to refuse the suspended card", refused_at_ca)
    took = time.monotonic() - suspended_at
    console.print(f"  us SUSPENDED card {card}; ca's lane refers it {took:.1f} s after the "
                  "decision (the partner's notice applied)", highlight=False)  # fmt: skip


def _fast_lane(ca: NodeAccess, console: Console, reference: str) -> None:
    """The FAST driver carded, and at the commercial lane with an approved carrier and
    importer and a released shipment."""
    try:
        photo = faces.collins_jpeg()
    except RuntimeError as exc:  # a node installed without the development packages
        console.print(f"  FAST driver {reference} approved, not enrolled: {exc}", highlight=False)
        return
    driver = _enrol(ca, reference, photo, (911, 912))
    for party in ({"identifier": "LACO", "role": "carrier", "country": "CA",
                   "name": "Transport Lacolle (SYNTHETIC)", "program": "PIP"},
                  {"identifier": "IMP-0042", "role": "importer", "country": "US",
                   "name": "Maple Parts (SYNTHETIC)", "program": "C-TPAT"}):  # fmt: skip
        made = ca.call("officer", "POST", "/cargo/parties", json=party)
        ca.call("officer", "POST", f"/cargo/parties/{made['id']}/decision",
                json={"action": "approve", "reasons": ["validated (demo)"]})  # fmt: skip
    arrival = clock.now() + dt.timedelta(hours=2)
    report = {"reference": "LACO-TRIP-0001", "mode": "highway", "carrier": "LACO", "fast": True,
              "conveyance": {"name": "tractor", "id": "QC-L12345"}, "loading": "USPLB",
              "loading_at": (arrival - dt.timedelta(hours=3)).isoformat(), "arrival": "CALCO",
              "arrival_at": arrival.isoformat(),
              "bills": [{"number": "PARS-LACO-0001", "consignor": {
                  "name": "Plattsburgh Castings (SYNTHETIC)", "country": "US"},
                  "consignee": {"name": "Maple Parts (SYNTHETIC)", "country": "CA"},
                  "importer": {"name": "Maple Parts (SYNTHETIC)", "identifier": "IMP-0042"},
                  "goods": [{"description": "aluminium castings", "hs": "760421",
                             "packages": 12, "weight_kg": 9800}]}]}  # fmt: skip
    reported = ca.call("analyst", "POST", "/cargo/reports", json=report)
    if reported["shipments"][0]["status"] != "released":
        raise ScenarioError(f"the FAST shipment was not released: {reported}")
    truck = ca.call("analyst", "POST", "/programs/lane", json={
        "card": driver, "lane": "commercial", "port": "Lacolle",
        "face": _b64(faces.another_capture(photo, -5, 0.9, 1.1)),
        "carrier": "LACO", "importer": "IMP-0042",
        "shipment": "PARS-LACO-0001"})  # fmt: skip
    if truck["decision"] != "admit":
        raise ScenarioError(f"the FAST lane did not admit the driver: {truck['reasons']}")
    console.print(
        f"  FAST card {driver} at ca's commercial lane, Lacolle, carrier LACO (PIP), "
        "importer IMP-0042 (C-TPAT), shipment released: ADMIT",
        highlight=False,
    )
