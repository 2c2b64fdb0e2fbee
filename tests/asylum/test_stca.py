"""The Safe Third Country Agreement as Canada applies it (IRPR ss.159.1-159.7): each outcome with
the provisions cited, the 2023 amendment as a version, what is missing listed and never decided
on, contradictions refused with where."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smartborder.asylum import stca
from smartborder.errors import ValidationFailed

AFTER_2023 = dt.date(2024, 3, 4)  # a Monday
KNOWN: dict[str, Any] = {  # a claimant at a land port from the US, nothing in their favour
    "claim_date": AFTER_2023, "birth_date": dt.date(1990, 1, 1), "nationalities": ["CO"],
    "stateless": False, "came_from": "US", "arrival": "land-port",
    "death_penalty_charge": False, "relatives": [], "has_spouse": False, "documents": [],
    "visa_exempt_canada": False, "needs_us_visa": True,
    "refused_entry_us_without_adjudication": False, "canadian_pr_ordered_removed_from_us": False,
}  # fmt: skip


def decide(**changes: Any) -> stca.Determination:
    return stca.determine(stca.Facts(**{**KNOWN, **changes}))


def cites(made: stca.Determination) -> list[str]:
    return [step.cite for step in made.steps]


def test_at_a_land_port_with_nothing_in_their_favour_the_claim_is_ineligible() -> None:
    made = decide()
    assert (made.outcome, made.version) == ("ineligible", "ca-2023")
    assert "IRPR s.159.4(1)" in cites(made)
    assert made.missing == []
    assert made.deadline == dt.date(2024, 3, 7)  # three working days
    assert stca.working_days_after(dt.date(2024, 3, 8), 3) == dt.date(2024, 3, 13)  # a weekend


@pytest.mark.parametrize(
    ("changes", "exception"),
    [
        ({"relatives": [{"relationship": "sister", "in_country": True, "status": "citizen"}]}, "a"),
        ({"relatives": [{"relationship": "uncle", "in_country": True,
                         "status": "permanent-resident"}]}, "b"),
        ({"relatives": [{"relationship": "brother", "age": 30, "in_country": True,
                         "status": "claimant-referred"}]}, "c"),
        ({"relatives": [{"relationship": "mother", "age": 50, "in_country": True,
                         "status": "work-permit"}]}, "d"),
        ({"birth_date": dt.date(2008, 6, 1), "accompanied_by_parent_or_guardian": False,
          "parent_or_guardian_in_canada_or_us": False}, "e"),
        ({"documents": [{"kind": "temporary-resident-visa"}]}, "f"),
        ({"visa_exempt_canada": True, "needs_us_visa": True}, "g"),
        ({"refused_entry_us_without_adjudication": True}, "h"),
    ],
)  # fmt: skip
def test_each_exception_with_its_provision_and_evidence(
    changes: dict[str, Any], exception: str
) -> None:
    made = decide(**changes)
    assert made.outcome == "exception"
    assert [e["id"] for e in made.exceptions] == [exception]
    assert made.exceptions[0]["cite"] == f"IRPR s.159.5({exception})"
    assert made.exceptions[0]["evidence"]


@pytest.mark.parametrize(
    "changes",
    [
        {"relatives": [{"relationship": "cousin", "in_country": True, "status": "citizen"}]},
        {"relatives": [{"relationship": "sister", "in_country": False, "status": "citizen"}]},
        {"relatives": [{"relationship": "brother", "age": 17, "in_country": True,
                        "status": "study-permit"}]},
        {"relatives": [{"relationship": "aunt", "in_country": True, "status": "visitor"}]},
        {"documents": [{"kind": "temporary-resident-visa", "transit_only": True}]},
        {"birth_date": dt.date(2008, 6, 1), "accompanied_by_parent_or_guardian": True,
         "parent_or_guardian_in_canada_or_us": True},
    ],
)  # fmt: skip
def test_what_is_not_an_exception_leaves_the_claim_ineligible(changes: dict[str, Any]) -> None:
    made = decide(**changes)
    assert made.outcome == "ineligible", made.as_dict()


@pytest.mark.parametrize(
    ("changes", "cite"),
    [
        ({"death_penalty_charge": True, "arrival": "airport"}, "IRPR s.159.6"),
        ({"came_from": "PR"}, "IRPR s.159.1"),
        ({"came_from": "MX"}, "IRPA s.101(1)(e); IRPR s.159.3"),
        ({"nationalities": ["US"]}, "IRPA s.101(1)(e)"),
        ({"nationalities": [], "stateless": True, "former_habitual_residence": "US"},
         "IRPR s.159.2"),
        ({"arrival": "airport", "in_transit": False, "ordered_removed_from_us": False},
         "IRPR s.159.4(2)"),
        ({"arrival": "between-ports", "entry_date": AFTER_2023 - dt.timedelta(days=14)},
         "IRPR s.159.4(1.1)"),
        ({"arrival": "between-ports", "claim_date": dt.date(2022, 6, 1),
          "entry_date": dt.date(2022, 5, 30)}, "IRPR s.159.4(1)"),
    ],
)  # fmt: skip
def test_where_the_agreement_does_not_apply_it_says_why(changes: dict[str, Any], cite: str) -> None:
    made = decide(**changes)
    assert made.outcome == "not-applicable", made.as_dict()
    assert made.steps[-1].cite == cite


def test_the_2023_amendment_reaches_claims_made_soon_after_crossing_between_ports() -> None:
    made = decide(arrival="between-ports", entry_date=AFTER_2023 - dt.timedelta(days=13))
    assert (made.outcome, made.version) == ("ineligible", "ca-2023")
    assert "13 day(s) before the claim: less than 14" in made.steps[-2].finding
    before = decide(arrival="between-ports", claim_date=dt.date(2023, 3, 24),
                    entry_date=dt.date(2023, 3, 20))  # fmt: skip
    assert (before.outcome, before.version) == ("not-applicable", "ca-2004")


def test_transit_after_a_us_removal_order_applies_and_says_it_is_interpretation() -> None:
    made = decide(arrival="airport", in_transit=True, ordered_removed_from_us=True,
                  relatives=[{"relationship": "sister", "in_country": True, "status": "citizen"}])  # fmt: skip
    assert made.outcome == "ineligible"
    assert made.exceptions == []  # s.159.5 is not available there (the interpretation)
    assert "interpretation" in made.interpretation[0]


def test_missing_facts_are_asked_and_never_decided_on() -> None:
    facts = stca.Facts(claim_date=AFTER_2023, came_from="US", arrival="land-port")
    made = stca.determine(facts)
    assert made.outcome == "undetermined"
    asked = [m["fact"] for m in made.missing]
    assert {"death_penalty_charge", "nationalities", "relatives", "birth_date", "documents"} <= set(
        asked
    )
    assert all(m["question"].endswith("?") for m in made.missing)
    almost = decide(death_penalty_charge=None)  # all else says ineligible
    assert (almost.outcome, [m["fact"] for m in almost.missing]) == (
        "undetermined", ["death_penalty_charge"])  # fmt: skip
    found = decide(death_penalty_charge=None, documents=[{"kind": "refugee-travel-papers"}])
    assert found.outcome == "exception"  # an exception holds whatever the rest turns out


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": dt.date(2010, 1, 1), "has_spouse": True}, "has_spouse"),
        ({"arrival": "between-ports", "entry_date": AFTER_2023 + dt.timedelta(days=1)}, "entry_date"),
        ({"relatives": [{"relationship": "sister", "in_country": True}]}, "relatives[0].status"),
        ({"came_from": "XX"}, "came_from"),
        ({"nationalities": ["CO", "ZZ"]}, "nationalities[1]"),
        ({"entry_date": AFTER_2023}, "entry_date"),  # a day of entry at a land port
    ],
)  # fmt: skip
def test_contradictory_or_unknown_facts_are_refused_with_where(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        decide(**changes)
    assert field in {d["field"] for d in refused.value.details}


def test_claims_before_the_agreement_and_bad_rules_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="not in force on 2003-01-01"):
        decide(claim_date=dt.date(2003, 1, 1))
    text = "country: CA\npartner: US\ntitle: t\nversions: []\n"
    with pytest.raises(ValidationFailed) as refused:
        stca.load_rules(text, "bad.yaml")
    assert "versions" in {d["field"] for d in refused.value.details}


US_KNOWN: dict[str, Any] = {
    "claim_date": dt.date(2026, 5, 4), "birth_date": dt.date(1990, 1, 1),
    "nationalities": ["HT"], "stateless": False, "came_from": "CA", "arrival": "land-port",
    "relatives": [], "documents": [], "visa_exempt_us": False, "needs_canada_visa": True,
    "accompanied_by_parent_or_guardian": True, "has_spouse": False,
    "parent_or_guardian_in_canada_or_us": True,
}  # fmt: skip


def us(**changes: Any) -> stca.Determination:
    return stca.determine(stca.Facts(**{**US_KNOWN, **changes}), "US")


def test_the_united_states_rules_are_carried_and_flagged_to_verify() -> None:
    made = us()
    assert (made.outcome, made.version, made.deadline) == ("ineligible", "us-2023", None)
    assert made.steps[-1].finding.endswith("ineligible (INA s.208(a)(2)(A))")
    assert made.steps[0].finding == "the claimant came from Canada"
    assert any("verified against the eCFR" in note for note in made.interpretation)
    assert "death_penalty_charge" not in {m["fact"] for m in us(relatives=None).missing}
    assert us(nationalities=["CA"]).outcome == "not-applicable"
    assert us(came_from="US").outcome == "not-applicable"
    assert us(claim_date=dt.date(2020, 5, 4), arrival="between-ports",
              entry_date=dt.date(2020, 5, 1)).outcome == "not-applicable"  # fmt: skip
    assert us(arrival="between-ports", entry_date=dt.date(2026, 5, 1)).outcome == "ineligible"


@pytest.mark.parametrize(
    ("changes", "exception"),
    [
        ({"relatives": [{"relationship": "sister", "age": 16, "in_country": True,
                         "status": "work-permit"}]}, "a"),  # other lawful status: any age
        ({"relatives": [{"relationship": "uncle", "age": 40, "in_country": True,
                         "status": "claimant-referred"}]}, "b"),
        ({"documents": [{"kind": "us-visa"}]}, "d"),
        ({"visa_exempt_us": True, "needs_canada_visa": True}, "e"),
        ({"public_interest": True}, "f"),
        ({"birth_date": dt.date(2011, 1, 1), "accompanied_by_parent_or_guardian": False,
          "parent_or_guardian_in_canada_or_us": False}, "c"),
    ],
)  # fmt: skip
def test_the_united_states_exceptions(changes: dict[str, Any], exception: str) -> None:
    made = us(**changes)
    assert made.outcome == "exception", made.as_dict()
    assert [e["id"] for e in made.exceptions] == [exception]
    assert made.exceptions[0]["cite"].startswith("8 CFR 208.30(e)(6)(iii)")


def test_what_the_united_states_rules_do_not_count() -> None:
    minor_pending = [{"relationship": "uncle", "age": 17, "in_country": True,
                      "status": "claimant-referred"}]  # fmt: skip
    assert us(relatives=minor_pending).outcome == "ineligible"
    partner = [{"relationship": "common-law-partner", "age": 30, "in_country": True,
                "status": "citizen"}]  # fmt: skip
    made = us(relatives=partner)
    assert made.outcome == "ineligible"
    assert made.steps[2].cite == "8 CFR 208.30(e)(6)(iii)(B)"
    assert us(documents=[{"kind": "us-visa", "transit_only": True}]).outcome == "ineligible"
    assert us(documents=[{"kind": "temporary-resident-visa"}]).outcome == "ineligible"
    visitor = [{"relationship": "mother", "age": 60, "in_country": True, "status": "visitor"}]
    assert us(relatives=visitor).outcome == "ineligible"
    assert us(arrival="airport", in_transit=False,
              ordered_removed_from_canada=False).outcome == "not-applicable"  # fmt: skip
    transit = us(arrival="airport", in_transit=True, ordered_removed_from_canada=True)
    assert transit.outcome == "ineligible"
    assert transit.interpretation[0].startswith("Away from the land border")
    asked = us(arrival="harbour")
    assert [m["fact"] for m in asked.missing] == ["in_transit", "ordered_removed_from_canada"]
