"""Signed heads outside the database cover the chain's tail, with or without a partner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from smartborder import db
from smartborder.audit import chain
from smartborder.audit.checkpoints import own_heads, verify
from smartborder.audit.heads import HeadLog, read_heads
from smartborder.audit.models import AuditEntry, AuditHead
from smartborder.context import node_exchange
from smartborder.settings import Settings, load_settings
from tests.conftest import Cli


@pytest.fixture
def lone(node: Settings) -> Iterator[tuple[Settings, sessionmaker[Session], HeadLog]]:
    """A node without any partner, its sessions watched by its head log (every 10 entries)."""
    settings = load_settings(
        data_dir=node.data_dir, database_url=node.database_url, audit_head_every_entries=10
    )
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    log = HeadLog.for_node(settings, node_exchange(settings).signer)
    log.watch(sessions)
    yield settings, sessions, log
    engine.dispose()


def add(sessions: sessionmaker[Session], n: int, each_alone: bool = True) -> None:
    for i in range(n if each_alone else 1):
        with db.unit_of_work(sessions) as s:
            for j in range(1 if each_alone else n):
                chain.append(s, "test:thing:happened", actor="user:t", details={"i": i, "j": j})


def report(settings: Settings, sessions: sessionmaker[Session], path: Path | None = None) -> dict:  # type: ignore[type-arg]
    with db.unit_of_work(sessions) as s:
        return verify(s, own_heads(settings, path)).as_dict()


def test_heads_are_signed_every_n_entries_and_the_tail_is_reported(lone) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, log = lone
    add(sessions, 25)
    heads, problems = read_heads(settings.audit_heads_path, own_heads(settings).public_pem)
    assert problems == []
    with db.unit_of_work(sessions) as s:
        size = chain.head(s)[0]
    assert len(heads) == 2  # at 10 and 20 new entries (the node's own entries come first)
    assert heads[1].size - heads[0].size == 10
    assert log.signed_size == heads[-1].size
    found = report(settings, sessions)
    assert found["ok"], found
    assert found["signed_heads_checked"] == len(heads)
    assert found["uncovered"]["to_position"] == size
    assert found["uncovered"]["from_position"] == heads[-1].size + 1
    with db.unit_of_work(sessions) as s:
        assert log.sign_current(s, db.utcnow())
    assert report(settings, sessions)["uncovered"] is None


def test_a_cut_tail_is_caught_even_with_a_consistent_head_row(lone) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, log = lone
    add(sessions, 12)
    with db.unit_of_work(sessions) as s:
        log.sign_current(s, db.utcnow())
        size, _ = chain.head(s)
        kept = s.get(AuditEntry, size - 3)
        assert kept is not None
        s.execute(delete(AuditEntry).where(AuditEntry.seq > size - 3))
        s.execute(update(AuditHead).values(size=size - 3, head_hash=kept.hash))
    found = report(settings, sessions)
    assert not found["ok"]
    assert any("only" in p and "removed from the end" in p for p in found["problems"])


def test_a_forged_tail_is_caught(lone) -> None:  # type: ignore[no-untyped-def]
    """The forger recomputes the whole chain from the altered entry on: only the signed head
    outside the database still tells."""
    settings, sessions, log = lone
    add(sessions, 12)
    with db.unit_of_work(sessions) as s:
        log.sign_current(s, db.utcnow())
        size, _ = chain.head(s)
        entry = s.get(AuditEntry, size)
        assert entry is not None
        entry.details = {"i": "forged"}
        entry.hash = chain.entry_hash(entry.prev_hash, entry)
        s.execute(update(AuditHead).values(head_hash=entry.hash))
    with db.unit_of_work(sessions) as s:
        assert chain.verify_chain(s).ok  # the chain itself is consistent
    found = report(settings, sessions)
    assert not found["ok"]
    assert any("history rewritten" in p for p in found["problems"])
    assert found["first_bad_position"] == size


def test_a_node_without_partners_refuses_a_full_rewrite(lone) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, _log = lone
    add(sessions, 10)
    with db.unit_of_work(sessions) as s:
        s.execute(delete(AuditEntry))
        s.execute(update(AuditHead).values(size=0, head_hash=chain.GENESIS))
        assert chain.verify_chain(s).ok  # an empty chain is a valid chain
    assert not report(settings, sessions)["ok"]


def test_a_witness_copy_catches_a_rewrite_of_the_heads_file_too(
    lone, cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, _log = lone
    add(sessions, 20)
    witness = tmp_path / "witness.jsonl"
    code, out, _ = cli(
        ["audit", "heads", "--export", str(witness), "--data-dir", str(settings.data_dir)]
    )
    assert code == 0, out
    assert len(witness.read_text().splitlines()) >= 2
    with db.unit_of_work(sessions) as s:  # the attacker cuts the chain and the node's own file
        kept = s.get(AuditEntry, 5)
        assert kept is not None
        s.execute(delete(AuditEntry).where(AuditEntry.seq > 5))
        s.execute(update(AuditHead).values(size=5, head_hash=kept.hash))
    settings.audit_heads_path.unlink()
    own = report(settings, sessions)
    assert own["ok"]  # nothing left here to tell ...
    assert own["uncovered"]["entries"] == 5
    code, out, _ = cli(
        ["audit", "verify", "--heads", str(witness), "--data-dir", str(settings.data_dir)]
    )
    assert code == 1  # ... but the witness's copy does
    assert "removed from the end" in out


def test_a_tampered_heads_line_is_named(lone) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, _log = lone
    add(sessions, 10)
    lines = settings.audit_heads_path.read_text().splitlines()
    forged = json.loads(lines[-1])
    header, payload, signature = forged["token"].split(".")
    forged["token"] = f"{header}.{payload[:-4]}AAAA.{signature}"
    settings.audit_heads_path.write_text("\n".join([*lines, json.dumps(forged), "junk"]) + "\n")
    found = report(settings, sessions)
    assert not found["ok"]
    assert any(f"line {len(lines) + 1}" in p for p in found["problems"])
    assert any(f"line {len(lines) + 2}: not a signed head" in p for p in found["problems"])


def test_cli_verify_prints_the_uncovered_window(lone, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    settings, sessions, _log = lone
    add(sessions, 13)
    code, out, _ = cli(["audit", "verify", "--data-dir", str(settings.data_dir)])
    assert code == 0, out
    assert "signed head(s) verified" in out
    assert "Not yet covered" in out
