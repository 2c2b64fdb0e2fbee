"""PNRGOV (IATA/WCO/ICAO PNRGOV 10.1 to 15.1): a flight's reservations, pushed 72, 24, 2 and
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
from difflib import SequenceMatcher
from functools import lru_cache

from smartborder.identity.dates import DateKind
from smartborder.travel.intake import fields as checks
from smartborder.travel.intake.edifact import Report, Segment
from smartborder.travel.intake.interchange import RawMessage
from smartborder.travel.intake.message import (
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
        self.by_surname: dict[str, list[Traveller]] = {}
        self.itinerary = False  # past the reservation's first TVL or TRI
        # a title glued to the last given name (JOHNMR): the traveller, the name as sent and
        # as read, decided when the reservation closes against the name's other occurrences
        self.glued: list[tuple[Traveller, str, str]] = []
        self.seen_given: dict[int, list[str]] = {}  # other occurrences of each traveller's name
        self.src: Segment | None = None  # where the reservation starts
        self.controlled = False  # its RCI read

    def reset(self, src: Segment) -> None:
        self.src, self.controlled = src, False
        self.pnr = Reservation("", "")
        self.person = self.booked = self.change = None
        self.non_air = self.itinerary = False
        self.references, self.by_surname = {}, {}
        self.glued, self.seen_given = [], {}


def parse(raw: RawMessage, report: Report, today: dt.date) -> Message | None:
    message = Message("PNRGOV", raw.reference, Flight("", ""), version=raw.version)
    message.part, message.final = raw.part, raw.final
    message.common_reference = raw.common_reference
    if raw.version and raw.version.split(":")[0] not in ("10", "11", "12", "13", "14", "15"):
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
    """DDMMYY and HHMM (or HHMMSS: read to the minute, as every time here is) as ISO 8601,
    or None."""
    day, time = day.strip(), time.strip()
    if (
        len(day) != 6
        or not day.isdecimal()
        or (time and (len(time) not in (4, 6) or not time.isdecimal()))
    ):
        return None
    year = int(day[4:]) + (1900 if int(day[4:]) >= 70 else 2000)
    try:
        moment = dt.datetime(
            year,
            int(day[2:4]),
            int(day[:2]),
            int(time[:2] or 0),
            int(time[2:4] or 0),
            int(time[4:6] or 0),
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
        st.reset(seg)
        return
    if st.pnr is None:
        report.warn(f"segment {tag} outside a reservation (no SRC before it)", seg)
        return
    pnr = st.pnr
    if tag == "RCI":
        _control(seg, st)
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
    elif tag == "TRI":  # the traveller reference number is element 2, component 4
        ref = seg.get(2, 4) or seg.get(2, 1) or seg.get(1, 1)
        st.person = st.references.get(ref, st.person)
        st.itinerary = True
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
        pnr.ticketed = _when(seg, 3, st.report) or pnr.ticketed
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
    for person, sent, read in st.glued:
        _decide_title(person, sent, read, st.seen_given.get(id(person), []))
    if st.pnr.locator:
        for person in st.pnr.travellers:
            person.reservation = st.pnr.locator
        st.message.reservations.append(st.pnr)
    elif not st.controlled:  # no RCI at all (an RCI without a locator is an error of its own)
        st.report.warn(
            f"a reservation without RCI (no record locator): its {len(st.pnr.travellers)} "
            "traveller(s) left out",
            st.src,
        )
    st.pnr = None


def _control(seg: Segment, st: _State) -> None:
    """RCI: the reservation's first names the booking (carrier, locator, creation time); any
    later one (an itinerary segment's other system, a split-off PNR after EQN) and the
    element's repeats are other locators of it."""
    assert st.pnr is not None
    pnr = st.pnr
    st.last = "pnr"
    st.controlled = True
    for k, element in enumerate(seg.data, 1):
        carrier = element[0].strip().upper() if element else ""
        locator = element[1].strip().upper() if len(element) > 1 else ""
        if not pnr.locator and k == 1:
            pnr.carrier, pnr.locator = carrier, locator
            if not locator:
                st.report.error("RCI without a record locator (element 1.2)", seg, "1.2")
            pnr.created = _when(seg, 1, st.report, day=4) or pnr.created
        elif locator and locator != pnr.locator:
            other = f"{carrier}:{locator}" if carrier else locator
            if other not in pnr.locators:
                pnr.locators.append(other)


def _when(seg: Segment, element: int, report: Report, day: int = 1) -> str | None:
    """A DDMMYY date and HHMM (or HHMMSS) time at ``element``, components ``day`` and
    ``day + 1``; a located warning when they cannot be read."""
    date, time = seg.get(element, day), seg.get(element, day + 1)
    if not date.strip():
        return None
    value = pnr_datetime(date, time)
    if value is None:
        report.warn(
            f"date and time '{date}:{time}' is not DDMMYY:HHMM[SS]; left empty",
            seg,
            f"{element}.{day}",
        )
    return value


def _person(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    if st.change is not None:  # the traveller a history item is about
        st.change.what = f"traveller {seg.get(1, 1)}/{seg.get(2, 1)}"
        return
    surname = " ".join(seg.get(1, 1).upper().split())
    if seg.get(1, 2).strip().upper() == "G":  # quantity qualifier G: the group's name
        st.pnr.group = surname or st.pnr.group
        st.person = None
        return
    if not surname:
        st.report.warn("TIF without a surname (element 1.1); traveller left out", seg, "1.1")
        st.person = None
        return
    # one name a TIF, the guide says; some send a family's in one: each is a traveller
    for k, element in enumerate(seg.data[1:] or [[""]], 2):
        _named_traveller(surname, element, k, seg, st)


def _named_traveller(surname: str, element: list[str], k: int, seg: Segment, st: _State) -> None:
    """One given name of a TIF (name, type, reference number): a traveller of the
    reservation, or, in the itinerary, one it already holds."""
    assert st.pnr is not None
    given, glued = _given_names(element[0].upper().split())
    reference = (element[2].strip() if len(element) > 2 else "") or None
    if st.itinerary and st.pnr.travellers:
        known = _repeated(surname, given, reference, seg, f"{k}.1", st)
        if known is not None:
            st.seen_given.setdefault(id(known), []).append(" ".join(given))
            st.person = known
            st.last = "person"
            return
    person = Traveller(surname, " ".join(given))
    person.reference = reference
    if glued:
        st.glued.append((person, glued[0], glued[1]))
    st.pnr.travellers.append(person)
    st.by_surname.setdefault(surname, []).append(person)
    if person.reference:  # an infant's TIF may repeat its adult's number: the adult keeps it
        st.references.setdefault(person.reference, person)
    st.person = person
    st.booked = None
    st.last = "person"


# Glued to the last given name, these are titles unless the name is too short to be one
# (AMR is a name, not A + MR); DR, MS, SIR are split off only when another occurrence of the
# name shows it (ALEKSANDR, WILLIAMS and YASIR are names).
_GLUED_TITLES = ("MSTR", "MISS", "MRS", "MR", "CHD", "INF")
_GLUED_IF_SHOWN = ("PROF", "DR", "MS", "SIR", "REV")
_TITLE_ENDS = frozenset(t[-2:] for t in (*_GLUED_TITLES, *_GLUED_IF_SHOWN))


def _given_names(words: list[str]) -> tuple[list[str], tuple[str, str] | None]:
    """Given names without their titles: separate words (MARY ANNE MRS) always go; a title
    glued to the last name (JOHNMR) goes when it is one. Returns the names and, for a glued
    title, (the word as sent, the word as read) for the reservation's close to confirm."""
    while len(words) > 1 and words[-1] in TITLES:
        words = words[:-1]
    if words and words[-1] in TITLES:
        words = words[:-1]
    if not words:
        return words, None
    last = words[-1]
    if last[-2:] not in _TITLE_ENDS:
        return words, None
    for title in (*_GLUED_TITLES, *_GLUED_IF_SHOWN):
        stem = last[: -len(title)]
        if last.endswith(title) and len(stem) >= 2:
            read = stem if title in _GLUED_TITLES else last
            return [*words[:-1], read], (last, stem)
    return words, None


def _decide_title(person: Traveller, sent: str, stem: str, others: list[str]) -> None:
    """The name's other occurrences (SSR DOCS, the TIF repeated in the itinerary) say whether
    the end of ``sent`` is a title: one that spells it ``sent`` keeps it, ``stem`` drops it."""
    words = person.given_names.split()
    if not words:
        return
    seen = {w for other in others for w in other.split()}
    if sent in seen:
        words[-1] = sent
    elif stem in seen:
        words[-1] = stem
    person.given_names = " ".join(words)


def _repeated(
    surname: str, given: list[str], reference: str | None, seg: Segment, where: str, st: _State
) -> Traveller | None:
    """A TIF in the itinerary (after TVL or TRI: who holds a seat or checked in) repeats a
    traveller of the reservation: by reference number, then by name, then, misspelt, by the
    closest name (a warning). None when it names nobody listed: a traveller of its own."""
    assert st.pnr is not None
    if reference and reference in st.references:
        return st.references[reference]
    first = given[0] if given else ""
    same = st.by_surname.get(surname, [])
    for person in same:
        if _first_given(person) == first or not first:
            return person
    candidates = st.pnr.travellers if len(st.pnr.travellers) <= 20 else same
    name = f"{surname} {' '.join(given)}"
    if len(name) > 120:
        return None
    best, score = None, 0.0
    for person in candidates:
        ratio = SequenceMatcher(None, name, f"{person.surname} {person.given_names}"[:120]).ratio()
        if ratio > score:
            best, score = person, ratio
    if best is not None and score >= 0.75:
        st.report.warn(
            f"TIF {surname}/{' '.join(given)} in the itinerary read as the reservation's "
            f"{best.surname}/{best.given_names} (names differ)",
            seg,
            where,
        )
        return best
    return None


def _first_given(person: Traveller) -> str:
    words = person.given_names.split()
    return words[0] if words else ""


def _booked(seg: Segment, st: _State) -> None:
    assert st.pnr is not None
    if st.change is not None:
        st.change.what = f"flight {seg.get(4, 1)}{seg.get(5, 1)} {seg.get(2)}-{seg.get(3)}"
        return
    if not seg.get(2).strip() and not seg.get(3).strip():
        _operating(seg, st)
        return
    dep, arr = _times(seg, st.report)
    marketing, operating = seg.get(4, 1).upper(), seg.get(4, 2).upper()
    booked = Booked(marketing, seg.get(5, 1), seg.get(2).upper(), seg.get(3).upper(), dep, arr)
    booked.booking_class = seg.get(5, 2) or None
    if operating and operating != marketing:
        booked.operating = operating  # its number follows in a TVL of its own
    st.pnr.itinerary.append(booked)
    st.booked = booked
    st.person = None
    st.last = "booked"
    st.itinerary = True
    flight = st.message.flight
    if (
        operating
        and operating != marketing
        and operating == flight.carrier
        and any(leg.origin == booked.origin for leg in flight.legs)
    ):
        _codeshare(booked, flight)


def _codeshare(booked: Booked, flight: Flight) -> None:
    code = f"{booked.carrier}{booked.number.lstrip('0')}"
    if code not in flight.codeshares:
        flight.codeshares.append(code)


def _operating(seg: Segment, st: _State) -> None:
    """A TVL without a route (``TVL+++++972:M``) gives the operating flight of the codeshare
    segment before it: it annotates that segment, it is no leg of its own."""
    booked = st.booked
    number = seg.get(5, 1).strip().upper().lstrip("0")
    if booked is None or not number:
        st.report.warn(
            "a TVL without origin and destination, and no flight segment before it; ignored",
            seg,
            "2",
        )
        return
    carrier = seg.get(4, 1).strip().upper() or booked.operating or booked.carrier
    booked.operating = f"{carrier}{number}"
    flight = st.message.flight
    if booked.operating == flight.designator and booked.carrier != flight.carrier:
        _codeshare(booked, flight)


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
    seg: Segment, st: _State, surname: str = "", given: str = "", infant: bool = False
) -> Traveller | None:
    """Whose an SSR is: the traveller its name names (SSR DOCS carries one), then the one its
    reference number names, then the traveller it follows. An infant's DOCS (sex MI/FI) that
    names nobody listed is the infant's own: a traveller of the reservation (a lap infant has
    no TIF), never the adult it follows."""
    assert st.pnr is not None
    if surname:
        named = _named(st, surname, given)
        if named is not None:
            return named
        if infant:
            baby = Traveller(surname, " ".join(given.split()))
            st.pnr.travellers.append(baby)
            st.by_surname.setdefault(surname, []).append(baby)
            return baby
    ref = seg.get(2, 3) or seg.get(3, 1)
    who = st.references.get(ref) if ref else None
    who = who or st.person
    if who is not None and surname and who.surname != surname:
        st.report.warn(
            f"SSR {seg.get(1, 1)} names {surname}/{given}; read as the traveller it "
            f"{'refers to' if ref in st.references else 'follows'}, {who.surname}/"
            f"{who.given_names}",
            seg,
            "1.9",
        )
    return who


def _named(st: _State, surname: str, given: str) -> Traveller | None:
    """The one traveller of the reservation with this surname and first given name (a title
    glued to it read either way), or with this surname alone when it is the only one."""
    same = st.by_surname.get(surname, [])
    if not given.strip():
        return same[0] if len(same) == 1 else None
    first = given.split()[0]
    matches = [p for p in same if first == _first_given(p)]
    if not matches and st.glued:
        glued = {id(p): (sent, stem) for p, sent, stem in st.glued}
        matches = [p for p in same if first in glued.get(id(p), ())]
    return matches[0] if len(matches) == 1 else None


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
    kind, issuer, number, nationality, born, sex, expiry, surname, given, middle = fields[:10]
    surname, given = " ".join(surname.upper().split()), " ".join(given.upper().split())
    infant = sex.strip().upper() in checks.INFANTS
    who = _ssr_traveller(seg, st, surname, given, infant)
    if who is None:
        st.report.warn(
            f"SSR DOCS for {surname}/{given} matches no traveller of the reservation", seg, "1.9"
        )
        return
    report = st.report
    if number.strip():
        doc_number = checks.document_number(number, report, seg, "1.9")
        if doc_number:
            doc = Document(kind.strip().upper()[:2], doc_number)
            doc.country = checks.country(issuer, report, seg, "1.9", "issuing state")
            doc.expiry = _docs_date(expiry, "expiry", st, seg)
            _add_document(who, doc)
    who.nationality = checks.country(nationality, report, seg, "1.9", "nationality") or (
        who.nationality
    )
    who.birth_date = _docs_date(born, "birth", st, seg) or who.birth_date
    who.sex = checks.sex(sex, report, seg, "1.9") or who.sex
    if given:
        st.seen_given.setdefault(id(who), []).append(given)
        if not who.given_names:
            who.given_names = given
    # AIRIMP runs a traveller's given names together (TIF KEVINMICHAELMR); DOCS keeps them
    # apart (given KEVIN, middle MICHAEL): the same names, read as DOCS spaces them
    spaced = " ".join(f"{given} {middle}".upper().split())
    if spaced and who.given_names.replace(" ", "") == spaced.replace(" ", ""):
        who.given_names = spaced


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
