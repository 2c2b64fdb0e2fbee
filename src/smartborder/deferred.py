"""Rows inserted in bulk just before anything could need them, in the caller's transaction.

The busiest writes of a node (audit entries, outbox and inbox records: several per envelope) are
plain inserts nobody reads back in the transaction that makes them. Going through the ORM's unit
of work costs more than the rest of an envelope's handling, so they are collected here and
inserted with one ``executemany`` per table, followed by the ``finish`` steps (the audit chain
moves its head row there). They are written:

- before every flush and every ORM query of the session, so the transaction sees its own rows;
- before the commit;
- before a savepoint begins (SQLAlchemy emits ``SAVEPOINT`` when the new transaction first uses
  its connection, so they go in on the parent's connection, ahead of it), so rolling the
  savepoint back cannot take them along.

A rollback, of the transaction or of a savepoint, discards what is still waiting together with
``memo`` (state kept for the transaction, such as the audit chain's tail): everything waiting at
that point was added inside what was rolled back, as the writes above guarantee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

KEY = _KEY = "smartborder_deferred"


@dataclass
class Batch:
    root: SessionTransaction
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    finish: dict[str, Callable[[Connection], None]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)


def batch(session: Session) -> Batch:
    """This transaction's batch (beginning the transaction if none is open)."""
    root = session.get_transaction()
    if root is None:
        session.connection()
        root = session.get_transaction()
        assert root is not None
    current: Batch | None = session.info.get(_KEY)
    if current is None or current.root is not root:
        current = Batch(root)
        session.info[_KEY] = current
    return current


def insert_later(session: Session, table: Any, row: dict[str, Any]) -> None:
    """Insert ``row`` into ``table`` (a Table or mapped class) before anything can read it.

    Every row of one table must carry the same keys (they go in one executemany)."""
    target = table if isinstance(table, Table) else table.__table__
    batch(session).rows.setdefault(target, []).append(row)


def write(session: Session, connection: Connection | None = None) -> None:
    """Insert what is waiting now, then run the finish steps."""
    current: Batch | None = session.info.get(_KEY)
    if current is None or not (current.rows or current.finish):
        return
    if current.root is not session.get_transaction():  # left over from an ended transaction
        del session.info[_KEY]
        return
    connection = connection or session.connection()
    rows, finish = current.rows, current.finish
    current.rows, current.finish = {}, {}
    for table, values in rows.items():
        connection.execute(insert(table), values)
    for step in finish.values():
        step(connection)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    write(session)


@event.listens_for(Session, "do_orm_execute")
def _before_query(state: ORMExecuteState) -> None:
    write(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write(session)


@event.listens_for(Session, "after_transaction_create")
def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested and transaction.parent is not None:
        write(session, transaction.parent.connection(None))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested or previous.parent is None:
        session.info.pop(_KEY, None)
