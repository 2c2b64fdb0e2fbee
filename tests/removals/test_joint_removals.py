"""Joint removals between two nodes: ca plans a flight to Haiti with seats for both; each
proposes its removees (a document that will have expired, or that the destination did not
issue, refused before anything is sent; no seat past the country's); ca accepts and refuses
us' removees with reasons, records who was removed and who was not, and us hears every step;
a proposal whose document the organiser finds wanting is refused on arrival."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.policy import in_force_for
from smartborder.identity.documents import fields_to_mrz
from smartborder.identity.schemas import MrzFieldsIn
from smartborder.removals import service
from smartborder.removals.models import ManifestEntry, RemovalCase, RemovalOperation
from smartborder.settings import Settings
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user
from tests.pair import Node, Pair


def mrz(surname: str, *, issuer: str = "HTI", expiry: dt.date = dt.date(2031, 5, 1),
        number: str = "HT1234567") -> str:  # fmt: skip
    return fields_to_mrz(MrzFieldsIn(issuer=issuer, surname=surname, given_names="JEAN",
                                     document_number=number, nationality="HTI",
                                     birth_date="1985-04-02", sex="M", expiry_date=expiry))  # fmt: skip


def _case(node: Node, reference: str, surname: str, **document: object) -> str:
    with node.uow() as s:
        return service.create_case(s, service.CaseIn(
            reference=reference, order_reference=f"ORD-{reference}", order_date="2026-10-01",
            destination="HTI", escorts=1, mrz=mrz(surname, **document)),  # type: ignore[arg-type]
            actor="user:sup", now=node.ex.clock()).id  # fmt: skip


def _entry(node: Node, reference: str) -> ManifestEntry:
    with node.uow() as s:
        row = s.query(ManifestEntry).filter_by(case_reference=reference).one()
        s.expunge(row)
        return row


def test_a_flight_filled_by_both_decided_flown_and_reported(pair: Pair) -> None:
    pair.in_force()
    pair.in_force("removals")
    departs = pair.ca.ex.clock() + dt.timedelta(days=10)
    with pair.ca.uow() as s:
        op = service.create_operation(s, pair.ca.ex, service.OperationIn(
            reference="OP-HTI-1", partner="us", destination="HTI", flight="SBX 901 charter",
            departs=departs, seats_here=2, seats_partner=2, escorts_here=2,
            escorts_partner=2), actor="user:sup").id  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:
        theirs = s.get(RemovalOperation, op)
        assert theirs is not None
        assert (theirs.organiser, theirs.seats) == ("ca", {"ca": 2, "us": 2})

    ca_1 = _case(pair.ca, "CA-1", "DUPONT")
    ca_2 = _case(pair.ca, "CA-2", "LAFLEUR", expiry=departs.date() - dt.timedelta(days=2))
    ca_3 = _case(pair.ca, "CA-3", "MARTIN", issuer="CAN")
    with pair.ca.uow() as s:
        assert service.propose(s, pair.ca.ex, op, ca_1, actor="user:sup").state == "accepted"
        with pytest.raises(ValidationFailed, match="no valid travel document") as expired:
            service.propose(s, pair.ca.ex, op, ca_2, actor="user:sup")
        assert "the document expired on" in expired.value.message
        with pytest.raises(ValidationFailed, match="issued by CAN, not by HTI"):
            service.propose(s, pair.ca.ex, op, ca_3, actor="user:sup")

    us_cases = [_case(pair.us, f"US-{n}", name) for n, name in
                enumerate(("PIERRE", "JOSEPH", "CHARLES"), 1)]  # fmt: skip
    with pair.us.uow() as s:
        for case in us_cases[:2]:
            assert service.propose(s, pair.us.ex, op, case, actor="user:sup").state == "proposed"
        with pytest.raises(Conflict, match="no seat left for us"):
            service.propose(s, pair.us.ex, op, us_cases[2], actor="user:sup")
    pair.pump()
    first, second = _entry(pair.ca, "US-1"), _entry(pair.ca, "US-2")
    assert (first.state, first.person["surname"], first.document["issuer"]) == (
        "proposed",
        "PIERRE",
        "HTI",
    )
    with pair.ca.uow() as s:
        with pytest.raises(ValidationFailed, match="a refusal is given with its reasons"):
            service.decide(s, pair.ca.ex, second.id, service.DecisionIn(decision="refuse"),
                           actor="user:sup")  # fmt: skip
        service.decide(s, pair.ca.ex, first.id, service.DecisionIn(decision="accept"),
                       actor="user:sup")  # fmt: skip
        service.decide(s, pair.ca.ex, second.id, service.DecisionIn(
            decision="refuse", reasons=["escort seats taken"]), actor="user:sup")  # fmt: skip
    pair.pump()
    assert _entry(pair.us, "US-1").state == "accepted"
    refused = _entry(pair.us, "US-2")
    assert (refused.state, refused.reasons) == ("refused", ["escort seats taken"])
    with pair.us.uow() as s:
        assert s.get(RemovalCase, us_cases[1]).status == "refused"

    with pair.ca.uow() as s:
        manifest = service.operation_out(s, s.get(RemovalOperation, op))["manifest"]
        assert sorted(e["case_reference"] for e in manifest) == ["CA-1", "US-1"]
        with pytest.raises(ValidationFailed, match="say why"):
            service.record_outcome(s, pair.ca.ex, first.id, service.OutcomeIn(
                outcome="not-removed"), actor="user:sup")  # fmt: skip
        service.record_outcome(s, pair.ca.ex, first.id, service.OutcomeIn(
            outcome="not-removed", reason="medical hold at departure"), actor="user:sup")  # fmt: skip
        own = s.query(ManifestEntry).filter_by(case_reference="CA-1").one()
        service.record_outcome(s, pair.ca.ex, own.id, service.OutcomeIn(outcome="removed"),
                               actor="user:sup")  # fmt: skip
        assert s.get(RemovalOperation, op).status == "flown"
        assert s.get(RemovalCase, ca_1).status == "removed"
    pair.pump()
    with pair.us.uow() as s:
        case = s.get(RemovalCase, us_cases[0])
        assert case.status == "not-removed"
        assert case.history[-1]["said"] == "medical hold at departure"


def test_the_organiser_refuses_a_proposal_whose_document_will_not_do(pair: Pair) -> None:
    pair.in_force()
    pair.in_force("removals")
    departs = pair.ca.ex.clock() + dt.timedelta(days=10)
    with pair.ca.uow() as s:
        op = service.create_operation(s, pair.ca.ex, service.OperationIn(
            reference="OP-2", partner="us", destination="HTI", flight="SBX 902",
            departs=departs, seats_here=1, seats_partner=1), actor="user:sup").id  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:  # a proposal as a careless sender might make it
        agreement = in_force_for(s, departs.date(), service.PROPOSAL, "ca", "removals")
        s.add(service.ManifestEntry(id="e1", operation_id=op, country="us",
                                    case_reference="US-9", person={}, document={}, escorts=0,
                                    state="proposed", reasons=[], outcome=None,
                                    outcome_reason="", updated_at=departs))  # fmt: skip
        outbox.send(s, pair.us.ex, partner="ca", kind=service.PROPOSAL, agreement=agreement,
                    purpose=service.PURPOSE, actor="user:sup",
                    body={"operation": op, "case": "US-9", "surname": "X", "given_names": "Y",
                          "birth_date": "1990-01-01", "nationality": "HTI", "escorts": 0,
                          "document": {"type": "passport", "number": "1", "issuer": "HTI",
                                       "expiry": (departs.date() - dt.timedelta(days=1))
                                       .isoformat()}})  # fmt: skip
    pair.pump()
    held = _entry(pair.ca, "US-9")
    assert held.state == "refused"
    assert "before the flight" in held.reasons[0]
    assert _entry(pair.us, "US-9").state == "refused"


def test_api_page_and_cli(app: FastAPI, client: TestClient, node: Settings, cli: Cli,
                          tmp_path: Path) -> None:  # fmt: skip
    supervisor = api_token(app, "sup", "supervisor")
    analyst = api_token(app, "ana", "analyst")
    body = {"reference": "CA-7", "order_reference": "ORD-7", "order_date": "2026-10-01",
            "destination": "HTI", "escorts": 1, "mrz": mrz("DUPONT")}  # fmt: skip
    made = client.post("/api/v1/removals/cases", json=body, headers=supervisor)
    assert made.status_code == 201, made.text
    assert made.json()["document"]["valid_today"] is True
    assert client.post("/api/v1/removals/cases", json=body, headers=analyst).status_code == 403
    assert client.post("/api/v1/removals/cases", json={**body, "reference": "CA-8",
                       "mrz": "P<HTI"}, headers=supervisor).status_code == 422  # fmt: skip
    planned = client.post("/api/v1/removals/operations", headers=supervisor, json={
        "reference": "OP-9", "partner": "us", "destination": "HTI", "flight": "SBX 1",
        "departs": "2020-01-01T08:00:00Z", "seats_here": 1, "seats_partner": 0})  # fmt: skip
    assert planned.status_code == 422
    assert "is not in the future" in planned.json()["error"]["message"]
    make_user(app, "chief", "supervisor", PASSWORD)
    login(client, "chief", PASSWORD)
    page = client.get("/removals")
    assert page.status_code == 200
    assert "DUPONT, JEAN" in page.text
    wrong = client.post("/removals/propose", data={"csrf_token": csrf_of(client),
                                                   "case": made.json()["id"],
                                                   "operation": "nope"})  # fmt: skip
    assert wrong.status_code == 404
    assert "no removal operation nope" in wrong.text
    where = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["removals", "cases", "--as", "chief", *where])
    assert code == 0, err
    assert "CA-7" in out
    assert "document HTI HT1234567 valid" in out
    code, _, err = cli(["removals", "operation", "OP-10", "--partner", "us", "--destination",
                        "HTI", "--flight", "SBX 2", "--departs", "2030-01-01T08:00:00Z",
                        "--seats", "1", "--partner-seats", "1", "--as", "chief", *where])  # fmt: skip
    assert code != 0
    assert "sign the removals annex first" in err


ICAO_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)  # ICAO Doc 9303 part 4


def test_the_icao_specimen_passport_is_read_and_refused_for_a_flight(pair: Pair) -> None:
    """A document we did not write: ICAO's published TD3 specimen (Utopia, expired 2012)."""
    pair.in_force()
    pair.in_force("removals")
    with pair.ca.uow() as s:
        case = service.create_case(s, service.CaseIn(
            reference="CA-ICAO", order_reference="ORD-1", order_date="2026-10-01",
            destination="HTI", mrz=ICAO_SPECIMEN), actor="user:sup",
            now=pair.ca.ex.clock())  # type: ignore[arg-type]  # fmt: skip
        assert (case.surname, case.given_names, case.birth_date) == (
            "ERIKSSON",
            "ANNA MARIA",
            "1974-08-12",
        )
        assert case.document["number"] == "L898902C3"
        assert case.document["valid_today"] is False
        assert case.document["problems"] == ["the document expired on 2012-04-15"]
        op = service.create_operation(s, pair.ca.ex, service.OperationIn(
            reference="OP-ICAO", partner="us", destination="HTI", flight="SBX 3",
            departs=pair.ca.ex.clock() + dt.timedelta(days=3), seats_here=1,
            seats_partner=0), actor="user:sup")  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            service.propose(s, pair.ca.ex, op.id, case.id, actor="user:sup")
        problems = [d["problem"] for d in refused.value.details]
        assert "the document expired on 2012-04-15" in problems
        assert any("issued by UTO, not by HTI" in p for p in problems)
