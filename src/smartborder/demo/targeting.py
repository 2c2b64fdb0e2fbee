"""The demo's joint targeting scenario, through the nodes' real HTTP APIs while both serve.

When a node is seeded, two of the day's travellers get lookouts planted on them (``plant``):
the one the shipped joint model already rates highest on joint indicators gets a deny-boarding
lookout, another a refer-to-secondary one. Then, with both nodes up: ca loads and activates the
shipped model and proposes it to us; us co-signs and activates it; each node scores its flights
not yet arrived again (the model is now joint), its queue shows the planted travellers with the
lookout evidence and the indicators that fired, and the travellers over the joint threshold
cross to the partner's queue, marked with their provenance. ca asks board / no board for its
deny-boarding traveller, and us records a disposition on the traveller ca shared, which comes
back to ca's history.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.demo.exchange import NodeAccess, Scenario, ScenarioError, wait
from smartborder.demo.seed import SeedContext
from smartborder.screening import service as lookouts
from smartborder.screening.schemas import LookoutIn
from smartborder.synthetic.travel import day_of_traffic
from smartborder.travel.intake import models as m
from smartborder.travel.intake import service as travel
from smartborder.travel.riskmodels.document import RiskModel, load_model
from smartborder.travel.riskmodels.service import travellers_of_day

MODEL_FILE = "joint-api-pnr.yaml"
PLANTED = (  # (category, action) of the lookouts planted on the day's travellers
    ("terrorism", "deny-boarding"),
    ("serious-crime", "refer-secondary"),
)


def shipped_model() -> str:
    return (resources.files("smartborder.travel.riskmodels") / "shipped" / MODEL_FILE).read_text()


def plant(session: Session, node_id: str, day: dt.date) -> list[str]:
    """Lookouts on two of ``day``'s passengers, chosen by the shipped model's joint score (the
    highest first, so the first planted one crosses the share threshold); their names."""
    model = RiskModel(load_model(shipped_model(), MODEL_FILE), node_id)
    scored = []
    for _flight, record in travellers_of_day(session, day.isoformat()):
        if record.get("traveller.role") != "passenger" or not record.get("document.count"):
            continue
        joint = model.assess(record).joint_score
        scored.append((-joint, str(record["traveller.surname"]), str(record["_traveller"])))
    planted: list[str] = []
    for (category, action), (_, _, traveller_id) in zip(PLANTED, sorted(scored), strict=False):
        person = session.get(m.Traveller, traveller_id)
        if person is None:
            continue
        lookouts.create_lookout(
            session,
            LookoutIn.model_validate(
                {
                    "category": category,
                    "action": action,
                    "names": [{"name": f"{person.given_names} {person.surname}"}],
                    "birth_date": person.birth_date,
                    "sex": person.sex,
                    "nationalities": [person.nationality] if person.nationality else [],
                    "remarks": f"Demo: planted on a traveller of {day.isoformat()}.",
                    "source_reference": f"{node_id.upper()}-DEMO-TARGET-{len(planted) + 1}",
                }
            ),
            actor="demo",
            today=day,
        )
        planted.append(f"{person.surname}, {person.given_names}")
    return planted


def run_targeting(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    model_id = joint_model(ca, us, console)
    for node in (ca, us):
        scored = node.call("supervisor", "POST", "/travel/risk/rescore")
        queued = _queue(node, origin="local", open="false")
        console.print(
            f"{node.node_id} scored {scored['travellers']:,} travellers of {scored['flights']} "
            f"flights not yet arrived with the joint model: {len(queued)} in its queue, "
            f"{sum(bool(i['hits']) for i in queued)} with lookout hits, "
            f"{sum(bool(i['shared_with']) for i in queued)} shared with the partner"
        )
    for node, partner in ((ca, us), (us, ca)):
        _wait_shared(node, partner)
        _show_queue(node, console)
    _board_check(ca, console)
    _disposition_back(ca, us, console)
    console.print(f"joint model {model_id} in force on both nodes")


def _wait_shared(node: NodeAccess, partner: NodeAccess) -> None:
    wait(
        f"{node.node_id}'s high-risk traveller in {partner.node_id}'s queue",
        lambda: bool(_shared_by(partner, node.node_id)),
    )


def joint_model(
    ca: NodeAccess, us: NodeAccess, console: Console, text: str = "", file: str = MODEL_FILE
) -> str:
    """Load, activate and propose a shipped model (the travellers' by default) on ca; co-sign
    and activate it on us."""
    text = text or shipped_model()
    name = load_model(text, file).name
    held = ca.call("analyst", "GET", "/travel/risk/models")["items"]
    mine = next((r for r in held if r["name"] == name and not r["proposed_by"]), None)
    if mine is None:
        mine = ca.call(
            "supervisor",
            "POST",
            "/travel/risk/models",
            content=text.encode(),
            headers={"Content-Type": "application/yaml"},
        )
    if mine["status"] != "active":
        ca.call("supervisor", "POST", f"/travel/risk/models/{mine['id']}/activate")
    if not mine["joint"]:
        ca.call(
            "supervisor",
            "POST",
            f"/travel/risk/models/{mine['id']}/propose",
            json={"partner": us.node_id},
        )

        def proposed() -> dict[str, Any] | None:
            items = us.call("analyst", "GET", "/travel/risk/models")["items"]
            return next(
                (r for r in items if r["proposed_by"] == ca.node_id and r["name"] == name), None
            )

        wait("ca's model proposal on us", lambda: proposed() is not None)
        copy = proposed()
        assert copy is not None
        if not copy["joint"]:
            us.call("supervisor", "POST", f"/travel/risk/models/{copy['id']}/cosign")
        if copy["status"] != "active":
            us.call("supervisor", "POST", f"/travel/risk/models/{copy['id']}/activate")
        wait(
            "us's co-signature on ca",
            lambda: ca.call("analyst", "GET", f"/travel/risk/models/{mine['id']}")["joint"],
        )
    console.print(
        f"ca proposed risk model {name} v{mine['version']} ({mine['indicators']} indicators); "
        "us co-signed it: the model is joint, digests checked on both sides"
    )
    return str(mine["id"])


def _queue(node: NodeAccess, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = node.call(
        "analyst", "GET", "/travel/queue", params={"limit": 500, **params}
    )["items"]
    return items


def _shared_by(node: NodeAccess, partner: str) -> list[dict[str, Any]]:
    return _queue(node, origin=partner, open="false")


def _show_queue(node: NodeAccess, console: Console) -> None:
    """The high-severity local travellers, no-board and shared ones first, each explained."""
    items = _queue(node, origin="local", severity="high", open="false")
    if not any(i["hits"] for i in items):
        raise ScenarioError(f"{node.node_id}: no lookout hit in the queue")
    items.sort(key=lambda i: (i["decision"] != "no board", not i["shared_with"], i["departs"]))
    console.print(
        f"[bold]{node.node_id}'s targeting queue[/]: {len(items)} high-severity travellers; "
        "the first, with why:"
    )
    for item in items[:4]:
        detail = node.call("analyst", "GET", f"/travel/assessments/{item['id']}")
        shared = f", shared with {', '.join(item['shared_with'])}" if item["shared_with"] else ""
        console.print(
            f"  {item['traveller']['name']} ({item['traveller']['flight']} "
            f"{item['traveller']['route']}): [bold]{item['decision']}[/], score {item['score']} "
            f"(joint {item['joint_score']}){shared}",
            highlight=False,
        )
        for hit in detail["hits"]:
            evidence = ", ".join(
                f"{e['feature']} {e['level']}" for e in hit["evidence"] if e["weight"] > 0
            )
            names = "; ".join(hit["names"]) or "a document"
            console.print(
                f"    lookout {names} ({hit['category']}, {hit['action']}): score "
                f"{hit['score']:.2f} - {evidence}",
                highlight=False,
            )
        for indicator in detail["indicators"]:
            console.print(
                f"    +{indicator['weight']} {indicator['title']} ({indicator['scope']})",
                highlight=False,
            )


def _board_check(ca: NodeAccess, console: Console) -> None:
    denied = next(
        (i for i in _queue(ca, origin="local", open="false") if i["decision"] == "no board"), None
    )
    if denied is None:
        raise ScenarioError("ca: no traveller with a no-board decision")
    detail = ca.call("analyst", "GET", f"/travel/assessments/{denied['id']}")
    surname, _, given = detail["traveller"]["name"].partition(", ")
    flight = detail["flight"]
    body = {
        "traveller": {
            "surname": surname,
            "given_names": given,
            "birth_date": detail["traveller"]["birth_date"],
            "nationality": detail["traveller"]["nationality"],
        },
        "flight": {
            "carrier": flight["carrier"],
            "number": flight["number"],
            "origin": flight["origin"],
            "destination": flight["destination"],
            "date": flight["date"],
        },
    }
    answer = ca.call("analyst", "POST", "/travel/check", json=body)
    console.print(
        f"board / no board for {detail['traveller']['name']} on {flight['flight']}: "
        f"[bold]{answer['decision']}[/] — {'; '.join(answer['reasons'])}",
        highlight=False,
    )
    if answer["decision"] != "no board":
        raise ScenarioError(f"ca: expected no board, got {answer['decision']}")


def _disposition_back(ca: NodeAccess, us: NodeAccess, console: Console) -> None:
    shared = _shared_by(us, ca.node_id)[0]
    detail = us.call("analyst", "GET", f"/travel/assessments/{shared['id']}")
    if not detail["history"]:  # not yet worked (a demo run again on its data has)
        us.call(
            "analyst",
            "POST",
            f"/travel/assessments/{shared['id']}/dispositions",
            json={"status": "referred to secondary", "note": "Demo: us refers on arrival."},
        )
    console.print(
        f"us's queue holds {shared['traveller']['name']} shared by ca under {shared['agreement']} "
        f"(joint score {shared['joint_score']}, only the annex's fields); us referred them to "
        "secondary"
    )

    def came_back() -> bool:
        for item in _queue(ca, origin="local", open="false"):
            if item["traveller"]["name"] == shared["traveller"]["name"]:
                history = ca.call("analyst", "GET", f"/travel/assessments/{item['id']}")["history"]
                return any(h["origin"] == us.node_id for h in history)
        return False

    wait("us's disposition back on ca", came_back)
    console.print("us's disposition is in ca's history of that traveller")


DEMO_FLIGHTS = 12


def seed_traffic(session: Session, ctx: SeedContext) -> str:
    """A day of synthetic API/PNR traffic to and from the node's country, received through
    the same intake as ``smartborder travel ingest``."""
    now = clock.now()
    messages = day_of_traffic(
        now.date(), DEMO_FLIGHTS, seed=ctx.seed + ctx.node.seed_offset, country=ctx.node.country
    )
    states: dict[str, int] = {}
    for message in messages:
        with session.begin_nested():
            result = travel.receive(
                session, message.data, source=f"demo:{message.name}", actor="demo", now=now
            )
        states[result.state] = states.get(result.state, 0) + 1
    return f"{DEMO_FLIGHTS} flights, {len(messages)} API/PNR messages ({states})"


def seed_targets(session: Session, ctx: SeedContext) -> str:
    """Lookouts planted on two of the day's travellers, for the targeting scenario."""
    planted = plant(session, ctx.node.node_id, clock.now().date())
    return f"lookouts planted on {'; '.join(planted)}"
