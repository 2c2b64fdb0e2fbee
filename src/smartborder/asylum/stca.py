"""Safe Third Country Agreement determinations, as Canada makes them (IRPR ss.159.1-159.7).

The rules are data (``rules/stca-ca.yaml``): the provisions with their citations, the
exceptions with the evidence each needs, the family members the regulation counts, the
territories it leaves out of "United States", and one *version* per amendment (the 2023 one
adds the between-ports 14-day case). A claim is judged under the version in force on the day
it was made.

A determination is one of:

- ``ineligible``: the Agreement applies and no exception does;
- ``exception``: the Agreement applies but an exception (which, with the evidence it needs)
  does, so the claim may proceed;
- ``not-applicable``: the Agreement does not apply (why);
- ``undetermined``: facts the answer depends on are missing; each is listed with the question
  to ask. A determination is never made on missing facts.

Every step cites its provision and the facts it relied on; the deadline (3 working days) and
the points the rules flag as interpretation come with it. Contradictory facts (a minor with a
spouse, an entry after the claim, a relative with no status given) are refused with where.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartborder.errors import ValidationFailed
from smartborder.sourcetext import load_model
from smartborder.visa.requirements import check_country

Outcome = Literal["ineligible", "exception", "not-applicable", "undetermined"]
Arrival = Literal["land-port", "between-ports", "airport", "harbour"]
Status = Literal[
    "citizen", "protected-person", "permanent-resident", "removal-stayed",
    "claimant-referred", "work-permit", "study-permit", "visitor", "none",
]  # fmt: skip
DocumentKind = Literal[
    "permanent-resident-visa", "temporary-resident-visa", "temporary-resident-permit",
    "travel-document-31-3", "refugee-travel-papers", "temporary-travel-document-151",
    "us-visa", "us-admission-document", "other",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- the rules, as data ---------------------------------------------------------------------


class Version(_Strict):
    id: str
    in_force: dt.date
    until: dt.date | None = None
    source: str
    between_ports_days: int | None


class Provision(_Strict):
    cite: str
    text: str


class ExceptionRule(_Strict):
    id: str = Field(pattern=r"^[a-h]$")
    cite: str
    text: str
    evidence: list[str]


class VisaRule(_Strict):
    """The exception for a claimant who needs no visa here but would need one there: the
    facts that say each."""

    id: str
    exempt: Literal["visa_exempt_canada", "visa_exempt_us"]
    needs: Literal["needs_us_visa", "needs_canada_visa"]
    finding: str


class Roles(_Strict):
    """Which exception of this country's rules each situation is."""

    relatives: dict[Status, str]  # a family member's status -> the exception it gives
    adults_only: list[str] = Field(default_factory=list)  # those needing a relative of 18+
    minor: str | None = None  # the unaccompanied minor
    documents: str | None = None  # holding one of ``exception_documents``
    exception_documents: list[DocumentKind] = Field(default_factory=list)
    visa: VisaRule | None = None
    returning: str | None = None  # returned from the partner country (Canada's s.159.5(h))
    public_interest: str | None = None  # the United States' discretionary exception
    transit_removal: Literal["ordered_removed_from_us", "ordered_removed_from_canada"]


class Rules(_Strict):
    country: str
    partner: str
    country_name: str  # "Canada"
    partner_name: str  # "the United States"
    title: str
    verify: bool = False  # the rules are to be checked against the regulation's text
    versions: list[Version] = Field(min_length=1)
    deadline_working_days: int | None = Field(default=None, ge=1, le=30)
    excluded_territories: list[str]
    family: list[str]
    provisions: dict[str, Provision]
    exceptions: list[ExceptionRule]
    interpretation: list[str]
    # a prior claim in the partner country, confirmed under the Asylum Annex, makes a claim
    # made on or after this day ineligible (the ``prior_claim`` provision); None: no such rule
    prior_claim_from: dt.date | None = None
    prior_claim_note: str = ""
    roles: Roles
    ineligible: str  # the provision that makes the claim ineligible: IRPA s.101(1)(e)

    def version_on(self, day: dt.date) -> Version:
        for version in self.versions:
            if version.in_force <= day and (version.until is None or day <= version.until):
                return version
        raise ValidationFailed(
            f"claim_date: the Agreement was not in force on {day} (from "
            f"{self.versions[0].in_force})",
            details=[{"field": "claim_date", "problem": "before the Agreement"}],
        )

    def cite(self, key: str) -> str:
        return self.provisions[key].cite

    def exception(self, key: str) -> ExceptionRule:
        return next(e for e in self.exceptions if e.id == key)


