"""Vetting by both countries under the trusted-traveller annex: the partner sees only what the
annex lists and answers a decision with reason codes; a denial by either ends the application;
hits wait in the officers' queue."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.errors import Conflict, ValidationFailed
from smartborder.identity.names import normalise
from smartborder.programs import applications, service, vetting
from smartborder.programs.models import TrustedVetting
from smartborder.screening import service as lookouts
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening
from tests.pair import Node, Pair
from tests.programs.test_applications import APPLICATION

CATEGORY = "customs"


def _screening(node: Node) -> Screening:
    return Screening(Thresholds.from_settings(node.settings))


def _apply(pair: Pair, **changes: Any) -> str:
    data = copy.deepcopy(APPLICATION)
    data["applicant"].update(changes)
    data["documents"][0].update(surname=data["applicant"]["surname"],
                                birth_date=data["applicant"]["birth_date"])  # fmt: skip
    with pair.ca.uow() as s:
        row = service.submit(s, pair.ca.ex, _screening(pair.ca),
                             applications.ApplicationIn.model_validate(data), actor="user:po")  # fmt: skip
        return row.reference


def _lookout(node: Node, surname: str, given: str, born: str) -> None:
    with node.uow() as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": CATEGORY, "names": [{"name": f"{given} {surname}"}],
            "birth_date": born, "source_reference": "seizure at Champlain",
        }), actor="user:analyst", today=node.ex.clock().date())  # fmt: skip


def _status(pair: Pair, reference: str) -> str:
    with pair.ca.uow() as s:
        return service.get(s, reference).status


def test_approved_by_both_and_denied_by_the_partner(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    clean = _apply(pair)
    assert _status(pair, clean) == "vetting"  # ca approved (no hit); us has not answered
    _lookout(pair.us, "Gagnon", "Luc", "1979-03-03")
    flagged = _apply(pair, surname="Gagnon", given_names="Luc", birth_date="1979-03-03")
    pair.pump()
    with pair.us.uow() as s:
        received = {r.reference: r for r in vetting.listing(s)}
        assert set(received) == {clean, flagged}
        assert set(received[clean].applicant) == {"surname", "given_names", "date_of_birth",
                                                  "nationality", "document_number"}  # fmt: skip
        done = vetting.screen_queued(s, pair.us.ex, _screening(pair.us))
        states = {r.reference: r.state for r in done}
    assert states == {clean: "answered", flagged: "review"}  # hits wait for an officer
    pair.pump()
    assert _status(pair, clean) == "approved"
    with pair.us.uow() as s:
        queue = vetting.queue(s)
        (held,) = queue["partners"]
        assert held["hits"][0]["category"] == CATEGORY
        with pytest.raises(ValidationFailed, match="a denial gives at least one reason code"):
            vetting.decide_partner(s, pair.us.ex, held["id"], decision="deny", reason_codes=[],
                                   note="", actor="user:po-us")  # fmt: skip
        vetting.decide_partner(s, pair.us.ex, held["id"], decision="deny",
                               reason_codes=["customs-violation"], note="seizure 2019",
                               actor="user:po-us")  # fmt: skip
    pair.pump()
    assert _status(pair, flagged) == "denied"
    with pair.ca.uow() as s:
        row = service.get(s, flagged)
        assert row.vetting["partners"]["us"]["reason_codes"] == ["customs-violation"]
        assert "seizure" not in str(row.vetting)  # nothing of us's records came back
        events = set(s.scalars(select(AuditEntry.event)))
    assert {"programs:vetting:started", "programs:application:approved",
            "programs:application:denied", "programs:vetting:result-received"} <= events  # fmt: skip


def test_a_hit_here_waits_for_this_nodes_officer(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    _lookout(pair.ca, "Tremblay", "Marie-Ève", "1984-07-09")
    reference = _apply(pair)
    with pair.ca.uow() as s:
        (waiting,) = vetting.queue(s)["own"]
        assert waiting["reference"] == reference
        assert waiting["hits"]
    pair.pump()
    with pair.us.uow() as s:
        vetting.screen_queued(s, pair.us.ex, _screening(pair.us))
    pair.pump()
    assert _status(pair, reference) == "vetting"  # us approved; ca's officer has not decided
    with pair.ca.uow() as s:
        vetting.decide_own(s, pair.ca.ex, reference, decision="approve", reason_codes=[],
                           note="an older namesake", actor="user:po")  # fmt: skip
        with pytest.raises(Conflict):
            vetting.decide_own(s, pair.ca.ex, reference, decision="deny",
                               reason_codes=["other"], note="", actor="user:po")  # fmt: skip
    assert _status(pair, reference) == "approved"


def test_without_the_annex_nothing_is_sent_and_nothing_is_approved(pair: Pair) -> None:
    pair.in_force("smu")
    reference = _apply(pair)
    pair.pump()
    assert _status(pair, reference) == "vetting"
    assert pair.us.count(TrustedVetting) == 0
    with pair.ca.uow() as s:
        assert "no partner" in service.get(s, reference).vetting["waiting"]


def test_the_nodes_own_records_hold_an_applicant_for_an_officer(pair: Pair) -> None:
    """No lookout names them, but us refused them entry last year and holds a criminal-record
    summary: both hold the applicant in us's queue, with what the records say (kept on us)."""
    import datetime as dt

    from smartborder.biometrics import searches
    from smartborder.travel.intake.models import Flight, Traveller
    from smartborder.travel.targeting.models import Assessment

    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    now = pair.us.ex.clock()
    with pair.us.uow() as s:
        searches.add_record(s, subject="us-record-1", reference="NY-2021-0042",
                            owner="NYPD (SYNTHETIC)", name="ROY, PAUL ANDRE",
                            birth_date=dt.date(1971, 11, 23),
                            charges=[{"offence": "Smuggling", "date": "2021-02-02"}],
                            dispositions=[], actor="user:records", now=now)  # fmt: skip
        s.add(Flight(id="f1", carrier="AC", number="871", date="2026-01-10", origin="YUL",
                     destination="JFK", departure=None, arrival=None, legs=[], codeshares=[],
                     status="scheduled", updated_at=now, masked_at=None))  # fmt: skip
        s.add(Traveller(id="t1", surname="ROY", given_names="PAUL ANDRE",
                        name_key=normalise("ROY PAUL ANDRE"), birth_date="1971-11-23",
                        sex="M", nationality="CAN", first_seen=now, last_seen=now))  # fmt: skip
        s.flush()
        s.add(Assessment(id="a1", flight_id="f1", traveller_id="t1", origin="local",
                         decision="refer", reasons=[], indicators=[], hits=[], severity="high",
                         queued=False, category="customs", team="targeting", summary={},
                         departs="2026-01-10", status="refused entry", status_by="user:bso",
                         status_at=now - dt.timedelta(days=300), shared_with=[],
                         assessed_at=now))  # fmt: skip
    reference = _apply(pair, surname="Roy", given_names="Paul André", birth_date="1971-11-23")
    pair.pump()
    with pair.us.uow() as s:
        (held,) = vetting.screen_queued(s, pair.us.ex, _screening(pair.us))
        assert held.state == "review"
        found = {h["category"]: h["detail"] for h in held.hits}
    assert found == {"border-record": "refused entry on AC871 2026-01-10",
                     "criminal-record": "NYPD (SYNTHETIC) NY-2021-0042: Smuggling"}  # fmt: skip
    with pair.ca.uow() as s:  # ca's own vetting found nothing of the kind: approved here
        assert service.get(s, reference).vetting["own"]["decision"] == "approve"


