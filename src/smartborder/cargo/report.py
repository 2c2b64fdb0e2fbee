"""An advance cargo report as understood, whichever form it came in (the documented JSON form
or UN/EDIFACT CUSCAR), and the checks every report gets.

A report is one conveyance's movement (mode, carrier, conveyance, loading and arrival) and the
bills it carries: master, house or simple bills, each with its parties (consignor, consignee,
notify party, importer, forwarder), routing, final destination, containers and goods. Every
value remembers where it was read (a JSON path, or a segment with its line), so each problem is
said where it is.

The checks are the same for both forms; a problem a report can be stored despite is a
*warning* (kept with the shipment, listed with the report), one it cannot is an *error* (the
report is quarantined, nothing of it stored); ``strict`` makes every warning an error:

- the mode, the carrier, the arrival (place and time) and, for marine, the loading time are
  needed to judge the deadline: errors;
- each bill needs its number, a house bill its master, and goods with a description;
- container numbers (ISO 6346 check digit) and HS codes (structure, chapter) that fail: warnings
  with the rule, so a typo does not lose a shipment; strict: errors;
- a missing consignor or consignee, an unknown country, a place that is not a UN/LOCODE, an
  in-transit flag contradicting the destination: warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from smartborder.cargo.codes import (
    container,
    container_problem,
    country_known,
    hs_problem,
    place_problem,
)
from smartborder.travel.intake.edifact import Problem, Report, Segment

Mode = Literal["marine", "air", "rail", "highway"]
MODES: tuple[str, ...] = ("marine", "air", "rail", "highway")
PARTY_ROLES = ("consignor", "consignee", "notify", "importer", "forwarder")
Function = Literal["original", "amendment", "cancellation"]


@dataclass(slots=True)
class Where:
    """Where a value was read: a JSON path (``bills[0].containers[1].number``), or a segment
    and an element of it."""

    path: str = ""
    seg: Segment | None = None
    element: str | None = None


@dataclass(slots=True)
class PartyRef:
    name: str = ""
    address: str = ""
    country: str = ""
    identifier: str = ""
    where: Where = field(default_factory=Where)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "address": self.address, "country": self.country,
                "identifier": self.identifier}  # fmt: skip


@dataclass(slots=True)
class Equipment:
    number: str
    seal: str = ""
    size: str = ""
    where: Where = field(default_factory=Where)


@dataclass(slots=True)
class Item:
    description: str = ""
    hs: str = ""
    packages: int | None = None
    weight_kg: float | None = None
    container: str = ""
    where: Where = field(default_factory=Where)
    hs_where: Where = field(default_factory=Where)


@dataclass(slots=True)
class Bill:
    number: str = ""
    kind: str = "simple"  # master | house | simple
    master: str = ""
    parties: dict[str, PartyRef] = field(default_factory=dict)
    destination_place: str = ""
    destination_country: str = ""
    routing: list[str] = field(default_factory=list)
    in_transit: bool | None = None  # as the sender said it; None when not said
    containers: list[Equipment] = field(default_factory=list)
    goods: list[Item] = field(default_factory=list)
    where: Where = field(default_factory=Where)


@dataclass(slots=True)
class CargoMessage:
    reference: str = ""
    function: Function = "original"
    carrier: str = ""
    mode: str = ""
    fast: bool = False
    conveyance: dict[str, str] = field(default_factory=dict)
    loading_place: str = ""
    loading_at: dt.datetime | None = None
    arrival_place: str = ""
    arrival_at: dt.datetime | None = None
    bills: list[Bill] = field(default_factory=list)
    where: Where = field(default_factory=Where)
    mode_where: Where | None = None  # where the mode was read, when not at ``where``
    label: str = ""  # how problems name the message: its reference, or #n


class Sink:
    """Problems of one report, each located by a ``Where``."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.bill: str | None = None  # the bill being checked: its problems are kept with it
        self.by_bill: dict[str, list[Problem]] = {}

    def _add(self, severity: str, text: str, where: Where, message: str | None) -> None:
        seg = where.seg
        problem = Problem(
            "error" if severity == "error" or self.report.strict else "warning", text,
            message=message, position=seg.position if seg else None,
            tag=seg.tag if seg else None, element=where.element or where.path or None,
            line=seg.line if seg else None)  # fmt: skip
        self.report.add(problem)
        if self.bill is not None:
            self.by_bill.setdefault(self.bill, []).append(problem)

    def error(self, text: str, where: Where, message: str | None = None) -> None:
        self._add("error", text, where, message)

    def warn(self, text: str, where: Where, message: str | None = None) -> None:
        self._add("warning", text, where, message)


