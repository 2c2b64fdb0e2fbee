"""What the overview counts, hour by hour: each domain names its series (``Domain.overview``),
each a count of rows of one of its tables by an indexed time column, split by a key (a kind,
a category, an agreement, a partner) and narrowed by conditions. Counting is one GROUP BY per
series over the hours asked (``hour_of``: the hour that holds a time, in SQL on either
database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, DateTime, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from smartborder import registry


@dataclass(frozen=True)
class Series:
    """``name`` (``domain.what``), shown as ``title`` in ``panel`` (the overview's section):
    the rows whose time column ``at`` falls in each hour, split by ``key`` (one line each),
    narrowed by ``where``."""

    name: str
    title: str
    panel: str
    at: Any  # a mapped time column (UTCDateTime), indexed
    key: Any = None  # a column or SQL expression, or None: one line
    where: tuple[ColumnElement[bool], ...] = ()

    def counts(self, session: Session, start: dt.datetime, end: dt.datetime
               ) -> list[tuple[dt.datetime, str, int]]:  # fmt: skip
        """(hour, key, count) of the rows in [start, end)."""
        hour = hour_of(self.at)
        key = (self.key if self.key is not None else literal("")).label("key")
        query = (select(hour.label("hour"), key, func.count()).where(
            self.at >= start, self.at < end, *self.where).group_by(hour, key))  # fmt: skip
        return [(as_hour(h), str(k or ""), int(n)) for h, k, n in session.execute(query)]


class Truncated(FunctionElement[dt.datetime]):
    """The hour or the day (UTC) that holds a time column's value."""

    type = DateTime()
    inherit_cache = True

    def __init__(self, column: Any, unit: str = "hour") -> None:
        super().__init__(column)
        self.unit = unit


def hour_of(column: Any) -> Truncated:
    return Truncated(column, "hour")


def day_of(column: Any) -> Truncated:
    return Truncated(column, "day")


@compiles(Truncated, "postgresql")
def _truncated_pg(element: Truncated, compiler: Any, **kw: Any) -> str:
    return f"date_trunc('{element.unit}', {compiler.process(element.clauses, **kw)}, 'UTC')"


@compiles(Truncated, "sqlite")
def _truncated_sqlite(element: Truncated, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC times as text ('2026-12-05 06:45:42.000000')
    shape = "%Y-%m-%d %H:00:00" if element.unit == "hour" else "%Y-%m-%d 00:00:00"
    return f"strftime('{shape}', {compiler.process(element.clauses, **kw)})"


def as_hour(value: Any) -> dt.datetime:
    """A value ``hour_of`` gave (a datetime, or SQLite's text), as an aware UTC datetime."""
    moment: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Gauge:
    """A figure of now (not counted by the hour): ``warn`` when it needs someone's eye."""

    panel: str
    title: str
    value: int | float | str | None
    detail: str = ""
    warn: bool = False


@cache
def every_series() -> tuple[Series, ...]:
    """Every domain's series (its overview module's ``SERIES``), in the domains' order."""
    found: list[Series] = []
    for domain in registry.domains():
        for module in domain.overview:
            found.extend(getattr(registry.resolve(module), "SERIES", ()))
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two overview series share a name: {sorted(names)}")
    return tuple(found)


def gauges(session: Session, now: dt.datetime) -> list[Gauge]:
    """Every domain's figures of now (its overview module's ``GAUGES``: (session, now) ->
    gauges)."""
    found: list[Gauge] = []
    for domain in registry.domains():
        for module in domain.overview:
            for read in getattr(registry.resolve(module), "GAUGES", ()):
                found.extend(read(session, now))
    return found
