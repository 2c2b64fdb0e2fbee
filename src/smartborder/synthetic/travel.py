"""Synthetic API/PNR traffic: a day of flights to and from a country's airports (real airports
from ``airportsdata``), each with its passengers in bookings, its crew, PNRGOV pushes 72, 24,
2 and 1 hours before departure and at wheels-up, and PAXLST passenger and crew lists.
Deterministic for a seed; written as real UN/EDIFACT through the same writer the tests check."""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import airportsdata

from smartborder.identity.names import normalise
from smartborder.synthetic.people import PeopleGenerator
from smartborder.travel.intake.edifact import DEFAULT, Separators, write

HOME_AIRPORTS = {
    "CA": ("YYZ", "YVR", "YUL", "YYC", "YOW", "YEG", "YHZ", "YWG"),
    "US": ("JFK", "LAX", "ORD", "ATL", "SFO", "SEA", "MIA", "BOS", "IAD", "DFW"),
}
ABROAD = (
    "LHR",
    "CDG",
    "FRA",
    "AMS",
    "MAD",
    "FCO",
    "DUB",
    "ZRH",
    "IST",
    "DXB",
    "DOH",
    "DEL",
    "BOM",
    "HKG",
    "NRT",
    "ICN",
    "PEK",
    "PVG",
    "SIN",
    "MNL",
    "SYD",
    "MEX",
    "CUN",
    "BOG",
    "LIM",
    "GRU",
    "EZE",
    "PTY",
    "HAV",
    "PUJ",
    "LOS",
    "ADD",
    "CMN",
    "CAI",
    "TLV",
    "KEF",
    "LIS",
    "ATH",
    "WAW",
)
CARRIERS = {
    "CA": ("AC", "WS", "TS", "PD"),
    "US": ("AA", "DL", "UA", "AS", "B6"),
    "": ("AF", "BA", "LH", "KL", "EK", "QR", "TK", "CX", "JL", "NH", "AM", "CM", "LX", "EI"),
}
PUSHES = ((72, "22"), (24, "22"), (2, "141"), (1, "141"), (0, "22"))  # hours before, MSG code
ODD_SEPARATORS = Separators("*", "|", ".", "#", " ", "~")


@cache
def _airports() -> dict[str, Any]:
    return dict(airportsdata.load("IATA"))


def airport(code: str) -> Any:
    """The airport's record in airportsdata (name, city, country, tz)."""
    return _airports()[code]


@dataclass(slots=True)
class Person:
    surname: str
    given: str
    sex: str
    born: str  # YYYY-MM-DD, or partial
    nationality: str
    passport: str
    issuer: str
    expiry: str
    seat: str = ""


@dataclass(slots=True)
class Booking:
    locator: str
    created: dt.datetime
    people: list[Person]
    card: str | None
    phone: str
    cancelled_at: int | None = None  # the push (hours before) from which it is cancelled


@dataclass(slots=True)
class SyntheticFlight:
    carrier: str
    number: str
    origin: str
    destination: str
    departure: dt.datetime  # local time at origin
    arrival: dt.datetime
    bookings: list[Booking] = field(default_factory=list)
    crew: list[Person] = field(default_factory=list)
    codeshare: str | None = None

    @property
    def designator(self) -> str:
        return f"{self.carrier}{self.number}"


@dataclass(slots=True)
class SyntheticMessage:
    name: str
    due: dt.datetime  # when the airline would send it (local time at origin)
    kind: str
    data: bytes
    travellers: int


