"""The node's own tables outside any domain: rate buckets shared by its workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class RateBucket(Base):
    """Requests left to one client address at one rate-limited path, for every worker of the
    node at once (PostgreSQL; ``smartborder.limits.SharedTokenBuckets``)."""

    __tablename__ = "rate_buckets"

    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
