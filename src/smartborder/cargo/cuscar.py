"""UN/EDIFACT CUSCAR (customs cargo report), read with the same syntax layer and the same
discipline as PAXLST: lenient by default (what can be got past is a warning, located), strict
on demand, every problem said with its message, segment position, line, tag and element.

What is read (docs/cargo.md lists it with the qualifiers):

- ``BGM``: the document number (1004) and the message function (1225: 9 original; 4 change and
  5 replace, an amendment; 1 and 3, a cancellation).
- ``TDT``: the conveyance reference (voyage, flight), the mode (8067, UN/ECE Recommendation 19:
  1 sea, 2 rail, 3 road, 4 air), the carrier (3127) and the conveyance (8213 id, 8212 name);
  ``NAD+CA`` names the carrier when TDT does not.
- ``LOC`` of the transport: 9 (or 5) the place of loading, 60, 24 or 11 the first place of
  arrival; ``DTM`` 133 departure (loading) and 132 arrival, formats 203, 102 and 201, read as
  UTC.
- ``EQD+CN`` the containers, with ``SEL`` their seals.
- Each ``CNI`` a bill (its number, 1004), with ``RFF`` (MB: the master of this house bill; BH:
  a house bill number; BM and AWB: the bill's own number), ``NAD`` (CZ consignor, CN consignee,
  N1 notify, IM importer, FW forwarder), ``LOC`` (7 or 8 the place of delivery, 28 the country of
  final destination, 13 a place of transhipment), and goods items: ``GID`` (packages), ``FTX+AAA``
  (description), ``PIA`` (the HS code), ``MEA+AAE`` (gross weight, KGM), ``SGP`` (its container).
"""

from __future__ import annotations

import datetime as dt

from smartborder.cargo.report import (
    Bill,
    CargoMessage,
    Equipment,
    Function,
    Item,
    PartyRef,
    Sink,
    Where,
)
from smartborder.travel.intake.edifact import Report, Segment
from smartborder.travel.intake.interchange import RawMessage, edi_datetime

MODES = {"1": "marine", "2": "rail", "3": "highway", "4": "air"}
FUNCTIONS: dict[str, Function] = {"9": "original", "4": "amendment", "5": "amendment",
                                  "1": "cancellation", "3": "cancellation"}  # fmt: skip
PARTIES = {"CZ": "consignor", "CN": "consignee", "N1": "notify", "IM": "importer",
           "FW": "forwarder"}  # fmt: skip
LOADING = ("9", "5")
ARRIVAL = ("60", "24", "11")


def _at(seg: Segment, element: str | None = None) -> Where:
    return Where(seg=seg, element=element)


def _moment(seg: Segment, sink: Sink, label: str) -> dt.datetime | None:
    value, fmt = seg.get(1, 2), seg.get(1, 3)
    text = edi_datetime(value, fmt)
    if text is None:
        sink.warn(f"date/time '{value}' is not in format {fmt or '203'}", _at(seg, "1.2"), label)
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=dt.UTC)


def _party(seg: Segment) -> PartyRef:
    name = " ".join(p for p in seg.element(4) if p) or " ".join(p for p in seg.element(3) if p)
    street = " ".join(p for p in seg.element(5) if p)
    address = ", ".join(p for p in (street, seg.get(6), seg.get(8)) if p)
    return PartyRef(name.strip(), address, seg.get(9).upper(), seg.get(2, 1).upper(), _at(seg))


