"""The Asylum Annex's systematic comparison of claimants between the two countries.

Each new claim is sent to every partner with which an agreement carrying ``asylum-comparison``
is in force: the claimant's names (every script), date of birth as far as known, sex,
nationalities, document numbers, the claim's date, and, when the claimant's prints are enrolled,
their minutiae templates (never images). A claimant who alleges persecution in the partner
country is never sent (IRPR s.315.3).

The partner checks the query, queues it (the inbox keeps the envelope without its payload), and
its job (``answer_queued``) compares it with its own claims: biographic matching with
screening's index and operating points, and the templates against the fingerprint gallery's
claimants at the FMR 0.1 % point. Its own claimants who allege persecution in the asking
country are never compared nor disclosed. It answers ``asylum-match``:

- *hit*: the permitted facts of the matching claim (its reference, where and when it was made,
  its status and outcome, grounds to deny, exclude, cease or vacate) and what matched;
- *no hit*: that alone.

The query is destroyed when the answer is queued; on no hit nothing of it remains but the
reference, the times and the result. Both sides audit each step by reference. On a hit the
asking node adds the prior claim, with its provenance, to its claim, which is determined again
(IRPA s.101(1)(c.1)).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smartborder.asylum import claims
from smartborder.asylum.matching import ClaimIndex
from smartborder.asylum.models import AsylumClaim, AsylumComparison
from smartborder.audit import chain
from smartborder.biometrics.fingerprint import ALGORITHM as PRINTS
from smartborder.biometrics.matchers import DEFAULT_FMR, Quality, Template, operating_point
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.service import ENROLLED, Biometrics
from smartborder.db import scrub_after_commit
from smartborder.errors import Conflict, NotFound
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, carrying, in_force_for
from smartborder.identity.dates import DateProblem
from smartborder.screening.matcher import Thresholds
from smartborder.screening.subject import birth_tuple, make_identity

COMPARISON, MATCH = "asylum-comparison", "asylum-match"
PURPOSE = "refugee-determination"
RESULTS = ("hit", "no hit")
NOT_KEPT = "a claimant comparison is kept only until it is answered (annex-asylum)"
# the Asylum Annex is between Canada and the United States: each is the other's partner
ANNEX_COUNTRIES = {"CA": "US", "US": "CA"}
MAX_TEMPLATES = 4
MAX_NAMES = 10


def partner_country(own: str) -> str:
    found = ANNEX_COUNTRIES.get(own.upper())
    if found is None:
        raise Conflict(f"the Asylum Annex is between Canada and the United States; this node's "
                       f"country is {own}")  # fmt: skip
    return found


def compare_new(
    session: Session, ex: NodeExchange, claim: AsylumClaim, *, actor: str
) -> tuple[list[AsylumComparison], list[str]]:
    """Send ``claim`` to every partner the annex is in force with; the comparisons sent and,
    for each partner it was not sent to, why."""
    sent, skipped = [], []
    partners = sorted({a.partner for a, _ in carrying(session, ex.clock().date(), COMPARISON)})
    for partner in partners:
        try:
            sent.append(send(session, ex, claim, partner=partner, actor=actor))
        except Conflict as exc:
            skipped.append(f"{partner}: {exc.message}")
    return sent, skipped


def send(
    session: Session, ex: NodeExchange, claim: AsylumClaim, *, partner: str, actor: str
) -> AsylumComparison:
    """Compare ``claim``'s claimant with ``partner``'s claimants."""
    country = partner_country(ex.settings.country)
    if country in claim.persecution_in:
        raise Conflict(f"the claimant alleges persecution in {country}: nothing about them may "
                       f"be disclosed to {partner} (IRPR s.315.3)")  # fmt: skip
    agreement = in_force_for(session, ex.clock().date(), COMPARISON, partner, "asylum")
    now = ex.clock()
    reference = str(uuid.uuid4())
    body: dict[str, Any] = {
        "reference": reference, "country": ex.settings.country.upper(),
        "claim_date": claim.claim_date.isoformat(),
        "claimant": {
            "names": list(claim.claimant.get("names", []))[:MAX_NAMES],
            "birth_date": claim.claimant.get("birth_date"), "sex": claim.claimant.get("sex"),
            "nationalities": list(claim.facts.get("nationalities") or []),
            "documents": [d["number"] for d in claim.claimant.get("documents", [])],
        },
    }  # fmt: skip
    templates = _templates(session, claim.biometric_subject)
    if templates:
        body["biometric"] = {"algorithm": PRINTS, "templates": templates}
    queued = outbox.send(
        session, ex, partner=partner, kind=COMPARISON, agreement=agreement, purpose=PURPOSE,
        body=body, actor=actor, case_ref=reference,
    )  # fmt: skip
    row = AsylumComparison(
        id=str(uuid.uuid4()), reference=reference, direction="out", partner=partner,
        agreement=agreement.id, claim_id=claim.id, state="sent", result=None, answer={},
        query=None, created_at=now, created_by=actor, answered_at=None,
        envelopes=[{"kind": COMPARISON, "id": queued.envelope.id, "sent": now.isoformat()}],
    )  # fmt: skip
    session.add(row)
    _audit(session, "asylum:comparison:sent", row, actor,
           biometric=bool(templates))  # fmt: skip
    return row


def _templates(session: Session, subject: str | None) -> list[str]:
    if not subject:
        return []
    rows = session.scalars(
        select(BiometricTemplate.template).where(
            BiometricTemplate.algorithm == PRINTS, BiometricTemplate.subject == subject,
            BiometricTemplate.status == ENROLLED,
        ).order_by(BiometricTemplate.created_at).limit(MAX_TEMPLATES)
    ).all()  # fmt: skip
    return [base64.b64encode(t).decode("ascii") for t in rows]


def on_comparison(session: Session, ex: NodeExchange, received: Received) -> str:
    """Queue a partner's comparison, refused (nothing stored) when it cannot be read."""
    body, partner = received.envelope.body, received.partner.id
    query = _read_query(body)
    if _find(session, query["reference"], "in") is not None:
        return NOT_KEPT  # the same comparison again: already queued or answered
    assert received.agreement is not None
    now = ex.clock()
    row = AsylumComparison(
        id=str(uuid.uuid4()), reference=query["reference"], direction="in", partner=partner,
        agreement=received.agreement.id, claim_id=None, state="queued", result=None,
        answer={}, query=query, created_at=now, created_by=f"partner:{partner}",
        answered_at=None,
        envelopes=[{"kind": COMPARISON, "id": received.envelope.id,
                    "received": now.isoformat()}],
    )  # fmt: skip
    session.add(row)
    _audit(session, "asylum:comparison:received", row, f"partner:{partner}")
    return NOT_KEPT


