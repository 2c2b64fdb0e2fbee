"""Vetting by both countries, under the trusted-traveller annex.

An eligible application is vetted by this node (the applicant screened against its lookouts,
its own and those partners share, and looked up in its own records: ``records``) and sent to
each partner with which the annex is in force as a ``vetting-request`` carrying only what the
annex lists (reference, program, names, date of birth, nationality, document number). The
partner screens the applicant against its lookouts and records and decides on its own; its
``vetting-result`` carries the decision and the permitted reason codes, nothing of its records.

On each side a vetting with no hit is approved by the node (``system:vetting``, said so); one
with hits waits in the officers' vetting queue, with the hits, for a person to approve or deny
with reason codes. The application is **approved** when this node and every partner approved,
**denied** as soon as one denied (a denial by either ends it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, carrying, in_force_for
from smartborder.identity.countries import from_alpha2
from smartborder.programs import membership, records
from smartborder.programs.models import TrustedApplication, TrustedVetting
from smartborder.screening.router import results
from smartborder.screening.schemas import SubjectIn
from smartborder.screening.service import Screening

REQUEST, RESULT = "vetting-request", "vetting-result"
PURPOSE = "trusted-traveller-vetting"
DECISIONS = ("approve", "deny")
# the reasons the annex lets a denial give (nothing of the records behind them)
REASON_CODES = ("criminal-record", "customs-violation", "immigration-violation",
                "lookout", "false-statement", "other")  # fmt: skip
SYSTEM = "system:vetting"


def _subject(reference: str, applicant: dict[str, Any]) -> SubjectIn:
    nationality = from_alpha2(str(applicant.get("nationality") or "")) or None
    return SubjectIn(
        reference=reference,
        names=[f"{applicant.get('given_names', '')} {applicant['surname']}".strip()],
        birth_date=applicant.get("date_of_birth"), sex=applicant.get("sex"),
        nationalities=[nationality] if nationality else [],
        documents=[applicant["document_number"]] if applicant.get("document_number") else [],
    )  # fmt: skip


def _screened(
    session: Session, screening: Screening, reference: str, applicant: dict[str, Any],
    today: dt.date, trips: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The applicant against this node's lookouts and its own records (and, for its own
    applicant, the declared ``trips`` against its travel records)."""
    found = screening.screen(session, _subject(reference, applicant), today=today)
    hits: list[dict[str, Any]] = results(session, reference, found).model_dump(mode="json")["hits"]
    return hits + records.found(session, applicant, today, trips)


def applicant_of(row: TrustedApplication) -> dict[str, Any]:
    """What the annex lets go to the partner of an application's applicant."""
    given = row.application["applicant"]
    documents = row.application.get("documents") or []
    citizenships = given.get("citizenships") or []
    return {
        "surname": given["surname"], "given_names": given.get("given_names") or "",
        "date_of_birth": given["birth_date"],
        "nationality": citizenships[0] if citizenships else None,
        "document_number": documents[0]["number"] if documents else None,
    }  # fmt: skip


def start(
    session: Session, ex: NodeExchange, screening: Screening, row: TrustedApplication,
    *, actor: str,
) -> None:  # fmt: skip
    """Vet an eligible application here and send it to every partner the annex is in force
    with."""
    now = ex.clock()
    hits = _screened(session, screening, row.reference, {**applicant_of(row),
                     "sex": row.application["applicant"].get("sex")}, now.date(),
                     trips=row.application.get("trips") or [])  # fmt: skip
    own: dict[str, Any] = {"hits": hits, "decision": None, "reason_codes": [], "by": None,
                           "at": None}  # fmt: skip
    if not hits:
        own.update(decision="approve", by=SYSTEM, at=now.isoformat(),
                   note="no lookout or record matched")  # fmt: skip
    partners: dict[str, Any] = {}
    for agreement, _ in carrying(session, now.date(), REQUEST):
        queued = outbox.send(
            session, ex, partner=agreement.partner, kind=REQUEST, agreement=agreement,
            purpose=PURPOSE, actor=actor, case_ref=row.reference,
            body={"application_id": row.reference, "program": row.program,
                  "applicant": applicant_of(row)},
        )  # fmt: skip
        partners[agreement.partner] = {"decision": None, "reason_codes": [],
                                       "agreement": agreement.id,
                                       "sent": queued.envelope.id}  # fmt: skip
    row.vetting = {"own": own, "partners": partners}
    if not partners:
        row.vetting["waiting"] = "no partner has the trusted-traveller annex in force"
    row.updated_at = now
    _settle(session, ex, row, actor)
    chain.append(session, "programs:vetting:started", actor=actor, subject=row.id,
                 details={"reference": row.reference, "hits": len(hits),
                          "partners": sorted(partners)})  # fmt: skip


