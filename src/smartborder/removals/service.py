"""Joint removals, from a case to the outcome.

- **Cases**: a person ordered removed, the destination, escorts, and the travel document they
  will travel on, read and checked from its MRZ (the document check: check digits, dates).
- **Operations**: a flight to one destination, organised by one country, with seats (and
  escort seats) for each; shared with the partner under the removals annex.
- **Proposals**: each country proposes its removees into an operation within its seats. A
  removee needs a valid travel document on the day of the flight, issued by the destination
  (its passport, or its emergency travel document): checked when proposed, and again by the
  organiser when a partner's proposal arrives.
- **Decisions and outcomes**: the organiser accepts or refuses each of the partner's removees
  (its own are on the manifest at once), and records after the flight who was removed and who
  was not, with why; the proposing country hears each, and its case follows.
Every step is audited on the node that took it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, in_force_for
from smartborder.identity import countries
from smartborder.identity.documents import check_document
from smartborder.removals.models import ManifestEntry, RemovalCase, RemovalOperation

OPERATION, PROPOSAL = "removal-operation", "removal-proposal"
DECISION, OUTCOME = "removal-decision", "removal-outcome"
PURPOSE = "joint-removal"
TAKEN = ("proposed", "accepted")  # entries holding a seat


def _country(value: str, field: str) -> str:
    code = value.strip().upper()
    if not countries.is_known(code):
        raise ValueError(f"'{value}' is not an ICAO country code ({field})")
    return code


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    order_reference: str = Field(min_length=2, max_length=60)
    order_date: dt.date
    destination: str = Field(description="ICAO code of the country removed to")
    escorts: int = Field(0, ge=0, le=4, description="escort officers needed")
    escort_notes: str = Field("", max_length=500)
    mrz: str = Field(min_length=30, max_length=400, description="the travel document's MRZ")

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        return _country(value, "destination")


class OperationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    partner: str = Field(min_length=2, max_length=32)
    destination: str
    flight: str = Field(min_length=2, max_length=40, description="charter or scheduled flight")
    departs: dt.datetime
    seats_here: int = Field(ge=0, le=200)
    seats_partner: int = Field(ge=0, le=200)
    escorts_here: int = Field(0, ge=0, le=200)
    escorts_partner: int = Field(0, ge=0, le=200)

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        return _country(value, "destination")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "refuse"]
    reasons: list[str] = Field(default_factory=list, max_length=10)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["removed", "not-removed"]
    reason: str = Field("", max_length=1000)


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details=[{"field": field, "problem": message}])


def _note(case: RemovalCase, event: str, actor: str, now: dt.datetime, said: str) -> None:
    case.history = [*case.history, {"event": event, "by": actor, "at": now.isoformat(),
                                    "said": said}]  # fmt: skip


# -- cases -----------------------------------------------------------------------------------


def create_case(session: Session, given: CaseIn, *, actor: str, now: dt.datetime
                ) -> RemovalCase:  # fmt: skip
    if session.scalar(select(RemovalCase.id).where(RemovalCase.reference == given.reference)):
        raise Conflict(f"removal case {given.reference} already exists")
    report = check_document(given.mrz, today=now.date())
    fields = report.fields
    document = {"type": fields["document_kind"], "code": fields["document_code"],
                "number": fields["document_number"], "issuer": fields["issuer"],
                "expiry": fields["expiry_date"], "valid_today": report.valid,
                "problems": [c.reason for c in report.checks if c.status == "fail"]}  # fmt: skip
    row = RemovalCase(
        id=str(uuid.uuid4()), reference=given.reference, surname=fields["surname"],
        given_names=fields["given_names"], birth_date=fields["birth_date"] or "",
        nationality=fields["nationality"], order_reference=given.order_reference,
        order_date=given.order_date, destination=given.destination, escorts=given.escorts,
        escort_notes=given.escort_notes, mrz=report.mrz, document=document, status="open",
        history=[], created_at=now, created_by=actor)  # fmt: skip
    said = "document valid" if report.valid else "document: " + "; ".join(document["problems"])
    _note(row, "opened", actor, now, said)
    session.add(row)
    session.flush()
    chain.append(session, "removals:case:opened", actor=actor, subject=row.id,
                 details={"reference": row.reference, "destination": row.destination,
                          "document_valid": report.valid}, at=now)  # fmt: skip
    return row


def document_problems(document: dict[str, Any], destination: str, departs: dt.date,
                      mrz: str | None = None) -> list[str]:  # fmt: skip
    """Why ``document`` cannot carry its holder to ``destination`` on ``departs`` (none when
    it can): the document check on that day (with the MRZ, where at hand), expiry, issuer."""
    problems = []
    if mrz is not None:
        report = check_document(mrz, today=departs)
        problems += [c.reason for c in report.checks if c.status == "fail"]
    else:
        expiry = str(document.get("expiry") or "")
        if not expiry or expiry < departs.isoformat():
            problems.append(f"the document expires {expiry or '(not given)'}, before the "
                            f"flight on {departs}")  # fmt: skip
    if document.get("issuer") != destination:
        problems.append(f"the document was issued by {document.get('issuer')}, not by "
                        f"{destination}, the destination (a passport or an emergency travel "
                        "document of the destination is needed)")  # fmt: skip
    return problems


# -- operations ------------------------------------------------------------------------------


def create_operation(session: Session, ex: NodeExchange, given: OperationIn, *, actor: str
                     ) -> RemovalOperation:  # fmt: skip
    now = ex.clock()
    if given.departs.tzinfo is None:
        raise _bad("departs", "give the time with its offset (e.g. 2026-12-20T08:00Z)")
    if given.departs <= now:
        raise _bad("departs", f"{given.departs:%Y-%m-%d %H:%M} is not in the future")
    if given.seats_here + given.seats_partner < 1:
        raise _bad("seats_here", "an operation needs at least one seat")
    if given.partner == ex.node_id:
        raise _bad("partner", "the partner is another node")
    row = RemovalOperation(
        id=str(uuid.uuid4()), reference=given.reference, organiser=ex.node_id,
        partner=given.partner, destination=given.destination, flight=given.flight,
        departs=given.departs, seats={ex.node_id: given.seats_here,
                                      given.partner: given.seats_partner},
        escorts={ex.node_id: given.escorts_here, given.partner: given.escorts_partner},
        status="planned", created_at=now, created_by=actor)  # fmt: skip
    session.add(row)
    session.flush()
    if given.seats_partner:
        agreement = in_force_for(session, now.date(), OPERATION, given.partner, "removals")
        outbox.send(session, ex, partner=given.partner, kind=OPERATION, agreement=agreement,
                    purpose=PURPOSE, body=_operation_body(row), actor=actor,
                    case_ref=row.id)  # fmt: skip
    chain.append(session, "removals:operation:planned", actor=actor, subject=row.id,
                 partner=given.partner, details={"reference": row.reference,
                 "destination": row.destination, "seats": row.seats}, at=now)  # fmt: skip
    return row


def _operation_body(row: RemovalOperation) -> dict[str, Any]:
    return {"operation": row.id, "reference": row.reference, "destination": row.destination,
            "flight": row.flight, "departs": row.departs.isoformat(),
            "seats_organiser": row.seats[row.organiser], "seats_partner": row.seats[row.partner],
            "escorts_organiser": row.escorts[row.organiser],
            "escorts_partner": row.escorts[row.partner]}  # fmt: skip


def on_operation(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    try:
        operation = str(uuid.UUID(str(body.get("operation"))))
        destination = _country(str(body.get("destination", "")), "destination")
        departs = dt.datetime.fromisoformat(str(body.get("departs")))
        seats = {
            partner: int(body.get("seats_organiser") or 0),
            ex.node_id: int(body.get("seats_partner") or 0),
        }
        escorts = {
            partner: int(body.get("escorts_organiser") or 0),
            ex.node_id: int(body.get("escorts_partner") or 0),
        }
    except (ValueError, TypeError) as exc:
        raise Refused("invalid_body", str(exc)) from None
    if session.get(RemovalOperation, operation) is not None:
        return
    session.add(RemovalOperation(
        id=operation, reference=str(body.get("reference", ""))[:40], organiser=partner,
        partner=ex.node_id, destination=destination, flight=str(body.get("flight", ""))[:40],
        departs=departs, seats=seats, escorts=escorts, status="planned", created_at=ex.clock(),
        created_by=f"partner:{partner}"))  # fmt: skip
    chain.append(session, "removals:operation:received", actor=f"partner:{partner}",
                 partner=partner, subject=operation,
                 details={"destination": destination, "seats": seats})  # fmt: skip


# -- proposals, decisions, outcomes ----------------------------------------------------------


def _seats_taken(session: Session, operation: str, country: str, states: tuple[str, ...]) -> int:
    return session.scalar(select(func.count()).select_from(ManifestEntry).where(
        ManifestEntry.operation_id == operation, ManifestEntry.country == country,
        ManifestEntry.state.in_(states))) or 0  # fmt: skip


def propose(session: Session, ex: NodeExchange, operation_id: str, case_id: str, *,
            actor: str) -> ManifestEntry:  # fmt: skip
    """Put one of this node's removees forward for an operation (see the module)."""
    now, me = ex.clock(), ex.node_id
    op, case = get_operation(session, operation_id), get_case(session, case_id)
    if op.status != "planned":
        raise Conflict(f"operation {op.reference} has flown")
    if case.destination != op.destination:
        raise _bad("case", f"case {case.reference} is a removal to {case.destination}; "
                   f"operation {op.reference} flies to {op.destination}")  # fmt: skip
    if case.status not in ("open", "refused", "not-removed"):
        raise Conflict(f"case {case.reference} is {case.status}")
    problems = document_problems(case.document, op.destination, op.departs.date(), case.mrz)
    if problems:
        raise ValidationFailed(
            f"case {case.reference}: the removee has no valid travel document for the flight "
            f"on {op.departs:%Y-%m-%d}: " + "; ".join(problems),
            details=[{"field": "document", "problem": p} for p in problems])  # fmt: skip
    seats = int(op.seats.get(me, 0))
    if _seats_taken(session, op.id, me, TAKEN) >= seats:
        raise Conflict(f"operation {op.reference} has no seat left for {me} ({seats} in all)")
    own = op.organiser == me
    entry = session.execute(select(ManifestEntry).where(
        ManifestEntry.operation_id == op.id, ManifestEntry.country == me,
        ManifestEntry.case_reference == case.reference)).scalar_one_or_none()  # fmt: skip
    person = {"surname": case.surname, "given_names": case.given_names,
              "birth_date": case.birth_date, "nationality": case.nationality}  # fmt: skip
    document = {k: case.document.get(k) for k in ("type", "number", "issuer", "expiry")}
    if entry is None:
        entry = ManifestEntry(id=str(uuid.uuid4()), operation_id=op.id, country=me,
                              case_reference=case.reference, person=person, document=document,
                              escorts=case.escorts, state="", reasons=[], outcome=None,
                              outcome_reason="", updated_at=now)  # fmt: skip
        session.add(entry)
    entry.state, entry.updated_at = ("accepted" if own else "proposed"), now
    entry.reasons = ["the organiser's own removee"] if own else []
    case.status = entry.state
    _note(case, "proposed", actor, now, f"operation {op.reference} ({op.flight})")
    session.flush()
    if not own:
        agreement = in_force_for(session, now.date(), PROPOSAL, op.organiser, "removals")
        outbox.send(session, ex, partner=op.organiser, kind=PROPOSAL, agreement=agreement,
                    purpose=PURPOSE, actor=actor, case_ref=op.id,
                    body={"operation": op.id, "case": case.reference, **person,
                          "document": document, "escorts": case.escorts})  # fmt: skip
    chain.append(session, "removals:removee:proposed", actor=actor, subject=entry.id,
                 partner=None if own else op.organiser,
                 details={"operation": op.reference, "case": case.reference}, at=now)  # fmt: skip
    return entry