def load_rules(text: str, source: str) -> Rules:
    return load_model(text, source, "the STCA rules", Rules)


@cache
def rules(country: str = "CA") -> Rules:
    name = f"stca-{country.lower()}.yaml"
    folder = resources.files("smartborder.asylum") / "rules"
    if not (folder / name).is_file():
        raise ValidationFailed(f"no STCA rules for {country}",
                               details=[{"field": "country", "value": country}])  # fmt: skip
    return load_rules((folder / name).read_text(encoding="utf-8"), name)


# ---- the facts of a claim -------------------------------------------------------------------


class Relative(_Strict):
    relationship: str = Field(min_length=1, max_length=40)
    age: int | None = Field(default=None, ge=0, le=130)
    in_country: bool | None = None  # physically in the country of the claim
    status: Status | None = None
    name: str | None = Field(default=None, max_length=200)
    # what shows the status and the relationship: "PR card seen", "birth certificate"
    evidence: list[str] = Field(default_factory=list, max_length=10)


class Document(_Strict):
    kind: DocumentKind
    transit_only: bool = False
    number: str | None = Field(default=None, max_length=40)
    valid_until: dt.date | None = None


class Facts(_Strict):
    """What the officer knows of a claim; ``None`` is not known yet (``[]`` is known none)."""

    claim_date: dt.date
    birth_date: dt.date | None = None
    nationalities: list[str] | None = None
    stateless: bool | None = None
    former_habitual_residence: str | None = None
    came_from: str | None = None  # the country the claimant came to Canada from
    arrival: Arrival | None = None
    entry_date: dt.date | None = None  # between ports: the day of entry
    in_transit: bool | None = None  # airports and harbours
    ordered_removed_from_us: bool | None = None
    ordered_removed_from_canada: bool | None = None  # a claim in the United States
    death_penalty_charge: bool | None = None  # charged with or convicted of such an offence
    relatives: list[Relative] | None = None  # family in the country of the claim
    accompanied_by_parent_or_guardian: bool | None = None
    has_spouse: bool | None = None
    parent_or_guardian_in_canada_or_us: bool | None = None
    documents: list[Document] | None = None
    visa_exempt_canada: bool | None = None
    needs_us_visa: bool | None = None
    visa_exempt_us: bool | None = None  # a claim in the United States
    needs_canada_visa: bool | None = None
    public_interest: bool | None = None  # the USCIS Director's decision (United States)
    refused_entry_us_without_adjudication: bool | None = None
    canadian_pr_ordered_removed_from_us: bool | None = None

    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        born, on = self.birth_date, self.claim_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