def _settle(session: Session, ex: NodeExchange, row: TrustedApplication, actor: str) -> None:
    """The application's status from the decisions: denied by either, approved by all (a
    renewal approved extends its membership)."""
    decisions = [row.vetting["own"]["decision"]] + [
        p["decision"] for p in row.vetting["partners"].values()
    ]
    # both countries must approve: with no partner to vet, the application waits
    both = bool(row.vetting["partners"]) and all(d == "approve" for d in decisions)
    status = "denied" if "deny" in decisions else "approved" if both else "vetting"
    if status != row.status:
        row.status = status
        chain.append(session, f"programs:application:{status}", actor=actor, subject=row.id,
                     details={"reference": row.reference})  # fmt: skip
        if status == "approved" and row.application.get("renewal_of"):
            membership.renew(session, ex, row, actor=actor)


def decide_own(
    session: Session, ex: NodeExchange, reference: str, *, decision: str,
    reason_codes: list[str], note: str, actor: str,
) -> TrustedApplication:  # fmt: skip
    """An officer's decision on one of this node's applications waiting in the queue."""
    _check_decision(decision, reason_codes)
    now = ex.clock()
    row = application(session, reference)
    own = dict(row.vetting.get("own") or {})
    if row.status != "vetting" or own.get("decision") is not None:
        raise Conflict(f"application {reference} is not waiting for this node's decision")
    own.update(decision=decision, reason_codes=reason_codes, note=note, by=actor,
               at=now.isoformat())  # fmt: skip
    row.vetting = {**row.vetting, "own": own}
    row.updated_at = now
    chain.append(session, "programs:vetting:decided", actor=actor, subject=row.id,
                 details={"reference": reference, "decision": decision,
                          "reason_codes": reason_codes})  # fmt: skip
    _settle(session, ex, row, actor)
    return row


def _check_decision(decision: str, reason_codes: list[str]) -> None:
    if decision not in DECISIONS:
        raise ValidationFailed(f"decision: '{decision}' is not approve or deny",
                               details=[{"field": "decision", "value": decision}])  # fmt: skip
    unknown = [c for c in reason_codes if c not in REASON_CODES]
    if unknown:
        where = [{"field": "reason_codes", "value": unknown[0]}]
        raise ValidationFailed(f"reason_codes: '{unknown[0]}' is not one of "
                               f"{', '.join(REASON_CODES)}", details=where)  # fmt: skip
    if decision == "deny" and not reason_codes:
        raise ValidationFailed("reason_codes: a denial gives at least one reason code",
                               details=[{"field": "reason_codes", "problem": "empty"}])  # fmt: skip


def application(session: Session, reference: str) -> TrustedApplication:
    """An application by its reference number (any case)."""
    row = session.scalars(
        select(TrustedApplication).where(TrustedApplication.reference == reference.upper())
    ).first()
    if row is None:
        raise NotFound(f"no application '{reference}'")
    return row


# ---- the partner's side ------------------------------------------------------------------------


def on_request(session: Session, ex: NodeExchange, received: Received) -> None:
    """Queue a partner's applicant for vetting here."""
    body, partner = received.envelope.body, received.partner.id
    reference = str(body.get("application_id") or "")
    applicant = body.get("applicant")
    if not reference or not isinstance(applicant, dict) or not applicant.get("surname"):
        raise Refused("invalid_body", "application_id and applicant.surname are required")
    if not applicant.get("date_of_birth"):
        raise Refused("invalid_body", "applicant.date_of_birth is required")
    known = select(TrustedVetting.id).where(
        TrustedVetting.reference == reference, TrustedVetting.partner == partner
    )
    if session.scalars(known).first():
        return
    assert received.agreement is not None
    row = TrustedVetting(
        id=str(uuid.uuid4()), reference=reference, partner=partner,
        agreement=received.agreement.id, program=str(body.get("program") or ""),
        applicant=applicant, state="queued", hits=[], decision=None, reason_codes=[],
        note="", created_at=ex.clock(), decided_at=None, decided_by=None,
        envelopes=[{"kind": REQUEST, "id": received.envelope.id}],
    )  # fmt: skip
    session.add(row)
    chain.append(session, "programs:vetting:received", actor=f"partner:{partner}",
                 partner=partner, agreement=row.agreement, subject=row.id,
                 details={"reference": reference})  # fmt: skip


def screen_queued(
    session: Session, ex: NodeExchange, screening: Screening, *, limit: int = 50
) -> list[TrustedVetting]:
    """Screen the partners' applicants waiting: no hit, approved and answered at once; hits,
    held in the vetting queue for an officer."""
    ids = session.scalars(select(TrustedVetting.id).where(TrustedVetting.state == "queued")
                          .order_by(TrustedVetting.created_at).limit(limit)).all()  # fmt: skip
    done = []
    for vetting_id in ids:
        claimed = session.execute(update(TrustedVetting).where(
            TrustedVetting.id == vetting_id, TrustedVetting.state == "queued"
        ).values(state="screening"))  # fmt: skip
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        row = session.get(TrustedVetting, vetting_id)
        assert row is not None
        now = ex.clock()
        row.hits = _screened(session, screening, row.reference, row.applicant, now.date())
        if row.hits:
            row.state = "review"
            chain.append(session, "programs:vetting:held", actor=SYSTEM, partner=row.partner,
                         subject=row.id, details={"reference": row.reference,
                                                  "hits": len(row.hits)})  # fmt: skip
        else:
            _answer(session, ex, row, "approve", [], "no lookout or record matched", SYSTEM)
        done.append(row)
    return done


