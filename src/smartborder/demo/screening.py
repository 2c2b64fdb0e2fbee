"""The demo's lookout scenario, through the nodes' real HTTP APIs while both are serving.

Each node seeded its lookouts with a share of them marked for the partner; once the lookout
annex is in force they flow both ways. ca retracts one of its shared lookouts and us sees the
retraction; then ca screens a batch of arriving travellers — synthetic ones and a few who match
lookouts — and prints the hits, partner-provided ones marked, with the evidence for each.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.demo.exchange import NodeAccess, Scenario, ScenarioError, wait
from smartborder.demo.seed import SeedContext
from smartborder.screening import seed as lookout_seed
from smartborder.synthetic.lookouts import LookoutGenerator

MENDOZA = "Carlos Eduardo Mendoza Ruiz"  # ca shares it, then retracts it
PLANTED_TRAVELLERS: list[dict[str, Any]] = [
    # us's specified person, romanised another way, year of birth only on the manifest
    {"reference": "AC-0871/14", "names": ["AL RASHID MOHAMED ABDULLA"], "birth_date": "1983"},
    # a passport us reported stolen
    {"reference": "AC-0871/27", "names": ["Jennifer Walsh"], "documents": ["X4477120"]},
    # ca's own lookout, Cyrillic on file, Latin on the passport
    {"reference": "AC-0871/33", "names": ["VOLKOV DMITRIY"], "birth_date": "1976-11-03"},
]


def _find(node: NodeAccess, query: str, origin: str) -> dict[str, Any] | None:
    page = node.call("analyst", "GET", "/screening/lookouts", params={"q": query, "origin": origin})
    items: list[dict[str, Any]] = page["items"]
    return items[0] if items else None


def _partner_total(node: NodeAccess, partner: str) -> int:
    page = node.call(
        "analyst", "GET", "/screening/lookouts", params={"origin": partner, "limit": 1}
    )
    return int(page["total"])


def run_screening(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    seed = run.seed
    wait(
        "us's shared lookouts on ca",
        lambda: _find(ca, "Mohammed Abdullah Al-Rashid", "us") is not None,
    )
    wait("ca's shared lookouts on us", lambda: _find(us, "Dmitrii Volkov", "ca") is not None)
    for node, partner in ((ca, us), (us, ca)):
        console.print(
            f"{node.node_id} holds {_partner_total(node, partner.node_id)} lookouts shared by "
            f"{partner.node_id} (partner-provided, read-only, screened like its own)"
        )
    _retraction(ca, us, console)
    _screen_batch(ca, console, seed)


def _retraction(ca: NodeAccess, us: NodeAccess, console: Console) -> None:
    own = _find(ca, MENDOZA, "local")
    if own is None:
        raise ScenarioError("ca's demo lookout CA-DEMO-LOOKOUT-2 is missing")
    if own["state"] == "active":
        ca.call(
            "analyst",
            "POST",
            f"/screening/lookouts/{own['id']}/retract",
            json={"reason": "Demo: subject's status regularised"},
        )

    def retracted_on_us() -> bool:
        copy = _find(us, MENDOZA, "ca")
        return copy is not None and copy["state"] == "retracted"

    wait("the retraction to reach us", retracted_on_us)
    console.print("ca retracted lookout CA-DEMO-LOOKOUT-2; us's copy is retracted too")


def _screen_batch(ca: NodeAccess, console: Console, seed: int) -> None:
    generator = LookoutGenerator(seed + 7919)  # people no node has a lookout for
    travellers = [
        {
            "reference": f"AC-0871/{n + 40}",
            "names": [person.names[-1]],
            "birth_date": person.birth,
            "sex": person.sex,
            "nationalities": [person.nationality],
        }
        for n, person in enumerate(generator.lookouts(197))
    ]
    batch = PLANTED_TRAVELLERS + travellers
    started = time.perf_counter()
    answer = ca.call("analyst", "POST", "/screening/batch", json={"subjects": batch, "limit": 3})
    elapsed = time.perf_counter() - started
    table = Table(
        "traveller",
        "name on manifest",
        "lookout",
        "origin",
        "score",
        "evidence",
        title=f"ca screened flight AC 871's {len(batch)} travellers in {elapsed * 1000:.0f} ms",
        title_justify="left",
    )
    partner_hits = 0
    for subject, result in zip(batch, answer["results"], strict=True):
        for hit in result["hits"]:
            partner = hit["origin"] != "local"
            partner_hits += partner
            evidence = ", ".join(
                f"{e['feature']} {e['level']} ({e['weight']:+.1f})"
                for e in hit["evidence"]
                if e["weight"]
            )
            table.add_row(
                result["reference"],
                "; ".join(str(x) for x in (subject.get("names") or subject.get("documents") or [])),
                f"{'; '.join(hit['names']) or hit['category']} — {hit['action']}",
                f"partner: {hit['origin']}" if partner else "local",
                f"{hit['score']:.2f}",
                evidence,
            )
    console.print(table)
    if partner_hits < 2:
        raise ScenarioError(f"expected hits on us's shared lookouts; got {partner_hits}")


def seed_lookouts(session: Session, ctx: SeedContext) -> str:
    created, shared = lookout_seed.seed_lookouts(
        session,
        node_id=ctx.node.node_id,
        seed=ctx.seed + ctx.node.seed_offset,
        count=ctx.lookouts,
        today=clock.now().date(),
    )
    return f"{created} lookouts ({shared} to share)"
