"""Risk model tables: every version of a model as loaded, and its life (draft, active, retired)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class RiskModelRow(Base):
    """A version of a risk model as loaded (checked, never changed afterwards): draft, then
    active (one at a time), then retired. ``joint`` once the partner has co-signed it."""

    __tablename__ = "travel_risk_models"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_travel_risk_models_version"),
        Index("ix_travel_risk_models_status", "status"),
        Index("ix_travel_risk_models_subject", "subject", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # what the model scores: travellers (travel) or shipments (cargo)
    subject: Mapped[str] = mapped_column(String(12), default="traveller",
                                         server_default="traveller")  # fmt: skip
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # draft | active | retired
    joint: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    indicators: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    activated_by: Mapped[str | None] = mapped_column(String(120))
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cosigned_by: Mapped[str | None] = mapped_column(String(40))
    cosigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
