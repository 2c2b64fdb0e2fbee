"""Which process of a node runs each background job: exactly one, however many workers and
machines serve the node.

On PostgreSQL a job is taken under a session-level advisory lock held on one connection of the
process that runs it; the lock is the database's own, so it goes with the connection when that
process dies (at once on a clean exit or a killed process, within the TCP keepalive bound on a
lost machine) and another process takes the job on its next round. On SQLite (one machine by
definition) the same is done with ``flock`` on a file per job in the data directory, released by
the kernel when the process dies. Nothing is home-made beyond asking those two."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("smartborder.locks")


class JobLocks(Protocol):
    def held(self, name: str) -> bool:
        """Whether this process holds (or has just taken) the job ``name``."""

    def release(self, name: str) -> None:
        """Let the job ``name`` go (another process may take it)."""

    def close(self) -> None:
        """Let every job go (the process is stopping)."""


def lock_key(node_id: str, name: str) -> int:
    """A stable signed 64-bit advisory lock key for one job of one node."""
    digest = hashlib.sha256(f"smartborder:{node_id}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# held (transaction-scoped, on PostgreSQL) while migrations run: concurrent upgrades wait
MIGRATIONS = lock_key("*", "schema migrations")


class PostgresLocks:
    """Advisory locks on one dedicated connection, kept for the life of the process."""

    def __init__(self, engine: Engine, node_id: str) -> None:
        self._engine, self._node_id = engine, node_id
        self._connection: Connection | None = None
        self._held: set[str] = set()

    def held(self, name: str) -> bool:
        try:
            connection = self._connected()
            if name in self._held:
                connection.execute(text("SELECT 1"))  # still connected: still ours
                connection.commit()
                return True
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(self._node_id, name)}
            ).scalar()
            connection.commit()  # the lock is the session's; the transaction ends here
        except DBAPIError as exc:  # the connection is gone, and with it every lock it held
            log.warning("job locks lost with their connection: %s", exc)
            self._drop()
            return False
        if taken:
            self._held.add(name)
        return bool(taken)

    def release(self, name: str) -> None:
        if name not in self._held or self._connection is None:
            return
        self._held.discard(name)
        try:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(self._node_id, name)}
            )
            self._connection.commit()
        except DBAPIError as exc:
            log.warning("job locks lost with their connection: %s", exc)
            self._drop()

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                self._connection.commit()
        self._drop()

    def _connected(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.invalidate()
                self._connection.close()
        self._connection = None
        self._held.clear()


class FileLocks:
    """``flock`` on ``<folder>/<job>.lock``, one open file per job held."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files: dict[str, IO[bytes]] = {}

    def held(self, name: str) -> bool:
        if name in self._files:
            return True
        self._folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        handle = open(self._folder / f"{safe}.lock", "ab")  # noqa: SIM115 - kept open while held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._files[name] = handle
        return True

    def release(self, name: str) -> None:
        handle = self._files.pop(name, None)
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def close(self) -> None:
        for handle in self._files.values():
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
        self._files.clear()


def for_node(engine: Engine, node_id: str, data_dir: Path) -> JobLocks:
    """Advisory locks on PostgreSQL; file locks beside an embedded SQLite database."""
    if engine.dialect.name == "postgresql":
        return PostgresLocks(engine, node_id)
    return FileLocks(data_dir / "locks")
