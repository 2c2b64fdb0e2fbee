"""Fingerprint searches between nodes, under the fingerprints annex.

The asking node sends a ``fingerprint-search``: an ANSI/NIST-ITL transaction (a tenprint
``CAR`` or a latent ``LFS`` of the ``ebts-like`` profile), checked before it leaves. The
searched node checks it again on receipt (a transaction that breaks the profile is refused with
each problem located, and nothing of it is stored) and queues it; the inbox keeps the envelope
without its payload. ``answer_queued`` (the scheduler's job, or ``smartborder biometrics
answer-searches``) then searches each print against the node's gallery at the measured point
for the annex's false match rate, and answers with a ``fingerprint-search-result``:

- *hit*: a print matches a person who holds a criminal record here; the answer carries the
  record's summary, as far as the annex lets it (charges, dispositions, dates, its owner);
- *no hit*: no such match; the answer says so and nothing else;
- *unusable*: no print in the transaction could be searched (each refused for its quality).

When the annex releases results only on request (its ``fingerprint-search-result`` rule has
disclosure ``on-request``), a person must answer: the search is run, and the proposed answer
(with the candidate, the score and the query's prints) waits for a supervisor, who confirms
the hit or answers no hit (``decide``).

Either way the query's transaction is destroyed when the answer is queued; on no hit the reason
given goes too, so nothing of what was searched remains (on SQLite freed pages are overwritten
and the write-ahead log is truncated after the commit). Both sides audit each step by reference,
never the images.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.biometrics import nist
from smartborder.biometrics.fingerprint import ALGORITHM as PRINTS
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.biometrics.images import BiometricProblem, grey, png
from smartborder.biometrics.matchers import DEFAULT_FMR, operating_point
from smartborder.biometrics.models import CriminalRecord, FingerprintSearch
from smartborder.biometrics.service import Biometrics
from smartborder.db import scrub_after_commit
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, carrying, in_force_for

SEARCH, RESULT = "fingerprint-search", "fingerprint-search-result"
PURPOSE = "criminal-record-check"
PROFILE = nist.PROFILE
RESULTS = ("hit", "no hit", "unusable")
SEARCHABLE = ("tenprint", "latent")
NOT_KEPT = "a fingerprint search is kept only until it is answered (annex-fingerprints)"


def _agreement(session: Session, ex: NodeExchange, kind: str, partner: str) -> Any:
    return in_force_for(session, ex.clock().date(), kind, partner, "fingerprints")


def send(
    session: Session,
    ex: NodeExchange,
    *,
    partner: str,
    transaction: bytes,
    source: str,
    reason: str,
    actor: str,
) -> FingerprintSearch:
    """Check ``transaction`` against the profile and send it to ``partner`` to search."""
    if not reason.strip():
        raise ValidationFailed("reason: say why the search is made",
                               details=[{"field": "reason", "problem": "empty"}])  # fmt: skip
    read = nist.read(transaction, source, nist.profile(PROFILE))
    if read.search not in SEARCHABLE:
        raise ValidationFailed(
            f"{source}: a {read.tot} transaction is not a search (send CAR or LFS)",
            details=[{"source": source, "field": "1.004", "name": "TOT", "value": read.tot}],
        )
    agreement = _agreement(session, ex, SEARCH, partner)
    now = ex.clock()
    row = FingerprintSearch(
        id=str(uuid.uuid4()), reference=str(uuid.uuid4()), direction="out", partner=partner,
        agreement=agreement.id, purpose=PURPOSE, search=read.search, tot=read.tot,
        prints=len(read.fingers), state="sent", result=None, answer={}, query=None,
        reason=reason.strip(), created_at=now, created_by=actor, answered_at=None,
        envelopes=[],
    )  # fmt: skip
    queued = outbox.send(
        session, ex, partner=partner, kind=SEARCH, agreement=agreement, purpose=PURPOSE,
        body={"reference": row.reference, "profile": PROFILE, "reason": row.reason,
              "transaction": base64.b64encode(transaction).decode("ascii")},
        actor=actor, case_ref=row.reference,
    )  # fmt: skip
    row.envelopes = [{"kind": SEARCH, "id": queued.envelope.id, "sent": now.isoformat()}]
    session.add(row)
    _audit(session, "biometrics:search:sent", row, actor)
    return row


def on_search(session: Session, ex: NodeExchange, received: Received) -> str:
    """Queue a partner's search; refused (nothing stored) when its transaction breaks the
    profile. The inbox keeps the envelope without its payload."""
    body, partner = received.envelope.body, received.partner.id
    try:
        reference = str(uuid.UUID(str(body.get("reference"))))
    except ValueError:
        raise Refused("invalid_body", "reference: not a UUID") from None
    if str(body.get("profile")) != PROFILE:
        raise Refused("invalid_body", f"profile: this node reads the {PROFILE} profile, not "
                      f"'{body.get('profile')}'")  # fmt: skip
    try:
        transaction = base64.b64decode(str(body.get("transaction", "")), validate=True)
        read = nist.read(transaction, "transaction", nist.profile(PROFILE))
    except binascii.Error:
        raise Refused("invalid_body", "transaction: not base64") from None
    except ValidationFailed as exc:
        raise Refused("invalid_body", exc.message) from None
    if read.search not in SEARCHABLE:
        raise Refused("invalid_body", f"transaction: a {read.tot} transaction is not a search")
    if _find(session, reference, "in") is not None:
        return NOT_KEPT  # the same search again: already queued or answered
    assert received.agreement is not None
    row = FingerprintSearch(
        id=str(uuid.uuid4()), reference=reference, direction="in", partner=partner,
        agreement=received.agreement.id, purpose=PURPOSE, search=read.search, tot=read.tot,
        prints=len(read.fingers), state="queued", result=None, answer={}, query=transaction,
        reason=str(body.get("reason") or "")[:2000], created_at=ex.clock(),
        created_by=f"partner:{partner}", answered_at=None,
        envelopes=[{"kind": SEARCH, "id": received.envelope.id,
                    "received": ex.clock().isoformat()}],
    )  # fmt: skip
    session.add(row)
    _audit(session, "biometrics:search:received", row, f"partner:{partner}")
    return NOT_KEPT


@dataclass(frozen=True)
class Outcome:
    result: str
    searched: int
    score: float | None
    subject: str | None
    reasons: list[str]


def _search(session: Session, biometrics: Biometrics, transaction: bytes, fmr: float) -> Outcome:
    read = nist.read(transaction, "the query", nist.profile(PROFILE))
    matcher, point = NbisFingerprint(), operating_point(PRINTS, fmr)
    biometrics.sync(session)
    with_records = set(session.scalars(select(CriminalRecord.subject)))
    best: tuple[float, str] | None = None
    reasons, usable = [], 0
    for finger in read.fingers:
        try:
            probe = matcher.extract(finger.image("the query"), finger.source("the query"))
        except BiometricProblem as problem:
            reasons.append(f"{finger.label}: not searched ({problem.problem})")
            continue
        usable += 1
        for candidate in biometrics.prints.search(probe, point, limit=5, only_matches=True):
            if candidate.subject in with_records and (best is None or candidate.score > best[0]):
                best = (candidate.score, candidate.subject)
    searched = len(biometrics.prints) * usable
    reasons.append(
        f"{usable} of {len(read.fingers)} prints searched against {len(biometrics.prints)} "
        f"enrolled prints at threshold {point.threshold:g} (FMR {point.fmr:.4%} a comparison)"
    )
    if not usable:
        return Outcome("unusable", 0, None, None, reasons)
    if best is None:
        return Outcome("no hit", searched, None, None, reasons)
    return Outcome("hit", searched, best[0], best[1], reasons)


def answer_queued(
    session: Session,
    ex: NodeExchange,
    biometrics: Biometrics,
    *,
    actor: str = "system:fingerprints",
    fmr: float = DEFAULT_FMR,
    limit: int = 20,
) -> list[FingerprintSearch]:
    """Answer the searches partners sent (at most ``limit``), each claimed so two workers
    never answer one twice; the queries are destroyed."""
    ids = session.scalars(
        select(FingerprintSearch.id)
        .where(FingerprintSearch.direction == "in", FingerprintSearch.state == "queued")
        .order_by(FingerprintSearch.created_at)
        .limit(limit)
    ).all()
    answered = []
    for search_id in ids:
        claimed = session.execute(
            update(FingerprintSearch)
            .where(FingerprintSearch.id == search_id, FingerprintSearch.state == "queued")
            .values(state="answering")
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker took it
        row = session.get(FingerprintSearch, search_id)
        assert row is not None
        try:  # _answer raises before it writes anything
            answered.append(_answer(session, ex, biometrics, row, actor, fmr))
        except Conflict as exc:  # e.g. the annex ended since: no answer can go, nothing stays
            row.state, row.query, row.reason = "dropped", None, ""
            row.answer = {"error": exc.message}
            scrub_after_commit(session)
            _audit(session, "biometrics:search:dropped", row, actor)
            answered.append(row)
    return answered


def _agreement_rule_on_request(session: Session, ex: NodeExchange, partner: str) -> bool:
    """Whether the annex releases results to ``partner`` only by a person's decision."""
    found = carrying(session, ex.clock().date(), RESULT, partner)
    if not found:
        return False
    rule = found[0][1].rule(RESULT)
    return rule is not None and rule.disclosure == "on-request"


