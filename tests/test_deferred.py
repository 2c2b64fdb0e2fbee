"""Rows inserted later: visible to the transaction's own queries, kept or discarded with it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder import deferred
from smartborder.exchange.models import InboxMessage


def row(envelope_id: str) -> dict[str, object]:
    return {
        "envelope_id": envelope_id,
        "sender": "us",
        "kind": "case-request",
        "agreement": None,
        "purpose": None,
        "received_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        "digest": "0" * 64,
        "token": "t",
    }


def ids(session: Session) -> list[str]:
    return list(session.scalars(select(InboxMessage.envelope_id).order_by("envelope_id")))


def test_queries_see_rows_waiting_in_their_own_transaction(session: Session) -> None:
    deferred.insert_later(session, InboxMessage, row("a"))
    deferred.insert_later(session, InboxMessage, row("b"))
    assert session.get(InboxMessage, "a") is not None
    assert ids(session) == ["a", "b"]


def test_a_rolled_back_savepoint_takes_only_its_own_rows(session: Session) -> None:
    deferred.insert_later(session, InboxMessage, row("kept-before"))
    with session.begin_nested() as nested:
        deferred.insert_later(session, InboxMessage, row("dropped"))
        nested.rollback()
    with session.begin_nested():
        deferred.insert_later(session, InboxMessage, row("kept-released"))
    deferred.insert_later(session, InboxMessage, row("kept-after"))
    session.commit()
    assert ids(session) == ["kept-after", "kept-before", "kept-released"]


def test_a_rollback_discards_what_was_waiting(session: Session) -> None:
    deferred.insert_later(session, InboxMessage, row("x"))
    session.rollback()
    session.commit()  # a new transaction: nothing left over is written into it
    assert session.scalar(select(func.count()).select_from(InboxMessage)) == 0
