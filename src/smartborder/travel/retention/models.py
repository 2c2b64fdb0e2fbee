"""Retention tables: legal holds that keep a traveller's API/PNR data from masking and
deletion until released."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class Hold(Base):
    """Keeps a traveller's API/PNR data out of retention's masking and deletion while it is
    open: placed by an analyst (an investigation) or by an open hit, released when done."""

    __tablename__ = "travel_holds"
    __table_args__ = (
        Index("ix_travel_holds_open", "traveller_id", "released_at"),
        Index("ix_travel_holds_source", "source", "released_at"),  # a hit's holds
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    traveller_id: Mapped[str] = mapped_column(ForeignKey("travel_travellers.id"))
    source: Mapped[str] = mapped_column(String(80))  # "analyst" or "hit:<id>"
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(120))
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(120))
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str | None] = mapped_column(Text)
