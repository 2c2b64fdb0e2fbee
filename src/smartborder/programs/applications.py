"""Applications to NEXUS and FAST: what the applicant gives, checked whole, then judged for
eligibility, each reason with its citation, and the fee.

Two kinds of answer, never mixed:

- **refused** (``ValidationFailed``, nothing stored): the application cannot be judged as
  given. Each problem is located: a gap in the five years of addresses or employment
  (``addresses: nothing from 2023-02-01 to 2023-05-31``), a document that names another person,
  a minor without a guardian, an unknown country, a period that ends before it starts.
- **judged**: eligible, or ineligible with the reasons (not a citizen or permanent resident of
  either country, a permanent resident of fewer than three years, no consent to biometrics, no
  valid document, a FAST driver without a commercial licence). An ineligible application is
  kept, with its reasons, so the applicant can be told why.

The rules (programs, modes, fees by date, the years of history asked) are data:
``rules/programs.yaml``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartborder.errors import ValidationFailed
from smartborder.identity.names import normalise
from smartborder.sourcetext import load_model
from smartborder.visa.requirements import check_country

Program = Literal["nexus", "fast"]
PARTIES = ("CA", "US")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- the rules, as data ----------------------------------------------------------------------


class Fee(_Strict):
    from_: dt.date = Field(alias="from")
    amount: int = Field(ge=0)


class ProgramRule(_Strict):
    title: str
    modes: list[str] = Field(min_length=1)
    fees: list[Fee] = Field(min_length=1)
    minors_free_with_member: bool
    required_documents: list[str]


class Cited(_Strict):
    cite: str
    text: str
    years: int | None = None


class Enrolment(_Strict):
    fingerprints_required: int = Field(ge=1, le=10)
    booking_days_ahead: int = Field(ge=1)
    renewal_window_days: int = Field(ge=0)
    duplicate_shortlist: int = Field(ge=1, le=200)


class Centre(_Strict):
    id: str = Field(pattern="^[a-z0-9-]{2,40}$")
    name: str
    country: Literal["CA", "US"]
    capacity: int = Field(ge=1, le=10_000)  # interviews a day it is open
    iris: bool  # captures irises (NEXUS air)
    open: list[int] = Field(min_length=1)  # ISO weekdays: 1 Monday .. 7 Sunday

    def opens_on(self, day: dt.date) -> bool:
        return day.isoweekday() in self.open


class Rules(_Strict):
    membership_years: int = Field(ge=1, le=10)
    history_years: int = Field(ge=1, le=10)
    gap_days: int = Field(ge=0, le=365)
    adult_age: int
    programs: dict[Program, ProgramRule]
    eligibility: dict[str, Cited]
    enrolment: Enrolment
    centres: list[Centre] = Field(min_length=1)

    def centre(self, centre_id: str) -> Centre:
        for centre in self.centres:
            if centre.id == centre_id:
                return centre
        known = ", ".join(c.id for c in self.centres)
        raise ValidationFailed(f"centre: no enrolment centre '{centre_id}' (known: {known})",
                               details=[{"field": "centre", "value": centre_id}])  # fmt: skip

    def fee_on(self, program: Program, day: dt.date) -> int:
        due = [f for f in self.programs[program].fees if f.from_ <= day]
        if not due:
            problem = {"field": "date", "problem": "before the program"}
            raise ValidationFailed(f"date: {program} took no applications on {day}",
                                   details=[problem])  # fmt: skip
        return max(due, key=lambda f: f.from_).amount


@cache
def rules() -> Rules:
    text = (resources.files("smartborder.programs") / "rules" / "programs.yaml").read_text(
        encoding="utf-8"
    )
    return load_model(text, "programs.yaml", "the programs' rules", Rules)


# ---- what the applicant gives ----------------------------------------------------------------


class Period(_Strict):
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")  # None: to this day


class Address(Period):
    line: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2)


class Job(Period):
    employer: str = Field(min_length=1, max_length=200)  # or "student", "retired", ...


class Trip(Period):
    country: str = Field(min_length=2, max_length=2)


class DocumentIn(_Strict):
    kind: Literal["passport", "permanent-resident-card", "citizenship-certificate",
                  "birth-certificate", "driver-licence", "commercial-driver-licence"]  # fmt: skip
    number: str = Field(min_length=1, max_length=40)
    country: str = Field(min_length=2, max_length=2)
    expires: dt.date | None = None
    surname: str | None = Field(default=None, max_length=120)  # as the document prints them
    birth_date: dt.date | None = None


class Residence(_Strict):
    country: str = Field(min_length=2, max_length=2)
    since: dt.date


class ApplicantIn(_Strict):
    surname: str = Field(min_length=1, max_length=120)
    given_names: str = Field(default="", max_length=120)
    birth_date: dt.date
    sex: Literal["M", "F", "X"]
    citizenships: list[str] = Field(default_factory=list, max_length=5)
    permanent_residence: Residence | None = None


class GuardianIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    membership: str | None = Field(default=None, max_length=40)  # a member's card number


class ApplicationIn(_Strict):
    program: Program
    modes: list[str] = Field(min_length=1, max_length=3)
    date: dt.date  # the day the application is made
    applicant: ApplicantIn
    addresses: list[Address] = Field(min_length=1, max_length=50)
    employment: list[Job] = Field(min_length=1, max_length=50)
    trips: list[Trip] = Field(default_factory=list, max_length=200)
    documents: list[DocumentIn] = Field(min_length=1, max_length=10)
    guardian: GuardianIn | None = None
    consents_to_biometrics: bool
    # a renewal: the card number of the membership it renews (vetted again, no new interview)
    renewal_of: str | None = Field(default=None, max_length=20)

    def age(self) -> int:
        born, on = self.applicant.birth_date, self.date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _gaps(
    periods: list[Period], since: dt.date, until: dt.date, allowed: int
) -> list[tuple[dt.date, dt.date]]:
    """The stretches of [since, until] no period covers, longer than ``allowed`` days."""
    day = dt.timedelta(days=1)
    covered = sorted((p.start, p.end or until) for p in periods)
    gaps, reached = [], since  # the first day not yet covered
    for start, end in covered:
        if (start - reached).days > allowed:
            gaps.append((reached, start - day))
        reached = max(reached, end + day)
    if (until - reached).days + 1 > allowed:
        gaps.append((reached, until))
    return gaps


def check(application: ApplicationIn) -> None:
    """Whether the application can be judged as given: every problem at once, located."""
    law = rules()
    problems: list[dict[str, Any]] = []

    def problem(field: str, text: str) -> None:
        problems.append({"field": field, "problem": text})

    program = law.programs[application.program]
    for n, mode in enumerate(application.modes):
        if mode not in program.modes:
            problem(f"modes[{n}]", f"'{mode}' is not a mode of {program.title} "
                    f"({', '.join(program.modes)})")  # fmt: skip
    applicant = application.applicant
    if applicant.birth_date >= application.date:
        problem("applicant.birth_date", f"{applicant.birth_date} is not before the application")
    countries = [(f"applicant.citizenships[{n}]", c) for n, c in enumerate(applicant.citizenships)]
    if applicant.permanent_residence is not None:
        countries.append(("applicant.permanent_residence.country",
                          applicant.permanent_residence.country))  # fmt: skip
        if applicant.permanent_residence.since > application.date:
            problem("applicant.permanent_residence.since", "after the application")
    countries += [(f"addresses[{n}].country", a.country)
                  for n, a in enumerate(application.addresses)]  # fmt: skip
    countries += [(f"trips[{n}].country", t.country) for n, t in enumerate(application.trips)]
    countries += [
        (f"documents[{n}].country", d.country) for n, d in enumerate(application.documents)
    ]
    for field, code in countries:
        try:
            check_country(code, field)
        except ValidationFailed as exc:
            problem(field, exc.message)
    periods: tuple[tuple[str, list[Any]], ...] = (
        ("addresses", list(application.addresses)),
        ("employment", list(application.employment)),
        ("trips", list(application.trips)),
    )
    for kind, items in periods:
        for n, item in enumerate(items):
            if item.end is not None and item.end < item.start:
                problem(f"{kind}[{n}]", f"ends ({item.end}) before it starts ({item.start})")
            if item.start > application.date:
                problem(f"{kind}[{n}].from", f"{item.start} is after the application")
    since = _years_before(application.date, law.history_years)
    born = applicant.birth_date
    for kind, history in (("addresses", application.addresses),
                          ("employment", application.employment)):  # fmt: skip
        start = max(since, born)
        for a, b in _gaps(list(history), start, application.date, law.gap_days):
            problem(kind, f"nothing from {a} to {b}: {law.history_years} years are asked for "
                    f"(since {start})")  # fmt: skip
    surname = normalise(applicant.surname)
    for n, document in enumerate(application.documents):
        if document.surname is not None and normalise(document.surname) != surname:
            problem(f"documents[{n}].surname", f"'{document.surname}' is not the applicant's "
                    f"surname '{applicant.surname}': a document of another person?")  # fmt: skip
        if document.birth_date is not None and document.birth_date != born:
            problem(f"documents[{n}].birth_date", f"{document.birth_date} is not the applicant's "
                    f"date of birth {born}: a document of another person?")  # fmt: skip
    if application.age() < law.adult_age and application.guardian is None:
        problem("guardian", f"the applicant is {application.age()}: a parent or legal "
                "guardian applies with them")  # fmt: skip
    if problems:
        raise ValidationFailed(f"the application cannot be judged as given: "
                               f"{problems[0]['field']}: {problems[0]['problem']}",
                               details=problems)  # fmt: skip


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def eligibility(application: ApplicationIn) -> tuple[bool, list[dict[str, str]]]:
    """Eligible or not, with every reason found (each with its citation)."""
    law, rule = rules(), rules().eligibility
    applicant = application.applicant
    reasons: list[dict[str, str]] = []

    def reason(key: str, finding: str) -> None:
        reasons.append({"rule": key, "cite": rule[key].cite, "finding": finding})

    citizen = [c.upper() for c in applicant.citizenships if c.upper() in PARTIES]
    resident = applicant.permanent_residence
    if not citizen:
        if resident is None or resident.country.upper() not in PARTIES:
            reason("residence", "neither a citizen nor a permanent resident of Canada or the "
                   "United States")  # fmt: skip
        else:
            needed = rule["permanent_resident_years"].years or 3
            if resident.since > _years_before(application.date, needed):
                reason("permanent_resident_years", f"a permanent resident of "
                       f"{resident.country.upper()} since {resident.since}: {needed} years "
                       "are needed")  # fmt: skip
    if not application.consents_to_biometrics:
        reason("biometrics", "does not consent to fingerprints, photograph and iris")
    valid = [d for d in application.documents
             if d.kind in ("passport", "permanent-resident-card", "citizenship-certificate",
                           "birth-certificate")
             and (d.expires is None or d.expires >= application.date)]  # fmt: skip
    if not valid:
        reason("documents", "no valid passport or proof of citizenship or status")
    for kind in law.programs[application.program].required_documents:
        if not any(d.kind == kind and (d.expires is None or d.expires >= application.date)
                   for d in application.documents):  # fmt: skip
            reason("documents", f"{law.programs[application.program].title} needs a valid "
                   f"{kind.replace('-', ' ')}")  # fmt: skip
    return not reasons, reasons


def fee(application: ApplicationIn) -> dict[str, Any]:
    """The fee due on the day of the application, in US dollars, and why."""
    law = rules()
    program = law.programs[application.program]
    amount = law.fee_on(application.program, application.date)
    guardian = application.guardian
    if (program.minors_free_with_member and application.age() < law.adult_age
            and guardian is not None and guardian.membership):  # fmt: skip
        return {"amount": 0, "currency": "USD",
                "reason": f"a minor applying with a member ({guardian.membership})"}  # fmt: skip
    return {"amount": amount, "currency": "USD",
            "reason": f"{program.title} fee on {application.date}"}  # fmt: skip