def decide_partner(
    session: Session, ex: NodeExchange, vetting_id: str, *, decision: str,
    reason_codes: list[str], note: str, actor: str,
) -> TrustedVetting:  # fmt: skip
    """An officer's decision on a partner's applicant held in the queue."""
    _check_decision(decision, reason_codes)
    row = session.get(TrustedVetting, vetting_id)
    if row is None:
        raise NotFound(f"no vetting '{vetting_id}'")
    if row.state != "review":
        raise Conflict(f"vetting {vetting_id} is not waiting for a decision (it is {row.state})")
    return _answer(session, ex, row, decision, reason_codes, note, actor)


def _answer(
    session: Session, ex: NodeExchange, row: TrustedVetting, decision: str,
    reason_codes: list[str], note: str, actor: str,
) -> TrustedVetting:  # fmt: skip
    agreement = in_force_for(session, ex.clock().date(), RESULT, row.partner, "trusted-traveller")
    queued = outbox.send(
        session, ex, partner=row.partner, kind=RESULT, agreement=agreement, purpose=PURPOSE,
        body={"application_id": row.reference, "decision": decision,
              "reason_codes": reason_codes},
        actor=actor, case_ref=row.reference,
    )  # fmt: skip
    now = ex.clock()
    row.state, row.decision, row.reason_codes, row.note = "answered", decision, reason_codes, note
    row.decided_at, row.decided_by = now, actor
    row.envelopes = [*row.envelopes, {"kind": RESULT, "id": queued.envelope.id}]
    chain.append(session, "programs:vetting:answered", actor=actor, partner=row.partner,
                 agreement=row.agreement, subject=row.id,
                 details={"reference": row.reference, "decision": decision,
                          "reason_codes": reason_codes})  # fmt: skip
    return row


def on_result(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner's decision on one of our applications."""
    body, partner = received.envelope.body, received.partner.id
    row = session.scalars(select(TrustedApplication).where(
        TrustedApplication.reference == str(body.get("application_id")))).first()  # fmt: skip
    if row is None or partner not in (row.vetting or {}).get("partners", {}):
        raise Refused("unknown_reference", "no application of ours was sent to you with that id")
    decision = str(body.get("decision"))
    codes = [str(c) for c in body.get("reason_codes") or []]
    if decision not in DECISIONS:
        raise Refused("invalid_body", f"decision: '{decision}' is not approve or deny")
    if any(c not in REASON_CODES for c in codes):
        raise Refused("invalid_body", "reason_codes: not a reason code the annex permits")
    partners = dict(row.vetting["partners"])
    partners[partner] = {**partners[partner], "decision": decision, "reason_codes": codes,
                         "received": received.envelope.id,
                         "at": ex.clock().isoformat()}  # fmt: skip
    row.vetting = {**row.vetting, "partners": partners}
    row.updated_at = ex.clock()
    chain.append(session, "programs:vetting:result-received", actor=f"partner:{partner}",
                 partner=partner, subject=row.id,
                 details={"reference": row.reference, "decision": decision,
                          "reason_codes": codes})  # fmt: skip
    _settle(session, ex, row, f"partner:{partner}")


def queue(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The officers' vetting queue: our applicants with hits waiting for our decision, and
    partners' applicants held with hits."""
    own = [r for r in session.scalars(select(TrustedApplication).where(
        TrustedApplication.status == "vetting").order_by(TrustedApplication.created_at))
        if (r.vetting.get("own") or {}).get("decision") is None]  # fmt: skip
    held = session.scalars(select(TrustedVetting).where(TrustedVetting.state == "review")
                           .order_by(TrustedVetting.created_at)).all()  # fmt: skip
    return {
        "own": [{"reference": r.reference, "applicant": r.applicant, "program": r.program,
                 "hits": r.vetting["own"]["hits"]} for r in own],
        "partners": [vetting_out(v) for v in held],
    }  # fmt: skip


def vetting_out(row: TrustedVetting) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "partner": row.partner,
        "program": row.program, "applicant": row.applicant, "state": row.state,
        "hits": row.hits, "decision": row.decision, "reason_codes": row.reason_codes,
        "note": row.note, "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
    }  # fmt: skip


def listing(session: Session) -> Sequence[TrustedVetting]:
    return session.scalars(select(TrustedVetting).order_by(TrustedVetting.created_at.desc())
                           .limit(200)).all()  # fmt: skip
