"""PNRGOV (IATA/WCO/ICAO PNRGOV 11.1 to 15.1): a flight's reservations, pushed 72, 24, 2 and
1 hours before departure and at wheels-up.

Read by context, not by a fixed grammar: a segment belongs to the reservation (after SRC/RCI),
traveller (after TIF), itinerary segment (after TVL) or history item (after ABI) it follows, so a
carrier's segment out of the guide's order is a warning, not a lost message (GTAS refused 7% of
real feeds on "Expected TRI but got TVL"). Reservations without SSR DOCS are kept.
Dates in PNRGOV are DDMMYY; SSR DOCS dates are DDMMMYY.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from smartborder.identity.dates import DateKind
from smartborder.travel import checks
from smartborder.travel.edifact import Report, Segment
from smartborder.travel.interchange import RawMessage
from smartborder.travel.parsed import (
    Booked,
    Change,
    Document,
    Flight,
    Leg,
    Message,
    Payment,
    Reservation,
    Traveller,
)

PUSHES = {"22": "full push", "141": "update"}
TITLES = {"MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "REV", "CHD", "INF", "SIR"}
ACTIONS = {"A": "added", "X": "cancelled", "C": "changed", "K": "cancelled", "N": "added"}
MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
KNOWN = {
    "EQN",
    "SRC",
    "RCI",
    "SSR",
    "DAT",
    "IFT",
    "ORG",
    "ADD",
    "EBD",
    "TIF",
    "FTI",
    "REF",
    "FAR",
    "TKT",
    "MON",
    "PTK",
    "TXD",
    "FOP",
    "TVL",
    "TRA",
    "RPI",
    "APD",
    "SSD",
    "TBD",
    "TRI",
    "ABI",
    "SAC",
    "LTS",
    "MSG",
    "ERC",
    "PTS",
    "CTC",
    "RCC",
}
_PHONE_OR_MAIL = re.compile(r"@|\d{3}[\s\-.]?\d{3}[\s\-.]?\d{3,4}")


class _State:
    def __init__(self, message: Message, report: Report, today: dt.date) -> None:
        self.message = message
        self.report = report
        self.today = today
        self.pnr: Reservation | None = None
        self.person: Traveller | None = None
        self.booked: Booked | None = None
        self.change: Change | None = None
        self.last: str = ""  # what a SAC applies to: pnr, person, booked
        self.non_air = False
        self.references: dict[str, Traveller] = {}


def parse(raw: RawMessage, report: Report, today: dt.date) -> Message | None:
    message = Message("PNRGOV", raw.reference, Flight("", ""), version=raw.version)
    message.part, message.final = raw.part, raw.final
    message.common_reference = raw.common_reference
    if raw.version and raw.version.split(":")[0] not in ("11", "12", "13", "14", "15"):
        report.warn(f"PNRGOV version {raw.version}; read as 15.1", raw.header, "2")
    state = _State(message, report, today)
    header_done = False
    for seg in raw.segments:
        if not header_done:
            if seg.tag == "SRC":
                header_done = True
            elif seg.tag == "TVL" and not message.flight.carrier:
                _flight(seg, message, report)
                continue
            elif seg.tag in ("MSG", "ORG", "EQN"):
                _header(seg, message, report)
                continue
            else:
                report.warn(f"unexpected segment {seg.tag} before the first SRC; ignored", seg)
                continue
        _segment(seg, state)
    _close(state)
    if not message.flight.carrier:
        report.error("no TVL segment before the first SRC: the message names no flight", raw.header)
        return None
    expected = message.declared.get("reservations")
    if expected is not None and expected != len(message.reservations) and message.final:
        report.warn(
            f"EQN says {expected} reservations; the message holds {len(message.reservations)}",
            None,
        )
    return message


def _header(seg: Segment, message: Message, report: Report) -> None:
    if seg.tag == "MSG":
        code = seg.get(1, 2) or seg.get(1, 1)
        if code not in PUSHES:
            report.warn(f"unknown message function '{code}' (22 full push, 141 update)", seg, "1.2")
        message.purpose = PUSHES.get(code, "full push")
    elif seg.tag == "ORG":
        message.sender = message.sender or seg.get(1, 1)
    elif seg.tag == "EQN":
        value = seg.get(1, 1)
        if value.isdecimal():
            message.declared["reservations"] = int(value)
        else:
            report.warn(f"EQN count '{value}' is not a number", seg, "1.1")


@lru_cache(maxsize=16384)
def pnr_datetime(day: str, time: str = "") -> str | None:
    """DDMMYY and HHMM as ISO 8601, or None."""
    day, time = day.strip(), time.strip()
    if len(day) != 6 or not day.isdecimal() or (time and (len(time) != 4 or not time.isdecimal())):
        return None
    year = int(day[4:]) + (1900 if int(day[4:]) >= 70 else 2000)
    try:
        moment = dt.datetime(
            year, int(day[2:4]), int(day[:2]), int(time[:2] or 0), int(time[2:] or 0)
        )
    except ValueError:
        return None
    return moment.isoformat(timespec="minutes") if time else moment.date().isoformat()


def _times(seg: Segment, report: Report) -> tuple[str | None, str | None]:
    dep = pnr_datetime(seg.get(1, 1), seg.get(1, 2))
    if dep is None and seg.get(1, 1):
        report.warn(f"departure '{seg.get(1, 1)}:{seg.get(1, 2)}' is not DDMMYY:HHMM", seg, "1.1")
    arr_day = seg.get(1, 3) or seg.get(1, 1)
    arr = pnr_datetime(arr_day, seg.get(1, 4)) if seg.get(1, 4) else None
    if seg.get(1, 4) and arr is None:
        report.warn(f"arrival '{arr_day}:{seg.get(1, 4)}' is not DDMMYY:HHMM", seg, "1.3")
    return dep, arr


def _flight(seg: Segment, message: Message, report: Report) -> None:
    found = checks.flight_number(seg.get(5, 1), seg.get(4, 1), report, seg, "5.1")
    if found is None:
        return
    message.flight.carrier, message.flight.number = found
    dep, arr = _times(seg, report)
    origin = checks.airport(seg.get(2), report, seg, "2")
    destination = checks.airport(seg.get(3), report, seg, "3")
    if origin and destination:
        message.flight.legs.append(Leg(origin, destination, dep, arr))


def _segment(seg: Segment, st: _State) -> None:
    tag = seg.tag
    report = st.report
    if tag == "SRC":
        _close(st)
        st.pnr = Reservation("", "")
        st.person = st.booked = None
        st.change = None
        st.non_air = False
        st.references = {}
        return
    if st.pnr is None:
        report.warn(f"segment {tag} outside a reservation (no SRC before it)", seg)
        return
    pnr = st.pnr
    if tag == "RCI":
        pnr.carrier, pnr.locator = seg.get(1, 1).upper(), seg.get(1, 2).upper()
        pnr.created = pnr_datetime(seg.get(1, 4), seg.get(1, 5)) or pnr.created
        if not pnr.locator:
            report.error("RCI without a record locator (element 1.2)", seg, "1.2")
        st.last = "pnr"
    elif tag == "MSG":
        st.non_air = seg.get(1, 1) not in ("", "1")
    elif st.non_air and tag in ("TVL", "RPI", "APD", "TRA"):
        return  # hotel, car, rail: not part of the air itinerary
    elif tag == "TIF":
        _person(seg, st)
    elif tag == "TVL":
        _booked(seg, st)
    elif tag == "ABI":
        st.change = Change("changed", "reservation", by=seg.get(1, 2) or seg.get(1, 1) or None)
        pnr.history.append(st.change)
    elif tag == "SAC":
        _action(seg, st)
    elif tag == "DAT":
        _date(seg, st)
    elif tag == "SSR":
        _ssr(seg, st)
    elif tag == "SSD":
        who = st.person
        if who is not None:
            who.seat = seg.get(1, 1).upper() or who.seat
    elif tag == "TRI":
        ref = seg.get(2, 1) or seg.get(1, 1)
        st.person = st.references.get(ref, st.person)
    elif tag == "TBD" or tag == "EBD":
        bags = seg.get(2, 1)
        if st.person is not None and bags.isdecimal():
            st.person.bags = int(bags)
    elif tag == "FTI":
        if st.person is not None and seg.get(1, 2):
            st.person.frequent_flyer = f"{seg.get(1, 1)} {seg.get(1, 2)}".strip()
    elif tag == "TKT":
        number = seg.get(1, 1)
        if st.person is not None and number:
            st.person.tickets.append(number)
    elif tag == "MON":
        for element in seg.data:
            if len(element) >= 2 and element[1]:
                label = {"B": "base", "T": "total"}.get(element[0], element[0])
                currency = element[2] if len(element) > 2 else ""
                pnr.amounts.append(f"{label} {element[1]} {currency}".strip())
    elif tag == "PTK":
        pnr.ticketed = pnr_datetime(seg.get(3, 1), seg.get(3, 2)) or pnr.ticketed
    elif tag == "FOP":
        for k, element in enumerate(seg.data, 1):
            pnr.payments.append(_payment(element, seg, k, report))
    elif tag in ("IFT", "LTS"):
        _text(seg, st)
    elif tag == "ADD":
        address = ", ".join(c.strip() for c in seg.element(2) if c.strip())
        if st.person is not None and address:
            st.person.address = address
        elif address:
            pnr.contacts.append(address)
    elif tag == "ORG":
        pnr.agency = ":".join(c for c in seg.element(2) if c) or seg.get(1, 1) or pnr.agency
    elif tag == "RPI":
        if st.booked is not None:
            st.booked.status = seg.get(2, 1) or st.booked.status
    elif tag == "APD":
        if st.booked is not None:
            st.booked.aircraft = seg.get(1, 1) or None
    elif tag not in KNOWN:
        report.warn(f"unknown segment {tag} in a reservation; ignored", seg)


def _close(st: _State) -> None:
    if st.pnr is None:
        return
    if st.pnr.locator:
        for person in st.pnr.travellers:
            person.reservation = st.pnr.locator
        st.message.reservations.append(st.pnr)
    st.pnr = None


def _person(seg: Segment, st: _State) -> None:
    if st.change is not None and st.pnr is not None:  # the traveller a history item is about
        st.change.what = f"traveller {seg.get(1, 1)}/{seg.get(2, 1)}"
        return
    surname = seg.get(1, 1).strip().upper()
    words = [w for w in seg.get(2, 1).strip().upper().split() if w]
    while len(words) > 1 and words[-1] in TITLES:
        words.pop()
    if words and words[-1] in TITLES:
        words.pop()
    if not surname:
        st.report.warn("TIF without a surname (element 1.1); traveller left out", seg, "1.1")
        st.person = None
        return
    person = Traveller(surname, " ".join(words))
    person.reference = seg.get(2, 3) or None
    assert st.pnr is not None
    st.pnr.travellers.append(person)
    if person.reference:
        st.references[person.reference] = person
    st.person = person
    st.booked = None
    st.last = "person"


def _booked(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    if st.change is not None:
        st.change.what = f"flight {seg.get(4, 1)}{seg.get(5, 1)} {seg.get(2)}-{seg.get(3)}"
        return
    dep, arr = _times(seg, st.report)
    marketing, operating = seg.get(4, 1).upper(), seg.get(4, 2).upper()
    booked = Booked(marketing, seg.get(5, 1), seg.get(2).upper(), seg.get(3).upper(), dep, arr)
    booked.booking_class = seg.get(5, 2) or None
    st.pnr.itinerary.append(booked)
    st.booked = booked
    st.person = None
    st.last = "booked"
    flight = st.message.flight
    if (
        operating
        and operating != marketing
        and operating == flight.carrier
        and any(leg.origin == booked.origin for leg in flight.legs)
    ):
        code = f"{marketing}{booked.number.lstrip('0')}"
        if code not in flight.codeshares:
            flight.codeshares.append(code)


def _action(seg: Segment, st: _State) -> None:
    code = seg.get(3, 1).upper() or seg.get(1, 1).upper()
    action = ACTIONS.get(code)
    if action is None:
        st.report.warn(f"unknown action '{code}' (A added, X cancelled, C changed)", seg, "3")
        return
    if st.change is not None:
        st.change.action = action
        return
    if action != "cancelled":
        return
    if st.last == "person" and st.person is not None:
        st.person.cancelled = True
    elif st.last == "booked" and st.booked is not None:
        st.booked.cancelled = True
    elif st.pnr is not None:
        st.pnr.cancelled = True


def _date(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    qualifier = seg.get(1, 1)
    when = pnr_datetime(seg.get(1, 2), seg.get(1, 3))
    if when is None and seg.get(1, 2):
        st.report.warn(f"date '{seg.get(1, 2)}' is not DDMMYY", seg, "1.2")
        return
    if st.change is not None:
        st.change.at = when
    elif qualifier == "700":
        st.pnr.updated = when
    elif qualifier == "710":
        st.pnr.ticketed = when
    elif qualifier not in ("2", "711", "ZZZ", "720"):
        st.report.warn(f"unknown date qualifier '{qualifier}'", seg, "1.1")


def _payment(element: list[str], seg: Segment, k: int, report: Report) -> Payment:
    kind = element[0].upper() if element else ""
    if not kind:
        report.warn("form of payment without a type", seg, f"{k}.1")
    account = element[4].strip() if len(element) > 4 else ""
    masked = ("*" * max(len(account) - 4, 0) + account[-4:]) if account else None
    vendor = element[3] if len(element) > 3 and element[3] else None
    expiry = element[5] if len(element) > 5 and element[5] else None
    return Payment(kind or "unknown", masked, vendor, expiry)


def _text(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    text = " ".join(" ".join(e) for e in seg.data[1:]).strip() or seg.get(1, 1)
    if seg.tag == "LTS":
        st.pnr.history.append(Change("recorded", seg.get(1, 1)))
    elif st.change is not None:
        st.change.what = text
    elif text.startswith("CTC") or _PHONE_OR_MAIL.search(text):
        st.pnr.contacts.append(text)
    elif text:
        st.pnr.remarks.append(text)


def _ssr(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    code = seg.get(1, 1).upper()
    text = next((c for c in seg.element(1)[1:] if c.startswith("/")), "")
    if not text and len(seg.element(1)) > 8:
        text = "/" + seg.get(1, 9)
    if st.change is not None:
        st.change.what = f"SSR {code} {text}".strip()
        return
    if code == "DOCS":
        _docs(text, seg, st)
    elif code == "DOCO":
        _doco(text, seg, st)
    elif code == "DOCA":
        _doca(text, seg, st)
    elif code == "SEAT":
        seat = seg.get(2, 1) or text.strip("/")
        who = _ssr_traveller(seg, st)
        if who is not None and seat:
            who.seat = seat.upper()
    elif code:
        st.pnr.remarks.append(f"SSR {code} {text}".strip())


def _ssr_traveller(
    seg: Segment, st: _State, surname: str = "", given: str = ""
) -> Traveller | None:
    assert st.pnr is not None
    ref = seg.get(2, 3) or seg.get(3, 1)
    if ref and ref in st.references:
        return st.references[ref]
    if surname:
        named = [p for p in st.pnr.travellers if p.surname == surname]
        if given:
            first = given.split()[0]
            named = [p for p in named if p.given_names.split()[:1] == [first]] or named
        if len(named) == 1:
            return named[0]
    return st.person


def _docs_date(value: str, kind: DateKind, st: _State, seg: Segment) -> str | None:
    value = value.strip().upper()
    match = re.fullmatch(r"(\d{2})([A-Z]{3})(\d{2}|\d{4})", value)
    if match is None or match.group(2) not in MONTHS:
        if value:
            st.report.warn(f"{kind} date '{value}' is not DDMMMYY", seg, "1.9")
        return None
    day, month, year = match.groups()
    digits = f"{year}{MONTHS[month]:02d}{day}"
    reference = st.today
    return checks.person_day(digits, kind, reference, st.report, seg, "1.9")


def _docs(text: str, seg: Segment, st: _State) -> None:
    fields = (text.split("/") + [""] * 12)[1:12]
    kind, issuer, number, nationality, born, sex, expiry, surname, given = fields[:9]
    who = _ssr_traveller(seg, st, surname.strip().upper(), given.strip().upper())
    if who is None:
        st.report.warn(
            f"SSR DOCS for {surname}/{given} matches no traveller of the reservation", seg, "1.9"
        )
        return
    report = st.report
    if number.strip():
        doc_number = checks.document_number(number, report, seg, "1.9")
        if doc_number:
            doc = Document((kind.strip().upper() or "P")[:2], doc_number)
            doc.country = checks.country(issuer, report, seg, "1.9", "issuing state")
            doc.expiry = _docs_date(expiry, "expiry", st, seg)
            _add_document(who, doc)
    who.nationality = checks.country(nationality, report, seg, "1.9", "nationality") or (
        who.nationality
    )
    who.birth_date = _docs_date(born, "birth", st, seg) or who.birth_date
    who.sex = checks.sex(sex, report, seg, "1.9") or who.sex
    if given.strip() and not who.given_names:
        who.given_names = " ".join(given.strip().upper().split())


def _doco(text: str, seg: Segment, st: _State) -> None:
    fields = (text.split("/") + [""] * 8)[1:8]
    birth_place, kind, number, _place, issued, country = fields[:6]
    who = _ssr_traveller(seg, st)
    if who is None:
        return
    if birth_place.strip():
        who.birth_place = birth_place.strip().upper()
    if number.strip():
        doc_number = checks.document_number(number, st.report, seg, "1.9")
        if doc_number:
            doc = Document(kind.strip().upper() or "V", doc_number)
            doc.country = checks.country(country, st.report, seg, "1.9", "valid-for country")
            doc.issued = _docs_date(issued, "issue", st, seg)
            _add_document(who, doc)


def _doca(text: str, seg: Segment, st: _State) -> None:
    fields = (text.split("/") + [""] * 8)[1:8]
    kind, country, street, city, state, postcode = fields[:6]
    who = _ssr_traveller(seg, st)
    if who is None:
        return
    address = ", ".join(p.strip() for p in (street, city, state, postcode) if p.strip())
    code = checks.country(country, st.report, seg, "1.9", "address country")
    if kind.strip().upper() == "R":
        who.residence = code or who.residence
        who.address = address or who.address
    elif address and st.pnr is not None:
        st.pnr.contacts.append(f"destination address: {address}")


def _add_document(who: Traveller, doc: Document) -> None:
    for held in who.documents:
        if held.number == doc.number and held.type == doc.type:
            held.country = held.country or doc.country
            held.expiry = held.expiry or doc.expiry
            return
    who.documents.append(doc)
