"""What a PAXLST or PNRGOV message says, once understood: the flight, its legs, the travellers
with their documents, and (PNRGOV) the reservations. The JSON form of both messages is this
structure (docs/travel.md); a JSON message is validated into it with every problem located."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["PAXLST", "PNRGOV"]
Role = Literal["passenger", "crew", "in-transit passenger", "in-transit crew"]


@dataclass(slots=True)
class Leg:
    origin: str
    destination: str
    departure: str | None = None  # local time at the origin, ISO 8601 (YYYY-MM-DDTHH:MM)
    arrival: str | None = None


@dataclass(slots=True)
class Flight:
    carrier: str
    number: str
    legs: list[Leg] = field(default_factory=list)
    codeshares: list[str] = field(default_factory=list)  # marketing flights, "AC8123"

    @property
    def designator(self) -> str:
        return f"{self.carrier}{self.number}"

    @property
    def date(self) -> str | None:
        """The scheduled local departure date from the first leg."""
        first = self.legs[0].departure if self.legs else None
        return first[:10] if first else None


@dataclass(slots=True)
class Document:
    type: str  # P passport, V visa, I/A/C identity cards, ...
    number: str
    country: str | None = None  # issuing state (ICAO code)
    expiry: str | None = None
    issued: str | None = None


@dataclass(slots=True)
class Traveller:
    surname: str
    given_names: str = ""
    role: Role = "passenger"
    birth_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    sex: str | None = None  # M, F, X (U when the message says unknown)
    nationality: str | None = None
    residence: str | None = None
    birth_place: str | None = None
    address: str | None = None
    documents: list[Document] = field(default_factory=list)
    embarkation: str | None = None
    debarkation: str | None = None
    reservation: str | None = None  # the PNR record locator
    reference: str | None = None  # the airline's passenger reference / TIF number
    seat: str | None = None
    bags: int | None = None
    frequent_flyer: str | None = None
    tickets: list[str] = field(default_factory=list)
    cancelled: bool = False


@dataclass(slots=True)
class Booked:
    """A flight segment of a reservation's itinerary."""

    carrier: str
    number: str
    origin: str
    destination: str
    departure: str | None = None
    arrival: str | None = None
    booking_class: str | None = None
    status: str | None = None  # HK confirmed, ...
    aircraft: str | None = None
    operating: str | None = None  # the operating flight of a codeshare, "AC870"
    cancelled: bool = False


@dataclass(slots=True)
class Payment:
    type: str  # CC card, CA cash, MS miscellaneous, ...
    masked: str | None = None  # never more than the last four digits of an account
    vendor: str | None = None
    expiry: str | None = None
    amount: str | None = None


@dataclass(slots=True)
class Change:
    """A history item (ABI/SAC): what was done, by whom, when."""

    action: str  # added, cancelled, changed
    what: str
    by: str | None = None
    at: str | None = None


@dataclass(slots=True)
class Reservation:
    locator: str  # the booking's own: the reservation's first RCI
    carrier: str
    locators: list[str] = field(default_factory=list)  # other systems' and split PNRs', "LH:XYZ789"
    group: str | None = None  # a group booking's name (TIF with quantity qualifier G)
    created: str | None = None
    updated: str | None = None
    ticketed: str | None = None
    agency: str | None = None
    travellers: list[Traveller] = field(default_factory=list)
    itinerary: list[Booked] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)  # "total 600.00 USD"
    contacts: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    history: list[Change] = field(default_factory=list)
    cancelled: bool = False


@dataclass(slots=True)
class Message:
    kind: Kind
    reference: str
    flight: Flight
    sender: str = ""
    recipient: str = ""
    prepared: str | None = None
    version: str = ""
    purpose: str = ""  # passenger list, crew list, full push, update, change, cancellation...
    part: int = 1
    final: bool = True
    common_reference: str | None = None  # ties the parts of a multi-part message
    travellers: list[Traveller] = field(default_factory=list)  # PAXLST
    itinerary: list[Booked] = field(default_factory=list)  # PAXLST: the other flights listed
    reservations: list[Reservation] = field(default_factory=list)  # PNRGOV
    declared: dict[str, int] = field(default_factory=dict)  # counts the message claims

    def everyone(self) -> list[Traveller]:
        if self.kind == "PAXLST":
            return self.travellers
        return [t for r in self.reservations for t in r.travellers]
