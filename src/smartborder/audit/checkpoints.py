"""Checkpoints: each node signs its chain's size and head and sends them to its partners.

The partner keeps our checkpoint and answers with a receipt it signs; we keep the receipt. A node
that rewrote its own chain (even recomputing every hash) cannot forge the partner's receipts, so
``audit verify`` catches it; the partner's checkpoints we hold let the partner be checked likewise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.audit.chain import ChainReport, verify_chain
from smartborder.audit.heads import SignedHead, read_heads
from smartborder.audit.models import AuditCheckpoint, AuditEntry
from smartborder.exchange import keys, outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.envelope import EnvelopeError, check_signature, peek, verifier_key
from smartborder.exchange.inbox import Received
from smartborder.exchange.models import Partner
from smartborder.exchange.policy import Refused
from smartborder.settings import Settings


def make_checkpoint(session: Session, ex: NodeExchange, *, actor: str) -> list[AuditCheckpoint]:
    """Sign the chain's current size and head and queue it to every partner."""
    size, head_hash = chain.head(session)
    made = []
    for partner in session.scalars(select(Partner).order_by(Partner.id)):
        queued = outbox.send(
            session,
            ex,
            partner=partner.id,
            kind="audit-checkpoint",
            body={"size": size, "head": head_hash},
            actor=actor,
        )
        checkpoint = AuditCheckpoint(
            kind="own",
            partner=partner.id,
            size=size,
            head_hash=head_hash,
            at=ex.clock(),
            envelope_id=queued.envelope.id,
            token=ex.signer.sign(queued.envelope),
        )
        session.add(checkpoint)
        made.append(checkpoint)
    return made


def _size_and_head(received: Received) -> tuple[int, str]:
    body = received.envelope.body
    size, head = body.get("size"), body.get("head")
    if not isinstance(size, int) or size < 0 or not isinstance(head, str) or len(head) != 64:
        raise Refused("invalid_body", "a checkpoint carries 'size' (integer) and 'head' (hash)")
    return size, head


def on_checkpoint(session: Session, ex: NodeExchange, received: Received) -> None:
    size, head = _size_and_head(received)
    _keep(session, "partner", received, size, head)
    outbox.send(
        session,
        ex,
        partner=received.partner.id,
        kind="audit-receipt",
        body={"size": size, "head": head},
        in_reply_to=received.envelope.id,
        actor="system:audit",
    )


def on_receipt(session: Session, ex: NodeExchange, received: Received) -> None:
    size, head = _size_and_head(received)
    own = session.scalar(
        select(AuditCheckpoint).where(
            AuditCheckpoint.envelope_id == (received.envelope.in_reply_to or ""),
            AuditCheckpoint.kind == "own",
        )
    )
    if own is None or own.partner != received.partner.id:
        raise Refused("unknown_reference", "no such checkpoint was sent to this partner")
    if (own.size, own.head_hash) != (size, head):
        raise Refused("invalid_body", "the receipt does not repeat the checkpoint it answers")
    _keep(session, "receipt", received, size, head)


def _keep(session: Session, kind: str, received: Received, size: int, head: str) -> None:
    """Store a partner-signed checkpoint or receipt, with the signed envelope as evidence."""
    session.add(
        AuditCheckpoint(
            kind=kind,
            partner=received.partner.id,
            size=size,
            head_hash=head,
            at=received.envelope.created,
            envelope_id=received.envelope.id,
            token=received.token,
        )
    )


@dataclass
class VerifyReport:
    chain: ChainReport
    receipts_checked: int = 0
    partner_checkpoints_checked: int = 0
    signed_heads_checked: int = 0
    uncovered: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.chain.size,
            "head": self.chain.head_hash,
            "first_bad_position": self.chain.first_bad,
            "receipts_checked": self.receipts_checked,
            "partner_checkpoints_checked": self.partner_checkpoints_checked,
            "signed_heads_checked": self.signed_heads_checked,
            "uncovered": self.uncovered,
            "problems": self.chain.problems + self.problems,
        }


@dataclass(frozen=True)
class HeadsSource:
    """Where to find this node's signed heads (its own file, or a witness's copy) and the key
    they must verify with."""

    path: Path
    public_pem: str