QUESTIONS = {
    "death_penalty_charge": "Is the claimant charged with or convicted of an offence punishable "
    "by death, in the United States or elsewhere?",
    "came_from": "Which country did the claimant come to Canada from?",
    "nationalities": "What are the claimant's nationalities?",
    "stateless": "Is the claimant stateless?",
    "former_habitual_residence": "Where was the claimant's former habitual residence?",
    "arrival": "Where was the claim made: land port, between ports, airport or harbour?",
    "entry_date": "On what day did the claimant enter Canada between ports of entry?",
    "in_transit": "Is the claimant in transit through Canada?",
    "ordered_removed_from_us": "Was the claimant ordered removed from the United States?",
    "ordered_removed_from_canada": "Was the claimant ordered removed from Canada?",
    "visa_exempt_us": "Is the claimant exempt from a visa for the United States?",
    "needs_canada_visa": "Would the claimant need a visa for Canada?",
    "relatives": "Which family members does the claimant have in the country (relationship, "
    "age, status)?",
    "relatives.age": "How old is the family member?",
    "birth_date": "What is the claimant's date of birth?",
    "accompanied_by_parent_or_guardian": "Is the claimant accompanied by a parent or legal "
    "guardian?",
    "has_spouse": "Does the claimant have a spouse or common-law partner?",
    "parent_or_guardian_in_canada_or_us": "Is a parent or legal guardian in Canada or the "
    "United States?",
    "documents": "Which visas, permits or travel documents of this country does the claimant hold?",
    "visa_exempt_canada": "Is the claimant exempt from a visa for Canada?",
    "needs_us_visa": "Would the claimant need a visa for the United States?",
    "refused_entry_us_without_adjudication": "Did the United States refuse the claimant entry "
    "without adjudicating a claim?",
    "canadian_pr_ordered_removed_from_us": "Is the claimant a Canadian permanent resident "
    "ordered removed from the United States?",
}


def check_facts(facts: Facts) -> None:
    """Contradictions and unknown codes, each with where; nothing is decided on them."""
    problems: list[dict[str, Any]] = []
    for name in ("came_from", "former_habitual_residence"):
        value = getattr(facts, name)
        if value is not None:
            try:
                check_country(value, name)
            except ValidationFailed as exc:
                problems.append({"field": name, "problem": exc.message})
    for n, code in enumerate(facts.nationalities or []):
        try:
            check_country(code, "nationality")
        except ValidationFailed as exc:
            problems.append({"field": f"nationalities[{n}]", "problem": exc.message})
    if facts.birth_date is not None and facts.birth_date > facts.claim_date:
        problems.append({"field": "birth_date", "problem": "after the claim date"})
    age = facts.age()
    if age is not None and age < 18 and facts.has_spouse:
        problem = f"a claimant of {age} with a spouse: check the date of birth or the spouse"
        problems.append({"field": "has_spouse", "problem": problem})
    if facts.entry_date is not None:
        if facts.entry_date > facts.claim_date:
            problems.append({"field": "entry_date", "problem": f"{facts.entry_date} is after "
                             f"the claim date {facts.claim_date}"})  # fmt: skip
        if facts.arrival is not None and facts.arrival != "between-ports":
            problems.append({"field": "entry_date", "problem": "a day of entry is asked only "
                             "of a claimant who entered between ports"})  # fmt: skip
    if facts.stateless and facts.nationalities:
        problems.append({"field": "stateless", "problem": "stateless, yet with nationalities"})
    for n, relative in enumerate(facts.relatives or []):
        if relative.status is None:
            problems.append({"field": f"relatives[{n}].status", "problem": "a family member's "
                             "status is needed (none if they have none)"})  # fmt: skip
    if problems:
        raise ValidationFailed(f"the claim's facts contradict each other or are unknown: "
                               f"{problems[0]['field']}: {problems[0]['problem']}",
                               details=problems)  # fmt: skip


# ---- the determination ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    cite: str
    finding: str
    facts: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"cite": self.cite, "finding": self.finding, "facts": self.facts}