class TrafficGenerator:
    def __init__(self, seed: int, country: str = "CA") -> None:
        self.random = random.Random(seed)
        self.country = country.upper()
        self.people = PeopleGenerator(seed, self.country, today=dt.date(2026, 1, 1))
        for code in (*HOME_AIRPORTS[self.country], *ABROAD):
            airport(code)  # every code is a real airport, or this fails loudly

    def flights(
        self, day: dt.date, count: int, *, passengers: tuple[int, int] = (60, 280)
    ) -> list[SyntheticFlight]:
        flights = []
        numbers: set[str] = set()
        for _ in range(count):
            home = self.random.choice(HOME_AIRPORTS[self.country])
            away = self.random.choice(ABROAD)
            inbound = self.random.random() < 0.5
            origin, destination = (away, home) if inbound else (home, away)
            carrier = self.random.choice(
                CARRIERS[self.country] if self.random.random() < 0.6 else CARRIERS[""]
            )
            number = str(self.random.randint(1, 9899))
            while carrier + number in numbers:
                number = str(self.random.randint(1, 9899))
            numbers.add(carrier + number)
            departure = dt.datetime.combine(
                day, dt.time(self.random.randint(0, 23), self.random.choice((0, 15, 30, 45)))
            )
            arrival = departure + dt.timedelta(minutes=self.random.randint(150, 840))
            flight = SyntheticFlight(carrier, number, origin, destination, departure, arrival)
            if self.random.random() < 0.3:
                partner = self.random.choice([c for c in CARRIERS[""] if c != carrier])
                flight.codeshare = f"{partner}{self.random.randint(1000, 9899)}"
            self._fill(flight, self.random.randint(*passengers))
            flights.append(flight)
        return flights

    def _fill(self, flight: SyntheticFlight, seats: int) -> None:
        left = seats
        rows = iter(f"{r}{c}" for r in range(1, 80) for c in "ABCDEFGHJK")
        while left > 0:
            size = min(left, self.random.choices((1, 2, 3, 4), weights=(60, 25, 9, 6))[0])
            people = [self._person() for _ in range(size)]
            for person in people:
                person.seat = next(rows)
                self._valid_on(person, flight.departure.date())
            created = flight.departure - dt.timedelta(
                days=self.random.randint(0, 180), minutes=self.random.randint(0, 1439)
            )
            card = None
            if self.random.random() < 0.85:
                card = "4" + "".join(self.random.choices(string.digits, k=15))
            booking = Booking(self._locator(), created, people, card, self._phone())
            if self.random.random() < 0.02:
                booking.cancelled_at = self.random.choice((24, 2))
            flight.bookings.append(booking)
            left -= size
        flight.crew = [self._person(crew=True) for _ in range(self.random.randint(6, 14))]
        for member in flight.crew:
            self._valid_on(member, flight.departure.date())

    def _valid_on(self, person: Person, day: dt.date) -> None:
        """Travellers carry documents valid on the day they fly; about one in a hundred one
        that expires within a month (a real pattern, and a risk indicator)."""
        if dt.date.fromisoformat(person.expiry) > day + dt.timedelta(days=30):
            return
        days = self.random.randint(1, 29) if self.random.random() < 0.01 else None
        days = days or self.random.randint(31, 3650)
        person.expiry = (day + dt.timedelta(days=days)).isoformat()

    def _person(self, *, crew: bool = False) -> Person:
        made = self.people.person()
        name = next((n for n in made.names if n.name_type == "transliteration"), made.names[0])
        document = made.documents[0]
        born = made.birth_date
        if crew or len(born) != 10:
            year = self.random.randint(1960, 2000)
            born = f"{year}-{self.random.randint(1, 12):02d}-{self.random.randint(1, 28):02d}"
        return Person(
            surname=normalise(name.surname) or "UNKNOWN",
            given=normalise(name.given_names),
            sex=made.sex,
            born=born,
            nationality=made.nationality,
            passport=document.number,
            issuer=document.issuer,
            expiry=document.expires_on.isoformat(),
        )

    def _locator(self) -> str:
        return "".join(self.random.choices(string.ascii_uppercase + string.digits, k=6))

    def _phone(self) -> str:
        return (
            f"{self.random.randint(200, 999)} {self.random.randint(200, 999)} "
            f"{self.random.randint(1000, 9999)}"
        )

    def messages(self, flight: SyntheticFlight) -> Iterator[SyntheticMessage]:
        """The flight's PNRGOV pushes and its PAXLST lists, in the order they are sent."""
        seps = ODD_SEPARATORS if self.random.random() < 0.1 else DEFAULT
        for hours, code in PUSHES:
            due = flight.departure - dt.timedelta(hours=hours)
            bookings = [b for b in flight.bookings if b.created <= due]
            if code == "141":  # an update carries the changed bookings only
                bookings = [
                    b for b in bookings if b.cancelled_at == hours or self.random.random() < 0.05
                ]
            text = pnrgov(flight, bookings, hours, code, seps)
            count = sum(len(b.people) for b in bookings)
            yield SyntheticMessage(
                f"{flight.designator}-{flight.departure:%Y%m%d}-PNR-{hours:02d}h.edi",
                due,
                "PNRGOV",
                text.encode(),
                count,
            )
        crew = paxlst(flight, flight.crew, crew=True, seps=seps)
        yield SyntheticMessage(
            f"{flight.designator}-{flight.departure:%Y%m%d}-CREW.edi",
            flight.departure - dt.timedelta(hours=1),
            "PAXLST",
            crew.encode(),
            len(flight.crew),
        )
        boarded = [p for b in flight.bookings if b.cancelled_at is None for p in b.people]
        locators = {id(p): b.locator for b in flight.bookings for p in b.people}
        text = paxlst(flight, boarded, crew=False, seps=seps, locators=locators)
        yield SyntheticMessage(
            f"{flight.designator}-{flight.departure:%Y%m%d}-API.edi",
            flight.departure,
            "PAXLST",
            text.encode(),
            len(boarded),
        )


