"""The audit chain detects altered, deleted and inserted entries; checkpoints catch rewrites."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from smartborder.audit import chain
from smartborder.audit.checkpoints import make_checkpoint, verify
from smartborder.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from smartborder.exchange.dispatch import dispatch_once
from smartborder.exchange.models import Partner
from tests.pair import Pair


def fill(pair: Pair, n: int = 6) -> None:
    with pair.ca.uow() as s:
        for i in range(n):
            chain.append(s, "test:thing:happened", actor="user:t", details={"i": i, "ü": "ß"})


def test_a_clean_chain_verifies(pair: Pair) -> None:
    fill(pair)
    with pair.ca.uow() as s:
        report = verify(s)
    assert report.ok, report.as_dict()
    assert report.chain.size >= 6


def test_savepoints_keep_the_chain_whole(pair: Pair) -> None:
    """The head row is written once per flush; a rolled-back savepoint leaves no gap or fork."""
    with pair.ca.uow() as s:
        before = chain.head(s)[0]
        chain.append(s, "test:thing:kept", actor="user:t")
        with s.begin_nested() as nested:
            chain.append(s, "test:thing:dropped", actor="user:t")
            nested.rollback()
        chain.append(s, "test:thing:kept", actor="user:t")
        with s.begin_nested():
            chain.append(s, "test:thing:kept", actor="user:t")
        chain.append(s, "test:thing:kept", actor="user:t")
        with s.begin_nested() as nested:  # the last append of the transaction is rolled back
            chain.append(s, "test:thing:dropped", actor="user:t")
            nested.rollback()
        partner = s.get(Partner, "us")
        assert partner is not None
        partner.name = "United States"  # other work of the transaction still flushes
        assert chain.head(s)[0] == before + 4
    with pair.ca.uow() as s:
        events = s.scalars(select(AuditEntry.event).where(AuditEntry.seq > before)).all()
        report = verify(s)
    assert events == ["test:thing:kept"] * 4
    assert report.ok, report.as_dict()
    assert report.chain.size == before + 4


def test_event_names_are_typed(pair: Pair) -> None:
    with pytest.raises(ValueError, match="domain:subject:action"), pair.ca.uow() as s:
        chain.append(s, "something happened", actor="x")


def seq_of(pair: Pair, index: int) -> int:
    with pair.ca.uow() as s:
        return list(s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))[index]


def test_an_altered_entry_is_named(pair: Pair) -> None:
    fill(pair)
    target = seq_of(pair, 3)
    with pair.ca.engine.begin() as c:  # a hand edit, as with a SQL console
        c.execute(
            text("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = :s"), {"s": target}
        )
    with pair.ca.uow() as s:
        report = verify(s)
    assert not report.ok
    assert report.chain.first_bad == target
    assert "altered" in report.chain.problems[0]


def test_a_deleted_entry_is_named(pair: Pair) -> None:
    fill(pair)
    target = seq_of(pair, 2)
    with pair.ca.uow() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == target))
    with pair.ca.uow() as s:
        report = verify(s)
    assert report.chain.first_bad == target
    assert "missing" in report.chain.problems[0]


def test_an_inserted_entry_is_named(pair: Pair) -> None:
    fill(pair)
    target = seq_of(pair, 2)
    with pair.ca.uow() as s:
        # Make room and slip a well-formed entry in: its links cannot match both neighbours.
        for shift in (1_000_000, -999_999):
            s.execute(
                update(AuditEntry)
                .where(AuditEntry.seq >= target)
                .values(seq=AuditEntry.seq + shift)
            )
        s.expunge_all()
        prev = s.get(AuditEntry, target - 1)
        assert prev is not None
        forged = AuditEntry(seq=target, at=prev.at, event="test:thing:forged", actor="x",
                            details={}, prev_hash=prev.hash)  # fmt: skip
        forged.hash = chain.entry_hash(prev.hash, forged)
        s.add(forged)
    with pair.ca.uow() as s:
        report = verify(s)
    assert report.chain.first_bad == target + 1
    assert "does not link" in report.chain.problems[0]


def test_entries_removed_from_the_end_are_caught_by_the_head(pair: Pair) -> None:
    fill(pair)
    with pair.ca.uow() as s:
        last = s.scalar(select(AuditHead.size))
        s.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    with pair.ca.uow() as s:
        report = verify(s)
    assert not report.ok
    assert "removed from the end" in report.chain.problems[0]


def rewrite_everything(pair: Pair) -> None:
    """The insider's attack: change an entry and recompute every hash after it, and the head."""
    with pair.ca.uow() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        entries[1].actor = "user:mallory"
        prev = chain.GENESIS
        for e in entries:
            e.prev_hash = prev
            e.hash = chain.entry_hash(prev, e)
            prev = e.hash
        s.execute(update(AuditHead).values(head_hash=prev))


def test_a_rewritten_chain_passes_alone_but_not_against_the_partners_receipt(pair: Pair) -> None:
    fill(pair)
    with pair.ca.uow() as s:
        [checkpoint] = make_checkpoint(s, pair.ca.ex, actor="user:aud")
    pair.pump()
    with pair.ca.uow() as s:
        receipt = s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.kind == "receipt")).one()
        assert (receipt.size, receipt.head_hash) == (checkpoint.size, checkpoint.head_hash)
        assert verify(s).ok
    with pair.us.uow() as s:
        held = s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.kind == "partner")).one()
        assert held.size == checkpoint.size
        assert verify(s).partner_checkpoints_checked == 1
    rewrite_everything(pair)
    with pair.ca.uow() as s:
        report = verify(s)
    assert report.chain.ok  # the hashes alone are consistent again...
    assert not report.ok  # ...but us signed a different head at that size
    assert "history rewritten" in report.problems[0]
    assert report.chain.first_bad == checkpoint.size


def test_a_forged_receipt_is_caught(pair: Pair) -> None:
    with pair.ca.uow() as s:
        make_checkpoint(s, pair.ca.ex, actor="user:aud")
    pair.pump()
    with pair.ca.uow() as s:
        s.execute(update(AuditCheckpoint).where(AuditCheckpoint.kind == "receipt")
                  .values(head_hash="f" * 64))  # fmt: skip
    with pair.ca.uow() as s:
        report = verify(s)
    assert "differ from the signed ones" in report.problems[0]


def test_dispatcher_retries_with_backoff_until_the_partner_is_back(pair: Pair) -> None:
    import datetime as dt

    from smartborder.exchange.models import OutboxMessage

    pair.transport.down.add("us")
    with pair.ca.uow() as s:
        make_checkpoint(s, pair.ca.ex, actor="user:aud")
    report = dispatch_once(pair.ca.sessions, pair.ca.ex, pair.transport)
    assert report.failed == 1
    assert "not reachable" in report.errors[0]
    with pair.ca.uow() as s:
        message = s.scalars(select(OutboxMessage)).one()
        assert (message.state, message.attempts) == ("pending", 1)
        assert message.next_attempt_at > pair.clock()
    # Not due yet: nothing is sent.
    pair.transport.down.clear()
    assert dispatch_once(pair.ca.sessions, pair.ca.ex, pair.transport).handled == 0
    pair.clock.offset = dt.timedelta(seconds=5)
    assert dispatch_once(pair.ca.sessions, pair.ca.ex, pair.transport).delivered == 1