def _read_query(body: dict[str, Any]) -> dict[str, Any]:
    """The comparison's body checked: ``Refused`` naming the field that is wrong."""
    try:
        reference = str(uuid.UUID(str(body.get("reference"))))
    except ValueError:
        raise Refused("invalid_body", "reference: not a UUID") from None
    country = str(body.get("country") or "").upper()
    if country not in ANNEX_COUNTRIES:
        raise Refused("invalid_body", f"country: '{country}' is not a party to the Asylum Annex")
    claimant = body.get("claimant")
    if not isinstance(claimant, dict):
        raise Refused("invalid_body", "claimant: missing")
    names = claimant.get("names")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise Refused("invalid_body", "claimant.names: a list of at least one name")
    try:
        birth_tuple(claimant.get("birth_date"))
    except DateProblem as exc:
        raise Refused("invalid_body", f"claimant.birth_date: {exc}") from None
    templates = (body.get("biometric") or {}).get("templates") or []
    algorithm = (body.get("biometric") or {}).get("algorithm")
    if templates and algorithm != PRINTS:
        raise Refused("invalid_body", f"biometric.algorithm: this node compares {PRINTS} "
                      f"templates, not '{algorithm}'")  # fmt: skip
    try:
        [base64.b64decode(str(t), validate=True) for t in templates[:MAX_TEMPLATES]]
    except binascii.Error:
        raise Refused("invalid_body", "biometric.templates: not base64") from None
    return {
        "reference": reference, "country": country, "claim_date": body.get("claim_date"),
        "claimant": {k: claimant.get(k) for k in ("names", "birth_date", "sex",
                                                   "nationalities", "documents")},
        "templates": [str(t) for t in templates[:MAX_TEMPLATES]],
    }  # fmt: skip


