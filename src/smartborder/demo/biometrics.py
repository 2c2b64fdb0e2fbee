"""The demo's fingerprints: each node enrols synthetic people's prints (and holds a criminal
record for one of them), then ca's kiosk checks a traveller's capture against the template on
their card and searches its gallery, and ca sends two fingerprint searches to us under the
fingerprints annex (ANSI/NIST-ITL CAR transactions): one hits us's person with a record and
comes back with its summary, one hits no one and leaves nothing on us. All through the nodes'
real HTTP APIs.

The prints are SYNTHETIC (``synthetic.fingerprints``: no real person's print ships with the
project) and their subjects say so (``ca-SYNTH-003``).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.biometrics import nist, searches, service
from smartborder.biometrics.face import ALGORITHM as FACES
from smartborder.biometrics.face import DlibFace
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.biometrics.iris import DaugmanIris
from smartborder.demo.exchange import Scenario, ScenarioError, wait
from smartborder.demo.seed import SeedContext
from smartborder.synthetic import faces
from smartborder.synthetic.fingerprints import finger, png
from smartborder.synthetic.irises import eye

OWNERS = {
    "ca": "RCMP Canadian Criminal Real Time Identification Services",
    "us": "FBI Criminal Justice Information Services",
}
SCALE = 2000  # synthetic embeddings per node, for scale (the bench goes to a million)
RECORDED = 1  # the person on each node who holds a criminal record
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
        service.enrol_template(session, galleries, subject(ctx.node.node_id, n), made,
                            actor="demo")  # fmt: skip
    owner = OWNERS.get(ctx.node.node_id, "agency")
    searches.add_record(
        session, subject=subject(ctx.node.node_id, RECORDED), owner=f"{owner} (SYNTHETIC)",
        reference=f"{ctx.node.node_id.upper()}-SYNTH-{ctx.seed % 100000:05d}",
        name="SYNTHETIC, PERSON ONE", birth_date=None,
        charges=[{"offence": "Fraud over $5,000", "date": "2019-05-02"},
                 {"offence": "Uttering a forged document", "date": "2019-05-02"}],
        dispositions=[{"outcome": "Convicted; 18 months' probation", "date": "2020-01-15"}],
        actor="demo", now=clock.now(),
    )  # fmt: skip
    eyes = DaugmanIris()
    for n in range(PEOPLE):
        made = eyes.extract(png(eye(_seed(ctx.seed, ctx.node.seed_offset, n)).capture(0)),
                            f"synthetic eye {n}")  # fmt: skip
        service.enrol_template(session, galleries, subject(ctx.node.node_id, n), made,
                               actor="demo")  # fmt: skip
    # a real face: the portrait matplotlib ships (Grace Hopper), as a sample
    sample = DlibFace().extract(portrait(), "grace_hopper.jpg")
    service.enrol_template(session, galleries, f"{ctx.node.node_id}-SAMPLE-001", sample,
                           actor="demo")  # fmt: skip
    # for scale: SYNTHETIC embeddings drawn around one centroid per made-up person, in the
    # face gallery (far from any real face: they never match one), marked -SCALE-
    rng = np.random.default_rng(ctx.seed + ctx.node.seed_offset)
    centroids = rng.normal(size=(SCALE, 128)).astype(np.float32)
    centroids *= 0.5 / np.linalg.norm(centroids, axis=1, keepdims=True)
    drawn = centroids + rng.normal(scale=0.15 / np.sqrt(128), size=centroids.shape)
    for n, values in enumerate(drawn.astype(np.float32)):
        service.enrol(session, galleries, FACES, f"{ctx.node.node_id}-SCALE-{n:05d}",
                      values)  # fmt: skip
    return (
        f"{PEOPLE} synthetic people's fingerprints and irises enrolled, one with a criminal "
        f"record; a real sample face; {SCALE:,} SYNTHETIC embeddings (scale)"
    )


def portrait() -> bytes:
    """The real portrait matplotlib ships (Grace Hopper): the demo's sample face."""
    return faces.hopper()


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


def _search(run: Scenario, person_seed: int, tcn: str) -> dict[str, Any]:
    """ca's officer sends us a tenprint search of the person grown from ``person_seed``."""
    person = finger(person_seed, side=SIDE)
    transaction = nist.write(
        tot="CAR", dai="USFBI0000", ori="CARCMP000", tcn=tcn,
        fingers=[nist.Finger(2, png(person.impression(3, quality=0.8)))],
        subject={"reason": "Arrest; identity to be confirmed"},
    )  # fmt: skip
    sent: dict[str, Any] = run.ca.call(
        "officer", "POST", "/biometrics/partner-searches",
        files={"transaction": (f"{tcn}.eft", transaction)},
        data={"partner": run.us.node_id, "reason": "Identity check after arrest (demo)"},
    )  # fmt: skip
    return sent


