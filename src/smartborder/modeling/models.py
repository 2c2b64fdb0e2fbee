"""Modelling tables: runs of a scenario (or of a base against a variant) submitted to run in
the background, with their progress, figures and plots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartborder.db import Base, UTCDateTime


class ModelRun(Base):
    """One run: ``scenario`` (and ``variant``) are the validated scenarios as data, so a run
    can be repeated exactly; ``result`` holds the figures once it is done."""

    __tablename__ = "model_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # run | compare
    name: Mapped[str] = mapped_column(String(260))
    source: Mapped[str] = mapped_column(String(200))  # example:NAME, upload:NAME
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    variant: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    replications: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # queued | running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    submitted_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ModelPlot(Base):
    __tablename__ = "model_plots"

    run_id: Mapped[str] = mapped_column(ForeignKey("model_runs.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
