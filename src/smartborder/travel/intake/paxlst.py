"""PAXLST (UN/EDIFACT D02B and D05B, WCO/IATA/ICAO API guidelines): passenger and crew lists.

Message level: BGM (745 passengers, 250 crew), RFF, NAD+MS, COM, then the flight: TDT with its
LOC/DTM pairs (125 departure, 87 arrival, 92 routing; 189 departure and 232 arrival times).
Each traveller: NAD (FL passenger, FM crew, DDT/DDU in transit) with ATT (sex), DTM+329 (birth),
LOC (22, 174, 178, 179, 180), NAT, RFF (AVF locator, ABO reference, SEA seat), FTX/GEI/COM/EMP,
then DOC with its DTM (36 expiry, 182 issue) and LOC+91 (issuing state). CNT+42/41 closes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from smartborder.identity.dates import DateKind
from smartborder.travel.intake import fields as checks
from smartborder.travel.intake.edifact import Report, Segment
from smartborder.travel.intake.interchange import RawMessage, edi_datetime
from smartborder.travel.intake.message import (
    Booked,
    Document,
    Flight,
    Leg,
    Message,
    Role,
    Traveller,
)

LIST_TYPES = {"745": "passenger list", "250": "crew list", "266": "flight close-out"}
# BGM 1004 (document identifier) as the US APIS and Canadian guides use it
LIST_FUNCTIONS = {
    "": "",
    "CP": "change",
    "CL": "cancellation",
    "CLNB": "cancellation (not on board)",
    "CLOB": "close-out (on board)",
    "RP": "reduction in party",
    "MP": "master crew list (proposed)",
    "MA": "master crew list (addition)",
    "MD": "master crew list (deletion)",
    "MC": "master crew list (change)",
}
ROLES: dict[str, Role] = {
    "FL": "passenger",
    "FM": "crew",
    "DDT": "in-transit passenger",
    "DDU": "in-transit crew",
    "COT": "crew",  # crew member on other transport (some guides)
}
HEADER_PARTIES = {"MS", "ZZZ"}
LEG_DEPARTURE = {"125", "92", "5"}
LEG_ARRIVAL = {"87", "92", "8", "60"}
TRAVELLER_LOCATIONS = {"22", "174", "178", "179", "180"}
IGNORED = {"FTX", "GEI", "COM", "EMP", "CPI", "QTY", "CTA", "EQD", "ERP"}
RFF_HEADER = {"TN", "CR", "ACW", "AF"}
RFF_TRAVELLER = {"AVF", "ABO", "SEA", "CR", "AEA", "CN", "ACD", "TN", "ZZZ", "YZY"}


@dataclass(slots=True)
class _Transport:
    """A TDT and the LOC/DTM points that follow it."""

    tdt: Segment
    points: list[tuple[str, str, Segment]] = field(default_factory=list)  # (qualifier, code)
    times: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    legs: list[Leg] = field(default_factory=list)

    def crosses(self) -> bool:
        """Departs its last foreign place (LOC+125) for its first place in the reporting
        country (LOC+87): the flight the list is reported for."""
        qualifiers = [q for q, _code, _seg in self.points]
        return "125" in qualifiers and "87" in qualifiers[qualifiers.index("125") :]


def parse(raw: RawMessage, report: Report, today: dt.date) -> Message | None:
    """Understand one PAXLST message; None when no flight could be read (an error). Reads the
    message's segments once, in order."""
    message = Message("PAXLST", raw.reference, Flight("", ""), version=raw.version)
    message.part, message.final = raw.part, raw.final
    message.common_reference = raw.common_reference
    if raw.version and raw.version not in ("D:02B", "D:05B"):
        report.warn(f"PAXLST version {raw.version}; read as D:05B", raw.header, "2")
    segments = raw.segments
    transports: list[_Transport] = []
    first: Segment | None = None  # the first segment after the header
    for seg in segments:
        tag = seg.tag
        if (tag == "NAD" and seg.get(1) in ROLES) or tag == "CNT":
            first = seg
            break
        if tag == "BGM":
            _list_type(seg, message, report)
        elif tag == "TDT":
            transports.append(_Transport(seg))
        elif tag == "LOC" and transports:
            code = checks.airport(seg.get(2), report, seg, "2.1")
            if code:
                transports[-1].points.append((seg.get(1), code, seg))
        elif tag == "DTM" and transports and transports[-1].points:
            current = transports[-1]
            _leg_time(seg, len(current.points) - 1, current.times, report)
        elif tag == "RFF":
            if seg.get(1, 1) not in RFF_HEADER:
                report.warn(f"unknown reference qualifier '{seg.get(1, 1)}'; ignored", seg, "1.1")
        elif tag == "NAD":
            if seg.get(1) not in HEADER_PARTIES:
                report.warn(f"unknown party qualifier '{seg.get(1)}'; ignored", seg, "1")
        elif tag not in IGNORED and tag not in ("DTM", "LOC"):
            report.warn(f"unexpected segment {tag} before the first traveller; ignored", seg)
    if not transports:
        report.error("no TDT segment: the message names no flight", raw.header)
        return None
    reported = _reported(transports, report)
    found = checks.flight_number(
        reported.tdt.get(2), reported.tdt.get(5), report, reported.tdt, "2"
    )
    if found is None:
        return None
    message.flight.carrier, message.flight.number = found
    message.flight.legs = reported.legs
    for other in transports:
        if other is not reported:
            message.itinerary.extend(_booked(other, report))
    _travellers(first, segments, message, report, _reference_date(message.flight, today))
    return message