def check(msg: CargoMessage, sink: Sink, country: str) -> None:
    """Every check of a report (see the module's docstring); ``country`` is this node's."""
    label = msg.label or msg.reference or None
    if msg.mode not in MODES:
        sink.error(f"mode '{msg.mode}' is not one of {', '.join(MODES)} (in CUSCAR: 1 sea, "
                   "2 rail, 3 road, 4 air)", msg.mode_where or msg.where, label)  # fmt: skip
    if not msg.carrier:
        sink.error("the carrier code is missing", msg.where, label)
    for name, place in (("loading", msg.loading_place), ("arrival", msg.arrival_place)):
        if not place:
            sink.error(f"the place of {name} is missing", msg.where, label)
        elif (problem := place_problem(place)) is not None:
            sink.warn(f"place of {name}: {problem}", msg.where, label)
    if msg.arrival_at is None:
        sink.error("the arrival time is missing: the deadline cannot be judged", msg.where, label)
    if msg.mode == "marine" and msg.loading_at is None:
        sink.error("a marine report needs the loading time: its deadline is 24 h before "
                   "loading", msg.where, label)  # fmt: skip
    if msg.arrival_place[:2].upper() not in ("", country):
        sink.warn(f"arrives at {msg.arrival_place}, not in {country}: reported to the wrong "
                  "country?", msg.where, label)  # fmt: skip
    if msg.function != "cancellation" and not msg.bills:
        sink.error("the report carries no bill", msg.where, label)
    seen: set[str] = set()
    for bill in msg.bills:
        sink.bill = bill.number
        _check_bill(bill, sink, country, label, seen)
    sink.bill = None


def _check_bill(bill: Bill, sink: Sink, country: str, label: str | None, seen: set[str]) -> None:
    at = bill.where
    if not bill.number:
        sink.error("a bill without its number", at, label)
        return
    if bill.number in seen:
        sink.error(f"bill {bill.number} is reported twice in the report", at, label)
    seen.add(bill.number)
    if bill.kind == "house" and not bill.master:
        sink.error(f"house bill {bill.number} does not name its master bill", at, label)
    for role in ("consignor", "consignee"):
        if not bill.parties.get(role) or not bill.parties[role].name:
            sink.warn(f"bill {bill.number}: the {role} is missing", at, label)
    for role, party in bill.parties.items():
        if party.country and not country_known(party.country):
            sink.warn(f"bill {bill.number}: the {role}'s country '{party.country}' is not an "
                      "ISO 3166 code", party.where, label)  # fmt: skip
    if bill.destination_country and not country_known(bill.destination_country):
        sink.warn(f"bill {bill.number}: destination country '{bill.destination_country}' is "
                  "not an ISO 3166 code", at, label)  # fmt: skip
    transit = bool(bill.destination_country) and bill.destination_country != country
    if bill.in_transit is not None and bill.destination_country and bill.in_transit != transit:
        said = "in transit" if bill.in_transit else "not in transit"
        sink.warn(f"bill {bill.number}: marked {said} but destined to "
                  f"{bill.destination_country}", at, label)  # fmt: skip
    for box in bill.containers:
        problem = container_problem(box.number)
        if problem is not None:
            sink.warn(f"bill {bill.number}: container {problem} (ISO 6346)", box.where, label)
        else:
            box.number = container(box.number)
    if not bill.goods:
        sink.error(f"bill {bill.number} describes no goods", at, label)
    for item in bill.goods:
        if not item.description.strip():
            sink.error(f"bill {bill.number}: a goods item without a description", item.where,
                       label)  # fmt: skip
        if item.hs and (problem := hs_problem(item.hs)) is not None:
            sink.warn(f"bill {bill.number}: HS code {problem}", item.hs_where, label)
        elif item.hs:
            item.hs = "".join(ch for ch in item.hs if ch.isdigit())


# -- deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    at: dt.datetime | None
    rule: str


def deadline(msg: CargoMessage, country: str) -> Deadline:
    """When the report was due, and the rule that says so (the node's ``country`` receives it):
    marine 24 h before loading at the foreign port; air 4 h before arrival, or at departure
    (wheels up) for a flight shorter than that; rail 2 h before arrival at the border; highway
    1 h before arrival, 30 minutes for a FAST carrier arriving in the United States."""
    hour = dt.timedelta(hours=1)
    if msg.mode == "marine":
        due = msg.loading_at - 24 * hour if msg.loading_at else None
        return Deadline(due, "marine: 24 h before loading at the foreign port")
    arrival = msg.arrival_at
    if arrival is None:
        return Deadline(None, "no arrival time: the deadline cannot be judged")
    if msg.mode == "air":
        if msg.loading_at is not None and arrival - msg.loading_at < 4 * hour:
            return Deadline(msg.loading_at, "air, a flight under 4 h: at departure (wheels up)")
        return Deadline(arrival - 4 * hour, "air: 4 h before arrival")
    if msg.mode == "rail":
        return Deadline(arrival - 2 * hour, "rail: 2 h before arrival at the border")
    if msg.fast and country == "US":
        return Deadline(arrival - hour / 2, "highway, FAST into the United States: 30 min "
                        "before arrival")  # fmt: skip
    return Deadline(arrival - hour, "highway: 1 h before arrival")
