"""Enrolment, the lane and the life-cycle between both nodes: an approved applicant books an
interview within the centre's capacity, is captured (real faces that installed packages ship,
SYNTHETIC fingerprints and eyes), checked against every member (one person, one membership),
and carded; both nodes hold the membership; the lane admits the member's face and refers
another's, an unknown or mistyped card, a suspended card (on both sides, once the partner's
notice arrives), and a FAST driver whose importer lost its status; a renewal extends it."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.service import Biometrics
from smartborder.cargo import intake, parties
from smartborder.cargo.assess import Assessor
from smartborder.errors import Conflict, ValidationFailed
from smartborder.programs import (
    applications,
    enrolment,
    lane,
    membership,
    recheck,
    service,
    vetting,
)
from smartborder.programs.models import TrustedInterview, TrustedMembership
from smartborder.screening import service as lookouts
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening
from smartborder.synthetic.fingerprints import finger, png
from smartborder.synthetic.irises import eye
from tests.biometrics.test_face import ASTRONAUT, PHOTO, _another_capture
from tests.pair import Node, Pair
from tests.programs.test_applications import APPLICATION


def _screening(node: Node) -> Screening:
    return Screening(Thresholds.from_settings(node.settings))


def _approved(pair: Pair, **changes: Any) -> str:
    """An application made on ca and approved by both countries (no hit on either side)."""
    data = copy.deepcopy(APPLICATION)
    data["date"] = pair.ca.ex.clock().date().isoformat()
    extra = {k: changes.pop(k) for k in ("program", "modes", "documents", "renewal_of")
             if k in changes}  # fmt: skip
    data["applicant"].update(changes)
    data["documents"][0].update(surname=data["applicant"]["surname"],
                                birth_date=data["applicant"]["birth_date"])  # fmt: skip
    data.update(extra)
    with pair.ca.uow() as s:
        row = service.submit(s, pair.ca.ex, _screening(pair.ca),
                             applications.ApplicationIn.model_validate(data), actor="user:po")  # fmt: skip
        reference = row.reference
    pair.pump()
    with pair.us.uow() as s:
        vetting.screen_queued(s, pair.us.ex, _screening(pair.us))
    pair.pump()
    with pair.ca.uow() as s:
        assert service.get(s, reference).status == "approved"
    return reference


def _working_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _prints(*seeds: int, impression: int = 0) -> list[bytes]:
    return [png(finger(seed).impression(impression)) for seed in seeds]


def _interview(pair: Pair, reference: str, centre: str = "lacolle") -> str:
    day = _working_day_after(pair.ca.ex.clock().date())
    with pair.ca.uow() as s:
        interview = enrolment.book(s, reference, centre, day, actor="user:po",
                                   now=pair.ca.ex.clock())  # fmt: skip
        booked = interview.id
    pair.clock.offset += dt.timedelta(days=(day - pair.ca.ex.clock().date()).days)
    return booked


def _enrol(pair: Pair, bio: Biometrics, interview: str, samples: enrolment.Samples) -> Any:
    with pair.ca.uow() as s:
        done = enrolment.enrol(s, pair.ca.ex, bio, interview, samples, actor="user:po")
        return done.state, done.card_number, done.duplicates


def _at_lane(node: Node, card: str, face: bytes | None, lane_name: str = "highway",
             **more: Any) -> dict[str, Any]:  # fmt: skip
    request = lane.LaneIn.model_validate({
        "card": card, "lane": lane_name, "port": "Lacolle",
        "face": base64.b64encode(face).decode() if face else None, **more})  # fmt: skip
    with node.uow() as s:
        return lane.decide(s, _screening(node), request, actor="user:bso", now=node.ex.clock())


def test_enrolled_carded_shared_admitted_suspended_on_both_sides(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    reference = _approved(pair)
    with pair.ca.uow() as s:  # a weekend day, and a day in the past, are refused
        saturday = pair.ca.ex.clock().date() + dt.timedelta(
            days=(5 - pair.ca.ex.clock().date().weekday()) % 7 or 7)  # fmt: skip
        with pytest.raises(
            ValidationFailed, match=r"Lacolle, Quebec \(land\) is closed on Saturdays"
        ):
            enrolment.book(s, reference, "lacolle", saturday, actor="user:po",
                           now=pair.ca.ex.clock())  # fmt: skip
        with pytest.raises(ValidationFailed, match="centre: no enrolment centre 'nowhere'"):
            enrolment.book(s, reference, "nowhere", saturday, actor="user:po",
                           now=pair.ca.ex.clock())  # fmt: skip
    interview = _interview(pair, reference)
    bio = Biometrics()
    # no usable face, one fingerprint only, an iris at a centre that takes none: all at once
    blank = png(finger(1).impression(0))
    with pytest.raises(ValidationFailed) as refused:
        _enrol(pair, bio, interview, enrolment.Samples(blank, _prints(11), png(eye(3).capture(1))))
    fields = {d["field"] for d in refused.value.details}
    assert fields == {"face", "fingerprints", "iris"}
    assert pair.ca.count(TrustedMembership) == 0
    assert pair.ca.count(BiometricTemplate) == 0
    state, card, _ = _enrol(pair, bio, interview, enrolment.Samples(PHOTO, _prints(11, 12)))
    assert state == "enrolled"
    assert membership.card_problem(card) is None
    assert card.startswith("5")  # issued by Canada
    with pair.ca.uow() as s:
        issued = membership.find(s, card)
        assert issued.expires_on == dt.date(issued.issued_on.year + 5, 7, 9)  # the birthday
        rfid = issued.rfid
    assert pair.ca.count(BiometricTemplate) == 3  # the face and two prints, as tt:<card>
    pair.pump()
    with pair.us.uow() as s:
        copy_ = membership.find(s, card)
        assert (copy_.origin, copy_.status, copy_.face is not None) == ("ca", "active", True)
    # the lane on both sides: the member's face (another capture) admits; another's refers
    other_capture = _another_capture(6, 0.8, 0.8)
    for node in (pair.ca, pair.us):
        admitted = _at_lane(node, card, other_capture)
        assert admitted["decision"] == "admit", admitted["reasons"]
        assert [c["check"] for c in admitted["checks"]] == ["card", "membership", "lane",
                                                            "biometric", "screening"]  # fmt: skip
    assert _at_lane(pair.us, rfid, other_capture)["decision"] == "admit"  # the RFID read
    someone_else = _at_lane(pair.ca, card, ASTRONAUT)
    assert someone_else["decision"] == "refer"
    assert "face does not match the enrolled template" in someone_else["reasons"][0]
    assert _at_lane(pair.ca, card, None)["reasons"] == ["no face or iris was captured"]
    assert "marine lane" in _at_lane(pair.ca, card, other_capture, "marine")["reasons"][0]
    never = "51234567" + membership.luhn_digit("51234567")  # well formed, never issued
    unknown = _at_lane(pair.ca, never, other_capture)
    assert unknown["reasons"] == [f"card '{never}' is unknown on this node"]
    mistyped = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert "fails its check digit" in _at_lane(pair.ca, mistyped, None)["reasons"][0]
    # a new lookout refers at once, before anyone acts on the membership
    with pair.us.uow() as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Marie-Ève Tremblay"}],
            "birth_date": "1984-07-09", "source_reference": "undeclared goods, Champlain"}),
            actor="user:analyst", today=pair.us.ex.clock().date())  # fmt: skip
    with pair.us.uow() as s:  # the members' recheck flags the membership for an officer
        raised = recheck.recheck(s, recheck.MemberIndex(), Thresholds.from_settings(pair.us.settings),
                                 now=pair.us.ex.clock())  # fmt: skip
        assert [(f["card_number"], f["category"]) for f in raised] == [(card, "customs")]
        again = recheck.recheck(s, recheck.MemberIndex(), Thresholds.from_settings(pair.us.settings),
                                now=pair.us.ex.clock())  # fmt: skip
        assert again == []  # once per lookout and version
        assert [r.card_number for r in recheck.flagged(s)] == [card]
    flagged = _at_lane(pair.us, card, other_capture)
    assert flagged["decision"] == "refer"
    assert "lookout hit now: customs" in flagged["reasons"][0]
    # us suspends for the violation at its border: ca's lane refers too once the notice is in
    with pair.us.uow() as s:
        with pytest.raises(ValidationFailed, match="written reasons"):
            membership.change(s, pair.us.ex, card, action="suspend", reasons=[" "],
                              actor="user:sup-us")  # fmt: skip
        membership.change(s, pair.us.ex, card, action="suspend",
                          reasons=["undeclared goods at Champlain, 2026"], actor="user:sup-us")  # fmt: skip
    with pair.us.uow() as s:  # the suspension closed the flag
        assert recheck.flagged(s) == []
        (closed,) = membership.find(s, card).flags
        assert closed["outcome"].startswith("suspended by user:sup-us")
    assert _at_lane(pair.ca, card, other_capture)["decision"] == "admit"  # not yet delivered
    pair.pump()
    refused_ca = _at_lane(pair.ca, card, other_capture)
    assert refused_ca["decision"] == "refer"
    assert "membership suspended: undeclared goods at Champlain, 2026" in refused_ca["reasons"]
    with pair.ca.uow() as s:  # only the country that suspended may reinstate
        with pytest.raises(Conflict, match="suspended by us"):
            membership.change(s, pair.ca.ex, card, action="reinstate", reasons=["appeal"],
                              actor="user:sup-ca")  # fmt: skip
        membership.change(s, pair.ca.ex, card, action="cancel",
                          reasons=["suspended by the partner; false statement"],
                          actor="user:sup-ca")  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:
        assert membership.find(s, card).status == "cancelled"
        with pytest.raises(Conflict, match="cancelled: that is final"):
            membership.change(s, pair.us.ex, card, action="reinstate", reasons=["x"],
                              actor="user:sup-us")  # fmt: skip
    with pair.ca.uow() as s:
        events = [h["event"] for h in membership.find(s, card).history]
        assert events == ["issued", "suspended", "cancelled"]
        audited = set(s.scalars(select(AuditEntry.event).where(
            AuditEntry.event.like("programs:%"))))  # fmt: skip
    assert {"programs:interview:booked", "programs:membership:issued",
            "programs:interview:enrolled", "programs:lane:admitted", "programs:lane:referred",
            "programs:membership:received", "programs:membership:cancelled"} <= audited  # fmt: skip


def test_one_person_one_membership_and_the_officers_finding(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    bio = Biometrics()
    first = _interview(pair, _approved(pair))
    _, card, _ = _enrol(pair, bio, first, enrolment.Samples(PHOTO, _prints(21, 22)))
    # the same person again, under another name: the face and the prints find the member
    again = _interview(pair, _approved(pair, surname="Lavoie", given_names="Annie"))
    state, no_card, found = _enrol(pair, bio, again, enrolment.Samples(
        _another_capture(-7, 0.6, 1.15), _prints(21, 22, impression=1)))  # fmt: skip
    assert (state, no_card) == ("held", None)
    assert found[0]["card_number"] == card
    assert any(on.startswith("face distance") for on in found[0]["on"])
    assert any(on.startswith("fingerprint score") for on in found[0]["on"])
    assert pair.ca.count(TrustedMembership) == 1  # nothing enrolled while it waits
    with pair.ca.uow() as s:
        with pytest.raises(ValidationFailed, match="officer's reasons"):
            enrolment.resolve(s, pair.ca.ex, bio, again, finding="duplicate", note="",
                              actor="user:sup")  # fmt: skip
        done = enrolment.resolve(s, pair.ca.ex, bio, again, finding="duplicate",
                                 note="same person as the member, other name", actor="user:sup")  # fmt: skip
        assert done.state == "refused"
        assert "templates" not in done.capture
    assert pair.ca.count(TrustedMembership) == 1
    # someone else entirely: no hit, a card
    third = _interview(pair, _approved(pair, surname="Roy", given_names="Paul", sex="M"))
    state, other_card, found = _enrol(pair, bio, third, enrolment.Samples(
        ASTRONAUT, _prints(31, 32)))  # fmt: skip
    assert (state, found) == ("enrolled", [])
    assert other_card != card


def test_a_full_day_is_refused_with_the_next_free_ones(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    reference = _approved(pair)
    day = _working_day_after(pair.ca.ex.clock().date())
    capacity = applications.rules().centre("lacolle").capacity
    with pair.ca.uow() as s:
        for n in range(capacity):
            s.add(TrustedInterview(
                id=f"full-{n}", reference=f"TTFULL{n:04d}", centre="lacolle", day=day,
                state="booked", capture={}, duplicates=[], finding=None, card_number=None,
                booked_at=pair.ca.ex.clock(), booked_by="user:po",
                updated_at=pair.ca.ex.clock()))  # fmt: skip
    with pair.ca.uow() as s:
        with pytest.raises(Conflict, match=f"full on {day}") as full:
            enrolment.book(s, reference, "lacolle", day, actor="user:po", now=pair.ca.ex.clock())
        following = _working_day_after(day).isoformat()
        assert f"free: {following}" in full.value.message
        assert (
            enrolment.free_days(s, "lacolle", pair.ca.ex.clock().date(), 1)[0]["day"] == following
        )
        enrolment.book(s, reference, "yul", day, actor="user:po", now=pair.ca.ex.clock())
        with pytest.raises(Conflict, match="already has an interview"):
            enrolment.book(s, reference, "yvr", day, actor="user:po", now=pair.ca.ex.clock())


def test_fast_lane_needs_the_driver_the_carrier_and_the_importer(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    licence = {"kind": "commercial-driver-licence", "number": "T1234-56789", "country": "CA",
               "expires": "2030-01-01"}  # fmt: skip
    reference = _approved(pair, program="fast", modes=["commercial"],
                          documents=[*APPLICATION["documents"], licence])  # fmt: skip
    _, card, _ = _enrol(pair, Biometrics(), _interview(pair, reference),
                        enrolment.Samples(PHOTO, _prints(41, 42)))  # fmt: skip
    screening = _screening(pair.ca)
    now = pair.ca.ex.clock()
    with pair.ca.uow() as s:
        made = [parties.register(s, screening, parties.PartyIn.model_validate(p), actor="user:po",
                                 now=now)
                for p in ({"role": "carrier", "identifier": "ABCD", "country": "CA",
                           "name": "Transport Lacolle inc.", "program": "PIP"},
                          {"role": "importer", "identifier": "IMP-001", "country": "US",
                           "name": "Maple Parts Ltd", "program": "C-TPAT"})]  # fmt: skip
        for row in made:
            parties.decide(s, row.id, parties.PartyDecision(action="approve",
                           reasons=["validated"]), actor="user:po", now=now)  # fmt: skip
        importer_id = made[1].id

    def report(bill: str, consignee: str) -> None:
        data = json.dumps({"mode": "highway", "carrier": "ABCD", "loading": "USPLB",
                           "arrival": "CALCO", "arrival_at": (now + dt.timedelta(hours=2)
                                                              ).isoformat(),
                           "bills": [{"number": bill, "consignor": {"name": "Plattsburgh Co"},
                                      "consignee": {"name": consignee},
                                      "goods": [{"description": "castings"}]}]}).encode()  # fmt: skip
        with pair.ca.uow() as s:
            intake.receive(s, data, source="test", actor="user:carrier", now=now, country="CA",
                           scorer=Assessor(screening, now.date()))  # fmt: skip

    report("PAPS-ABCD-0001", "Maple Parts Ltd")
    truck = {"carrier": "abcd", "importer": "IMP-001", "shipment": "PAPS-ABCD-0001"}
    face = _another_capture(6, 0.8, 0.8)
    ok = _at_lane(pair.ca, card, face, "commercial", **truck)
    assert ok["decision"] == "admit", ok["reasons"]
    assert {"carrier", "importer", "shipment"} <= {c["check"] for c in ok["checks"]}
    assert "this is the highway lane" in _at_lane(pair.ca, card, face)["reasons"][0]
    with pair.ca.uow() as s:
        parties.decide(s, importer_id, parties.PartyDecision(action="suspend",
                       reasons=["seal tampering found"]), actor="user:po", now=now)  # fmt: skip
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Northern Diversion Trading"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst", today=now.date())  # fmt: skip
    report("PAPS-ABCD-0002", "Northern Diversion Trading")
    held = _at_lane(pair.ca, card, face, "commercial",
                    **{**truck, "shipment": "PAPS-ABCD-0002"})  # fmt: skip
    assert held["reasons"][0] == "importer IMP-001 (Maple Parts Ltd): C-TPAT suspended"
    assert held["reasons"][1].startswith("shipment PAPS-ABCD-0002: review (consignee Northern "
                                         "Diversion Trading: customs lookout")  # fmt: skip
    missing = _at_lane(pair.ca, card, face, "commercial", **{**truck, "shipment": "PAPS-NONE"})
    assert "shipment PAPS-NONE: no advance report of it" in missing["reasons"]
    with pytest.raises(ValueError, match="carrier, importer and shipment"):
        lane.LaneIn.model_validate({"card": card, "lane": "commercial"})


def test_a_renewal_is_vetted_again_and_extends_the_membership(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    _, card, _ = _enrol(pair, Biometrics(), _interview(pair, _approved(pair)),
                        enrolment.Samples(PHOTO, _prints(51, 52)))  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        expires = membership.find(s, card).expires_on
    with pytest.raises(ValidationFailed, match="renewals open 365 days before the expiry"):
        _approved(pair, renewal_of=card)
    pair.clock.offset += dt.timedelta(days=(expires - pair.ca.ex.clock().date()).days - 30)
    passport = {**APPLICATION["documents"][0], "number": "AB765432", "expires": "2036-01-01"}
    elsewhere = copy.deepcopy(APPLICATION)
    elsewhere.update(date=pair.us.ex.clock().date().isoformat(), renewal_of=card,
                     documents=[passport])  # fmt: skip
    with pair.us.uow() as s, pytest.raises(ValidationFailed, match="issued by ca: renew it there"):
        service.submit(s, pair.us.ex, _screening(pair.us),
                       applications.ApplicationIn.model_validate(elsewhere), actor="user:po-us")  # fmt: skip
    renewal = _approved(pair, renewal_of=card, documents=[passport])
    pair.pump()
    for node in (pair.ca, pair.us):
        with node.uow() as s:
            renewed = membership.find(s, card)
            assert renewed.expires_on == expires.replace(year=expires.year + 5)
            assert renewed.history[-1]["event"] == "renewed"
    with pair.ca.uow() as s, pytest.raises(Conflict, match="renews a membership: no interview"):
        enrolment.book(s, renewal, "lacolle", _working_day_after(pair.ca.ex.clock().date()),
                       actor="user:po", now=pair.ca.ex.clock())  # fmt: skip


def test_a_minor_is_free_only_with_a_guardian_who_is_an_active_member(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    _, card, _ = _enrol(pair, Biometrics(), _interview(pair, _approved(pair)),
                        enrolment.Samples(PHOTO, _prints(61, 62)))  # fmt: skip

    def fee_with(guardian_card: str) -> dict[str, Any]:
        data = copy.deepcopy(APPLICATION)
        data["date"] = pair.ca.ex.clock().date().isoformat()
        data["applicant"].update(given_names="Léa", birth_date="2016-05-05")
        data["documents"][0].update(number="AB000777", birth_date="2016-05-05")
        data["guardian"] = {"name": "Marie-Ève Tremblay", "membership": guardian_card}
        data["addresses"][1]["from"] = "2016-05-05"
        data["employment"] = [{"from": "2016-05-05", "employer": "student"}]
        with pair.ca.uow() as s:
            row = service.submit(s, pair.ca.ex, _screening(pair.ca),
                                 applications.ApplicationIn.model_validate(data),
                                 actor="user:po")  # fmt: skip
            return dict(row.fee)

    assert fee_with(card)["amount"] == 0
    never = "51234567" + membership.luhn_digit("51234567")
    charged = fee_with(never)
    assert charged["amount"] == 120
    assert f"the guardian's card {never} is unknown here" in charged["reason"]
    with pair.ca.uow() as s:
        membership.change(s, pair.ca.ex, card, action="suspend", reasons=["customs violation"],
                          actor="user:sup")  # fmt: skip
    assert "is suspended, not an active membership" in fee_with(card)["reason"]