def test_an_undeclared_trip_in_the_travel_records_holds_our_own_applicant(pair: Pair) -> None:
    """ca's API records show the applicant on AC870 Montréal-Paris (the PAXLST of the travel
    tests); an application that declares no trip to France then is held for ca's officer;
    one that declares it is approved here."""
    from pathlib import Path

    from smartborder.travel.intake import service as intake

    paxlst = (Path(__file__).parents[1] / "travel" / "data" / "paxlst_d05b.edi").read_bytes()
    pair.in_force("smu")
    pair.in_force("trusted-traveller")
    with pair.ca.uow() as s:
        intake.receive(s, paxlst, source="test", actor="user:api", now=pair.ca.ex.clock())
    today = pair.ca.ex.clock().date().isoformat()

    def applied(trips: list[dict[str, str]]) -> dict[str, Any]:
        data = copy.deepcopy(APPLICATION)
        data.update(date=today, trips=trips)
        data["applicant"].update(surname="O'Brien", given_names="Mary Anne",
                                 birth_date="1985-04-15")  # fmt: skip
        data["documents"][0].update(surname="O'BRIEN", birth_date="1985-04-15")
        with pair.ca.uow() as s:
            row = service.submit(s, pair.ca.ex, _screening(pair.ca),
                                 applications.ApplicationIn.model_validate(data),
                                 actor="user:po")  # fmt: skip
            return dict(row.vetting["own"])

    held = applied([])
    assert held["decision"] is None
    assert [h["detail"] for h in held["hits"]] == [
        "AC870 YUL-CDG on 2026-11-22 (FR) is not among the trips declared"
    ]
    declared = applied([{"from": "2026-11-21", "to": "2026-11-30", "country": "FR"}])
    assert declared["decision"] == "approve"
