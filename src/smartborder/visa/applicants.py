"""Visa applicant screening: a visa officer screens an applicant's identity and travel document
against the node's lookouts - its own and those the partner shares - and sees each hit with
its evidence, what the destination's list requires of the applicant's nationality, and what
is wrong with the document (expired, expiring before travel, an MRZ whose check digits fail
or that names someone else). The outcome is "refer to an officer" with its reasons, or "no
hit". Each screening is audited by application reference (no personal data in the log)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import SmartborderError
from smartborder.identity import mrz as mrz_codec
from smartborder.identity.countries import to_alpha2
from smartborder.identity.schemas import IcaoCode
from smartborder.screening.router import results
from smartborder.screening.schemas import DocumentIn, SubjectIn, check_birth, check_name
from smartborder.screening.service import Screening
from smartborder.visa import service


class ApplicationIn(BaseModel):
    """One visa application's applicant and document."""

    model_config = ConfigDict(extra="forbid")
    application: str = Field(min_length=1, max_length=60, description="the application number")
    destination: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    surname: str = Field(min_length=1, max_length=120)
    given_names: str = Field("", max_length=120)
    birth_date: str
    sex: Literal["M", "F", "X"] | None = None
    nationality: IcaoCode
    document_number: str
    document_country: IcaoCode | None = None
    document_expiry: dt.date | None = None
    travel_date: dt.date | None = None
    mrz: str | None = Field(None, max_length=200)

    @field_validator("surname", "given_names")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value) if value.strip() else value

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: str) -> str:
        checked = check_birth(value)
        assert checked is not None
        return checked

    @field_validator("document_number")
    @classmethod
    def _number(cls, value: str) -> str:
        return DocumentIn._number(value)


COLUMNS = tuple(ApplicationIn.model_fields)  # what an application file may give


def screen_application(
    session: Session,
    screening: Screening,
    application: ApplicationIn,
    *,
    destination: str,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    today = now.date()
    where = (application.destination or destination).upper()
    subject = SubjectIn(
        reference=application.application,
        names=[f"{application.given_names} {application.surname}".strip()],
        birth_date=application.birth_date,
        sex=application.sex,
        nationalities=[application.nationality],
        documents=[application.document_number],
    )
    found = screening.screen(session, subject, today=today)
    hits = results(session, application.application, found).model_dump(mode="json")["hits"]
    reasons = [
        f"lookout {h['lookout_id']} ({h['category']}, asks {h['action']}"
        + (f", shared by {h['origin']}" if h["origin"] != "local" else "")
        + f") scores {h['score']:.2f} against a threshold of {h['threshold']:.2f}"
        for h in hits
    ]
    document = _document_problems(application, today)
    reasons += document
    requirement = _requirement(session, where, application.nationality, now)
    if requirement and requirement["category"] == "no-admission":
        reasons.append(f"{where}'s list says no admission for {application.nationality} nationals")
    outcome = "refer to an officer" if reasons else "no hit"
    chain.append(
        session,
        "visa:applicant:screened",
        actor=actor,
        subject=application.application,
        details={"destination": where, "hits": len(hits), "outcome": outcome},
        at=now,
    )
    return {
        "application": application.application,
        "destination": where,
        "outcome": outcome,
        "reasons": reasons,
        "hits": hits,
        "document": document,
        "requirement": requirement,
    }


def _requirement(
    session: Session, destination: str, nationality: str, now: dt.datetime
) -> dict[str, Any] | None:
    code = to_alpha2(nationality)
    try:
        side = service.side(session, destination, None, now=now)
    except SmartborderError:
        return None
    policy = side.policy(code) if code else None
    if policy is None:
        return None
    return {**policy.as_dict(), "list_of": side.taken_on}


def _document_problems(application: ApplicationIn, today: dt.date) -> list[str]:
    found = []
    expiry = application.document_expiry
    if expiry is not None and expiry < today:
        found.append(f"the document expired on {expiry}")
    elif expiry is not None and application.travel_date and expiry < application.travel_date:
        found.append(
            f"the document expires on {expiry}, before travel on {application.travel_date}"
        )
    if application.mrz:
        try:
            read = mrz_codec.parse(application.mrz)
        except SmartborderError as exc:
            return [*found, f"the MRZ cannot be read: {exc.message}"]
        failed = [c.name for c in read.digit_checks if not c.ok]
        if failed:
            found.append(f"MRZ check digit(s) fail: {', '.join(failed)}")
        if read.document_number != application.document_number.replace(" ", ""):
            found.append(
                f"the MRZ names document {read.document_number}, not {application.document_number}"
            )
        if read.surname.replace("<", " ").strip() != application.surname.upper().strip():
            found.append(f"the MRZ names {read.surname}, not {application.surname.upper()}")
        if read.nationality.strip("<") != application.nationality:
            found.append(
                f"the MRZ gives nationality {read.nationality}, not {application.nationality}"
            )
    return found
