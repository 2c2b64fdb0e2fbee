"""The demo's asylum claims: each node holds claims of SYNTHETIC claimants (``synthetic.people``),
some of whom claimed in both countries (forum shoppers planted in the data). Those who claimed in
Canada before the Asylum Annex was in force were never compared at intake: reconciliation finds
them. Then, through ca's real HTTP API, an asylum officer records new claims: a forum shopper
the systematic comparison catches (us answers hit with the permitted facts, and the prior claim
makes the claim ineligible), and claims that end in an exception, in the Agreement not
applying, and undetermined until the officer answers what the rules still need.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.asylum import claims
from smartborder.demo.exchange import Scenario, ScenarioError, wait
from smartborder.demo.seed import SeedContext
from smartborder.identity.schemas import PersonIn
from smartborder.synthetic.claimants import as_recorded_elsewhere, claim_of
from smartborder.synthetic.people import PeopleGenerator

HELD = 40  # claims each node holds before the demo
SHOPPERS = 5  # us's claimants who also claim in Canada: the first is caught at intake
MISSED = (2, 3, 4)  # those who claimed in Canada before the annex: reconciliation finds them
FORMER_OFFICER = "demo:intake-2025"


def _people(seed: int, node: str) -> list[PersonIn]:
    return list(PeopleGenerator(seed * 10 + (1 if node == "us" else 2), node.upper())
                .people(HELD))  # fmt: skip


def seed_claims(session: Session, ctx: SeedContext) -> str:
    node = ctx.node.node_id
    today = clock.today()
    recorded = 0
    for n, person in enumerate(_people(ctx.seed, node)):
        day = today - dt.timedelta(days=400 - n * 7)
        status = "rejected" if node == "us" and n < SHOPPERS else "open"
        claims.create(session, claim_of(person, f"{node.upper()}-DEMO-{n:03d}", day,
                                      status=status), actor="demo", now=clock.now(),
                      country=ctx.node.country)  # fmt: skip
        recorded += 1
    if node == "ca":  # us's forum shoppers who claimed here before the annex
        shoppers = _people(ctx.seed, "us")
        for n in MISSED:
            day = today - dt.timedelta(days=90 - n)
            elsewhere = as_recorded_elsewhere(shoppers[n], ctx.seed + n)
            claims.create(session, claim_of(elsewhere, f"CA-DEMO-9{n:02d}", day),
                          actor=FORMER_OFFICER, now=clock.now(), country="CA")  # fmt: skip
            recorded += 1
    return f"{recorded} synthetic asylum claims"


def run_asylum(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    today = clock.today()
    # us's rejected claimant, now in Canada
    shopper = as_recorded_elsewhere(_people(run.seed, "us")[0], run.seed + 1)
    newcomers = PeopleGenerator(run.seed * 10 + 5, "CA").people(4)
    land = {"came_from": "US", "arrival": "land-port", "death_penalty_charge": False,
            "stateless": False, "documents": [], "visa_exempt_canada": False,
            "needs_us_visa": True, "refused_entry_us_without_adjudication": False,
            "canadian_pr_ordered_removed_from_us": False}  # fmt: skip
    cases = [
        ("forum shopper", claim_of(shopper, "CA-DEMO-100", today, location="Lacolle land port",
                                 nationalities=["SY"], relatives=[], **land)),
        ("sister in Canada", claim_of(next(newcomers), "CA-DEMO-101", today,
                                    location="Lacolle land port", nationalities=["HT"],
                                    relatives=[{"relationship": "sister", "age": 34,
                                                "in_country": True, "status": "citizen"}],
                                    **land)),
        ("airport", claim_of(next(newcomers), "CA-DEMO-102", today, location="Toronto Pearson",
                           came_from="US", arrival="airport", in_transit=False,
                           ordered_removed_from_us=False, death_penalty_charge=False,
                           nationalities=["CO"])),
        ("facts missing", claim_of(next(newcomers), "CA-DEMO-103", today,
                                 location="Emerson land port", came_from="US",
                                 arrival="land-port", nationalities=["NG"])),
        ("persecution in the US", claim_of(next(newcomers), "CA-DEMO-104", today,
                                         location="Lacolle land port", persecution_in=["US"],
                                         nationalities=["SV"], relatives=[], **land)),
    ]  # fmt: skip
    recorded: dict[str, dict[str, Any]] = {}
    for label, body in cases:
        made = ca.call("asylum", "POST", "/asylum/claims", json=body.model_dump(mode="json"))
        recorded[label] = made
        determination = made["claim"]["determination"]
        partners = ", ".join(c["partner"] for c in made["comparisons"])
        why_not = "; ".join(made["not_compared"])
        sent = f"compared with {partners}" if partners else f"not compared ({why_not})"
        console.print(f"ca claim {made['claim']['reference']} ({label}): "
                      f"{determination['outcome']}; {sent}", highlight=False)  # fmt: skip

    def answered() -> bool:
        found = ca.call("asylum", "GET", "/asylum/comparisons", params={"direction": "out"})
        return all(c["state"] == "answered" for c in found)

    wait("us to answer ca's claimant comparisons", answered)
    shopper_id = recorded["forum shopper"]["claim"]["id"]
    detail = ca.call("asylum", "GET", f"/asylum/claims/{shopper_id}")
    claim = detail["claim"]
    if not claim["partner_claims"] or claim["determination"]["outcome"] != "ineligible":
        raise ScenarioError(f"the forum shopper was not caught at intake: {claim}")
    prior = claim["partner_claims"][0]
    step = claim["determination"]["steps"][0]
    console.print(
        f"  us answered HIT: prior claim {prior['reference']} made {prior['date']} at "
        f"{prior['location']}, {prior['status']} (matched on {', '.join(prior['matched_on'])}); "
        f"{step['cite']}: {claim['determination']['outcome']}", highlight=False,
    )  # fmt: skip
    others = [recorded[k]["claim"]["id"] for k in ("sister in Canada", "airport")]
    for claim_id in others:
        found = ca.call("asylum", "GET", f"/asylum/claims/{claim_id}")["comparisons"]
        if [c["result"] for c in found] != ["no hit"]:
            raise ScenarioError(f"a claimant us never saw did not get no hit: {found}")
    console.print("  the others: NO HIT; us kept nothing of them (only the reference and result)")
    # the officer answers what the rules still need
    waiting = recorded["facts missing"]["claim"]
    asked = [m["fact"] for m in waiting["determination"]["missing"]]
    changed = ca.call("asylum", "PATCH", f"/asylum/claims/{waiting['id']}", json={
        "reason": "interview at Emerson", "facts": {
            "death_penalty_charge": False, "stateless": False, "relatives": [],
            "documents": [], "visa_exempt_canada": False, "needs_us_visa": True,
            "refused_entry_us_without_adjudication": False,
            "canadian_pr_ordered_removed_from_us": False,
            "accompanied_by_parent_or_guardian": True, "has_spouse": False,
            "parent_or_guardian_in_canada_or_us": True}})  # fmt: skip
    console.print(f"  {waiting['reference']}: the rules asked {len(asked)} question(s) "
                  f"({', '.join(asked[:4])}…); answered: "
                  f"{changed['claim']['determination']['outcome']}", highlight=False)  # fmt: skip
    # reconciliation: us's export linked with ca's claimants
    export = us.call("asylum", "GET", "/asylum/claimants-export")
    report = ca.call("asylum", "POST", "/asylum/reconciliations",
                     json={"partner": "us", "records": export["records"]})  # fmt: skip
    missed = [p for p in report["pairs"] if not p["known"]]
    planted = {f"CA-DEMO-9{n:02d}" for n in MISSED}
    if not planted <= {p["ours"] for p in missed}:
        raise ScenarioError(f"reconciliation missed the planted forum shoppers: {report}")
    console.print(
        f"reconciliation (Splink, {report['records'][0]} x {report['records'][1]} claimants): "
        f"{report['pairs_found']} pair(s), expected precision {report['expected_precision']}; "
        f"missed at intake: " + ", ".join(f"{p['ours']} = us {p['theirs']} (weight "
                                          f"{p['match_weight']})" for p in missed),
        highlight=False,
    )  # fmt: skip