def _reported(transports: list[_Transport], report: Report) -> _Transport:
    """The flight the message reports: the TDT whose legs cross into the reporting country;
    the others (a through flight's other legs, connections listed for information) are the
    itinerary."""
    for transport in transports:
        transport.legs = _legs(transport.points, transport.times, report, transport.tdt)
    if len(transports) == 1:
        return transports[0]
    crossing = [t for t in transports if t.crosses()]
    if len(crossing) > 1:
        report.warn(
            f"{len(crossing)} TDTs each have a LOC+125 departure and LOC+87 arrival; "
            "the first is the flight reported",
            crossing[1].tdt,
        )
    return (crossing or [t for t in transports if t.legs] or transports)[0]


def _booked(transport: _Transport, report: Report) -> list[Booked]:
    tdt = transport.tdt
    found = checks.flight_number(tdt.get(2), tdt.get(5), report, tdt, "2")
    if found is None:
        return []
    carrier, number = found
    return [
        Booked(carrier, number, leg.origin, leg.destination, leg.departure, leg.arrival)
        for leg in transport.legs
    ]


def _travellers(
    first: Segment | None,
    segments: Iterator[Segment],
    message: Message,
    report: Report,
    reference: dt.date,
) -> None:
    """Each traveller is an NAD (FL, FM, DDT, DDU) and the segments up to the next one or CNT."""
    person: Traveller | None = None
    nad: Segment | None = None
    document: Document | None = None
    counted: Segment | None = None
    for seg in itertools.chain((first,) if first is not None else (), segments):
        tag = seg.tag
        if tag == "NAD" and seg.get(1) in ROLES:
            _file(person, nad, message, report)
            nad, person, document = seg, _person(seg, report), None
        elif tag == "CNT":
            _file(person, nad, message, report)
            person = nad = None
            counted = seg if _count(seg, message, report) else counted
        elif person is None:
            report.warn(f"unexpected segment {tag} between travellers; ignored", seg)
        elif tag == "ATT":
            if seg.get(1) == "2":
                person.sex = checks.sex(seg.get(3, 1), report, seg, "3.1")
            else:
                report.warn(f"unknown attribute qualifier '{seg.get(1)}'", seg, "1")
        elif tag == "DTM":
            _person_date(seg, person, document, report, reference)
        elif tag == "LOC":
            _person_place(seg, person, document, report)
        elif tag == "NAT":
            person.nationality = checks.country(seg.get(2), report, seg, "2", "nationality")
        elif tag == "RFF":
            _person_reference(seg, person, report)
        elif tag == "DOC":
            document = _document(seg, report)
            if document is not None:
                person.documents.append(document)
        elif tag == "FTX" and seg.get(1) == "BAG":
            bags = seg.get(4, 3) or seg.get(4, 1)
            person.bags = int(bags) if bags.isdecimal() else person.bags
        elif tag not in IGNORED:
            report.warn(f"unexpected segment {tag} in a traveller's group; ignored", seg)
    _file(person, nad, message, report)
    if counted is not None:
        _check_counts(message, counted, report)


