"""Counting the series by the hour, as the node goes (a job), so the overview reads counts, not
the rows behind them.

Each run takes each series from the hour holding where it stopped (that hour counted again,
whole: rows that came since are in it) to now, at most ``SPAN`` at a time (a node that had no
counts, or was stopped a while, catches up a week per transaction), replacing its rows for
those hours. Counting again gives the same rows, so a run that failed is simply run again.
Times are the node's own (when it received, assessed, queued...), written as things happen.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from smartborder.operations.models import HourlyCount, Rollup
from smartborder.operations.series import Series, every_series, floor_hour

SPAN = dt.timedelta(days=7)


def rollup(session: Session, *, now: dt.datetime, series: tuple[Series, ...] | None = None
           ) -> dict[str, int]:  # fmt: skip
    """Count each series forward by up to ``SPAN``; the rows written, by series (a series
    already at ``now`` is not in it)."""
    written: dict[str, int] = {}
    done = {r.series: r for r in session.scalars(select(Rollup))}
    for one in series if series is not None else every_series():
        state = done.get(one.name)
        if state is None:
            first = session.scalar(select(func.min(one.at)).where(*one.where))
            if first is None:
                session.add(Rollup(series=one.name, until=now))
                continue
            start = floor_hour(first)
        else:
            start = floor_hour(state.until)
        if start >= now:
            continue
        end = min(now, start + SPAN)
        counts = one.counts(session, start, end)
        session.execute(delete(HourlyCount).where(HourlyCount.series == one.name,
                                                  HourlyCount.hour >= start))  # fmt: skip
        if counts:
            session.execute(insert(HourlyCount), [
                {"series": one.name, "key": key[:80], "hour": hour, "value": value}
                for hour, key, value in counts])  # fmt: skip
        if state is None:
            session.add(Rollup(series=one.name, until=end))
        else:
            state.until = end
        written[one.name] = len(counts)
    return written


def behind(session: Session, now: dt.datetime) -> bool:
    """Whether a series is not yet counted up to ``now`` (catching up: count again at once)."""
    oldest = session.scalar(select(func.min(Rollup.until)))
    return oldest is not None and oldest < now