def parse(raw: RawMessage, report: Report) -> CargoMessage | None:
    """One CUSCAR message; None when it is not one at all (said as an error)."""
    sink = Sink(report)
    label = raw.reference
    msg = CargoMessage(reference=raw.reference, where=_at(raw.header), label=label)
    boxes: dict[str, Equipment] = {}
    bill: Bill | None = None
    item: Item | None = None
    carrier_nad = ""
    box: Equipment | None = None
    for seg in raw.segments:
        tag = seg.tag
        if tag == "BGM":
            msg.reference = seg.get(2, 1) or msg.reference
            code = seg.get(3)
            if code and code not in FUNCTIONS:
                sink.warn(f"message function '{code}' is not 9, 4, 5, 1 or 3; read as an "
                          "original", _at(seg, "3"), label)  # fmt: skip
            msg.function = FUNCTIONS.get(code, "original")
        elif tag == "TDT":
            mode = seg.get(3, 1)
            msg.mode, msg.mode_where = MODES.get(mode, mode), _at(seg, "3.1")
            msg.carrier = seg.get(5, 1).upper() or msg.carrier
            msg.conveyance = {k: v for k, v in (("voyage", seg.get(2)), ("id", seg.get(8, 1)),
                                                 ("name", seg.get(8, 4))) if v}  # fmt: skip
            msg.where = _at(seg)
        elif tag == "LOC":
            qualifier, place = seg.get(1), seg.get(2, 1).upper()
            if bill is None:
                if qualifier in LOADING and not msg.loading_place:
                    msg.loading_place = place
                elif qualifier in ARRIVAL and (not msg.arrival_place or qualifier == "60"):
                    msg.arrival_place = place
            elif qualifier in ("7", "8"):
                bill.destination_place = place
                bill.destination_country = bill.destination_country or place[:2]
            elif qualifier == "28":
                bill.destination_country = place[:2]
            elif qualifier in ("9", "13", "11") and place[:2] and place[:2] not in bill.routing:
                bill.routing.append(place[:2])
        elif tag == "DTM" and bill is None:
            qualifier = seg.get(1, 1)
            if qualifier == "133":
                msg.loading_at = _moment(seg, sink, label)
            elif qualifier == "132":
                msg.arrival_at = _moment(seg, sink, label)
        elif tag == "EQD":
            if seg.get(1) != "CN":
                continue
            number = seg.get(2, 1)
            box = Equipment(number, "", seg.get(3, 1), _at(seg, "2.1"))
            if bill is None:
                boxes[number.replace(" ", "").upper()] = box
            else:
                bill.containers.append(box)
        elif tag == "SEL" and box is not None:
            box.seal = seg.get(1)
        elif tag == "NAD":
            role = seg.get(1)
            if bill is None:
                if role == "CA":
                    carrier_nad = seg.get(2, 1).upper()
            elif role in PARTIES:
                bill.parties[PARTIES[role]] = _party(seg)
        elif tag == "CNI":
            bill = Bill(number=seg.get(2, 1).upper(), where=_at(seg, "2.1"))
            msg.bills.append(bill)
            item = None
        elif tag == "RFF" and bill is not None:
            qualifier, value = seg.get(1, 1), seg.get(1, 2).upper()
            if qualifier == "MB":
                bill.kind, bill.master = "house", value
            elif qualifier in ("BM", "AWB", "BH") and not bill.number:
                bill.number = value
        elif tag == "GID" and bill is not None:
            packages = seg.get(2, 1)
            if packages and not packages.isdecimal():
                sink.warn(f"package count '{packages}' is not a number", _at(seg, "2.1"), label)
            item = Item(packages=int(packages) if packages.isdecimal() else None,
                        where=_at(seg))  # fmt: skip
            bill.goods.append(item)
        elif tag == "FTX" and item is not None and seg.get(1) == "AAA":
            item.description = " ".join(p for p in seg.element(4) if p).strip()
            item.where = _at(seg, "4")
        elif tag == "PIA" and item is not None:
            item.hs, item.hs_where = seg.get(2, 1), _at(seg, "2.1")
        elif tag == "MEA" and item is not None and seg.get(1) == "AAE":
            weight = seg.get(3, 2)
            try:
                item.weight_kg = float(weight) if weight else None
            except ValueError:
                sink.warn(f"weight '{weight}' is not a number", _at(seg, "3.2"), label)
        elif tag == "SGP" and item is not None:
            item.container = seg.get(1, 1).replace(" ", "").upper()
    msg.carrier = msg.carrier or carrier_nad
    placed: set[str] = set()
    for one in msg.bills:
        held = {b.number.replace(" ", "").upper() for b in one.containers}
        for number in dict.fromkeys(i.container for i in one.goods if i.container):
            if number in boxes and number not in held:
                one.containers.append(boxes[number])
            elif number not in boxes and number not in held:
                sink.warn(f"bill {one.number}: goods placed in container {number}, which no EQD "
                          "lists", one.where, label)  # fmt: skip
            placed.add(number)
    for number, unplaced in boxes.items():
        if number not in placed:
            sink.warn(f"container {number} holds goods of no bill (no SGP names it)",
                      unplaced.where, label)  # fmt: skip
    if msg.bills and any(b.kind == "house" for b in msg.bills):
        masters = {b.master for b in msg.bills if b.kind == "house"}
        for one in msg.bills:
            if one.number in masters:
                one.kind = "master"
    return msg
