"""A gate for CPU-heavy work (password hashing): a few callers inside, a few waiting, the rest
turned away at once, so that a flood of such work cannot take every worker thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """The gate's queue is full: the caller should answer 'try again'."""


class Bounded:
    """At most ``limit`` callers inside at once and ``queue`` waiting; the rest are turned away
    (:class:`Busy`) at once rather than holding a worker thread."""

    def __init__(self, limit: int, queue: int) -> None:
        self._inside = threading.BoundedSemaphore(limit)
        self._queue = queue
        self._waiting = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, timeout: float = 10.0) -> Iterator[None]:
        acquired = self._inside.acquire(blocking=False)
        if not acquired:
            with self._lock:
                if self._waiting >= self._queue:
                    raise Busy
                self._waiting += 1
            try:
                acquired = self._inside.acquire(timeout=timeout)
            finally:
                with self._lock:
                    self._waiting -= 1
        if not acquired:
            raise Busy
        try:
            yield
        finally:
            self._inside.release()
