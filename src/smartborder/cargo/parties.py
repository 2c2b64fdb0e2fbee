"""Trade parties: importers, exporters, carriers, freight forwarders and drivers, each with
its supply-chain security program and that program's status.

- **Registered** on this node by a program officer, and **screened** at once against the
  lookouts as people (drivers: with the date of birth) and organisations (the others) are;
  screened again on demand (``rescreen``).
- A party that asks for a program (C-TPAT in the United States, PIP in Canada, FAST for a
  driver) waits **pending** until an officer approves or refuses it, with reasons. Approving a
  party that screening names needs the officer to say why the hits are not this party.
- An approved party may be **suspended** (and reinstated) with reasons; every change is kept
  in the party's history and audited.

The FAST booth (programs/lane.py) and the cargo risk model read the status from here; a party
no report or booth can find here is *unknown* and said so.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.cargo.codes import country_known
from smartborder.cargo.models import TradeParty
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.identity.countries import from_alpha2
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import SubjectIn
from smartborder.screening.service import Screening

Role = Literal["importer", "exporter", "carrier", "forwarder", "driver"]
Program = Literal["C-TPAT", "PIP", "FAST", ""]
ROLES: tuple[str, ...] = ("importer", "exporter", "carrier", "forwarder", "driver")
# the programs that clear a carrier or importer for the FAST lane (each country recognises the
# other's: FAST needs both partners' trade-security programs to count)
TRADE_PROGRAMS = frozenset({"C-TPAT", "PIP"})
ACTIONS = {
    "approve": (("pending", "refused"), "approved"),
    "refuse": (("pending",), "refused"),
    "suspend": (("approved",), "suspended"),
    "reinstate": (("suspended",), "approved"),
}
SYSTEM = "system:cargo-screening"


class PartyIn(BaseModel):
    """A party to register."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    identifier: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9-]+$",
                            description="carrier code (SCAC, IATA, CBSA), importer or business "
                            "number, or a driver's FAST card")  # fmt: skip
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    address: str = Field("", max_length=400)
    birth_date: dt.date | None = Field(None, description="drivers only")
    program: Program = ""

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.upper()
        if not country_known(value):
            raise ValueError(f"'{value}' is not an ISO 3166 country code")
        return value

    @model_validator(mode="after")
    def _fits(self) -> PartyIn:
        if self.role == "driver":
            if self.birth_date is None:
                raise ValueError("a driver is screened as a person: give birth_date")
            if self.program not in ("", "FAST"):
                raise ValueError(f"a driver's program is FAST, not {self.program}")
        elif self.program == "FAST":
            raise ValueError(f"FAST is a driver's program; a {self.role}'s is C-TPAT or PIP")
        elif self.birth_date is not None:
            raise ValueError("birth_date is for drivers only")
        return self


class PartyDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["approve", "refuse", "suspend", "reinstate"]
    reasons: list[str] = Field(min_length=1, max_length=10)
    hits_cleared: str = Field("", max_length=2000,
                              description="why screening's hits are not this party (approving "
                              "a party screening names)")  # fmt: skip

    @field_validator("reasons")
    @classmethod
    def _said(cls, value: list[str]) -> list[str]:
        kept = [r.strip() for r in value if r.strip()]
        if not kept:
            raise ValueError("give at least one reason")
        return kept


def _screen(screening: Screening, session: Session, row: TradeParty, today: dt.date
            ) -> list[dict[str, Any]]:  # fmt: skip
    person = row.role == "driver"
    nationality = from_alpha2(row.country) if person else None
    subject = SubjectIn(reference=row.identifier, names=[row.name],
                        birth_date=row.birth_date.isoformat() if row.birth_date else None,
                        nationalities=[nationality] if nationality else [])  # fmt: skip
    return [{"lookout_id": h.entry.lookout_id, "category": h.entry.category,
             "origin": h.entry.origin, "score": round(h.score, 3)}
            for h in screening.screen(session, subject, today=today, limit=5)]  # fmt: skip


def _event(row: TradeParty, event: str, actor: str, now: dt.datetime, reasons: list[str]) -> None:
    row.history = [*row.history, {"event": event, "at": now.isoformat(), "by": actor,
                                  "reasons": reasons}]  # fmt: skip
    row.updated_at, row.updated_by = now, actor