def own_heads(settings: Settings, path: Path | None = None) -> HeadsSource:
    """The node's signed heads (or a witness's copy at ``path``) with the node's public key."""
    pem = keys.public_path(settings.key_path).read_text(encoding="utf-8")
    return HeadsSource(path or settings.audit_heads_path, pem)


def verify(session: Session, heads: HeadsSource | None = None) -> VerifyReport:
    """Check the chain, the partners' receipts for our checkpoints, their checkpoints, and the
    node's own signed heads; say which entries at the end no signed head covers yet."""
    stored = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
    signed, head_problems = read_heads(heads.path, heads.public_pem) if heads else ([], [])
    keep = frozenset(c.size for c in stored if c.kind == "receipt") | {h.size for h in signed}
    report = VerifyReport(verify_chain(session, keep=keep))
    report.problems.extend(head_problems)
    if heads is not None:
        _check_heads(session, report, signed, heads.path)
    keys = {p.id: verifier_key(p.public_key) for p in session.scalars(select(Partner))}
    last_partner: dict[str, AuditCheckpoint] = {}
    for checkpoint in stored:
        if checkpoint.kind == "own":
            continue
        key = keys.get(checkpoint.partner)
        label = f"{checkpoint.kind} {checkpoint.envelope_id} from {checkpoint.partner}"
        if key is None:
            report.problems.append(f"{label}: the partner is no longer registered")
            continue
        try:
            check_signature(checkpoint.token, key)
            body = peek(checkpoint.token)[1].body
        except EnvelopeError as exc:
            report.problems.append(f"{label}: {exc.message}")
            continue
        if (body.get("size"), body.get("head")) != (checkpoint.size, checkpoint.head_hash):
            report.problems.append(f"{label}: the stored size/head differ from the signed ones")
            continue
        if checkpoint.kind == "receipt":
            report.receipts_checked += 1
            _check_receipt(report, checkpoint, label)
        else:
            report.partner_checkpoints_checked += 1
            previous = last_partner.get(checkpoint.partner)
            if previous is not None and checkpoint.size < previous.size:
                report.problems.append(
                    f"{label}: {checkpoint.partner}'s chain shrank from {previous.size} "
                    f"to {checkpoint.size} entries"
                )
            last_partner[checkpoint.partner] = checkpoint
    return report


def _check_heads(
    session: Session, report: VerifyReport, signed: list[SignedHead], path: Path
) -> None:
    size = report.chain.size
    for head in signed:
        label = f"signed head of {head.size} entries at {head.at} ({path.name} line {head.line})"
        ours = report.chain.hashes.get(head.size)
        if head.size > size:
            report.problems.append(
                f"{label}: the chain now holds only {size} entries (entries removed from the end?)"
            )
        elif ours != head.head:
            report.problems.append(
                f"{label}: entry {head.size} now hashes to {(ours or '?')[:12]}…, but the node "
                f"signed {head.head[:12]}… (history rewritten?)"
            )
        else:
            report.signed_heads_checked += 1
            continue
        if report.chain.first_bad is None or min(head.size, size + 1) < report.chain.first_bad:
            report.chain.first_bad = min(head.size, size + 1)
    covered = max((h.size for h in signed if h.size <= size), default=0)
    if covered < size:
        first = session.get(AuditEntry, covered + 1)
        report.uncovered = {
            "from_position": covered + 1,
            "to_position": size,
            "entries": size - covered,
            "since": first.at.isoformat() if first else None,
            "why": (
                f"no signed head in {path.name} yet covers entries {covered + 1}-{size}"
                if signed
                else f"{path.name} holds no signed head: no entry is covered outside the database"
            ),
        }


def _check_receipt(report: VerifyReport, receipt: AuditCheckpoint, label: str) -> None:
    if receipt.size == 0:
        return
    ours = report.chain.hashes.get(receipt.size)
    if ours is None:
        report.problems.append(
            f"{label}: {receipt.partner} holds a signed checkpoint of {receipt.size} entries, "
            f"but the chain now has {report.chain.size} (entries removed?)"
        )
    elif ours != receipt.head_hash:
        report.problems.append(
            f"{label}: entry {receipt.size} now hashes to {ours[:12]}…, but {receipt.partner} "
            f"signed {receipt.head_hash[:12]}… (history rewritten?)"
        )
        if report.chain.first_bad is None or receipt.size < report.chain.first_bad:
            report.chain.first_bad = receipt.size