def _ticket(carrier: str, passport: str) -> str:
    return f"{carrier}{random.Random(passport).randrange(10**10):010d}"


def _common(flight: SyntheticFlight) -> str:
    return f"{flight.designator}/{_ddmmyy(flight.departure)}"


def _ddmmyy(moment: dt.datetime | dt.date) -> str:
    return moment.strftime("%d%m%y")


def _docs_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return day.strftime("%d%b%y").upper()


def _envelope(
    sender: str, recipient: str, kind: str, stamp: dt.datetime, ref: str
) -> list[tuple[str, list[list[str]]]]:
    syntax = ["UNOA", "4"] if kind == "PAXLST" else ["IATA", "1"]
    return [
        (
            "UNB",
            [
                syntax,
                [sender],
                [recipient],
                [stamp.strftime("%y%m%d"), stamp.strftime("%H%M")],
                [ref],
            ],
        )
    ]


def paxlst(
    flight: SyntheticFlight,
    people: list[Person],
    *,
    crew: bool,
    seps: Separators = DEFAULT,
    locators: dict[int, str] | None = None,
) -> str:
    stamp = flight.departure
    reference = f"{flight.designator}{'C' if crew else 'P'}"
    body: list[tuple[str, list[list[str]]]] = [
        ("BGM", [["250" if crew else "745"]]),
        ("NAD", [["MS"], [], [], [f"{flight.carrier} OPERATIONS"]]),
        ("TDT", [["20"], [flight.designator], [], [], [flight.carrier]]),
        ("LOC", [["125"], [flight.origin]]),
        ("DTM", [["189", stamp.strftime("%y%m%d%H%M"), "201"]]),
        ("LOC", [["87"], [flight.destination]]),
        ("DTM", [["232", flight.arrival.strftime("%y%m%d%H%M"), "201"]]),
    ]
    for person in people:
        body += [
            (
                "NAD",
                [["FM" if crew else "FL"], [], [], [person.surname, *person.given.split()[:2]]],
            ),
            ("ATT", [["2"], [], [person.sex]]),
            ("DTM", [["329", person.born[2:].replace("-", "")]]),
            ("LOC", [["178"], [flight.origin]]),
            ("LOC", [["179"], [flight.destination]]),
            ("NAT", [["2"], [person.nationality]]),
        ]
        if locators and id(person) in locators:
            body.append(("RFF", [["AVF", locators[id(person)]]]))
        if person.seat and not crew:
            body.append(("RFF", [["SEA", person.seat]]))
        body += [
            ("DOC", [["P", "110", "111"], [person.passport]]),
            ("DTM", [["36", person.expiry[2:].replace("-", "")]]),
            ("LOC", [["91"], [person.issuer]]),
        ]
    body.append(("CNT", [["41" if crew else "42", str(len(people))]]))
    segments = [
        *_envelope(flight.carrier, "APIS", "PAXLST", stamp, reference),
        ("UNH", [[reference], ["PAXLST", "D", "05B", "UN", "IATA"], [reference], ["01", "F"]]),
        *body,
        ("UNT", [[str(len(body) + 2)], [reference]]),
        ("UNZ", [["1"], [reference]]),
    ]
    return write(segments, seps)


