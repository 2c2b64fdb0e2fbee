"""The overview over a date range: each series counted in that range by hour (a range of up to
``HOURLY_UP_TO``) or by day, one line per key, with totals; the figures of now (queues,
exchange health); and the same as CSV.

A range is read from the hourly counts alone (one indexed range scan, summed by day in SQL for
a long range), so a year reads as fast as a day does."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.errors import ValidationFailed
from smartborder.operations.models import HourlyCount
from smartborder.operations.series import (
    as_hour,
    day_of,
    every_series,
    floor_hour,
    gauges,
)

HOURLY_UP_TO = dt.timedelta(days=4)
LONGEST = dt.timedelta(days=400)
DEFAULT = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Range:
    start: dt.datetime
    end: dt.datetime

    @property
    def step(self) -> str:
        return "hour" if self.end - self.start <= HOURLY_UP_TO else "day"

    def buckets(self) -> list[dt.datetime]:
        unit = dt.timedelta(hours=1) if self.step == "hour" else dt.timedelta(days=1)
        first = self.start if self.step == "hour" else self.start.replace(hour=0)
        found, at = [], first
        while at < self.end:
            found.append(at)
            at += unit
        return found


def _moment(text: str, field: str, *, end: bool) -> dt.datetime:
    """An ISO date (its midnight; the day after for the end of a range: a date ends a range
    inclusively) or date and time (UTC unless it says its offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            return moment + dt.timedelta(days=1) if end else moment
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{field}: '{text[:40]}' is not a date (2026-12-05) or a date and time "
            "(2026-12-05T06:00)",
            details=[{"field": field, "problem": "not an ISO 8601 date"}],
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_range(start: str | None, end: str | None, *, now: dt.datetime) -> Range:
    """The range asked for: by default the last 24 hours; whole hours (the start rounded
    down, the end up); never past now; at most ``LONGEST``."""
    last = floor_hour(now) + dt.timedelta(hours=1)
    until = _moment(end, "to", end=True) if end else last
    since = _moment(start, "from", end=False) if start else until - DEFAULT
    since = floor_hour(since)
    if until != floor_hour(until):
        until = floor_hour(until) + dt.timedelta(hours=1)
    until = min(until, last)
    if since >= until:
        raise ValidationFailed(
            f"from {since:%Y-%m-%d %H:%M} is not before to {until:%Y-%m-%d %H:%M} (UTC; a "
            "range ends at now at the latest)",
            details=[{"field": "from", "problem": "not before to"}],
        )
    if until - since > LONGEST:
        raise ValidationFailed(
            f"the range is {(until - since).days} days; at most {LONGEST.days} are shown at once",
            details=[{"field": "from", "problem": "range too long"}],
        )
    return Range(since, until)


def overview(session: Session, span: Range, *, now: dt.datetime) -> dict[str, Any]:
    """Every series in ``span`` (its buckets, a line per key, totals) and the gauges of now."""
    buckets = span.buckets()
    where = {b: n for n, b in enumerate(buckets)}
    bucket = HourlyCount.hour if span.step == "hour" else day_of(HourlyCount.hour)
    rows = session.execute(
        select(HourlyCount.series, HourlyCount.key, bucket.label("bucket"),
               func.sum(HourlyCount.value))
        .where(HourlyCount.hour >= span.start, HourlyCount.hour < span.end)
        .group_by(HourlyCount.series, HourlyCount.key, bucket))  # fmt: skip
    lines: dict[str, dict[str, list[int]]] = {}
    for name, key, at, value in rows:
        values = lines.setdefault(name, {}).setdefault(key, [0] * len(buckets))
        n = where.get(as_hour(at))
        if n is not None:
            values[n] += int(value)
    series = []
    for one in every_series():
        found = lines.get(one.name, {})
        keyed: list[dict[str, Any]] = [
            {"key": k, "values": v, "total": sum(v)} for k, v in sorted(found.items())
        ]
        series.append({"name": one.name, "title": one.title, "panel": one.panel,
                       "lines": keyed, "total": sum(k["total"] for k in keyed)})  # fmt: skip
    return {
        "from": span.start.isoformat(), "to": span.end.isoformat(), "step": span.step,
        "buckets": [b.isoformat() for b in buckets], "series": series,
        "now": [{"panel": g.panel, "title": g.title, "value": g.value, "detail": g.detail,
                 "warn": g.warn} for g in gauges(session, now)],
    }  # fmt: skip


def as_csv(seen: dict[str, Any]) -> str:
    """One row per bucket, series and key with a count (zeros left out), then the gauges."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["bucket_start_utc", "step", "series", "key", "count"])
    for one in seen["series"]:
        for line in one["lines"]:
            for at, value in zip(seen["buckets"], line["values"], strict=True):
                if value:
                    writer.writerow([at, seen["step"], one["name"], line["key"], value])
    return out.getvalue()