def _person(nad: Segment, report: Report) -> Traveller:
    surname = nad.get(4, 1).strip().upper()
    given = " ".join(c.strip().upper() for c in nad.element(4)[1:] if c.strip())
    person = Traveller(surname, given, ROLES[nad.get(1)])
    address = [nad.get(k).strip() for k in (5, 6, 7, 8) if nad.get(k).strip()]
    if address:
        person.address = ", ".join(address)
    if nad.get(9):
        person.residence = checks.country(nad.get(9), report, nad, "9", "address country")
    return person


def _file(person: Traveller | None, nad: Segment | None, message: Message, report: Report) -> None:
    if person is None or nad is None:
        return
    if not person.surname:
        report.warn("the traveller has no surname (NAD element 4); traveller left out", nad, "4.1")
        return
    message.travellers.append(person)


def _list_type(seg: Segment, message: Message, report: Report) -> None:
    code, function = seg.get(1), seg.get(2).upper()
    kind = LIST_TYPES.get(code)
    if kind is None:
        report.warn(f"unknown document name code '{code}' (745 or 250 expected)", seg, "1")
        kind = "passenger list"
    if function not in LIST_FUNCTIONS:
        report.warn(f"unknown document identifier '{function}'; read as a full list", seg, "2")
        function = ""
    message.purpose = kind + (f" ({LIST_FUNCTIONS[function]})" if function else "")


def _leg_time(
    seg: Segment, index: int, times: dict[int, tuple[str | None, str | None]], report: Report
) -> None:
    qualifier = seg.get(1, 1)
    value = edi_datetime(seg.get(1, 2), seg.get(1, 3))
    if value is None:
        report.warn(f"'{seg.get(1, 2)}' is not a date and time (format 201 or 203)", seg, "1.2")
        return
    dep, arr = times.get(index, (None, None))
    if qualifier == "189":
        times[index] = (value, arr)
    elif qualifier == "232":
        times[index] = (dep, value)
    else:
        report.warn(f"unknown date qualifier '{qualifier}' for a flight point", seg, "1.1")


def _legs(
    points: list[tuple[str, str, Segment]],
    times: dict[int, tuple[str | None, str | None]],
    report: Report,
    tdt: Segment,
) -> list[Leg]:
    route = [(q, code, times.get(k, (None, None))) for k, (q, code, _s) in enumerate(points)]
    for q, _code, seg in points:
        if q not in LEG_DEPARTURE | LEG_ARRIVAL:
            report.warn(f"unknown location qualifier '{q}' for a flight point", seg, "1")
    legs = []
    for a, b in itertools.pairwise(route):
        if a[0] not in LEG_DEPARTURE or b[0] not in LEG_ARRIVAL:
            continue
        if a[1] == b[1]:  # a routing point repeated: no flight from a place to itself
            continue
        legs.append(Leg(a[1], b[1], a[2][0], b[2][1]))
    if not legs:
        report.warn("the flight has no departure (LOC+125) and arrival (LOC+87) pair", tdt)
    return legs