def pnrgov(
    flight: SyntheticFlight,
    bookings: list[Booking],
    hours: int,
    code: str,
    seps: Separators = DEFAULT,
) -> str:
    due = flight.departure - dt.timedelta(hours=hours)
    reference = f"{flight.designator}{hours:02d}"
    leg = [
        [
            _ddmmyy(flight.departure),
            flight.departure.strftime("%H%M"),
            _ddmmyy(flight.arrival),
            flight.arrival.strftime("%H%M"),
        ],
        [flight.origin],
        [flight.destination],
        [flight.carrier],
        [flight.number],
    ]
    body: list[tuple[str, list[list[str]]]] = [
        ("MSG", [["", code]]),
        ("ORG", [[flight.carrier, flight.origin]]),
        ("TVL", leg),
        ("EQN", [[str(len(bookings))]]),
    ]
    for booking in bookings:
        body += [
            ("SRC", []),
            (
                "RCI",
                [
                    [
                        flight.carrier,
                        booking.locator,
                        "",
                        _ddmmyy(booking.created),
                        booking.created.strftime("%H%M"),
                    ]
                ],
            ),
            ("DAT", [["700", _ddmmyy(due), due.strftime("%H%M")]]),
            ("IFT", [["4", "28", "", flight.carrier], [f"CTCM {booking.phone}"]]),
        ]
        if booking.cancelled_at is not None and hours <= booking.cancelled_at:
            body.append(("SAC", [[], [], ["X"]]))
        for k, person in enumerate(booking.people, 1):
            docs = "/".join(
                [
                    "",
                    "P",
                    person.issuer,
                    person.passport,
                    person.nationality,
                    _docs_date(person.born) if len(person.born) == 10 else "",
                    person.sex,
                    _docs_date(person.expiry),
                    person.surname,
                    person.given,
                ]
            )
            body += [
                ("TIF", [[person.surname, "I"], [person.given, "A", str(k)]]),
                ("SSR", [["DOCS", "HK", "1", flight.carrier, "", "", "", "", docs]]),
                ("TKT", [[_ticket(flight.carrier, person.passport), "T", "1"]]),
            ]
        if booking.card:
            body.append(("FOP", [["CC", "", "", "VI", booking.card, "1229"]]))
        else:
            body.append(("FOP", [["CA"]]))
        marketing = [flight.carrier]
        number = flight.number
        if flight.codeshare:
            marketing = [flight.codeshare[:2], flight.carrier]
            number = flight.codeshare[2:]
        body += [
            ("TVL", [leg[0], leg[1], leg[2], marketing, [number, "Y"]]),
            ("RPI", [[str(len(booking.people))], ["HK"]]),
        ]
    segments = [
        *_envelope(flight.carrier, "PNRGOV", "PNRGOV", due, reference),
        ("UNH", [[reference], ["PNRGOV", "13", "1", "IA"], [_common(flight)]]),
        *body,
        ("UNT", [[str(len(body) + 2)], [reference]]),
        ("UNZ", [["1"], [reference]]),
    ]
    return write(segments, seps)


def day_of_traffic(
    day: dt.date,
    flights: int,
    *,
    seed: int = 7,
    country: str = "CA",
    passengers: tuple[int, int] = (60, 280),
) -> list[SyntheticMessage]:
    """Every message of a day of flights, in the order the airlines would send them."""
    generator = TrafficGenerator(seed, country)
    messages = [
        message
        for flight in generator.flights(day, flights, passengers=passengers)
        for message in generator.messages(flight)
    ]
    return sorted(messages, key=lambda m: (m.due, m.name))
