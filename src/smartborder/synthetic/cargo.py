"""SYNTHETIC advance cargo: a port's day of containers, and labelled declaration sets for
measuring a shipment risk model.

Every name is made up and marked; ports are real UN/LOCODEs, HS codes real headings. Parties
recur as they do in trade (a few shippers and consignees send most of the boxes: a Zipf-like
draw), so screening a day screens far fewer names than it has parties.

The labelled set draws a hidden label first (about 3 % of shipments illicit), then each
feature with a probability that depends on the label, as published targeting studies describe
illicit shipments: vaguer descriptions, commodities of enforcement interest, transhipment,
importers nobody validated, late reports, weights that do not fit the packages, and (rarely) a
party under a lookout. No feature decides the label; a model can only be more or less right.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from smartborder.travel.intake.edifact import write

ORIGINS = ("CNSHA", "CNNGB", "CNYTN", "KRPUS", "JPTYO", "TWKHH", "VNSGN", "SGSIN", "HKHKG",
           "INNSA", "DEHAM", "NLRTM")  # fmt: skip
HUBS = ("SGSIN", "MYPKG", "LKCMB", "AEJEA", "PAPTY")  # transhipment hubs
DELIVERY = {"CA": ("CATOR", "CAMTR", "CAVAN", "CACAL"), "US": ("USCHI", "USDET", "USMSP")}
GOODS = (
    ("LED LAMPS AND LIGHTING FITTINGS", "940540"), ("CERAMIC TABLEWARE", "691110"),
    ("COTTON T-SHIRTS", "610910"), ("BICYCLE PARTS", "871499"), ("FURNITURE, WOODEN", "940360"),
    ("LITHIUM-ION BATTERIES", "850760"), ("PLASTIC TOYS", "950300"), ("FROZEN SHRIMP", "030617"),
    ("STEEL FASTENERS", "731815"), ("LAPTOP COMPUTERS", "847130"), ("FOOTWEAR, RUBBER", "640299"),
    ("AUTO BRAKE PADS", "870830"), ("SOLAR PANELS", "854143"), ("GREEN TEA", "090210"),
)  # fmt: skip
OF_INTEREST = (("SPORTING RIFLE PARTS", "930591"), ("FIREWORKS", "360410"),
               ("CIGARETTES", "240220"), ("INDUSTRIAL SOLVENT", "291411"))  # fmt: skip
VAGUE = ("FAK", "GENERAL CARGO", "SAID TO CONTAIN", "VARIOUS", "CONSOLIDATED CARGO")
_SYLLABLES = ("ming", "hua", "sun", "bright", "ocean", "star", "golden", "pacific", "east",
              "harbor", "maple", "north", "river", "delta", "summit", "crest")  # fmt: skip
_FORMS = ("TRADING CO LTD", "INDUSTRIAL CO", "IMPORTS INC", "SUPPLY LTD", "LOGISTICS LLC")


def _company(rng: random.Random) -> str:
    words = rng.sample(_SYLLABLES, 2)
    return f"{' '.join(w.upper() for w in words)} {rng.choice(_FORMS)} (SYNTHETIC)"


@dataclass
class Parties:
    """A pool of shippers and consignees that recur (Zipf-like)."""

    shippers: list[str]
    consignees: list[str]

    @classmethod
    def make(cls, rng: random.Random, size: int = 400) -> Parties:
        return cls([_company(rng) for _ in range(size)], [_company(rng) for _ in range(size)])

    def draw(self, rng: random.Random, pool: list[str]) -> str:
        return pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)]


def container_number(rng: random.Random) -> str:
    from smartborder.cargo.codes import container_check_digit

    first = (
        f"{rng.choice(('MSCU', 'MAEU', 'CMAU', 'HLXU', 'OOLU', 'TGHU'))}{rng.randrange(10**6):06d}"
    )
    return first + str(container_check_digit(first) % 10)


@dataclass
class Labelled:
    bill: dict[str, Any]
    illicit: bool
    late: bool


def bill(rng: random.Random, parties: Parties, n: int, *, country: str, illicit: bool = False,
         flagged_name: str | None = None) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """One bill of the JSON form, and whether it is reported late (drawn with the label)."""

    def p(bad: float, good: float) -> bool:
        return rng.random() < (bad if illicit else good)

    in_transit = rng.random() < 0.3
    destination = "US" if in_transit and country == "CA" else "CA" if in_transit else country
    goods_desc, hs = rng.choice(OF_INTEREST if p(0.3, 0.02) else GOODS)
    if p(0.4, 0.04):
        goods_desc = rng.choice(VAGUE)
    if p(0.15, 0.05):
        hs = ""
    packages = rng.randrange(20, 800)
    weight = packages * (rng.uniform(1100, 1500) if p(0.25, 0.01) else rng.uniform(2, 40))
    routing = [rng.choice(HUBS)] if p(0.5, 0.15) else []
    importer = ({"name": parties.draw(rng, parties.consignees), "identifier": f"IMP-{n % 97}"}
                if not p(0.5, 0.1) else None)  # fmt: skip
    shipper = (
        flagged_name if flagged_name and p(0.08, 0.0005) else parties.draw(rng, parties.shippers)
    )
    box = container_number(rng)
    made: dict[str, Any] = {
        "number": f"SB{n:010d}",
        "consignor": {"name": shipper, "country": "CN"},
        "consignee": {"name": parties.draw(rng, parties.consignees), "country": destination},
        "destination": rng.choice(DELIVERY[destination]), "destination_country": destination,
        "routing": [r[:2] for r in routing],
        "containers": [{"number": box, "seal": f"SL{n:07d}", "size": "45G1"}],
        "goods": [{"description": goods_desc, "hs": hs, "packages": packages,
                   "weight_kg": round(weight, 1), "container": box}],
    }  # fmt: skip
    if importer:
        made["importer"] = importer
    return made, p(0.3, 0.05)


def port_day(rng: random.Random, count: int, *, arrival: str = "CAVAN",
             arrival_at: dt.datetime, parties: Parties | None = None,
             flagged_name: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A port's day of vessel reports: ``count`` bills over a few vessels from Asian and
    European ports, loaded days before (each report made at the time given by the caller)."""
    parties = parties or Parties.make(rng)
    country = arrival[:2]
    reports: list[dict[str, Any]] = []
    per_vessel = max(1, count // 4)
    for v in range(0, count, per_vessel):
        origin = rng.choice(ORIGINS)
        bills = [bill(rng, parties, v + k, country=country, flagged_name=flagged_name)[0]
                 for k in range(min(per_vessel, count - v))]  # fmt: skip
        reports.append({
            "reference": f"VOY{v // per_vessel + 1:03d}-{arrival}", "mode": "marine",
            "carrier": rng.choice(("MAEU", "MSCU", "CMDU", "HLCU")),
            "conveyance": {"name": f"SYNTHETIC VESSEL {v // per_vessel + 1}",
                           "id": f"9{rng.randrange(10**6):06d}",
                           "voyage": f"{rng.randrange(100, 999)}E"},
            "loading": origin, "loading_at": (arrival_at - dt.timedelta(days=14)).isoformat(),
            "arrival": arrival, "arrival_at": arrival_at.isoformat(), "bills": bills,
        })  # fmt: skip
    return reports


def labelled(rng: random.Random, count: int, *, rate: float = 0.03,
             flagged_name: str | None = None) -> list[Labelled]:  # fmt: skip
    """``count`` bills with their hidden label (see the module's docstring)."""
    parties = Parties.make(rng)
    found = []
    for n in range(count):
        illicit = rng.random() < rate
        made, late = bill(rng, parties, n, country="CA", illicit=illicit,
                          flagged_name=flagged_name)  # fmt: skip
        found.append(Labelled(made, illicit, late))
    return found


def cuscar(report: dict[str, Any], n: int = 1) -> bytes:
    """The same report as a CUSCAR interchange (D.97B), as a carrier's system writes it."""
    stamp = dt.datetime.fromisoformat(report["loading_at"]).strftime("%Y%m%d%H%M")
    arrive = dt.datetime.fromisoformat(report["arrival_at"]).strftime("%Y%m%d%H%M")
    body: list[tuple[str, list[list[str]]]] = [
        ("UNH", [[str(n)], ["CUSCAR", "D", "97B", "UN"]]),
        ("BGM", [["85"], [report["reference"]], ["9"]]),
        ("TDT", [["20"], ["1E"], ["1"], [], [report["carrier"], "172", "20"], [], [],
                 ["9000001", "146", "11", "SYNTHETIC VESSEL"]]),
        ("LOC", [["9"], [report["loading"]]]), ("DTM", [["133", stamp, "203"]]),
        ("LOC", [["60"], [report["arrival"]]]), ("DTM", [["132", arrive, "203"]]),
    ]  # fmt: skip
    for k, b in enumerate(report["bills"], 1):
        box = b["containers"][0]
        body += [("EQD", [["CN"], [box["number"]], [box["size"]]]), ("SEL", [[box["seal"]]])]
        body += [("CNI", [[str(k)], [b["number"]]]), ("LOC", [["7"], [b["destination"]]])]
        for role, qualifier in (("consignor", "CZ"), ("consignee", "CN"), ("importer", "IM")):
            if role in b:
                p = b[role]
                body.append(("NAD", [[qualifier], [p.get("identifier", "")], [], [p["name"]],
                                     [], [], [], [], [p.get("country", "")]]))  # fmt: skip
        for g in b["goods"]:
            body += [("GID", [["1"], [str(g["packages"]), "CT"]]),
                     ("FTX", [["AAA"], [], [], [g["description"]]])]  # fmt: skip
            if g["hs"]:
                body.append(("PIA", [["5"], [g["hs"], "HS"]]))
            body += [("MEA", [["AAE"], ["G"], ["KGM", str(g["weight_kg"])]]),
                     ("SGP", [[g["container"]], [str(g["packages"])]])]  # fmt: skip
    body.append(("UNT", [[str(len(body) + 1)], [str(n)]]))
    segments = [("UNB", [["UNOC", "3"], ["MAEU", "ZZZ"], ["CBSA", "ZZZ"], ["261205", "0800"],
                         [f"B{n}"]]), *body, ("UNZ", [["1"], [f"B{n}"]])]  # fmt: skip
    return write(segments).encode()
