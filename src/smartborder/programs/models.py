"""Trusted travellers: applications, their vetting, interviews and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class TrustedApplication(Base):
    """An application to NEXUS or FAST as given, with its eligibility, reasons and fee."""

    __tablename__ = "programs_applications"
    __table_args__ = (
        Index("ix_programs_applications_reference", "reference", unique=True),
        Index("ix_programs_applications_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))  # what the applicant is told
    program: Mapped[str] = mapped_column(String(8))  # nexus | fast
    applicant: Mapped[str] = mapped_column(Text)  # normalised name, for listing
    birth_date: Mapped[dt.date] = mapped_column(Date)
    application: Mapped[dict[str, Any]] = mapped_column(JSON)  # as given
    status: Mapped[str] = mapped_column(String(12))  # ineligible|vetting|approved|denied
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fee: Mapped[dict[str, Any]] = mapped_column(JSON)
    # this node's vetting (hits, decision) and each partner's decision
    vetting: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))


class TrustedVetting(Base):
    """A partner's applicant sent here to vet: only what the annex lists, the hits found here
    (kept here), and the decision returned."""

    __tablename__ = "programs_vettings"
    __table_args__ = (
        Index("ix_programs_vettings_reference", "partner", "reference"),
        Index("ix_programs_vettings_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))  # the partner's application reference
    partner: Mapped[str] = mapped_column(String(32))
    agreement: Mapped[str] = mapped_column(String(80))
    program: Mapped[str] = mapped_column(String(8))
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))  # queued | screening | review | answered
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(8))
    reason_codes: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    envelopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class TrustedInterview(Base):
    """An approved applicant's interview at an enrolment centre: booked against the centre's
    capacity for the day, then held (biometrics captured and checked, deduplicated) and ended
    by a card, or by an officer's finding on a possible duplicate."""

    __tablename__ = "programs_interviews"
    __table_args__ = (
        Index("ix_programs_interviews_day", "centre", "day"),
        Index("ix_programs_interviews_reference", "reference"),
        Index("ix_programs_interviews_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))  # the application's
    centre: Mapped[str] = mapped_column(String(40))
    day: Mapped[dt.date] = mapped_column(Date)
    # booked | held (a possible duplicate, for an officer) | enrolled | refused | cancelled
    state: Mapped[str] = mapped_column(String(12))
    # what was captured: each sample's quality; the templates while an officer decides
    capture: Mapped[dict[str, Any]] = mapped_column(JSON)
    duplicates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    finding: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    card_number: Mapped[str | None] = mapped_column(String(20))
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    booked_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))


class TrustedMembership(Base):
    """A NEXUS or FAST membership: issued here (``origin`` this node) or by the partner and
    shared under the annex, so that both countries' lanes know every card and its status."""

    __tablename__ = "programs_memberships"
    __table_args__ = (
        Index("ix_programs_memberships_card", "card_number", unique=True),
        Index("ix_programs_memberships_rfid", "rfid", unique=True),
        Index("ix_programs_memberships_reference", "reference"),
        Index("ix_programs_memberships_open_flags", "open_flags"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(20))
    rfid: Mapped[str] = mapped_column(String(32))  # the card's tag id: no personal data on it
    origin: Mapped[str] = mapped_column(String(32))  # the node that issued it
    reference: Mapped[str] = mapped_column(String(40))  # the application's, at its origin
    program: Mapped[str] = mapped_column(String(8))
    modes: Mapped[list[str]] = mapped_column(JSON)
    surname: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(3))
    # active | suspended | cancelled (expiry is read from expires_on)
    status: Mapped[str] = mapped_column(String(12))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    face: Mapped[bytes | None] = mapped_column(LargeBinary)  # the enrolled face template
    iris: Mapped[bytes | None] = mapped_column(LargeBinary)  # the enrolled iris code (air)
    # every status change with its written reasons, who and when
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # lookouts made since approval that name the member, for an officer (open until acted on)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    open_flags: Mapped[int] = mapped_column(Integer, default=0)  # how many flags are open
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