def _answer(
    session: Session,
    ex: NodeExchange,
    biometrics: Biometrics,
    row: FingerprintSearch,
    actor: str,
    fmr: float,
) -> FingerprintSearch:
    assert row.query is not None
    outcome = _search(session, biometrics, row.query, fmr)
    if _agreement_rule_on_request(session, ex, row.partner):
        row.state = "review"  # the query stays, for the person who decides
        row.answer = {"proposed": outcome.result, "subject": outcome.subject,
                      "score": outcome.score, "searched": outcome.searched,
                      "reasons": outcome.reasons}  # fmt: skip
        _audit(session, "biometrics:search:held-for-review", row, actor)
        return row
    return _send_answer(session, ex, row, outcome, actor, fmr)


def _send_answer(
    session: Session,
    ex: NodeExchange,
    row: FingerprintSearch,
    outcome: Outcome,
    actor: str,
    fmr: float,
) -> FingerprintSearch:
    agreement = _agreement(session, ex, RESULT, row.partner)
    point = operating_point(PRINTS, fmr)
    body: dict[str, Any] = {"reference": row.reference, "result": outcome.result,
                            "searched": outcome.searched, "fmr": point.fmr,
                            "threshold": point.threshold}  # fmt: skip
    if outcome.result == "hit":
        assert outcome.subject is not None
        body["score"] = outcome.score
        body["record"] = _summary(session, outcome.subject)
    now = ex.clock()
    queued = outbox.send(
        session, ex, partner=row.partner, kind=RESULT, agreement=agreement, purpose=PURPOSE,
        body=body, actor=actor, case_ref=row.reference,
    )  # fmt: skip
    row.state, row.result, row.answered_at = "answered", outcome.result, now
    row.answer = {**queued.envelope.body, "reasons": outcome.reasons}
    row.query = None  # the transaction is destroyed with the answer
    if outcome.result != "hit":
        row.reason = ""  # nothing of a search that found nothing stays
    row.envelopes = [*row.envelopes, {"kind": RESULT, "id": queued.envelope.id,
                                      "sent": now.isoformat()}]  # fmt: skip
    scrub_after_commit(session)
    _audit(session, "biometrics:search:answered", row, actor)
    return row


