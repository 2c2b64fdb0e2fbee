"""The demo's fingerprints: each node enrols synthetic people's prints, then ca's kiosk checks a
traveller's capture against the template on their card and searches its gallery, through the
node's real HTTP API.

The prints are SYNTHETIC (``synthetic.fingerprints``: no real person's print ships with the
project) and their subjects say so (``ca-SYNTH-003``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartborder.biometrics import service
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.demo.exchange import Scenario, ScenarioError
from smartborder.demo.seed import SeedContext
from smartborder.synthetic.fingerprints import finger, png

PEOPLE = 6  # enrolled per node: BOZORTH3 searches every print, and the demo stays brisk
SIDE = 288  # pixels: a plain impression's width at 500 ppi, a little under the usual 320


def _seed(base: int, offset: int, n: int) -> int:
    return base * 1000 + offset * 100 + n


def subject(node_id: str, n: int) -> str:
    return f"{node_id}-SYNTH-{n:03d}"


def seed_prints(session: Session, ctx: SeedContext) -> str:
    matcher = NbisFingerprint()
    galleries = service.Biometrics()
    for n in range(PEOPLE):
        person = finger(_seed(ctx.seed, ctx.node.seed_offset, n), side=SIDE)
        made = matcher.extract(png(person.impression(0)), f"synthetic print {n}")
        service.enrol_print(session, galleries, subject(ctx.node.node_id, n), made,
                            actor="demo")  # fmt: skip
    return f"{PEOPLE} synthetic people's fingerprints enrolled"


def run_fingerprints(run: Scenario) -> None:
    ca, console = run.ca, run.console
    traveller = finger(_seed(run.seed, 0, 2), side=SIDE)  # ca's enrolled person 2
    card = NbisFingerprint().extract(png(traveller.impression(0)), "card").data
    capture = png(traveller.impression(1, quality=0.7))  # at the kiosk: another capture
    checked = ca.call(
        "officer", "POST", "/biometrics/fingerprint/verify",
        files={"probe": ("kiosk.png", capture), "reference": ("card.iso", card)},
    )  # fmt: skip
    point = checked["operating_point"]
    console.print(
        f"ca kiosk: capture against the card's template: "
        f"{'MATCH' if checked['match'] else 'NO MATCH'} (BOZORTH3 {checked['score']:g}, "
        f"threshold {point['threshold']:g} at FMR {point['fmr']:.4%}, measured on synthetic "
        f"prints)"
    )
    found = ca.call("officer", "POST", "/biometrics/fingerprint/searches",
                    files={"sample": ("kiosk.png", capture)})  # fmt: skip
    best = found["candidates"][0] if found["candidates"] else None
    stranger = finger(_seed(run.seed, 9, 0), side=SIDE)  # enrolled nowhere
    nobody = ca.call("officer", "POST", "/biometrics/fingerprint/searches",
                     files={"sample": ("kiosk.png", png(stranger.impression(1)))})  # fmt: skip
    matched = [c["subject"] for c in nobody["candidates"] if c["match"]]
    if not checked["match"] or not best or best["subject"] != subject("ca", 2) or matched:
        raise ScenarioError(f"the fingerprint checks did not find whom they should: {found}")
    console.print(
        f"ca gallery search ({found['searched']} prints): best {best['subject']} "
        f"(score {best['score']:g}, {'a match' if best['match'] else 'no match'}); a "
        f"stranger's print matches no one"
    )