def register(
    session: Session, screening: Screening, given: PartyIn, *, actor: str, now: dt.datetime
) -> TradeParty:
    """Register a party and screen it; one asking for a program waits for an officer."""
    identifier = given.identifier.upper()
    if find(session, given.role, identifier) is not None:
        raise Conflict(f"{given.role} {identifier} is already registered")
    row = TradeParty(id=str(uuid.uuid4()), role=given.role, identifier=identifier,
                     name=given.name.strip(), country=given.country, address=given.address,
                     birth_date=given.birth_date, program=given.program,
                     status="pending" if given.program else "registered", history=[],
                     created_at=now)  # fmt: skip
    row.hits, row.screened_at = _screen(screening, session, row, now.date()), now
    found = f"screening: {len(row.hits)} lookout hit(s)" if row.hits else "screening: no hit"
    _event(row, "registered", actor, now, [found])
    session.add(row)
    session.flush()
    chain.append(session, "cargo:party:registered", actor=actor, subject=row.id,
                 details={"role": row.role, "identifier": identifier, "program": row.program,
                          "hits": len(row.hits)}, at=now)  # fmt: skip
    return row


def rescreen(session: Session, screening: Screening, party_id: str, *, actor: str,
             now: dt.datetime) -> TradeParty:  # fmt: skip
    row = get(session, party_id)
    row.hits, row.screened_at = _screen(screening, session, row, now.date()), now
    _event(row, "screened", actor, now, [f"{len(row.hits)} lookout hit(s)"])
    chain.append(session, "cargo:party:screened", actor=actor, subject=row.id,
                 details={"hits": len(row.hits)}, at=now)  # fmt: skip
    return row


def rescreen_stale(session: Session, screening: Screening, *, now: dt.datetime,
                   limit: int = 200) -> tuple[int, list[dict[str, Any]]]:  # fmt: skip
    """Screen again the parties last screened before the newest change to the lookouts (a
    lookout made, changed or withdrawn here or shared by the partner), at most ``limit`` a
    call, oldest first. A party whose hits change gets an event saying which lookouts now name
    it and which no longer do, audited; its listing and page show the hits, and approving or
    reinstating it then needs the officer's ``hits_cleared``. How many were screened, and the
    changes."""
    newest = session.scalar(select(func.max(Lookout.updated_at)))
    if newest is None:
        return 0, []
    stale = session.scalars(select(TradeParty).where(
        # (not one screened at ``now``: a clock behind the lookouts' stops here)
        or_(TradeParty.screened_at.is_(None),
            and_(TradeParty.screened_at < newest, TradeParty.screened_at < now)))
        .order_by(TradeParty.screened_at.is_(None).desc(), TradeParty.screened_at,
                  TradeParty.id).limit(limit)).all()  # fmt: skip
    changes = []
    for row in stale:
        before = {h["lookout_id"] for h in row.hits}
        hits = _screen(screening, session, row, now.date())
        after = {h["lookout_id"] for h in hits}
        row.screened_at = now
        if hits == row.hits:
            continue
        row.hits = hits
        new, gone = sorted(after - before), sorted(before - after)
        if not (new or gone):  # the same lookouts, other scores
            continue
        said = ([f"now named by lookout(s) {', '.join(new)}"] if new else []) + (
            [f"no longer named by lookout(s) {', '.join(gone)}"] if gone else []
        )
        _event(row, "screened", SYSTEM, now, said)
        chain.append(session, "cargo:party:screened", actor=SYSTEM, subject=row.id,
                     details={"hits": len(hits), "new": new, "gone": gone}, at=now)  # fmt: skip
        changes.append({"party": row.id, "role": row.role, "identifier": row.identifier,
                        "status": row.status, "new": new, "gone": gone})  # fmt: skip
    return len(stale), changes


