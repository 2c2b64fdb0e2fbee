"""Board / no board at check-in: one traveller and their flight in, a decision out, with its
reasons, synchronously (the interactive API of US AQQ and the iAPI guidelines).

The traveller is screened against local and partner lookouts and scored by the active model,
exactly as at intake; the model's decision rules give "no board" or "contact the authority".
With no active model a lookout hit still decides: a hit whose lookout says deny-boarding is
"no board", any other hit "contact the authority". Nothing about the traveller is stored
here (the PAXLST that follows is); each decision is an audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from smartborder import clock
from smartborder.audit import chain
from smartborder.identity.schemas import IcaoCode
from smartborder.travel.intake import models as m
from smartborder.travel.riskmodels.records import CO_TRAVELLERS, Aboard, record_of, screening_fields
from smartborder.travel.targeting.service import Targeting, decision_without_model


class CheckDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field("P", pattern=r"^[A-Z]{1,2}$", description="P passport, V visa, I card")
    number: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")
    country: IcaoCode | None = None
    expiry: dt.date | None = None


class CheckTraveller(BaseModel):
    model_config = ConfigDict(extra="forbid")
    surname: str = Field(min_length=1, max_length=120)
    given_names: str = Field("", max_length=160)
    birth_date: dt.date
    sex: Literal["M", "F", "X"] | None = None
    nationality: IcaoCode | None = None
    residence: IcaoCode | None = None
    role: Literal["passenger", "crew"] = "passenger"
    documents: list[CheckDocument] = Field(default_factory=list, max_length=5)
    reservation: str | None = Field(None, max_length=12, description="record locator")
    reference: str | None = Field(None, max_length=35, description="the airline's passenger id")

    @model_validator(mode="after")
    def _born(self) -> CheckTraveller:
        if self.birth_date > clock.today() or self.birth_date.year < 1880:
            raise ValueError(f"birth_date {self.birth_date} is impossible for a traveller")
        return self


class CheckFlight(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carrier: str = Field(pattern=r"^[A-Z0-9]{2}[A-Z]?$", description="IATA or ICAO code")
    number: str = Field(pattern=r"^\d{1,4}[A-Z]?$")
    origin: str = Field(pattern=r"^[A-Z]{3}$", description="IATA airport")
    destination: str = Field(pattern=r"^[A-Z]{3}$")
    date: dt.date = Field(description="local departure date")
    departure: dt.datetime | None = Field(None, description="local departure time")
    arrival: dt.datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CheckFlight:
        if self.origin == self.destination:
            raise ValueError(f"origin and destination are both {self.origin}")
        if self.departure is not None and self.departure.date() != self.date:
            raise ValueError(
                f"departure {self.departure:%Y-%m-%d} is not the flight date {self.date}"
            )
        if self.departure and self.arrival and self.arrival <= self.departure:
            raise ValueError("arrival must be after departure")
        return self


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    traveller: CheckTraveller
    flight: CheckFlight
    reference: str | None = Field(None, max_length=40, description="the carrier's transaction")


@dataclass(slots=True)
class Verdict:
    decision: str
    reasons: list[str]
    score: int = 0
    joint_score: int = 0
    indicators: list[dict[str, Any]] = field(default_factory=list)
    hits: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None
    reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": self.reasons,
            "score": self.score,
            "joint_score": self.joint_score,
            "indicators": self.indicators,
            "hits": self.hits,
            "model": self.model,
            "reference": self.reference,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else None


def record_for(request: CheckRequest) -> tuple[m.Flight, Aboard]:
    """The request as a flight and a traveller aboard, as intake would have filed them."""
    f, t = request.flight, request.traveller
    flight = m.Flight(
        id="",
        carrier=f.carrier,
        number=f.number,
        date=f.date.isoformat(),
        origin=f.origin,
        destination=f.destination,
        departure=_iso(f.departure),
        arrival=_iso(f.arrival),
        legs=[],
        codeshares=[],
    )
    documents = [
        {
            "type": d.type,
            "number": d.number.upper(),
            "country": d.country,
            "expiry": d.expiry.isoformat() if d.expiry else None,
        }
        for d in t.documents
    ]
    person = m.Passenger(
        role=t.role,
        surname=t.surname.upper(),
        given_names=t.given_names.upper(),
        birth_date=t.birth_date.isoformat(),
        sex=t.sex,
        nationality=t.nationality,
        documents=documents,
        details={"residence": t.residence},
        reservation=t.reservation,
        cancelled=False,
    )
    aboard = Aboard("", person, None, documents, 1)
    aboard.record = record_of(flight, person, None, documents=documents)
    return flight, aboard


def check(
    session: Session,
    targeting: Targeting,
    request: CheckRequest,
    *,
    now: dt.datetime,
    actor: str,
) -> Verdict:
    flight, aboard = record_for(request)
    targeting.sync(session)
    hits = targeting.screen(session, aboard, now.date())
    aboard.record.update(screening_fields(hits))
    aboard.record[CO_TRAVELLERS] = 0
    found = targeting.model(session)
    if found is not None:
        row, model = found
        assessment = model.assess(aboard.record)
        verdict = Verdict(
            assessment.decision,
            assessment.reasons,
            assessment.score,
            assessment.joint_score,
            assessment.as_dict(aboard.record)["indicators"],
            hits,
            f"{row.name} v{row.version}",
        )
    else:
        decision, reasons = decision_without_model(hits)
        verdict = Verdict(decision, reasons, hits=hits)
    verdict.reference = request.reference
    if not verdict.reasons:
        verdict.reasons = (
            ["no indicator or lookout calls for action"] if verdict.decision == "board" else []
        )
    chain.append(
        session,
        "travel:check:decided",
        actor=actor,
        details={
            "decision": verdict.decision,
            "reference": request.reference,
            "flight": f"{flight.carrier}{flight.number} {flight.date}",
            "score": verdict.score,
            "hits": len(hits),
            "model": verdict.model,
        },
        at=now,
    )
    return verdict
