"""Enrolled templates: one row per template, the gallery's source of truth."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class BiometricTemplate(Base):
    __tablename__ = "biometric_templates"
    __table_args__ = (
        Index("ix_biometric_templates_changed", "changed_at"),
        Index("ix_biometric_templates_subject", "algorithm", "subject"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(64))  # with its version: dlib-resnet-v1
    subject: Mapped[str] = mapped_column(String(64))
    dimensions: Mapped[int] = mapped_column(Integer)
    # float32, little-endian; emptied when the template is deleted (the data is destroyed)
    template: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12))  # enrolled | deleted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
