"""IBET cases and their timelines, as each node holds them (the same ids on both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class IbetCase(Base):
    """A case, its agencies, the officers on it (``members``: node, username, agency) and its
    subjects (names, date of birth, nationality), open or closed with an outcome."""

    __tablename__ = "ibet_cases"
    __table_args__ = (Index("ix_ibet_cases_to_screen", "to_screen"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    opened_by_node: Mapped[str] = mapped_column(String(32))
    partner: Mapped[str] = mapped_column(String(32))
    agencies: Mapped[list[str]] = mapped_column(JSON)
    members: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    subjects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))  # open | closed
    # a subject not yet screened on this node (the job's index: it reads only these cases)
    to_screen: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class IbetEntry(Base):
    """One item of a case's timeline: a note or event, a task (assignee, due, done), an
    attachment (its bytes kept, with their SHA-256), a screening result, the closing."""

    __tablename__ = "ibet_entries"
    __table_args__ = (Index("ix_ibet_entries_case", "case_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("ibet_cases.id"))
    kind: Mapped[str] = mapped_column(String(12))  # event|task|attachment|screening|closed
    text: Mapped[str] = mapped_column(Text)
    node: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    task: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # assignee, due, status
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