def on_proposal(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner's removee for one of our operations: kept for an officer to decide, or
    refused at once (and told) when its document cannot carry it on the flight."""
    body, partner = received.envelope.body, received.partner.id
    op = session.get(RemovalOperation, str(body.get("operation")))
    if op is None or op.organiser != ex.node_id:
        raise Refused("unknown_reference", "no operation of ours with that id")
    case = str(body.get("case") or "")[:40]
    if not case:
        raise Refused("invalid_body", "case: missing")
    now = ex.clock()
    document = dict(body.get("document") or {})
    entry = session.execute(select(ManifestEntry).where(
        ManifestEntry.operation_id == op.id, ManifestEntry.country == partner,
        ManifestEntry.case_reference == case)).scalar_one_or_none()  # fmt: skip
    if entry is None:
        entry = ManifestEntry(id=str(uuid.uuid4()), operation_id=op.id, country=partner,
                              case_reference=case, person={}, document={}, escorts=0, state="",
                              reasons=[], outcome=None, outcome_reason="",
                              updated_at=now)  # fmt: skip
        session.add(entry)
    entry.person = {k: body.get(k) for k in ("surname", "given_names", "birth_date",
                                             "nationality")}  # fmt: skip
    entry.document, entry.escorts = document, int(body.get("escorts") or 0)
    entry.state, entry.reasons, entry.updated_at = "proposed", [], now
    session.flush()
    chain.append(session, "removals:removee:received", actor=f"partner:{partner}",
                 partner=partner, subject=entry.id,
                 details={"operation": op.reference, "case": case})  # fmt: skip
    problems = document_problems(document, op.destination, op.departs.date())
    if problems:
        _decide(session, ex, op, entry, "refuse", problems, "system:removals")


def decide(session: Session, ex: NodeExchange, entry_id: str, given: DecisionIn, *,
           actor: str) -> ManifestEntry:  # fmt: skip
    """The organiser accepts or refuses a partner's removee (within that country's seats)."""
    entry = get_entry(session, entry_id)
    op = get_operation(session, entry.operation_id)
    if op.organiser != ex.node_id:
        raise Conflict(f"operation {op.reference} is organised by {op.organiser}: it decides")
    if entry.state != "proposed":
        raise Conflict(f"removee {entry.case_reference} is {entry.state}, not proposed")
    reasons = [r.strip() for r in given.reasons if r.strip()]
    if given.decision == "refuse" and not reasons:
        raise _bad("reasons", "a refusal is given with its reasons")
    if given.decision == "accept":
        seats = int(op.seats.get(entry.country, 0))
        if _seats_taken(session, op.id, entry.country, ("accepted",)) >= seats:
            raise Conflict(f"{entry.country}'s {seats} seat(s) on {op.reference} are taken")
    return _decide(session, ex, op, entry, given.decision, reasons, actor)


def _decide(session: Session, ex: NodeExchange, op: RemovalOperation, entry: ManifestEntry,
            decision: str, reasons: list[str], actor: str) -> ManifestEntry:  # fmt: skip
    now = ex.clock()
    entry.state = "accepted" if decision == "accept" else "refused"
    entry.reasons, entry.updated_at = reasons, now
    agreement = in_force_for(session, now.date(), DECISION, entry.country, "removals")
    outbox.send(session, ex, partner=entry.country, kind=DECISION, agreement=agreement,
                purpose=PURPOSE, actor=actor, case_ref=op.id,
                body={"operation": op.id, "case": entry.case_reference,
                      "decision": entry.state, "reasons": reasons})  # fmt: skip
    chain.append(session, f"removals:removee:{entry.state}", actor=actor, subject=entry.id,
                 partner=entry.country, details={"operation": op.reference,
                 "case": entry.case_reference, "reasons": reasons}, at=now)  # fmt: skip
    return entry


def record_outcome(session: Session, ex: NodeExchange, entry_id: str, given: OutcomeIn, *,
                   actor: str) -> ManifestEntry:  # fmt: skip
    """After the flight, the organiser records who was removed and who was not (with why)."""
    entry = get_entry(session, entry_id)
    op = get_operation(session, entry.operation_id)
    if op.organiser != ex.node_id:
        raise Conflict(f"operation {op.reference} is organised by {op.organiser}: it records")
    if entry.state != "accepted":
        raise Conflict(f"removee {entry.case_reference} is {entry.state}, not on the manifest")
    if given.outcome == "not-removed" and not given.reason.strip():
        raise _bad("reason", "say why the removee was not removed")
    now = ex.clock()
    entry.outcome, entry.outcome_reason = given.outcome, given.reason.strip()
    entry.updated_at = now
    if entry.country == ex.node_id:
        _case_outcome(session, entry, actor, now)
    else:
        agreement = in_force_for(session, now.date(), OUTCOME, entry.country, "removals")
        outbox.send(session, ex, partner=entry.country, kind=OUTCOME, agreement=agreement,
                    purpose=PURPOSE, actor=actor, case_ref=op.id,
                    body={"operation": op.id, "case": entry.case_reference,
                          "outcome": entry.outcome, "reason": entry.outcome_reason})  # fmt: skip
    if not session.scalar(select(func.count()).select_from(ManifestEntry).where(
            ManifestEntry.operation_id == op.id, ManifestEntry.state == "accepted",
            ManifestEntry.outcome.is_(None))):  # fmt: skip
        op.status = "flown"
    chain.append(session, f"removals:removee:{entry.outcome}", actor=actor, subject=entry.id,
                 partner=None if entry.country == ex.node_id else entry.country,
                 details={"operation": op.reference, "case": entry.case_reference,
                          "reason": entry.outcome_reason}, at=now)  # fmt: skip
    return entry


def _case_of(session: Session, entry: ManifestEntry) -> RemovalCase | None:
    """This node's case behind one of its manifest entries."""
    return session.execute(select(RemovalCase).where(
        RemovalCase.reference == entry.case_reference)).scalar_one_or_none()  # fmt: skip


