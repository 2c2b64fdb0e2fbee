"""The answers of the API/PNR intake API: messages (and the quarantine), flights with their
manifest and reservations, resolved travellers."""

from __future__ import annotations

from typing import Any

from smartborder.answers import Open, Out
from smartborder.travel.retention.schemas import HoldOut


class ProblemOut(Out):
    """A problem found in a message, located by message, segment, element and line."""

    severity: str
    message: str | None
    position: int | None
    tag: str | None
    element: str | None
    line: int | None
    traveller: str | None
    text: str


class AssessedOut(Out):
    """What screening and scoring did with the travellers filed."""

    flights: int
    travellers: int
    hits: int
    stored: int
    updated: int
    removed: int
    queued: int
    shared: int
    decisions: dict[str, int]


class ReceivedOut(Out):
    """A message received: stored, quarantined (with every problem) or a duplicate."""

    id: str
    state: str
    kind: str
    travellers: int
    flights: list[str]
    duplicate_of: str | None
    problems: list[ProblemOut]
    assessed: AssessedOut | None = None  # when stored and scored


class MessageOut(Out):
    id: str
    state: str
    kind: str
    form: str
    source: str
    size: int
    reference: str | None
    sender: str | None
    purpose: str | None
    flight_id: str | None
    travellers: int
    attempts: int
    duplicate_of: str | None
    received_at: str
    stored_at: str | None
    errors: int
    warnings: int
    masked: bool
    problems: list[ProblemOut] | None = None  # a single message's page


class MessagePage(Out):
    total: int
    items: list[MessageOut]


class FlightOut(Out):
    id: str
    flight: str
    carrier: str
    number: str
    date: str
    origin: str
    destination: str
    departure: str | None
    arrival: str | None
    legs: list[dict[str, Any]]
    codeshares: list[str]
    status: str
    passengers: int
    crew: int
    reservations: int
    warnings: int
    masked_at: str | None


class FlightPage(Out):
    total: int
    items: list[FlightOut]


class LinkOut(Out):
    """Why this mention was linked to the traveller (the resolution rule and its reason)."""

    rule: str
    reason: str


class PassengerOut(Out):
    traveller_id: str
    message_id: str
    kind: str
    role: str
    surname: str
    given_names: str
    birth_date: str | None
    sex: str | None
    nationality: str | None
    documents: list[dict[str, Any]]
    reservation: str | None
    cancelled: bool
    details: dict[str, Any]
    link: LinkOut
    masked: bool


class ReservationOut(Open):
    """A reservation (PNR) on the flight, payment masked; further fields are the PNR's own
    details as filed (contacts, itinerary, agency, bags, seats, ...)."""

    locator: str
    carrier: str
    created: str | None
    updated: str | None
    ticketed: str | None
    cancelled: bool
    pushes: int


class FlightDetailOut(FlightOut):
    manifest: list[PassengerOut]
    reservations: list[ReservationOut]  # type: ignore[assignment]  # the count in lists
    messages: list[MessageOut]


class TravellerDocumentOut(Out):
    type: str
    number: str
    country: str
    expiry: str | None


class MentionOut(PassengerOut):
    """A message that names the traveller, with the flight."""

    flight: FlightOut
    received_at: str


class TravellerOut(Out):
    id: str
    surname: str
    given_names: str
    birth_date: str | None
    sex: str | None
    nationality: str | None
    masked: bool
    first_seen: str
    documents: list[TravellerDocumentOut]
    mentions: list[MentionOut]
    holds: list[HoldOut]
