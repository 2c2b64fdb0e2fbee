"""The answers of the audit API: entries of the chain, counts per agreement, checkpoints,
the node's signed heads and a verification of the whole chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from smartborder.answers import Out


class EntryOut(BaseModel):
    seq: int
    at: dt.datetime
    event: str
    actor: str
    partner: str | None
    agreement: str | None
    subject: str | None
    details: dict[str, Any]
    hash: str


class EntriesPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EntryOut]


class AgreementCountOut(Out):
    """Entries under one agreement, by event."""

    agreement: str | None
    total: int
    events: dict[str, int]


class CheckpointOut(Out):
    size: int  # the chain's size signed (0: nothing to sign)
    partners: list[str]  # those it was queued to


class SignedHeadOut(Out):
    size: int
    head: str
    at: str
    token: str  # a compact JWS over {kind, node, size, head, at}


class HeadsOut(Out):
    node: str
    heads: list[SignedHeadOut]
    problems: list[str]


class UncoveredOut(Out):
    """Entries no signed head covers yet (outside the database, nothing vouches for them)."""

    from_position: int
    to_position: int
    entries: int
    since: str | None
    why: str


class VerifyOut(Out):
    """The whole chain checked, with the partners' receipts and checkpoints and the node's
    signed heads; ``uncovered`` says what the last signed head does not yet cover."""

    ok: bool
    size: int
    head: str
    first_bad_position: int | None
    receipts_checked: int
    partner_checkpoints_checked: int
    signed_heads_checked: int
    uncovered: UncoveredOut | None
    problems: list[str]
