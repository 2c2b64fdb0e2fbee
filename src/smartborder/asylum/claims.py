"""Asylum claims as records of the node: the claimant, the facts, the history, and the STCA
determination kept current with the facts.

A claim is created whole (its facts checked: contradictions, unknown countries, a date of birth
that disagrees with itself are refused with where, and nothing is written). Every change makes
a new version, recorded with who made it, why, and each field's value before and after; when
the facts change (or a partner's prior claim arrives through the Asylum Annex) the claim is
determined again, and the new determination becomes the current one; the earlier ones stay,
each tied to the version of the claim it judged. Everything is audited by reference: the audit
chain names the claim, never the claimant.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.asylum import stca
from smartborder.asylum.models import AsylumClaim, AsylumClaimChange, AsylumDetermination
from smartborder.audit import chain
from smartborder.errors import NotFound, ValidationFailed
from smartborder.identity.dates import DateProblem
from smartborder.identity.names import normalise
from smartborder.screening.features import Identity
from smartborder.screening.subject import birth_tuple, make_identity
from smartborder.visa.requirements import check_country

ClaimStatus = Literal[
    "open", "referred", "accepted", "rejected", "withdrawn", "abandoned", "ineligible",
    "ceased", "vacated",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentIn(_Strict):
    kind: str = Field(min_length=1, max_length=40)  # passport, national-id, visa, ...
    number: str = Field(min_length=1, max_length=40)
    country: str | None = Field(default=None, min_length=2, max_length=2)


class ClaimantIn(_Strict):
    """Who claims: names as written (any script, each spelling its own entry), the date of
    birth as far as known (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), sex, documents held."""

    names: list[str] = Field(min_length=1, max_length=10)
    birth_date: str | None = Field(default=None, max_length=10)
    sex: Literal["M", "F", "X"] | None = None
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)


class DecisionIn(_Strict):
    outcome: str = Field(min_length=1, max_length=40)
    date: dt.date | None = None
    # grounds to deny, exclude, cease or vacate, as the decision gives them
    grounds: list[str] = Field(default_factory=list, max_length=20)


class ChargeIn(_Strict):
    """A charge or conviction the claimant has, anywhere."""

    offence: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2)
    date: dt.date | None = None
    convicted: bool = False
    punishable_by_death: bool = False


class ClaimIn(_Strict):
    """A claim as an officer records it."""

    reference: str | None = Field(default=None, min_length=1, max_length=64)
    claimant: ClaimantIn
    location: str = Field(min_length=1, max_length=200)
    persecution_in: list[str] = Field(default_factory=list, max_length=10)
    status: ClaimStatus = "open"
    decision: DecisionIn | None = None
    biometric_subject: str | None = Field(default=None, min_length=1, max_length=64)
    charges: list[ChargeIn] = Field(default_factory=list, max_length=50)
    facts: stca.Facts


class ClaimChange(_Strict):
    """What an officer changes in a claim: the facts (a whole new set, or only the named
    ones), the status, the decision; always with a reason."""

    reason: str = Field(min_length=1, max_length=2000)
    facts: dict[str, Any] | None = None  # the facts to set (merged into the claim's)
    status: ClaimStatus | None = None
    decision: DecisionIn | None = None
    persecution_in: list[str] | None = None
    biometric_subject: str | None = None
    charges: list[ChargeIn] | None = None


def check(claim: ClaimIn) -> None:
    """What the schema cannot see: unknown countries, a date of birth that cannot be read or
    disagrees with the facts', and the facts' own contradictions; all at once, located."""
    problems: list[dict[str, Any]] = []
    try:
        born = birth_tuple(claim.claimant.birth_date)
    except DateProblem as exc:
        born = None
        problems.append({"field": "claimant.birth_date", "problem": str(exc)})
    if born and claim.facts.birth_date is not None:
        given, born_text = claim.facts.birth_date, claim.claimant.birth_date
        if (born[0], born[1] or given.month, born[2] or given.day) != (
            given.year, given.month, given.day,
        ):  # fmt: skip
            problem = f"{given} disagrees with the claimant's date of birth {born_text}"
            problems.append({"field": "facts.birth_date", "problem": problem})
    for n, code in enumerate(claim.persecution_in):
        _country(code, f"persecution_in[{n}]", problems)
    for n, document in enumerate(claim.claimant.documents):
        if document.country is not None:
            _country(document.country, f"claimant.documents[{n}].country", problems)
    for n, charge in enumerate(claim.charges):
        _country(charge.country, f"charges[{n}].country", problems)
        if charge.date is not None and charge.date > claim.facts.claim_date:
            problems.append({"field": f"charges[{n}].date",
                             "problem": f"{charge.date} is after the claim date"})  # fmt: skip
    if claim.facts.death_penalty_charge is False and any(
        c.punishable_by_death for c in claim.charges
    ):
        problems.append({"field": "facts.death_penalty_charge", "problem": "no, yet a charge "
                         "punishable by death is recorded (charges)"})  # fmt: skip
    if not any(name.strip() for name in claim.claimant.names):
        problems.append({"field": "claimant.names", "problem": "no name is given"})
    try:
        stca.check_facts(facts_with_claimant(claim) if born is not None or not problems
                         else claim.facts)  # fmt: skip
    except ValidationFailed as exc:
        for found in exc.details:
            problems.append({**found, "field": f"facts.{found.get('field', '')}"})
    if problems:
        raise ValidationFailed(f"the claim is not valid: {problems[0]['field']}: "
                               f"{problems[0]['problem']}", details=problems)  # fmt: skip


def _country(code: str, where: str, problems: list[dict[str, Any]]) -> None:
    try:
        check_country(code, where)
    except ValidationFailed as exc:
        problems.append({"field": where, "problem": exc.message})


def facts_with_claimant(claim: ClaimIn) -> stca.Facts:
    """The facts, with what the record says of them when they do not: the claimant's full
    date of birth; a charge punishable by death (s.159.6)."""
    born = birth_tuple(claim.claimant.birth_date)
    update: dict[str, Any] = {}
    if claim.facts.birth_date is None and born and born[1] and born[2]:
        update["birth_date"] = dt.date(*born)
    if claim.facts.death_penalty_charge is None and any(
        c.punishable_by_death for c in claim.charges
    ):
        update["death_penalty_charge"] = True
    return claim.facts.model_copy(update=update) if update else claim.facts


def identity_of(claimant: dict[str, Any], facts: dict[str, Any]) -> Identity:
    """The matcher's identity of a claimant (names in every script, partial date of birth,
    sex, nationalities, document numbers)."""
    return make_identity(
        claimant.get("names", []),
        claimant.get("birth_date"),
        claimant.get("sex"),
        facts.get("nationalities") or [],
        [d["number"] for d in claimant.get("documents", [])],
    )


def create(
    session: Session, claim: ClaimIn, *, actor: str, now: dt.datetime, country: str = "CA"
) -> tuple[AsylumClaim, AsylumDetermination]:
    """Record a claim made in ``country`` (the node's) and its first determination under that
    country's rules."""
    check(claim)
    facts = facts_with_claimant(claim)
    reference = claim.reference or _next_reference(session, facts.claim_date)
    if session.scalar(select(AsylumClaim.id).where(AsylumClaim.reference == reference)):
        raise ValidationFailed(f"reference: a claim '{reference}' is already recorded",
                               details=[{"field": "reference", "problem": "taken"}])  # fmt: skip
    row = AsylumClaim(
        id=str(uuid.uuid4()), reference=reference, claim_date=facts.claim_date,
        names=" | ".join(normalise(n) for n in claim.claimant.names if n.strip()),
        claimant=claim.claimant.model_dump(mode="json"),
        facts=facts.model_dump(mode="json", exclude_none=True), location=claim.location,
        persecution_in=[c.upper() for c in claim.persecution_in], status=claim.status,
        decision=claim.decision.model_dump(mode="json") if claim.decision else {},
        biometric_subject=claim.biometric_subject, partner_claims=[], version=1,
        charges=[c.model_dump(mode="json") for c in claim.charges],
        created_at=now, created_by=actor, updated_at=now, updated_by=actor,
    )  # fmt: skip
    session.add(row)
    session.add(AsylumClaimChange(id=str(uuid.uuid4()), claim_id=row.id, version=1, at=now,
                                  by=actor, reason="recorded", changes=[]))  # fmt: skip
    chain.append(session, "asylum:claim:recorded", actor=actor, subject=row.id,
                 details={"reference": reference, "version": 1})  # fmt: skip
    return row, redetermine(session, row, actor=actor, now=now, country=country)


def _next_reference(session: Session, day: dt.date) -> str:
    count = session.scalar(select(func.count()).select_from(AsylumClaim)) or 0
    return f"{day.year}-{count + 1:06d}-{uuid.uuid4().hex[:4].upper()}"


def change(
    session: Session,
    claim_id: str,
    changed: ClaimChange,
    *,
    actor: str,
    now: dt.datetime,
    country: str = "CA",
) -> tuple[AsylumClaim, AsylumDetermination | None]:
    """Apply an officer's change as a new version; the claim is determined again when its
    facts changed. Refused whole, with where, when the result would not be a valid claim."""
    row = get(session, claim_id)
    facts = {**row.facts, **(changed.facts or {})}
    after = ClaimIn.model_validate({
        "reference": row.reference, "claimant": row.claimant, "location": row.location,
        "persecution_in": row.persecution_in if changed.persecution_in is None
        else changed.persecution_in,
        "status": changed.status or row.status,
        "decision": changed.decision.model_dump(mode="json") if changed.decision
        else (row.decision or None),
        "biometric_subject": row.biometric_subject if changed.biometric_subject is None
        else (changed.biometric_subject or None),
        "charges": row.charges if changed.charges is None
        else [c.model_dump(mode="json") for c in changed.charges],
        "facts": facts,
    })  # fmt: skip
    check(after)
    new_facts = facts_with_claimant(after).model_dump(mode="json", exclude_none=True)
    values: dict[str, Any] = {
        "facts": new_facts, "status": after.status,
        "decision": after.decision.model_dump(mode="json") if after.decision else {},
        "persecution_in": [c.upper() for c in after.persecution_in],
        "biometric_subject": after.biometric_subject,
        "charges": [c.model_dump(mode="json") for c in after.charges],
    }  # fmt: skip
    diffs = []
    for name, value in values.items():
        before = getattr(row, name)
        if name == "facts":
            diffs += [{"field": f"facts.{k}", "before": before.get(k), "after": value.get(k)}
                      for k in sorted(set(before) | set(value))
                      if before.get(k) != value.get(k)]  # fmt: skip
        elif before != value:
            diffs.append({"field": name, "before": before, "after": value})
    if not diffs:
        return row, None
    for name, value in values.items():
        setattr(row, name, value)
    row.claim_date = after.facts.claim_date
    _new_version(session, row, diffs, reason=changed.reason, actor=actor, now=now)
    if any(d["field"].startswith("facts.") for d in diffs):
        return row, redetermine(session, row, actor=actor, now=now, country=country)
    return row, None


def _new_version(
    session: Session,
    row: AsylumClaim,
    diffs: list[dict[str, Any]],
    *,
    reason: str,
    actor: str,
    now: dt.datetime,
) -> None:
    row.version += 1
    row.updated_at, row.updated_by = now, actor
    session.add(AsylumClaimChange(id=str(uuid.uuid4()), claim_id=row.id, version=row.version,
                                  at=now, by=actor, reason=reason, changes=diffs))  # fmt: skip
    chain.append(session, "asylum:claim:changed", actor=actor, subject=row.id,
                 details={"reference": row.reference, "version": row.version,
                          "fields": [d["field"] for d in diffs]})  # fmt: skip


def add_partner_claim(
    session: Session,
    row: AsylumClaim,
    found: dict[str, Any],
    *,
    actor: str,
    now: dt.datetime,
    country: str = "CA",
) -> AsylumDetermination:
    """A prior claim in the partner country, learned through the Asylum Annex: kept on the
    claim with its provenance (a new version), and the claim determined again."""
    before = list(row.partner_claims)
    row.partner_claims = [*before, found]
    _new_version(session, row, [{"field": "partner_claims", "before": len(before),
                                 "after": len(row.partner_claims)}],
                 reason=f"prior claim reported by {found['partner']} (Asylum Annex)",
                 actor=actor, now=now)  # fmt: skip
    return redetermine(session, row, actor=actor, now=now, country=country)


def redetermine(
    session: Session, row: AsylumClaim, *, actor: str, now: dt.datetime, country: str = "CA"
) -> AsylumDetermination:
    """Determine the claim's current version under ``country``'s rules; the new determination
    becomes the current one."""
    facts = stca.Facts.model_validate(row.facts)
    made = stca.determine(facts, country, prior_claims=row.partner_claims)
    for earlier in session.scalars(
        select(AsylumDetermination).where(
            AsylumDetermination.claim_id == row.id, AsylumDetermination.current.is_(True)
        )
    ):
        earlier.current = False
    determination = AsylumDetermination(
        id=str(uuid.uuid4()), claim_id=row.id, claim_version=row.version, rules=made.version,
        outcome=made.outcome, result=made.as_dict(), current=True, made_at=now, made_by=actor,
    )  # fmt: skip
    session.add(determination)
    session.flush()
    chain.append(session, "asylum:claim:determined", actor=actor, subject=row.id,
                 details={"reference": row.reference, "version": row.version,
                          "rules": made.version, "outcome": made.outcome,
                          "exceptions": [e["id"] for e in made.exceptions],
                          "missing": [m["fact"] for m in made.missing]})  # fmt: skip
    return determination


def get(session: Session, claim_id: str) -> AsylumClaim:
    row = session.get(AsylumClaim, claim_id)
    if row is None:
        row = session.scalars(select(AsylumClaim).where(AsylumClaim.reference == claim_id)).first()
    if row is None:
        raise NotFound(f"no asylum claim '{claim_id}'")
    return row


def listing(
    session: Session, *, name: str | None = None, status: str | None = None, limit: int = 200
) -> Sequence[AsylumClaim]:
    query = select(AsylumClaim).order_by(AsylumClaim.created_at.desc()).limit(limit)
    if name:
        query = query.where(AsylumClaim.names.contains(normalise(name)))
    if status:
        query = query.where(AsylumClaim.status == status)
    return session.scalars(query).all()


def current(session: Session, claim_id: str) -> AsylumDetermination | None:
    return session.scalars(
        select(AsylumDetermination).where(
            AsylumDetermination.claim_id == claim_id, AsylumDetermination.current.is_(True)
        )
    ).first()


def history(
    session: Session, claim_id: str
) -> tuple[Sequence[AsylumClaimChange], Sequence[AsylumDetermination]]:
    changes = session.scalars(
        select(AsylumClaimChange).where(AsylumClaimChange.claim_id == claim_id)
        .order_by(AsylumClaimChange.version)
    ).all()  # fmt: skip
    determinations = session.scalars(
        select(AsylumDetermination).where(AsylumDetermination.claim_id == claim_id)
        .order_by(AsylumDetermination.made_at, AsylumDetermination.claim_version)
    ).all()  # fmt: skip
    return changes, determinations


def claim_out(row: AsylumClaim, determination: AsylumDetermination | None) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "claim_date": row.claim_date.isoformat(),
        "claimant": row.claimant, "facts": row.facts, "location": row.location,
        "persecution_in": row.persecution_in, "status": row.status, "decision": row.decision,
        "biometric_subject": row.biometric_subject, "partner_claims": row.partner_claims,
        "charges": row.charges,
        "version": row.version, "created_at": row.created_at.isoformat(),
        "created_by": row.created_by, "updated_at": row.updated_at.isoformat(),
        "updated_by": row.updated_by,
        "determination": determination_out(determination) if determination else None,
    }  # fmt: skip


def determination_out(row: AsylumDetermination) -> dict[str, Any]:
    return {"id": row.id, "claim_version": row.claim_version, "rules": row.rules,
            "outcome": row.outcome, "current": row.current, "made_at": row.made_at.isoformat(),
            "made_by": row.made_by, **{k: v for k, v in row.result.items()
                                       if k not in ("outcome", "version")}}  # fmt: skip


def change_out(row: AsylumClaimChange) -> dict[str, Any]:
    return {"version": row.version, "at": row.at.isoformat(), "by": row.by,
            "reason": row.reason, "changes": row.changes}  # fmt: skip
