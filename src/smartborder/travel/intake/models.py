"""API/PNR intake tables: messages (with their life-cycle and quarantine), flights, resolved
travellers and their documents, who was on which flight per message, and reservations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class TravelMessage(Base):
    """One message as received: its bytes (until retention removes them), what became of it
    (received, stored, quarantined, duplicate) and every problem found."""

    __tablename__ = "travel_messages"
    __table_args__ = (
        Index("ix_travel_messages_digest", "digest"),
        Index("ix_travel_messages_state", "state", "received_at"),
        Index("ix_travel_messages_flight", "flight_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the bytes
    kind: Mapped[str] = mapped_column(String(8), default="")  # PAXLST | PNRGOV | ""
    form: Mapped[str] = mapped_column(String(8), default="")  # EDIFACT | JSON
    source: Mapped[str] = mapped_column(String(200))  # api, file:NAME, watch:NAME
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(12))  # received|stored|quarantined|duplicate
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str | None] = mapped_column(String(80))
    sender: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str | None] = mapped_column(String(80))
    flight_id: Mapped[str | None] = mapped_column(String(36))
    travellers: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    duplicate_of: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    stored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    masked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Flight(Base):
    __tablename__ = "travel_flights"
    __table_args__ = (
        UniqueConstraint("carrier", "number", "date", "origin", name="uq_travel_flights_key"),
        Index("ix_travel_flights_date", "date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(5))
    date: Mapped[str] = mapped_column(String(10))  # local departure date, YYYY-MM-DD
    origin: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(3))
    departure: Mapped[str | None] = mapped_column(String(16))  # local, ISO
    arrival: Mapped[str | None] = mapped_column(String(16))
    legs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    codeshares: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # scheduled | closed out (a close-out PAXLST)
    passengers: Mapped[int] = mapped_column(Integer, default=0)
    crew: Mapped[int] = mapped_column(Integer, default=0)
    reservations: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # last message filed
    masked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Traveller(Base):
    """A resolved identity: one person, however many messages mention them."""

    __tablename__ = "travel_travellers"
    __table_args__ = (Index("ix_travel_travellers_key", "name_key", "birth_date"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    surname: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(160))
    name_key: Mapped[str] = mapped_column(String(200))  # normalised full name
    birth_date: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(1))
    nationality: Mapped[str | None] = mapped_column(String(3))
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    masked: Mapped[bool] = mapped_column(Boolean, default=False)


class TravellerDocument(Base):
    __tablename__ = "travel_traveller_documents"
    __table_args__ = (
        UniqueConstraint("number", "country", "type", name="uq_travel_traveller_documents_key"),
        Index("ix_travel_traveller_documents_traveller", "traveller_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    traveller_id: Mapped[str] = mapped_column(ForeignKey("travel_travellers.id"))
    type: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(3), default="")
    expiry: Mapped[str | None] = mapped_column(String(10))
    first_message: Mapped[str] = mapped_column(String(36))


class Passenger(Base):
    """A traveller as one message gives them on one flight, and the rule that tied that mention
    to the resolved traveller."""

    __tablename__ = "travel_passengers"
    __table_args__ = (
        Index("ix_travel_passengers_flight", "flight_id", "traveller_id"),
        Index("ix_travel_passengers_traveller", "traveller_id"),
        Index("ix_travel_passengers_message", "message_id"),
        Index("ix_travel_passengers_received", "received_at"),  # the hourly counts
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    flight_id: Mapped[str] = mapped_column(ForeignKey("travel_flights.id"))
    traveller_id: Mapped[str] = mapped_column(ForeignKey("travel_travellers.id"))
    message_id: Mapped[str] = mapped_column(ForeignKey("travel_messages.id"))
    kind: Mapped[str] = mapped_column(String(8))  # PAXLST | PNRGOV
    role: Mapped[str] = mapped_column(String(24))
    surname: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(160))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(1))
    nationality: Mapped[str | None] = mapped_column(String(3))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # seat, bags, address, residence...
    reservation: Mapped[str | None] = mapped_column(String(12))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    link_rule: Mapped[str] = mapped_column(String(24))
    link_reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    masked: Mapped[bool] = mapped_column(Boolean, default=False)


class Reservation(Base):
    """A PNR on a flight, as its latest push gave it (payment masked)."""

    __tablename__ = "travel_reservations"
    __table_args__ = (UniqueConstraint("flight_id", "locator", name="uq_travel_reservations_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    flight_id: Mapped[str] = mapped_column(ForeignKey("travel_flights.id"))
    locator: Mapped[str] = mapped_column(String(12))
    carrier: Mapped[str] = mapped_column(String(3))
    created: Mapped[str | None] = mapped_column(String(16))
    updated: Mapped[str | None] = mapped_column(String(16))
    ticketed: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # itinerary, payments, contacts...
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str] = mapped_column(String(36))
    pushes: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
