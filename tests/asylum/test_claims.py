"""Claims as records: recorded whole or not at all, versioned, determined again on change;
and the Asylum Annex's comparison between the two nodes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from smartborder.asylum import claims, comparisons, stca
from smartborder.asylum.matching import ClaimIndex
from smartborder.asylum.models import AsylumClaim, AsylumClaimChange, AsylumComparison
from smartborder.audit.models import AuditEntry
from smartborder.biometrics import service
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange.models import InboxMessage
from smartborder.synthetic.fingerprints import finger, png
from tests.pair import Node, Pair

NOW = dt.datetime(2026, 5, 4, 15, 0, tzinfo=dt.UTC)


def claim(**changes: Any) -> claims.ClaimIn:
    base: dict[str, Any] = {
        "claimant": {"names": ["Amira HASSAN", "أميرة حسن"], "birth_date": "1990-03-12",
                     "sex": "F", "documents": [{"kind": "passport", "number": "N0345812",
                                                "country": "SY"}]},
        "location": "Lacolle land port of entry",
        "persecution_in": ["SY"],
        "facts": {"claim_date": "2026-05-04", "came_from": "US", "nationalities": ["SY"],
                  "stateless": False, "arrival": "land-port", "death_penalty_charge": False,
                  "relatives": [], "documents": [], "visa_exempt_canada": False,
                  "needs_us_visa": True, "refused_entry_us_without_adjudication": False,
                  "canadian_pr_ordered_removed_from_us": False},
    }  # fmt: skip
    for key, value in changes.items():
        if key in stca.Facts.model_fields:
            base["facts"][key] = value
        else:
            base[key] = value
    return claims.ClaimIn.model_validate(base)


def test_a_claim_is_recorded_with_its_determination_and_history(pair: Pair) -> None:
    with pair.ca.uow() as s:
        row, made = claims.create(s, claim(), actor="user:asylum", now=NOW)
        assert (row.version, row.claim_date, made.outcome, made.rules) == (
            1, dt.date(2026, 5, 4), "ineligible", "ca-2023")  # fmt: skip
        assert row.facts["birth_date"] == "1990-03-12"  # from the claimant's full date
        claim_id = row.id
    with pair.ca.uow() as s:  # a relative turns up: a new version, determined again
        row, again = claims.change(
            s, claim_id,
            claims.ClaimChange(reason="brother's PR card shown", facts={"relatives": [
                {"relationship": "brother", "age": 40, "in_country": True,
                 "status": "permanent-resident"}]}),
            actor="user:asylum", now=NOW + dt.timedelta(hours=2),
        )  # fmt: skip
        assert again is not None
        assert again.outcome == "exception"
        assert again.result["exceptions"][0]["id"] == "b"
        assert row.version == 2
    with pair.ca.uow() as s:
        changes, determinations = claims.history(s, claim_id)
        assert [c.version for c in changes] == [1, 2]
        assert changes[1].changes[0]["field"] == "facts.relatives"
        assert changes[1].changes[0]["before"] == []
        assert [(d.claim_version, d.outcome, d.current) for d in determinations] == [
            (1, "ineligible", False), (2, "exception", True)]  # fmt: skip
        unchanged, none = claims.change(s, claim_id, claims.ClaimChange(
            reason="nothing", status="open"), actor="user:asylum", now=NOW)  # fmt: skip
        assert (none, unchanged.version) == (None, 2)  # no change, no version
        status, none = claims.change(s, claim_id, claims.ClaimChange(
            reason="referred to the RPD", status="referred"), actor="user:asylum", now=NOW)  # fmt: skip
        assert (none, status.version, status.status) == (None, 3, "referred")  # not re-run
        events = [e for e in s.scalars(select(AuditEntry.event).order_by(AuditEntry.seq))
                  if e.startswith("asylum:")]  # fmt: skip
    assert events == ["asylum:claim:recorded", "asylum:claim:determined", "asylum:claim:changed",
                      "asylum:claim:determined", "asylum:claim:changed"]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"claimant": {"names": ["X Y"], "birth_date": "2012-01-01"}, "has_spouse": True},
         "facts.has_spouse"),
        ({"entry_date": "2026-05-09", "arrival": "between-ports"}, "facts.entry_date"),
        ({"relatives": [{"relationship": "sister", "in_country": True}]},
         "facts.relatives[0].status"),
        ({"persecution_in": ["QQ"]}, "persecution_in[0]"),
        ({"came_from": "XX"}, "facts.came_from"),
        ({"claimant": {"names": ["X Y"], "birth_date": "1990-13"}}, "claimant.birth_date"),
    ],
)  # fmt: skip
def test_contradictions_are_refused_with_where_and_nothing_is_written(
    pair: Pair, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused, pair.ca.uow() as s:
        claims.create(s, claim(**changes), actor="user:asylum", now=NOW)
    assert field in [p["field"] for p in refused.value.details or []]
    assert pair.ca.count(AsylumClaim) == 0
    assert pair.ca.count(AsylumClaimChange) == 0


def test_a_birth_date_in_the_facts_must_agree_with_the_claimant() -> None:
    with pytest.raises(ValidationFailed) as refused:
        claims.check(claim(birth_date="1991-03-12"))
    assert refused.value.details == [{"field": "facts.birth_date", "problem":
                                      "1991-03-12 disagrees with the claimant's date of birth "
                                      "1990-03-12"}]  # fmt: skip


def _record(node: Node, data: claims.ClaimIn, index: int = 0) -> tuple[str, list[str]]:
    with node.uow() as s:
        row, _ = claims.create(s, data, actor="user:asylum", now=node.ex.clock())
        sent, skipped = comparisons.compare_new(s, node.ex, row, actor="user:asylum")
        return row.id, [c.id for c in sent] + skipped


def _answer(node: Node, index: ClaimIndex, galleries: service.Biometrics) -> list[str]:
    with node.uow() as s:
        return [r.result or "" for r in comparisons.answer_queued(s, node.ex, index, galleries)]


US_CLAIMANT = {"names": ["Amira Hasan"], "birth_date": "1990-03-12", "sex": "F",
               "documents": [{"kind": "passport", "number": "N0345812"}]}  # fmt: skip


def test_a_forum_shopper_is_found_and_the_prior_claim_makes_the_claim_ineligible(
    pair: Pair,
) -> None:
    pair.in_force("smu")
    pair.in_force("asylum")
    index, galleries = ClaimIndex(), service.Biometrics()
    us_claim = claim(
        claimant=US_CLAIMANT, location="USCIS Newark Asylum Office", persecution_in=["SY"],
        status="rejected", decision={"outcome": "denied", "date": "2025-11-02",
                                     "grounds": ["firm resettlement"]},
        facts={"claim_date": "2025-09-01", "nationalities": ["SY"]},
    )  # fmt: skip
    _record(pair.us, us_claim)
    # a claimant of theirs who alleges persecution in Canada: never disclosed
    alleges_ca = claim(claimant={"names": ["Omar FAROUK"], "birth_date": "1985-07-01"},
                       persecution_in=["CA"], facts={"claim_date": "2025-10-01"})  # fmt: skip
    _record(pair.us, alleges_ca)
    assert _answer(pair.us, index, galleries) == []  # nothing queued yet: ca had no annex then

    claim_id, sent = _record(pair.ca, claim())
    assert len(sent) == 1
    pair.pump()
    with pair.us.uow() as s:
        (queued,) = comparisons.listing(s, direction="in")
        assert queued.state == "queued"
        assert queued.query is not None
        (kept,) = s.scalars(select(InboxMessage).where(InboxMessage.kind == "asylum-comparison"))
        assert kept.body_removed_at is not None
    assert _answer(pair.us, index, galleries) == ["hit"]
    pair.pump()
    with pair.ca.uow() as s:
        row = claims.get(s, claim_id)
        (prior,) = row.partner_claims
        assert (prior["partner"], prior["country"], prior["date"], prior["status"]) == (
            "us", "US", "2025-09-01", "rejected")  # fmt: skip
        assert prior["decision"] == {"outcome": "denied", "date": "2025-11-02",
                                     "grounds": ["firm resettlement"]}  # fmt: skip
        assert prior["envelope"]
        assert prior["comparison"]
        made = claims.current(s, claim_id)
        assert made is not None
        assert made.outcome == "ineligible"
        assert made.result["steps"][0]["cite"] == "IRPA s.101(1)(c.1)"
        assert row.version == 2

    # the one alleging persecution in Canada: no hit, though the names and date match
    _, sent = _record(
        pair.ca,
        claim(claimant={"names": ["Omar Farouk"], "birth_date": "1985-07-01"}, persecution_in=[]),
    )
    pair.pump()
    assert _answer(pair.us, index, galleries) == ["no hit"]
    pair.pump()
    with pair.us.uow() as s:
        answered = [r for r in comparisons.listing(s, direction="in") if r.result == "no hit"]
        assert [(r.query, r.claim_id) for r in answered] == [(None, None)]
        held = json.dumps([c.answer for c in comparisons.listing(s, direction="in")])
        assert "Farouk" not in held
        assert "FAROUK" not in held
        us_events = set(s.scalars(select(AuditEntry.event)))
    assert {"asylum:comparison:received", "asylum:comparison:answered"} <= us_events
    with pair.ca.uow() as s:
        ca_events = set(s.scalars(select(AuditEntry.event)))
    assert {"asylum:comparison:sent", "asylum:comparison:result-received"} <= ca_events


def test_a_claimant_alleging_persecution_in_the_partner_is_never_sent(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("asylum")
    _, outcome = _record(pair.ca, claim(persecution_in=["US"]))
    assert outcome == ["us: the claimant alleges persecution in US: nothing about them may be "
                       "disclosed to us (IRPR s.315.3)"]  # fmt: skip
    assert pair.ca.count(AsylumComparison) == 0


def test_without_the_annex_nothing_is_compared(pair: Pair) -> None:
    pair.in_force("smu")
    claim_id, sent = _record(pair.ca, claim())
    assert sent == []
    with pytest.raises(Conflict, match="sign the asylum annex"), pair.ca.uow() as s:
        comparisons.send(s, pair.ca.ex, claims.get(s, claim_id), partner="us", actor="x")


def test_fingerprints_find_a_claimant_under_another_name(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("asylum")
    matcher, person = NbisFingerprint(), finger(4242, side=288)
    ca_galleries, us_galleries, index = service.Biometrics(), service.Biometrics(), ClaimIndex()
    for node, galleries, seed, subject in ((pair.ca, ca_galleries, 0, "ca-p1"),
                                           (pair.us, us_galleries, 5, "us-p9")):  # fmt: skip
        with node.uow() as s:
            made = matcher.extract(png(person.impression(seed)), "print")
            service.enrol_template(s, galleries, subject, made, actor="test")
    _record(pair.us, claim(claimant={"names": ["Leyla Demir"], "birth_date": "1979"},
                           biometric_subject="us-p9", persecution_in=[],
                           facts={"claim_date": "2024-02-02"}))  # fmt: skip
    _record(pair.ca, claim(biometric_subject="ca-p1"))
    pair.pump()
    with pair.us.uow() as s:
        (queued,) = comparisons.listing(s, direction="in")
        assert queued.query is not None
        assert len(queued.query["templates"]) == 1
    assert _answer(pair.us, index, us_galleries) == ["hit"]
    pair.pump()
    with pair.ca.uow() as s:
        (out,) = comparisons.listing(s, direction="out")
        assert out.answer["matched_on"] == ["fingerprint"]
        assert out.answer["claim"]["date"] == "2024-02-02"


def test_a_claim_made_in_the_united_states_is_judged_under_its_rules(pair: Pair) -> None:
    with pair.us.uow() as s:
        row, made = claims.create(s, claim(came_from="CA", visa_exempt_us=False,
                                           needs_canada_visa=True),
                                  actor="user:asylum", now=NOW, country="US")  # fmt: skip
        assert (made.rules, made.outcome) == ("us-2023", "ineligible")
        assert made.result["steps"][-1]["finding"].endswith("(INA s.208(a)(2)(A))")
        _, again = claims.change(s, row.id, claims.ClaimChange(
            reason="USCIS Director", facts={"public_interest": True}),
            actor="user:asylum", now=NOW, country="US")  # fmt: skip
        assert again is not None
        assert (again.rules, again.outcome) == ("us-2023", "exception")


def test_charges_and_the_evidence_for_a_relative_are_part_of_the_record(pair: Pair) -> None:
    murder = {"offence": "homicide", "country": "US", "date": "2024-02-01",
              "convicted": False, "punishable_by_death": True}  # fmt: skip
    facts = claim().facts.model_dump(mode="json", exclude_none=True)
    facts.pop("death_penalty_charge")
    with pair.ca.uow() as s:
        row, made = claims.create(s, claim(charges=[murder], facts=facts), actor="x", now=NOW)
        assert made.outcome == "not-applicable"  # s.159.6, read from the charge
        assert made.result["steps"][0]["cite"] == "IRPR s.159.6"
        assert row.charges[0]["offence"] == "homicide"
    with pytest.raises(ValidationFailed) as refused, pair.ca.uow() as s:
        claims.create(s, claim(charges=[murder], reference="R2"), actor="x", now=NOW)
    assert refused.value.details[0]["field"] == "facts.death_penalty_charge"
    with pytest.raises(ValidationFailed) as refused, pair.ca.uow() as s:
        claims.create(s, claim(charges=[{**murder, "country": "QQ", "date": "2027-01-01"}],
                               reference="R3"), actor="x", now=NOW)  # fmt: skip
    assert {p["field"] for p in refused.value.details} >= {"charges[0].country",
                                                            "charges[0].date"}  # fmt: skip
    sister = {"relationship": "sister", "age": 30, "in_country": True, "status": "citizen",
              "name": "Nour HASSAN", "evidence": ["citizenship card seen", "birth certificate"]}  # fmt: skip
    with pair.ca.uow() as s:
        _, made = claims.create(s, claim(relatives=[sister], reference="R4"), actor="x", now=NOW)
        (step,) = [st for st in made.result["steps"] if st["cite"] == "IRPR s.159.5(a)"]
        assert step["facts"]["evidence"] == ["citizenship card seen", "birth certificate"]