def _case_outcome(session: Session, entry: ManifestEntry, actor: str, now: dt.datetime) -> None:
    case = _case_of(session, entry)
    if case is not None:
        case.status = entry.outcome or case.status
        _note(case, entry.outcome or "", actor, now, entry.outcome_reason)


def _own_entry(session: Session, ex: NodeExchange, received: Received) -> ManifestEntry:
    body = received.envelope.body
    entry = session.execute(select(ManifestEntry).where(
        ManifestEntry.operation_id == str(body.get("operation")),
        ManifestEntry.country == ex.node_id,
        ManifestEntry.case_reference == str(body.get("case")))).scalar_one_or_none()  # fmt: skip
    if entry is None:
        raise Refused("unknown_reference", "no removee of ours with that case on that operation")
    return entry


def on_decision(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    entry, now = _own_entry(session, ex, received), ex.clock()
    decision = str(body.get("decision"))
    if decision not in ("accepted", "refused"):
        raise Refused("invalid_body", f"decision: '{decision}' is not accepted or refused")
    entry.state, entry.updated_at = decision, now
    entry.reasons = [str(r) for r in body.get("reasons") or []]
    case = _case_of(session, entry)
    if case is not None:
        case.status = decision
        _note(case, decision, f"partner:{partner}", now, "; ".join(entry.reasons))
    chain.append(session, f"removals:removee:{decision}-by-partner", actor=f"partner:{partner}",
                 partner=partner, subject=entry.id,
                 details={"case": entry.case_reference, "reasons": entry.reasons})  # fmt: skip


def on_outcome(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    entry, now = _own_entry(session, ex, received), ex.clock()
    outcome = str(body.get("outcome"))
    if outcome not in ("removed", "not-removed"):
        raise Refused("invalid_body", f"outcome: '{outcome}' is not removed or not-removed")
    entry.outcome, entry.outcome_reason = outcome, str(body.get("reason") or "")
    entry.updated_at = now
    _case_outcome(session, entry, f"partner:{partner}", now)
    chain.append(session, f"removals:removee:{outcome}-by-partner", actor=f"partner:{partner}",
                 partner=partner, subject=entry.id,
                 details={"case": entry.case_reference})  # fmt: skip


# -- reading ---------------------------------------------------------------------------------


def get_case(session: Session, case_id: str) -> RemovalCase:
    by_reference = select(RemovalCase).where(RemovalCase.reference == case_id)
    row = session.get(RemovalCase, case_id) or session.execute(by_reference).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no removal case {case_id}")
    return row


def get_operation(session: Session, operation_id: str) -> RemovalOperation:
    row = session.get(RemovalOperation, operation_id)
    if row is None:
        raise NotFound(f"no removal operation {operation_id}")
    return row


def get_entry(session: Session, entry_id: str) -> ManifestEntry:
    row = session.get(ManifestEntry, entry_id)
    if row is None:
        raise NotFound(f"no manifest entry {entry_id}")
    return row


def cases(session: Session) -> list[RemovalCase]:
    return list(session.scalars(select(RemovalCase).order_by(RemovalCase.created_at.desc())
                                .limit(500)))  # fmt: skip


def operations(session: Session) -> list[RemovalOperation]:
    return list(session.scalars(select(RemovalOperation).order_by(RemovalOperation.departs)
                                .limit(200)))  # fmt: skip


def entries(session: Session, operation_id: str) -> list[ManifestEntry]:
    return list(session.scalars(select(ManifestEntry).where(
        ManifestEntry.operation_id == operation_id)
        .order_by(ManifestEntry.country, ManifestEntry.case_reference)))  # fmt: skip


def case_out(row: RemovalCase) -> dict[str, Any]:
    return {"id": row.id, "reference": row.reference, "surname": row.surname,
            "given_names": row.given_names, "birth_date": row.birth_date,
            "nationality": row.nationality, "order_reference": row.order_reference,
            "order_date": row.order_date.isoformat(), "destination": row.destination,
            "escorts": row.escorts, "escort_notes": row.escort_notes, "document": row.document,
            "status": row.status, "history": row.history,
            "created_at": row.created_at.isoformat()}  # fmt: skip


def entry_out(row: ManifestEntry) -> dict[str, Any]:
    return {"id": row.id, "operation_id": row.operation_id, "country": row.country,
            "case_reference": row.case_reference, "person": row.person,
            "document": row.document, "escorts": row.escorts, "state": row.state,
            "reasons": row.reasons, "outcome": row.outcome,
            "outcome_reason": row.outcome_reason}  # fmt: skip


def operation_out(session: Session, row: RemovalOperation) -> dict[str, Any]:
    listed = [entry_out(e) for e in entries(session, row.id)]
    return {"id": row.id, "reference": row.reference, "organiser": row.organiser,
            "partner": row.partner, "destination": row.destination, "flight": row.flight,
            "departs": row.departs.isoformat(), "seats": row.seats, "escorts": row.escorts,
            "status": row.status, "entries": listed,
            "manifest": [e for e in listed if e["state"] == "accepted"]}  # fmt: skip