def decide(
    session: Session,
    ex: NodeExchange,
    search_id: str,
    *,
    result: str,
    actor: str,
    fmr: float = DEFAULT_FMR,
) -> FingerprintSearch:
    """A supervisor's answer to a search held for review: confirm the proposed hit, or answer
    no hit (a hit can only be one the search proposed: its candidate has a record here)."""
    row = get(session, search_id)
    if row.direction != "in" or row.state != "review":
        raise Conflict(f"search {row.id} is not waiting for a decision (it is {row.state})")
    if result not in ("hit", "no hit"):
        raise ValidationFailed(f"result: '{result}' is not hit or no hit",
                               details=[{"field": "result", "value": result}])  # fmt: skip
    proposed = row.answer
    if result == "hit" and proposed.get("proposed") != "hit":
        raise Conflict("the search found no candidate with a record: there is no hit to confirm")
    reasons = [*proposed.get("reasons", []), f"decided by {actor}: {result}"]
    if result == "hit":
        outcome = Outcome("hit", int(proposed.get("searched") or 0),
                          proposed.get("score"), proposed.get("subject"), reasons)  # fmt: skip
    else:
        outcome = Outcome("no hit", int(proposed.get("searched") or 0), None, None, reasons)
    return _send_answer(session, ex, row, outcome, actor, fmr)


def query_prints(row: FingerprintSearch) -> list[bytes]:
    """The prints of a search held for review, as PNG, for the person deciding."""
    if row.query is None:
        raise NotFound("the search's prints are gone (it was answered)")
    read = nist.read(row.query, "the query", nist.profile(PROFILE))
    return [png(grey(f.image("the query"), f.source("the query"))) for f in read.fingers]


def _summary(session: Session, subject: str) -> dict[str, Any]:
    record = session.scalars(
        select(CriminalRecord).where(CriminalRecord.subject == subject)
        .order_by(CriminalRecord.created_at.desc())
    ).first()  # fmt: skip
    if record is None:
        raise Conflict(f"no criminal record of {subject} is held any more: answer no hit")
    return {
        "reference": record.reference, "owner": record.owner, "name": record.name,
        "birth_date": record.birth_date.isoformat() if record.birth_date else None,
        "charges": record.charges, "dispositions": record.dispositions,
    }  # fmt: skip


