"""The node's one clock. Code that needs the time asks it (``clock.now()``, ``clock.today()``)
or is handed the time by its caller: a request's ``deps.Now``, the exchange's ``clock`` (per
node, so two nodes in one test can live at different times). Nothing else reads the system
time, so a test (or a replay) can set the time everywhere at once with ``clock.use``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def system() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_source: Callable[[], dt.datetime] = system


def now() -> dt.datetime:
    """The current time, UTC, aware."""
    return _source()


def today() -> dt.date:
    """Today's date, UTC."""
    return _source().date()


@contextmanager
def use(source: Callable[[], dt.datetime]) -> Iterator[None]:
    """Read the time from ``source`` for the duration of the block."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
