from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartborder.db import Base, UTCDateTime, utcnow


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sex: Mapped[str] = mapped_column(String(1))  # ICAO 9303: F, M or X
    birth_date: Mapped[str] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    nationality: Mapped[str] = mapped_column(String(3), index=True)  # ICAO code
    source: Mapped[str] = mapped_column(String(32), default="local")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    names: Mapped[list[PersonName]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonName.id"
    )
    documents: Mapped[list[TravelDocument]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="TravelDocument.id"
    )


class PersonName(Base):
    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name_type: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(120))
    surname: Mapped[str] = mapped_column(String(120))
    script: Mapped[str] = mapped_column(String(4))  # ISO 15924
    search_key: Mapped[str] = mapped_column(String(200), index=True)

    person: Mapped[Person] = relationship(back_populates="names")


class TravelDocument(Base):
    __tablename__ = "travel_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[str] = mapped_column(String(2))  # ICAO 9303 document code, e.g. P, ID
    number: Mapped[str] = mapped_column(String(20), index=True)
    issuer: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[dt.date] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="documents")
