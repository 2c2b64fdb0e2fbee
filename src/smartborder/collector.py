"""Python's cyclic garbage collector, paused for a block that makes many small objects and no
cycles (a parse, an index build, a report's assessments): each full collection would walk
every object the process holds (a lookout index, caches) for nothing to free. Reference
counting still frees what the block drops; the collector runs again after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
