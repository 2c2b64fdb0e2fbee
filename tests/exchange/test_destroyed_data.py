"""Destroyed, corrected and purged partner data leaves every table and (on SQLite) every file.

The walk decodes every JWS-looking value it meets (the payload is base64url), and searches the
database files' raw bytes for the marker as text and in each base64url alignment.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import inspect, select, text

from smartborder.exchange import notices
from smartborder.exchange.envelope import check_signature, verifier_key
from smartborder.exchange.models import InboxMessage, Notice, OutboxMessage
from tests.exchange.test_flow import answered
from tests.pair import Node, Pair

MARKER = "ZQXMARKER7731"
NEW_MARKER = "ZQXCORRECT9902"


def _decoded(value: str) -> str:
    """``value`` and, for every part that reads as base64url, what it decodes to."""
    found = [value]
    for part in value.replace('"', " ").replace(",", " ").split():
        for piece in part.split("."):
            if len(piece) < 16:
                continue
            try:
                found.append(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)).decode())
            except (ValueError, UnicodeDecodeError):
                continue
    return "\n".join(found)


def holdings(node: Node, marker: str) -> list[str]:
    """Every table.column of ``node`` whose value holds ``marker`` (decoded where encoded)."""
    hits = []
    with node.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():  # noqa: S608
                for column, value in row.items():
                    if value is not None and marker in _decoded(
                        json.dumps(value, default=str) if not isinstance(value, str) else value
                    ):
                        hits.append(f"{table}.{column}")
    return sorted(set(hits))


def _encodings(marker: str) -> list[bytes]:
    raw = marker.encode()
    forms = [raw]
    for shift in range(3):
        encoded = base64.urlsafe_b64encode(b"\0" * shift + raw).rstrip(b"=")
        lead = (shift * 4 + 2) // 3 + 1  # characters touched by the padding bytes
        forms.append(encoded[lead:-2])
    return forms


def file_holdings(node: Node, marker: str) -> list[str]:
    if node.engine.dialect.name != "sqlite":
        return []
    db_path = Path(node.engine.url.database or "")
    hits = []
    for path in [db_path, Path(f"{db_path}-wal"), *node.settings.data_dir.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            if any(form in data for form in _encodings(marker)):
                hits.append(path.name)
    return sorted(set(hits))


def answered_with(pair: Pair, remarks: str) -> str:
    return answered(pair, {"found": True, "remarks": remarks})


def test_the_walk_finds_the_marker_while_it_is_held(pair: Pair) -> None:
    answered_with(pair, f"status confirmed {MARKER}")
    # The received body, the inbox's signed envelope (base64url), and the database file.
    assert {"exchange_received.body", "exchange_inbox.token"} <= set(holdings(pair.ca, MARKER))
    if pair.ca.engine.dialect.name == "sqlite":
        assert file_holdings(pair.ca, MARKER)


def test_destruction_leaves_nothing_on_the_receiver_but_digest_and_signature(pair: Pair) -> None:
    shared = answered_with(pair, f"status confirmed {MARKER}")
    with pair.us.uow() as s:
        notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="correction",
                            reason="more precise", changes={"remarks": f"{MARKER} {NEW_MARKER}"},
                            actor="user:sup")  # fmt: skip
    pair.pump()
    assert holdings(pair.ca, NEW_MARKER)  # the correction was applied and is held
    with pair.us.uow() as s:
        notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="destruction",
                            reason="court order", changes=None, actor="user:sup")  # fmt: skip
    pair.pump()
    for marker in (MARKER, NEW_MARKER):
        assert holdings(pair.ca, marker) == []
        assert file_holdings(pair.ca, marker) == []
    with pair.ca.uow() as s:
        kept = s.get(InboxMessage, shared)
        assert kept is not None
        assert kept.body_removed_at is not None
        assert "corrected by notice" in (kept.body_removed_reason or "")  # the first cut
        assert kept.token.count(".") == 2
        assert kept.token.split(".")[1] == ""  # detached: header and signature only
        assert len(kept.digest) == 64
        [correction] = s.scalars(select(Notice).where(Notice.kind == "correction"))
        assert correction.changes == {}
    # The sender's own copy of what it sent goes too; its notices stay, confirmed.
    assert holdings(pair.us, NEW_MARKER) == []
    with pair.us.uow() as s:
        original = s.get(OutboxMessage, shared)
        assert original is not None
        assert original.body_removed_at is not None
        assert {n.state for n in s.scalars(select(Notice))} == {"confirmed"}


def test_a_correction_removes_the_values_it_replaces(pair: Pair) -> None:
    shared = answered_with(pair, f"status {MARKER}")
    with pair.us.uow() as s:
        notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="correction",
                            reason="wrong", changes={"remarks": f"status {NEW_MARKER}"},
                            actor="user:sup")  # fmt: skip
    pair.pump()
    assert holdings(pair.ca, MARKER) == []
    assert file_holdings(pair.ca, MARKER) == []
    assert "exchange_received.body" in holdings(pair.ca, NEW_MARKER)


def test_retention_purge_leaves_nothing_and_expires_every_message_body(pair: Pair) -> None:
    answered_with(pair, f"status {MARKER}")
    pair.clock.offset = dt.timedelta(days=366)
    with pair.ca.uow() as s:
        assert len(notices.purge_expired(s, pair.ca.ex, actor="system:retention")) == 1
    assert holdings(pair.ca, MARKER) == []
    assert file_holdings(pair.ca, MARKER) == []
    # The request ca sent (its own subject data) passed the SMU's retention as well.
    with pair.ca.uow() as s:
        [request] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case-request"))
        assert request.body_removed_at is not None
    with pair.us.uow() as s:
        assert notices.purge_expired(s, pair.us.ex, actor="system:retention") == []
    assert holdings(pair.us, "OKAFOR") == ["exchange_case_requests.subject"]


def test_a_detached_envelope_still_proves_its_signer(pair: Pair) -> None:
    """Given the body back (from the sender's copy), the kept header and signature verify it."""
    shared = answered_with(pair, "status")
    with pair.ca.uow() as s:
        whole = s.get(InboxMessage, shared)
        assert whole is not None
        token = whole.token
    with pair.us.uow() as s:
        notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="destruction",
                            reason="no longer needed", changes=None, actor="user:sup")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        kept = s.get(InboxMessage, shared)
        assert kept is not None
        header, _, signature = kept.token.split(".")
    payload = token.split(".")[1]
    check_signature(f"{header}.{payload}.{signature}", verifier_key(pair.us.public_pem()))