def decide(session: Session, party_id: str, decision: PartyDecision, *, actor: str,
           now: dt.datetime) -> TradeParty:  # fmt: skip
    """Approve, refuse, suspend or reinstate a party's program status, with reasons."""
    row = get(session, party_id)
    allowed_from, becomes = ACTIONS[decision.action]
    if not row.program:
        raise Conflict(f"{row.role} {row.identifier} asked for no program: nothing to "
                       f"{decision.action}")  # fmt: skip
    if row.status not in allowed_from:
        raise Conflict(f"{row.role} {row.identifier} is {row.status}; only a party "
                       f"{' or '.join(allowed_from)} can be {becomes}")  # fmt: skip
    reasons = list(decision.reasons)
    if decision.action in ("approve", "reinstate") and row.hits:
        if not decision.hits_cleared.strip():
            raise ValidationFailed(
                f"{row.role} {row.identifier} is named by {len(row.hits)} lookout hit(s): say "
                "why they are not this party",
                details=[{"field": "hits_cleared", "message": "required while screening names "
                          "the party: " + ", ".join(h["lookout_id"] for h in row.hits)}],
            )  # fmt: skip
        reasons.append(f"hits cleared: {decision.hits_cleared.strip()}")
    row.status = becomes
    _event(row, becomes, actor, now, reasons)
    chain.append(session, f"cargo:party:{becomes}", actor=actor, subject=row.id,
                 details={"role": row.role, "identifier": row.identifier,
                          "program": row.program, "reasons": reasons}, at=now)  # fmt: skip
    return row


def get(session: Session, party_id: str) -> TradeParty:
    row = session.get(TradeParty, party_id)
    if row is None:
        raise NotFound(f"no trade party {party_id}")
    return row


def find(session: Session, role: str, identifier: str) -> TradeParty | None:
    return session.execute(
        select(TradeParty).where(TradeParty.role == role,
                                 TradeParty.identifier == identifier.strip().upper())
    ).scalar_one_or_none()  # fmt: skip


class Standing(NamedTuple):
    """What assessing a shipment reads of a registered party."""

    name: str
    program: str
    status: str


def known(session: Session, pairs: Iterable[tuple[str, str]]
          ) -> dict[tuple[str, str], Standing | None]:  # fmt: skip
    """Each (role, identifier) with its standing, or None when none is registered: one query
    for a report's parties, however many bills name them (the columns alone, not the
    parties' histories)."""
    wanted = {(role, identifier.strip().upper()) for role, identifier in pairs if identifier}
    found: dict[tuple[str, str], Standing | None] = dict.fromkeys(wanted)
    identifiers = sorted({identifier for _, identifier in wanted})
    columns = (TradeParty.role, TradeParty.identifier, TradeParty.name, TradeParty.program,
               TradeParty.status)  # fmt: skip
    for start in range(0, len(identifiers), 500):
        with session.no_autoflush:
            for role, identifier, name, program, status in session.execute(select(*columns).where(
                    TradeParty.identifier.in_(identifiers[start:start + 500]))):  # fmt: skip
                if (role, identifier) in found:
                    found[(role, identifier)] = Standing(name, program, status)
    return found


def listing(session: Session, role: str | None = None, status: str | None = None
            ) -> Sequence[TradeParty]:  # fmt: skip
    query = select(TradeParty).order_by(TradeParty.role, TradeParty.identifier).limit(500)
    if role:
        query = query.where(TradeParty.role == role)
    if status:
        query = query.where(TradeParty.status == status)
    return session.scalars(query).all()


def trade_standing(session: Session, role: str, identifier: str) -> tuple[bool, str]:
    """Whether a carrier or importer holds an approved C-TPAT or PIP status, and why not."""
    row = find(session, role, identifier)
    if row is None:
        return False, f"{role} {identifier} is not a registered trade party"
    if row.program not in TRADE_PROGRAMS:
        return False, f"{role} {row.identifier} ({row.name}) holds no C-TPAT or PIP status"
    if row.status != "approved":
        return False, f"{role} {row.identifier} ({row.name}): {row.program} {row.status}"
    return True, f"{role} {row.identifier} ({row.name}): {row.program} approved"


def party_out(row: TradeParty) -> dict[str, Any]:
    return {"id": row.id, "role": row.role, "identifier": row.identifier, "name": row.name,
            "country": row.country, "address": row.address,
            "birth_date": row.birth_date.isoformat() if row.birth_date else None,
            "program": row.program, "status": row.status, "hits": row.hits,
            "screened_at": row.screened_at.isoformat() if row.screened_at else None,
            "history": row.history, "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(), "updated_by": row.updated_by}  # fmt: skip
