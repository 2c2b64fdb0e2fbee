"""Append to the hash chain, and check it.

Each entry's hash is ``sha256(prev_hash + "\\n" + canonical)``, where ``canonical`` is the entry's
content (sequence number, time, event, actor, partner, agreement, subject, details) as JSON with
sorted keys. Changing, deleting or inserting a row breaks the chain at that position. Appends run
in the caller's transaction, so an event is recorded exactly when the change it records commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session

from smartborder import deferred
from smartborder.audit.models import AuditEntry, AuditHead
from smartborder.db import utcnow

GENESIS = "0" * 64
_TAIL = "audit_chain_tail"  # in the transaction's deferred.Batch memo
EVENT_PATTERN = re.compile(r"^[a-z][a-z-]*:[a-z][a-z-]*:[a-z][a-z-]*$")

_HEAD = AuditHead.__table__
_ENTRIES = AuditEntry.__table__
assert isinstance(_HEAD, Table)
assert isinstance(_ENTRIES, Table)
# Built once: these run for every audited transaction.
_LOCK_HEAD = select(_HEAD.c.size, _HEAD.c.head_hash).where(_HEAD.c.id == 1).with_for_update()
_READ_HEAD = select(_HEAD.c.size, _HEAD.c.head_hash).where(_HEAD.c.id == 1)
_WRITE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(size=bindparam("new_size"), head_hash=bindparam("new_hash"))
)


@dataclass
class _Tail:
    """The newest entry this transaction knows of. The transaction holds the head row's lock,
    so its later appends continue from here without reading the head again."""

    seq: int
    hash: str

    def write_head(self, connection: Connection) -> None:
        connection.execute(_WRITE_HEAD, {"new_size": self.seq, "new_hash": self.hash})


_CONTENT = ("seq", "at", "event", "actor", "partner", "agreement", "subject", "details")


def _content(row: dict[str, Any]) -> str:
    content = {key: row[key] for key in _CONTENT}
    content["at"] = row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(entry: AuditEntry) -> str:
    return _content({key: getattr(entry, key) for key in _CONTENT})


def _hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return _hash(prev_hash, canonical(entry))


def append(
    session: Session,
    event: str,
    *,
    actor: str,
    partner: str | None = None,
    agreement: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Record ``event`` ("domain:subject:action") in the caller's transaction; its position."""
    if not EVENT_PATTERN.match(event):
        raise ValueError(f"audit event {event!r} is not 'domain:subject:action'")
    batch = deferred.batch(session)
    tail: _Tail | None = batch.memo.get(_TAIL)
    if tail is None:
        # Lock the head row first: SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
        # transaction already holds the write lock (BEGIN IMMEDIATE). Two transactions can never
        # chain onto the same predecessor, and the lock lasts to the end of this one.
        row = session.connection().execute(_LOCK_HEAD).one_or_none()
        if row is None:
            raise RuntimeError("the audit chain has no head row; was the node initialised?")
        tail = batch.memo[_TAIL] = _Tail(row[0], row[1])
    seq = tail.seq + 1
    entry: dict[str, Any] = {
        "seq": seq,
        "at": at or utcnow(),
        "event": event,
        "actor": actor,
        "partner": partner,
        "agreement": agreement,
        "subject": subject,
        "details": details or {},
        "prev_hash": tail.hash,
    }
    entry["hash"] = digest = _hash(tail.hash, _content(entry))
    # Inserted with the transaction's other entries, then the head row moved to the newest.
    deferred.insert_later(session, _ENTRIES, entry)
    batch.finish[_TAIL] = tail.write_head
    tail.seq, tail.hash = seq, digest
    return seq


def pending_tail(session: Session) -> tuple[int, str] | None:
    """The size and newest hash this transaction has appended up to, if it appended at all."""
    current: deferred.Batch | None = session.info.get(deferred.KEY)
    if current is None or current.root is not session.get_transaction():
        return None
    tail: _Tail | None = current.memo.get(_TAIL)
    return (tail.seq, tail.hash) if tail is not None else None


def head(session: Session) -> tuple[int, str]:
    """The chain's size and newest hash, including this transaction's entries."""
    deferred.write(session)
    row = session.connection().execute(_READ_HEAD).one_or_none()
    if row is None:
        raise RuntimeError("the audit chain has no head row; was the node initialised?")
    return int(row[0]), str(row[1])


@dataclass
class ChainReport:
    size: int = 0
    head_hash: str = GENESIS
    first_bad: int | None = None
    problems: list[str] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    session: Session, *, keep: frozenset[int] = frozenset(), batch: int = 5000
) -> ChainReport:
    """Walk the chain in order; report the first position where it breaks.

    The hashes at the positions in ``keep`` (checkpoint sizes) are kept in ``report.hashes``.
    """
    deferred.write(session)
    report = ChainReport()
    expected_seq, prev = 1, GENESIS
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if report.first_bad is None:
                problem = _check(entry, expected_seq, prev)
                if problem:
                    report.first_bad = min(entry.seq, expected_seq)
                    report.problems.append(problem)
            if entry.seq in keep:
                report.hashes[entry.seq] = entry.hash
            expected_seq, prev, last_seq = entry.seq + 1, entry.hash, entry.seq
            report.size += 1
        session.expunge_all()
    report.head_hash = prev
    row = session.connection().execute(_READ_HEAD).one_or_none()
    if row is None:
        report.problems.append("the chain's head row is missing")
    elif report.first_bad is None and (row[0] != report.size or row[1] != prev):
        report.first_bad = min(row[0], report.size) + 1
        report.problems.append(
            f"the head records {row[0]} entries ending in {row[1][:12]}…, but the "
            f"table holds {report.size} ending in {prev[:12]}… (entries removed from the end?)"
        )
    return report


def _check(entry: AuditEntry, expected_seq: int, prev: str) -> str | None:
    if entry.seq > expected_seq:
        missing = (
            f"{expected_seq}"
            if entry.seq == expected_seq + 1
            else (f"{expected_seq}-{entry.seq - 1}")
        )
        return (
            f"entry {missing} is missing (deleted?): entry {entry.seq} follows {expected_seq - 1}"
        )
    if entry.prev_hash != prev:
        return (
            f"entry {entry.seq} does not link to entry {entry.seq - 1}: its previous hash "
            f"{entry.prev_hash[:12]}… differs from {prev[:12]}… (inserted or re-chained?)"
        )
    if entry_hash(prev, entry) != entry.hash:
        return f"entry {entry.seq} was altered: its content no longer matches its hash"
    return None
