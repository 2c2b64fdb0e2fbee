"""The documented JSON form of an advance cargo report (docs/cargo.md gives an example): its
shape checked by pydantic, each problem with its path; then read into a ``CargoMessage``
whose values remember their paths, for the checks every report gets (``report.check``).

A document is one report, or ``{"reports": [...]}``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from smartborder.cargo.report import (
    Bill,
    CargoMessage,
    Equipment,
    Item,
    PartyRef,
    Where,
)
from smartborder.travel.intake.edifact import Problem, Report

_TEXT = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyJson(_Strict):
    name: str = Field("", max_length=_TEXT)
    address: str = Field("", max_length=400)
    country: str = Field("", max_length=2)
    identifier: str = Field("", max_length=40, description="the party's number, if registered")


class ContainerJson(_Strict):
    number: str = Field(max_length=20)
    seal: str = Field("", max_length=40)
    size: str = Field("", max_length=8, description="ISO 6346 size-type, e.g. 45G1")


class GoodsJson(_Strict):
    description: str = Field("", max_length=512)
    hs: str = Field("", max_length=16)
    packages: int | None = Field(None, ge=0, le=10_000_000)
    weight_kg: float | None = Field(None, ge=0, le=1e7)
    container: str = Field("", max_length=20)


class BillJson(_Strict):
    number: str = Field(max_length=40)
    kind: Literal["master", "house", "simple"] = "simple"
    master: str = Field("", max_length=40)
    consignor: PartyJson | None = None
    consignee: PartyJson | None = None
    notify: PartyJson | None = None
    importer: PartyJson | None = None
    forwarder: PartyJson | None = None
    destination: str = Field("", max_length=5, description="UN/LOCODE of final delivery")
    destination_country: str = Field("", max_length=2)
    routing: list[str] = Field(default_factory=list, max_length=20)
    in_transit: bool | None = None
    containers: list[ContainerJson] = Field(default_factory=list, max_length=500)
    goods: list[GoodsJson] = Field(default_factory=list, max_length=999)


class ConveyanceJson(_Strict):
    name: str = Field("", max_length=_TEXT, description="vessel, flight, train or truck")
    id: str = Field("", max_length=40, description="IMO number, flight number, plate, ...")
    voyage: str = Field("", max_length=40)


class ReportJson(_Strict):
    reference: str = Field("", max_length=40)
    function: Literal["original", "amendment", "cancellation"] = "original"
    mode: str = Field(max_length=8)
    carrier: str = Field(max_length=12)
    fast: bool = False
    conveyance: ConveyanceJson = ConveyanceJson()
    loading: str = Field(max_length=5, description="UN/LOCODE of the place of loading")
    loading_at: dt.datetime | None = None
    arrival: str = Field(max_length=5, description="UN/LOCODE of the first place of arrival")
    arrival_at: dt.datetime | None = None
    bills: list[BillJson] = Field(default_factory=list, max_length=10_000)


_REPORTS = TypeAdapter(list[ReportJson])


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_json(data: bytes, report: Report) -> list[CargoMessage]:
    """The reports of a JSON document, or none (with the problems said) when its shape is
    wrong; nothing of a document with any shape error is read."""
    try:
        document: Any = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        report.add(Problem("error", f"not valid JSON: {exc}", line=getattr(exc, "lineno", None)))
        return []
    except RecursionError:
        report.error("not valid JSON for a report: arrays or objects nested too deeply")
        return []
    items = document.get("reports", [document]) if isinstance(document, dict) else document
    if not isinstance(items, list):
        report.error("'reports' must be a list of reports")
        return []
    try:
        given = _REPORTS.validate_python(items)
    except ValidationError as exc:
        for problem in exc.errors()[:200]:
            loc = list(problem["loc"])
            index = loc.pop(0) if loc and isinstance(loc[0], int) else None
            report.add(Problem("error", problem["msg"],
                               message=f"#{index + 1}" if isinstance(index, int) else None,
                               element=_path(loc) or None))  # fmt: skip
        return []
    return [_message(r, n) for n, r in enumerate(given, 1)]


def _path(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(given: ReportJson, n: int) -> CargoMessage:
    conveyance = {k: v for k, v in given.conveyance.model_dump().items() if v}
    msg = CargoMessage(reference=given.reference, function=given.function,
                       carrier=given.carrier.strip().upper(), mode=given.mode.strip().lower(),
                       fast=given.fast, conveyance=conveyance,
                       loading_place=given.loading.strip().upper(),
                       loading_at=_utc(given.loading_at),
                       arrival_place=given.arrival.strip().upper(),
                       arrival_at=_utc(given.arrival_at), where=Where(""),
                       label=given.reference or f"#{n}")  # fmt: skip
    for b, bill in enumerate(given.bills):
        at = f"bills[{b}]"
        parties = {role: PartyRef(p.name.strip(), p.address.strip(), p.country.strip().upper(),
                                  p.identifier.strip().upper(), Where(f"{at}.{role}"))
                   for role in ("consignor", "consignee", "notify", "importer", "forwarder")
                   if (p := getattr(bill, role)) is not None}  # fmt: skip
        destination = bill.destination.strip().upper()
        msg.bills.append(Bill(
            number=bill.number.strip().upper(), kind=bill.kind, master=bill.master.strip().upper(),
            parties=parties, destination_place=destination,
            destination_country=(bill.destination_country or destination[:2]).upper(),
            routing=[c.strip().upper() for c in bill.routing], in_transit=bill.in_transit,
            containers=[Equipment(c.number, c.seal, c.size, Where(f"{at}.containers[{k}].number"))
                        for k, c in enumerate(bill.containers)],
            goods=[Item(g.description.strip(), g.hs.strip(), g.packages, g.weight_kg,
                        g.container.strip().upper(), Where(f"{at}.goods[{k}].description"),
                        Where(f"{at}.goods[{k}].hs"))
                   for k, g in enumerate(bill.goods)],
            where=Where(at)))  # fmt: skip
    return msg