@dataclass
class Determination:
    outcome: Outcome
    version: str
    steps: list[Step] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # those that apply
    missing: list[dict[str, str]] = field(default_factory=list)
    deadline: dt.date | None = None
    interpretation: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome, "version": self.version,
            "steps": [s.as_dict() for s in self.steps], "exceptions": self.exceptions,
            "missing": self.missing,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "interpretation": self.interpretation,
        }  # fmt: skip


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day (Monday to Friday) after ``day``."""
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class _Ask:
    """The missing facts a determination waits for, once each, in order."""

    def __init__(self) -> None:
        self.facts: dict[str, str] = {}

    def __call__(self, fact: str, why: str) -> None:
        self.facts.setdefault(fact, why)

    def listed(self) -> list[dict[str, str]]:
        return [{"fact": f, "question": QUESTIONS.get(f, f), "why": why}
                for f, why in self.facts.items()]  # fmt: skip


def determine(
    facts: Facts, country: str = "CA", prior_claims: list[dict[str, Any]] | None = None
) -> Determination:
    """The determination for a claim made in Canada (see the module). ``prior_claims`` are
    claims the partner country confirmed through the Asylum Annex, each with its provenance."""
    check_facts(facts)
    law = rules(country)
    version = law.version_on(facts.claim_date)
    made = Determination("undetermined", version.id)
    if law.deadline_working_days is not None:
        made.deadline = working_days_after(facts.claim_date, law.deadline_working_days)
    made.interpretation = list(law.interpretation[1:])  # the working-days note, always
    ask = _Ask()

    def finish(outcome: Outcome) -> Determination:
        made.outcome = outcome
        made.missing = ask.listed() if outcome == "undetermined" else []
        return made

    prior = _prior_claim(facts, law, prior_claims or [])
    if prior is not None:
        made.steps.append(prior)
        if law.prior_claim_note:
            made.interpretation.insert(0, law.prior_claim_note)
        return finish("ineligible")

    # s.159.6: wherever the claim is made (Canada's rules only)
    if "death_penalty" not in law.provisions:
        pass
    elif facts.death_penalty_charge:
        made.steps.append(Step(law.cite("death_penalty"), "the Agreement does not apply: "
                               "charged with or convicted of an offence punishable by death",
                               {"death_penalty_charge": True}))  # fmt: skip
        return finish("not-applicable")
    elif facts.death_penalty_charge is None:
        ask("death_penalty_charge", law.cite("death_penalty"))
    # scope: came from the United States, not a national or stateless resident of it
    if facts.came_from is None:
        ask("came_from", law.cite("scope"))
    else:
        came = check_country(facts.came_from, "came_from")
        if came in law.excluded_territories:
            made.steps.append(Step(law.cite("territory"), f"the Agreement does not apply: "
                                   f"{came} is not part of {law.partner_name} for it",
                                   {"came_from": came}))  # fmt: skip
            return finish("not-applicable")
        if came != law.partner:
            made.steps.append(Step(law.cite("scope"), f"the Agreement does not apply: the "
                                   f"claimant came from {came}, not {law.partner_name}",
                                   {"came_from": came}))  # fmt: skip
            return finish("not-applicable")
        made.steps.append(Step(law.cite("scope"), f"the claimant came from {law.partner_name}",
                               {"came_from": came}))  # fmt: skip
    if facts.nationalities is None and not facts.stateless:
        ask("nationalities", law.cite("nationality"))
    elif law.partner in (facts.nationalities or []):
        made.steps.append(Step(law.cite("nationality"), "the Agreement does not apply: a "
                               f"national of {law.partner_name}", {"nationalities":
                               facts.nationalities}))  # fmt: skip
        return finish("not-applicable")
    if facts.stateless is None and not facts.nationalities:
        ask("stateless", law.cite("stateless"))
    elif facts.stateless:
        if facts.former_habitual_residence is None:
            ask("former_habitual_residence", law.cite("stateless"))
        elif check_country(facts.former_habitual_residence) == law.partner:
            made.steps.append(Step(law.cite("stateless"), "the Agreement does not apply: "
                                   f"stateless, formerly habitually resident in "
                                   f"{law.partner_name}", {"stateless": True,
                                   "former_habitual_residence": law.partner}))  # fmt: skip
            return finish("not-applicable")
    # where (s.159.4)
    applies = _where(facts, law, version, made, ask)
    if applies is False:
        return finish("not-applicable")
    if applies == "transit":
        made.interpretation.insert(0, law.interpretation[0])
        if ask.facts:
            return finish("undetermined")
        made.steps.append(Step(law.cite("airport"), "no exception is available to a claimant "
                               f"in transit after a removal order of {law.partner_name} "
                               "(interpretation)", {}))  # fmt: skip
        return finish("ineligible")
    # exceptions (s.159.5)
    found = _exceptions(facts, law, made, ask)
    if found:
        made.exceptions = [{"id": e.id, "cite": e.cite, "text": e.text, "evidence": e.evidence}
                           for e in found]  # fmt: skip
        return finish("exception")
    if ask.facts or applies is None:
        return finish("undetermined")
    finding = f"the Agreement applies and no exception does: ineligible ({law.ineligible})"
    made.steps.append(Step(law.cite("scope"), finding, {}))
    return finish("ineligible")


def _prior_claim(facts: Facts, law: Rules, prior: list[dict[str, Any]]) -> Step | None:
    """The step that makes the claim ineligible for a confirmed earlier claim in the partner
    country, if the rules hold one and a reported claim was made before this one."""
    if law.prior_claim_from is None or facts.claim_date < law.prior_claim_from:
        return None
    for found in prior:
        made_on = str(found.get("date") or "")
        if made_on and made_on < facts.claim_date.isoformat():
            return Step(
                law.cite("prior_claim"),
                f"ineligible: a claim made in {found.get('country', law.partner)} on {made_on}, "
                f"confirmed by {found.get('partner')} under the Asylum Annex",
                {"prior_claim": {k: found.get(k) for k in ("partner", "reference", "date",
                                 "location", "status", "received_at", "envelope")}},
            )  # fmt: skip
    return None


def _where(
    facts: Facts, law: Rules, version: Version, made: Determination, ask: _Ask
) -> bool | str | None:
    """True where the Agreement applies with its exceptions, "transit" at an airport or harbour
    after a US removal order, False where it does not apply, None not known yet."""
    if facts.arrival is None:
        ask("arrival", law.cite("land_port"))
        return None
    if facts.arrival == "land-port":
        made.steps.append(Step(law.cite("land_port"), "a claim at a land port of entry",
                               {"arrival": "land-port"}))  # fmt: skip
        return True
    if facts.arrival == "between-ports":
        if version.between_ports_days is None:
            made.steps.append(Step(law.cite("land_port"), f"the Agreement does not apply: under "
                                   f"{version.id} it did not reach claims made after entering "
                                   "between ports", {"arrival": "between-ports"}))  # fmt: skip
            return False
        if facts.entry_date is None:
            ask("entry_date", law.cite("between_ports"))
            return None
        days = (facts.claim_date - facts.entry_date).days
        within = days < version.between_ports_days
        made.steps.append(Step(
            law.cite("between_ports"),
            f"entered between ports {days} day(s) before the claim: "
            + ("less than" if within else "not less than") + f" {version.between_ports_days}"
            + ("" if within else ", so the Agreement does not apply"),
            {"entry_date": facts.entry_date.isoformat(), "days": days},
        ))  # fmt: skip
        return within
    # an airport or a harbour
    removal = law.roles.transit_removal
    removed = getattr(facts, removal)
    if facts.in_transit is None or removed is None:
        if facts.in_transit is None:
            ask("in_transit", law.cite("airport"))
        if removed is None:
            ask(removal, law.cite("airport"))
        if facts.in_transit is False or removed is False:
            ask.facts.pop("in_transit", None)
            ask.facts.pop(removal, None)
        else:
            return None
    if facts.in_transit and removed:
        made.steps.append(Step(law.cite("airport"), f"at an {facts.arrival}: in transit after a "
                               f"removal order of {law.partner_name}, so the Agreement applies",
                               {"arrival": facts.arrival, "in_transit": True,
                                removal: True}))  # fmt: skip
        return "transit"
    made.steps.append(Step(law.cite("airport"), f"the Agreement does not apply at an "
                           f"{facts.arrival} (not in transit after a removal order of "
                           f"{law.partner_name})",
                           {"arrival": facts.arrival}))  # fmt: skip
    return False


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _exceptions(facts: Facts, law: Rules, made: Determination, ask: _Ask) -> list[ExceptionRule]:
    """The exceptions that hold, as the rules' roles say which is which; what is unknown is
    asked."""
    roles, here = law.roles, law.country_name
    holds: list[ExceptionRule] = []
    family_cites = ", ".join(law.exception(k).cite for k in dict.fromkeys(roles.relatives.values()))
    if facts.relatives is None:
        ask("relatives", family_cites)
    for relative in facts.relatives or []:
        if relative.relationship not in law.family:
            made.steps.append(Step(law.cite("family"), f"{_a(relative.relationship)} is not a "
                                   "family member under the Agreement",
                                   {"relationship": relative.relationship}))  # fmt: skip
            continue
        if relative.in_country is not True:
            if relative.in_country is None:
                ask("relatives", f"the family member must be physically in {here}")
            continue
        key = roles.relatives.get(relative.status) if relative.status else None
        if key in roles.adults_only:
            if relative.age is None:
                ask("relatives.age", f"{law.exception(key).cite}: aged 18 or more")
                continue
            if relative.age < 18:
                key = None
        if key:
            rule = law.exception(key)
            made.steps.append(Step(rule.cite, f"{_a(relative.relationship)} in {here} ("
                                   f"{relative.status})", relative.model_dump()))  # fmt: skip
            holds.append(rule)
    age = facts.age()
    if roles.minor is not None:
        minor = law.exception(roles.minor)
        if age is None:
            ask("birth_date", minor.cite)
        elif age < 18:
            parts = (facts.accompanied_by_parent_or_guardian, facts.has_spouse,
                     facts.parent_or_guardian_in_canada_or_us)  # fmt: skip
            if parts == (False, False, False):
                made.steps.append(Step(minor.cite, f"an unaccompanied minor ({age})",
                                       {"age": age}))  # fmt: skip
                holds.append(minor)
            elif True not in parts:
                for name in ("accompanied_by_parent_or_guardian", "has_spouse",
                             "parent_or_guardian_in_canada_or_us"):  # fmt: skip
                    if getattr(facts, name) is None:
                        ask(name, minor.cite)
    if roles.documents is not None:
        papers = law.exception(roles.documents)
        if facts.documents is None:
            ask("documents", papers.cite)
        else:
            for document in facts.documents:
                if document.kind in roles.exception_documents and not document.transit_only:
                    made.steps.append(Step(papers.cite, f"holds a {document.kind}",
                                           {"document": document.kind}))  # fmt: skip
                    holds.append(papers)
                    break
    if roles.visa is not None:
        visa, rule = roles.visa, law.exception(roles.visa.id)
        exempt, needs = getattr(facts, visa.exempt), getattr(facts, visa.needs)
        if exempt and needs:
            made.steps.append(Step(rule.cite, visa.finding, {visa.exempt: True,
                                                             visa.needs: True}))  # fmt: skip
            holds.append(rule)
        elif exempt is not False and needs is not False:
            for name, value in ((visa.exempt, exempt), (visa.needs, needs)):
                if value is None:
                    ask(name, rule.cite)
    if roles.returning is not None:
        back = law.exception(roles.returning)
        returning = (facts.refused_entry_us_without_adjudication,
                     facts.canadian_pr_ordered_removed_from_us)  # fmt: skip
        if True in returning:
            made.steps.append(Step(back.cite, f"returned from {law.partner_name} as "
                                   f"{back.cite} describes", {}))  # fmt: skip
            holds.append(back)
        else:
            names = ("refused_entry_us_without_adjudication",
                     "canadian_pr_ordered_removed_from_us")  # fmt: skip
            for name, value in zip(names, returning, strict=True):
                if value is None:
                    ask(name, back.cite)
    if roles.public_interest is not None and facts.public_interest:
        rule = law.exception(roles.public_interest)
        made.steps.append(Step(rule.cite, "the public interest, as decided (not reviewable)",
                               {"public_interest": True}))  # fmt: skip
        holds.append(rule)
    return list({rule.id: rule for rule in holds}.values())