def on_result(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    row = _find(session, str(body.get("reference")), "out")
    if row is None or row.partner != partner:
        raise Refused("unknown_reference", "no fingerprint search of ours with that reference")
    result = str(body.get("result"))
    if result not in RESULTS:
        raise Refused("invalid_body", f"result: '{result}' is not one of {', '.join(RESULTS)}")
    if result == "hit" and not isinstance(body.get("record"), dict):
        raise Refused("invalid_body", "record: a hit carries the record's summary")
    if row.state == "answered":
        return
    now = ex.clock()
    row.state, row.result, row.answered_at = "answered", result, now
    row.answer = dict(body)
    row.envelopes = [*row.envelopes, {"kind": RESULT, "id": received.envelope.id,
                                      "received": now.isoformat()}]  # fmt: skip
    _audit(session, "biometrics:search:result-received", row, f"partner:{partner}")


def _find(session: Session, reference: str, direction: str) -> FingerprintSearch | None:
    return session.scalars(
        select(FingerprintSearch).where(
            FingerprintSearch.reference == reference, FingerprintSearch.direction == direction
        )
    ).one_or_none()


def get(session: Session, search_id: str) -> FingerprintSearch:
    row = session.get(FingerprintSearch, search_id)
    if row is None:
        raise NotFound(f"no fingerprint search '{search_id}'")
    return row


def listing(session: Session, direction: str | None = None) -> Sequence[FingerprintSearch]:
    query = select(FingerprintSearch).order_by(FingerprintSearch.created_at.desc()).limit(200)
    if direction:
        query = query.where(FingerprintSearch.direction == direction)
    return session.scalars(query).all()


def search_out(row: FingerprintSearch) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "direction": row.direction,
        "partner": row.partner, "agreement": row.agreement, "purpose": row.purpose,
        "search": row.search, "tot": row.tot, "prints": row.prints, "state": row.state,
        "result": row.result, "answer": row.answer, "reason": row.reason,
        "created_at": row.created_at.isoformat(), "created_by": row.created_by,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "envelopes": row.envelopes, "query_held": row.query is not None,
    }  # fmt: skip


def add_record(
    session: Session,
    *,
    subject: str,
    reference: str,
    owner: str,
    name: str,
    birth_date: dt.date | None,
    charges: list[dict[str, str]],
    dispositions: list[dict[str, str]],
    actor: str,
    now: dt.datetime,
) -> CriminalRecord:
    """Hold a criminal-record summary against a person enrolled in the fingerprint gallery."""
    problems = [
        {"field": f, "problem": "required"}
        for f, v in (("subject", subject), ("reference", reference), ("owner", owner),
                     ("name", name)) if not v.strip()
    ]  # fmt: skip
    for field, items, keys in (("charges", charges, ("offence", "date")),
                               ("dispositions", dispositions, ("outcome", "date"))):  # fmt: skip
        for n, item in enumerate(items):
            for key in keys:
                value = str(item.get(key, "")).strip()
                if not value:
                    problems.append({"field": f"{field}[{n}].{key}", "problem": "required"})
                elif key == "date":
                    try:
                        dt.date.fromisoformat(value)
                    except ValueError:
                        problem = f"'{value}' is not a date (YYYY-MM-DD)"
                        problems.append({"field": f"{field}[{n}].date", "problem": problem})
    if not charges:
        problems.append({"field": "charges", "problem": "a record holds at least one charge"})
    if problems:
        raise ValidationFailed(f"the criminal record is not valid: {problems[0]['field']} "
                               f"{problems[0]['problem']}", details=problems)  # fmt: skip
    record = CriminalRecord(
        id=str(uuid.uuid4()), subject=subject, reference=reference, owner=owner, name=name,
        birth_date=birth_date,
        charges=[{"offence": str(c["offence"]), "date": str(c["date"])} for c in charges],
        dispositions=[{"outcome": str(d["outcome"]), "date": str(d["date"])}
                      for d in dispositions],
        created_at=now, created_by=actor,
    )  # fmt: skip
    session.add(record)
    chain.append(session, "biometrics:record:added", actor=actor, subject=subject,
                 details={"reference": reference, "owner": owner})  # fmt: skip
    return record


def _audit(session: Session, event: str, row: FingerprintSearch, actor: str) -> None:
    chain.append(
        session,
        event,
        actor=actor,
        partner=row.partner,
        agreement=row.agreement,
        subject=row.id,
        details={"reference": row.reference, "search": row.search, "prints": row.prints,
                 "result": row.result},
    )  # fmt: skip
