"""Python's cyclic garbage collector: paused for a block that makes many small objects and no
cycles (a parse, an index build), since each full collection would walk every object the
process holds for nothing to free; and a served node's heap settled once it has started."""

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


OLDEST_EVERY = 1000  # middle-generation collections between two full ones, once settled


def settle() -> None:
    """Collect once, then move every object alive to the collector's permanent generation.

    A started node holds long-lived objects that never form garbage cycles: its modules,
    mappers, templates and, above all, a lookout index (millions of entries, identities and
    name tuples for a large one). Left in the oldest generation, each full collection walks all
    of them - tens of milliseconds of pause on a request, seconds over a day's traffic. Frozen,
    they are still freed by reference counting when dropped (an index rebuild). What the node
    makes afterwards (caches, sessions) is then so small a heap that the collector would walk it
    in full every few requests: full collections are made a hundred times rarer than Python's
    default; young garbage is still collected by the younger generations. Measured: board / no
    board p99 60 ms with the default, 19 ms so; advance cargo reports 4,600 /s unsettled, 6,300
    settled (bench/cargo.py). ``smartborder serve`` settles after start-up (``create_app(...,
    settle=True)``), and an index build past ``SETTLE_AT`` lookouts again."""
    gc.collect()
    gc.freeze()
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(young, middle, max(oldest, OLDEST_EVERY))
