"""Signed heads of the audit chain, kept outside the database (as Certificate Transparency keeps
signed tree heads): the tail of the chain is covered within minutes, with or without a partner.

The node signs ``{node, size, head, at}`` with its own key and appends it, one JSON line per
head, to ``<data_dir>/audit/signed-heads.jsonl``: whenever ``audit_head_every_entries`` entries
were added since the last signed head (checked after each commit that appended to the chain), and
while ``serve`` runs at least every ``audit_head_seconds`` when anything was added. Someone who can
rewrite the database but not this file (or a witness's copy of it, see ``audit heads --export``)
can no longer cut or forge the tail, or replace the whole chain, unnoticed: ``audit verify``
checks every signed head against the chain and says which entries no signed head covers yet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from smartborder import clock
from smartborder.audit import chain
from smartborder.exchange.envelope import EnvelopeError, Signer, read_statement
from smartborder.settings import Settings

KIND = "audit-head"
_COMMITTING = "audit_heads_committing"
_FORCE = "audit_heads_force"


@dataclass(frozen=True)
class SignedHead:
    line: int
    size: int
    head: str
    at: str
    token: str


class HeadLog:
    """Appends this node's signed heads to its file; one per process, shared by its threads."""

    def __init__(self, path: Path, signer: Signer, node_id: str, every: int) -> None:
        self.path, self.signer, self.node_id, self.every = path, signer, node_id, every
        self._lock = threading.Lock()
        self.signed_size = self._last_size()

    @classmethod
    def for_node(cls, settings: Settings, signer: Signer) -> HeadLog:
        return cls(
            settings.audit_heads_path, signer, settings.node_id, settings.audit_head_every_entries
        )

    def _last_size(self) -> int:
        if not self.path.is_file():
            return 0
        sizes = [0]
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                sizes.append(int(json.loads(raw).get("size", 0)))
            except (ValueError, AttributeError):
                continue
        return max(sizes)

    def sign(self, size: int, head: str, now: dt.datetime) -> bool:
        """Sign and keep ``size``/``head`` unless a head at least as recent is kept already."""
        with self._lock:
            if size <= self.signed_size:
                return False
            at = now.astimezone(dt.UTC).isoformat(timespec="seconds")
            statement = {"kind": KIND, "node": self.node_id, "size": size, "head": head, "at": at}
            token = self.signer.sign_statement(statement)
            line = json.dumps({"size": size, "head": head, "at": at, "token": token})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())
            self.signed_size = size
            return True

    def due(self, size: int) -> bool:
        return size - self.signed_size >= self.every

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """After each commit that appended to the chain, sign its head if enough was added."""

        def before_commit(session: Session) -> None:
            tail = chain.pending_tail(session)
            if tail is not None:
                session.info[_COMMITTING] = tail

        def after_commit(session: Session) -> None:
            tail = session.info.pop(_COMMITTING, None)
            forced = session.info.pop(_FORCE, False)
            if tail is not None and (forced or self.due(tail[0])):
                self.sign(tail[0], tail[1], clock.now())

        def after_rollback(session: Session) -> None:
            session.info.pop(_COMMITTING, None)
            session.info.pop(_FORCE, None)

        event.listen(sessions, "before_commit", before_commit)
        event.listen(sessions, "after_commit", after_commit)
        event.listen(sessions, "after_rollback", after_rollback)

    def sign_at_commit(self, session: Session, now: dt.datetime) -> None:
        """Sign the head as this transaction leaves it: once it commits (a watched session), or
        now when it appended nothing (the head is then what is already committed)."""
        if chain.pending_tail(session) is None:
            self.sign_current(session, now)
        else:
            session.info[_FORCE] = True

    def sign_current(self, session: Session, now: dt.datetime) -> bool:
        """Sign the chain's head as it is now (the timed job, or an operator's command)."""
        size, head = chain.head(session)
        return size > 0 and self.sign(size, head, now)


def read_heads(path: Path, public_pem: str) -> tuple[list[SignedHead], list[str]]:
    """The signed heads in ``path`` that verify with ``public_pem``, and what is wrong with the
    others (each problem names the file and line)."""
    heads: list[SignedHead] = []
    problems: list[str] = []
    if not path.is_file():
        return heads, problems
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            token = json.loads(raw)["token"]
            statement: dict[str, Any] = read_statement(str(token), public_pem)
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: not a signed head (JSON with a 'token')")
            continue
        except EnvelopeError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        size, head = statement.get("size"), statement.get("head")
        if statement.get("kind") != KIND or not isinstance(size, int) or not isinstance(head, str):
            problems.append(f"{where}: the signed statement is not an audit head")
            continue
        heads.append(SignedHead(number, size, head, str(statement.get("at", "")), str(token)))
    return heads, problems