def run_fingerprint_exchange(run: Scenario) -> None:
    ca, us, console = run.ca, run.us, run.console
    known = _search(run, _seed(run.seed, 1, RECORDED), "DEMO-HIT")  # us's person with a record
    stranger = _search(run, _seed(run.seed, 9, 1), "DEMO-MISS")  # enrolled nowhere

    def answer(sent: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = ca.call(
            "officer", "GET", f"/biometrics/partner-searches/{sent['id']}"
        )
        return found

    wait("us to answer ca's fingerprint searches",
         lambda: all(answer(s)["state"] == "answered" for s in (known, stranger)))  # fmt: skip
    hit, miss = answer(known), answer(stranger)
    received = us.call("officer", "GET", "/biometrics/partner-searches", params={"direction": "in"})
    gone: dict[str, Any] = next(
        (r for r in received["items"] if r["reference"] == miss["reference"]), {}
    )
    record = hit["answer"].get("record")
    if hit["result"] != "hit" or not record or miss["result"] != "no hit":
        raise ScenarioError(f"the fingerprint searches were answered wrongly: {hit} {miss}")
    if gone.get("query_held", True) or gone.get("reason"):
        raise ScenarioError(f"us kept something of the search that found no one: {gone}")
    charges = "; ".join(f"{c['offence']} ({c['date']})" for c in record["charges"])
    console.print(
        f"ca → us fingerprint search (CAR, ANSI/NIST-ITL): HIT, record {record['reference']} "
        f"held by {record['owner']}: {charges}"
    )
    console.print(
        "ca → us fingerprint search of a stranger: NO HIT; us kept neither the transaction nor "
        "the reason (only the reference and the outcome)"
    )


def run_irises_and_faces(run: Scenario) -> None:
    """ca's kiosk searches its irises with a new capture of a traveller's eye, and checks a
    face against a passport photograph (the real one that ships with matplotlib)."""
    ca, console = run.ca, run.console
    capture = png(eye(_seed(run.seed, 0, 3)).capture(7, quality=0.8))  # ca's person 3
    found = ca.call("officer", "POST", "/biometrics/iris/searches",
                    files={"sample": ("kiosk-eye.png", capture)})  # fmt: skip
    best = found["candidates"][0] if found["candidates"] else None
    if not best or best["subject"] != subject("ca", 3) or not best["match"]:
        raise ScenarioError(f"the iris search did not find whom it should: {found}")
    point = found["operating_point"]
    console.print(
        f"ca iris search ({found['searched']} eyes): {best['subject']} (1 - Hamming distance "
        f"{best['score']:.3f}, threshold {point['threshold']:.3f} at FMR {point['fmr']:.4%}, "
        "measured on synthetic eyes)"
    )
    photo = portrait()
    image = Image.open(io.BytesIO(photo)).convert("RGB").rotate(5)  # another "capture"
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4))
    later = io.BytesIO()
    image.save(later, format="JPEG", quality=60)
    checked = ca.call(
        "officer", "POST", "/biometrics/face/verify",
        files={"probe": ("kiosk.jpg", later.getvalue()), "reference": ("passport.jpg", photo)},
    )  # fmt: skip
    if not checked["match"]:
        raise ScenarioError(f"the face check did not match the same face: {checked}")
    point = checked["operating_point"]
    console.print(
        f"ca face check (a real photograph, matplotlib's Grace Hopper, against a synthetic "
        f"alteration of it): MATCH, distance {checked['score']:.3f}, threshold "
        f"{point['threshold']:.3f} at FMR {point['fmr']:.4%} (measured on real LFW faces)"
    )
    found = ca.call("officer", "POST", "/biometrics/face/searches",
                    files={"sample": ("kiosk.jpg", later.getvalue())})  # fmt: skip
    best = found["candidates"][0] if found["candidates"] else None
    if not best or best["subject"] != "ca-SAMPLE-001" or not best["match"]:
        raise ScenarioError(f"the face search did not find the sample face: {found}")
    console.print(
        f"ca face search ({found['searched']:,} templates: the sample face and SYNTHETIC "
        f"embeddings for scale): {best['subject']} at distance {best['score']:.3f}"
    )