def answer_queued(
    session: Session,
    ex: NodeExchange,
    index: ClaimIndex,
    biometrics: Biometrics,
    *,
    actor: str = "system:asylum",
    limit: int = 50,
) -> list[AsylumComparison]:
    """Answer the comparisons partners sent (at most ``limit``), each claimed first so two
    workers never answer one twice; the queries are destroyed."""
    ids = session.scalars(
        select(AsylumComparison.id)
        .where(AsylumComparison.direction == "in", AsylumComparison.state == "queued")
        .order_by(AsylumComparison.created_at).limit(limit)
    ).all()  # fmt: skip
    if not ids:
        return []
    index.sync(session)
    biometrics.sync(session)
    answered = []
    for comparison_id in ids:
        claimed = session.execute(
            update(AsylumComparison)
            .where(AsylumComparison.id == comparison_id, AsylumComparison.state == "queued")
            .values(state="answering")
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        row = session.get(AsylumComparison, comparison_id)
        assert row is not None
        assert row.query is not None
        try:
            answered.append(_answer(session, ex, index, biometrics, row, actor))
        except Conflict as exc:  # the annex ended since: no answer can go, nothing stays
            row.state, row.query, row.answer = "dropped", None, {"error": exc.message}
            scrub_after_commit(session)
            _audit(session, "asylum:comparison:dropped", row, actor)
            answered.append(row)
    return answered


def _answer(
    session: Session,
    ex: NodeExchange,
    index: ClaimIndex,
    biometrics: Biometrics,
    row: AsylumComparison,
    actor: str,
) -> AsylumComparison:
    assert row.query is not None
    query = row.query
    agreement = in_force_for(session, ex.clock().date(), MATCH, row.partner, "asylum")
    found = _match(session, ex, index, biometrics, query)
    body: dict[str, Any] = {"reference": row.reference, "result": "no hit"}
    matched: AsylumClaim | None = None
    if found is not None:
        matched, score, threshold, matched_on = found
        body.update(result="hit", score=round(score, 4), threshold=threshold,
                    matched_on=matched_on, claim=_permitted(matched, ex))  # fmt: skip
    now = ex.clock()
    queued = outbox.send(
        session, ex, partner=row.partner, kind=MATCH, agreement=agreement, purpose=PURPOSE,
        body=body, actor=actor, case_ref=row.reference,
    )  # fmt: skip
    row.state, row.result, row.answered_at = "answered", body["result"], now
    row.answer = queued.envelope.body
    row.claim_id = matched.id if matched is not None else None
    row.query = None  # destroyed with the answer; on no hit nothing of it remains
    row.envelopes = [*row.envelopes, {"kind": MATCH, "id": queued.envelope.id,
                                      "sent": now.isoformat()}]  # fmt: skip
    scrub_after_commit(session)
    _audit(session, "asylum:comparison:answered", row, actor)
    return row


def _match(
    session: Session,
    ex: NodeExchange,
    index: ClaimIndex,
    biometrics: Biometrics,
    query: dict[str, Any],
) -> tuple[AsylumClaim, float, float, list[str]] | None:
    """The best claim of ours that matches the query, with the score, its threshold and what
    matched; never one whose claimant alleges persecution in the asking country."""
    asking = query["country"]
    claimant = query["claimant"]
    identity = make_identity(claimant.get("names") or [], claimant.get("birth_date"),
                             claimant.get("sex"), claimant.get("nationalities") or [],
                             claimant.get("documents") or [])  # fmt: skip
    candidates: list[tuple[str, float, float, list[str]]] = []
    for hit in index.match(identity, Thresholds.from_settings(ex.settings)):
        on = [str(e["feature"]) for e in hit.evidence if float(str(e["weight"])) > 0]
        candidates.append((hit.claim_id, hit.score, hit.threshold, on))
    if query.get("templates"):
        point = operating_point(PRINTS, DEFAULT_FMR)
        matched: dict[str, float] = {}  # the gallery's matches, best score each
        for text in query["templates"]:
            probe = Template("fingerprint", PRINTS, base64.b64decode(text),
                             Quality(0.0, "as sent", 0.0))  # fmt: skip
            for c in biometrics.prints.search(probe, point, limit=5, only_matches=True):
                matched[c.subject] = max(c.score, matched.get(c.subject, c.score))
        if matched:  # which of them are claimants: only those subjects are looked up
            for subject, claim_id in session.execute(
                select(AsylumClaim.biometric_subject, AsylumClaim.id)
                .where(AsylumClaim.biometric_subject.in_(sorted(matched)))
            ):  # fmt: skip
                # a fingerprint match outranks any biographic one
                candidates.append((claim_id, 1.0 + matched[str(subject)] / 1000,
                                   point.threshold, ["fingerprint"]))  # fmt: skip
    for claim_id, score, threshold, on in sorted(candidates, key=lambda c: -c[1]):
        claim = session.get(AsylumClaim, claim_id)
        if claim is None or asking in claim.persecution_in:
            continue  # never anything about a claimant alleging persecution in the asker
        return claim, min(score, 1.0), threshold, on
    return None


def _permitted(claim: AsylumClaim, ex: NodeExchange) -> dict[str, Any]:
    """What the annex lets a hit disclose of the matching claim."""
    decision = claim.decision or {}
    return {
        "reference": claim.reference, "country": ex.settings.country.upper(),
        "date": claim.claim_date.isoformat(), "location": claim.location,
        "status": claim.status,
        "decision": {"outcome": decision.get("outcome"), "date": decision.get("date"),
                     "grounds": list(decision.get("grounds") or [])},
    }  # fmt: skip


def on_match(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner's answer: on a hit the prior claim joins our claim, which is determined again."""
    body, partner = received.envelope.body, received.partner.id
    row = _find(session, str(body.get("reference")), "out")
    if row is None or row.partner != partner:
        raise Refused("unknown_reference", "no claimant comparison of ours with that reference")
    result = str(body.get("result"))
    if result not in RESULTS:
        raise Refused("invalid_body", f"result: '{result}' is not one of {', '.join(RESULTS)}")
    found = body.get("claim")
    if result == "hit" and not (isinstance(found, dict) and found.get("date")):
        raise Refused("invalid_body", "claim: a hit carries the partner's claim and its date")
    if row.state == "answered":
        return
    now = ex.clock()
    row.state, row.result, row.answered_at = "answered", result, now
    row.answer = dict(body)
    row.envelopes = [*row.envelopes, {"kind": MATCH, "id": received.envelope.id,
                                      "received": now.isoformat()}]  # fmt: skip
    _audit(session, "asylum:comparison:result-received", row, f"partner:{partner}")
    if result == "hit" and row.claim_id is not None:
        assert isinstance(found, dict)
        claim = session.get(AsylumClaim, row.claim_id)
        if claim is not None:
            prior = {
                **{k: found.get(k) for k in ("reference", "country", "date", "location",
                                             "status", "decision")},
                "partner": partner, "score": body.get("score"),
                "matched_on": body.get("matched_on"), "agreement": row.agreement,
                "comparison": row.reference, "envelope": received.envelope.id,
                "received_at": now.isoformat(),
            }  # fmt: skip
            claims.add_partner_claim(session, claim, prior, actor=f"partner:{partner}", now=now,
                                     country=ex.settings.country)  # fmt: skip


def _find(session: Session, reference: str, direction: str) -> AsylumComparison | None:
    return session.scalars(
        select(AsylumComparison).where(
            AsylumComparison.reference == reference, AsylumComparison.direction == direction
        )
    ).one_or_none()


def get(session: Session, comparison_id: str) -> AsylumComparison:
    row = session.get(AsylumComparison, comparison_id)
    if row is None:
        raise NotFound(f"no claimant comparison '{comparison_id}'")
    return row


def listing(
    session: Session, *, direction: str | None = None, claim_id: str | None = None
) -> Sequence[AsylumComparison]:
    query = select(AsylumComparison).order_by(AsylumComparison.created_at.desc()).limit(200)
    if direction:
        query = query.where(AsylumComparison.direction == direction)
    if claim_id:
        query = query.where(AsylumComparison.claim_id == claim_id)
    return session.scalars(query).all()


def comparison_out(row: AsylumComparison) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "direction": row.direction,
        "partner": row.partner, "agreement": row.agreement, "claim_id": row.claim_id,
        "state": row.state, "result": row.result, "answer": row.answer,
        "created_at": row.created_at.isoformat(), "created_by": row.created_by,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "envelopes": row.envelopes, "query_held": row.query is not None,
    }  # fmt: skip


def _audit(
    session: Session, event: str, row: AsylumComparison, actor: str, **extra: object
) -> None:
    chain.append(
        session, event, actor=actor, partner=row.partner, agreement=row.agreement,
        subject=row.claim_id or row.id,
        details={"reference": row.reference, "result": row.result, **extra},
    )  # fmt: skip