def _reference_date(flight: Flight, today: dt.date) -> dt.date:
    if flight.date:
        return dt.date.fromisoformat(flight.date)
    return today


def _person_date(
    seg: Segment, person: Traveller, document: Document | None, report: Report, ref: dt.date
) -> None:
    qualifier, value = seg.get(1, 1), seg.get(1, 2)
    if qualifier == "329":
        person.birth_date = checks.person_day(value, "birth", ref, report, seg, "1.2")
    elif qualifier in ("36", "182") and document is not None:
        kind: DateKind = "expiry" if qualifier == "36" else "issue"
        day = checks.person_day(value, kind, ref, report, seg, "1.2")
        if qualifier == "36":
            document.expiry = day
        else:
            document.issued = day
    elif qualifier in ("36", "182"):
        report.warn(f"a document date (DTM+{qualifier}) without a DOC before it", seg, "1.1")
    else:
        report.warn(f"unknown date qualifier '{qualifier}' for a traveller", seg, "1.1")


def _person_place(
    seg: Segment, person: Traveller, document: Document | None, report: Report
) -> None:
    qualifier, value = seg.get(1), seg.get(2)
    if qualifier == "91":
        if document is None:
            report.warn("an issuing state (LOC+91) without a DOC before it", seg, "1")
        else:
            document.country = checks.country(value, report, seg, "2.1", "issuing state")
    elif qualifier == "178":
        person.embarkation = checks.airport(value, report, seg, "2.1")
    elif qualifier in ("179", "22"):
        person.debarkation = checks.airport(value, report, seg, "2.1") or person.debarkation
    elif qualifier == "174":
        person.residence = checks.country(value, report, seg, "2.1", "country of residence")
    elif qualifier == "180":
        place = [p for p in (seg.get(2, 4), seg.get(2, 1)) if p.strip()]
        person.birth_place = ", ".join(place) or None
    else:
        report.warn(f"unknown location qualifier '{qualifier}' for a traveller", seg, "1")


def _person_reference(seg: Segment, person: Traveller, report: Report) -> None:
    qualifier, value = seg.get(1, 1), seg.get(1, 2).strip()
    if qualifier == "AVF":
        person.reservation = value.upper() or None
    elif qualifier == "ABO":
        person.reference = value or None
    elif qualifier == "SEA":
        person.seat = value.upper() or None
    elif qualifier not in RFF_TRAVELLER:
        report.warn(f"unknown reference qualifier '{qualifier}'; ignored", seg, "1.1")


def _document(seg: Segment, report: Report) -> Document | None:
    kind = seg.get(1, 1).strip().upper()
    if not kind:
        report.warn("document type missing (DOC element 1); kept as unknown", seg, "1.1")
    number = checks.document_number(seg.get(2), report, seg, "2")
    return Document(kind, number) if number else None


def _count(seg: Segment, message: Message, report: Report) -> bool:
    qualifier, value = seg.get(1, 1), seg.get(1, 2)
    if qualifier not in ("41", "42"):
        report.warn(f"unknown count qualifier '{qualifier}' (42 passengers, 41 crew)", seg, "1.1")
        return False
    if not value.isdecimal():
        report.warn(f"count '{value}' is not a number", seg, "1.2")
        return False
    message.declared["crew" if qualifier == "41" else "passengers"] = int(value)
    return True


def _check_counts(message: Message, where: Segment, report: Report) -> None:
    if not (message.final and message.part == 1):
        return  # a multi-part list is counted when its parts are put together
    crew = sum(1 for t in message.travellers if "crew" in t.role)
    actual = {"passengers": len(message.travellers) - crew, "crew": crew}
    for what in ("passengers", "crew"):
        if what in message.declared and message.declared[what] != actual[what]:
            report.warn(
                f"CNT says {message.declared[what]} {what}; the message lists {actual[what]}",
                where,
                "1.2",
            )
