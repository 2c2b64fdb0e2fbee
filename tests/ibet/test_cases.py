"""IBET cases between two nodes: ca opens a case with officers of four agencies and two
subjects; us holds it too; each node screens the subjects against its own lookouts and both see
the results; events, a task and an attachment travel both ways (the bytes checked by their
SHA-256); an officer not on the case is refused on either node and the refusal audited; the
case closes with its outcome on both."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.errors import Conflict, PermissionDenied
from smartborder.ibet import service
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening, create_lookout
from smartborder.settings import Settings
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user
from tests.pair import Pair

CASE: dict[str, Any] = {
    "reference": "IBET-PAC-7", "title": "Boat landings west of Blaine", "partner": "us",
    "members": [{"node": "ca", "username": "rcmp1", "agency": "RCMP"},
                {"node": "ca", "username": "cbsa1", "agency": "CBSA"},
                {"node": "us", "username": "cbp1", "agency": "CBP"},
                {"node": "us", "username": "uscg1", "agency": "USCG"}],
    "subjects": [{"names": ["Viktor Petrenko"], "birth_date": "1979-02-11",
                  "nationality": "UKR"},
                 {"names": ["Dana Ortiz"]}],
}  # fmt: skip


def _screen(node: Any) -> None:
    with node.uow() as s:
        service.screen_pending(s, node.ex, Screening(Thresholds.from_settings(node.settings)))


def test_a_case_worked_from_both_sides_need_to_know_and_closed(pair: Pair) -> None:
    pair.in_force()
    pair.in_force("ibet")
    with pair.us.uow() as s:
        create_lookout(s, LookoutIn.model_validate({
            "category": "serious-crime", "names": [{"name": "Viktor Petrenko"}],
            "birth_date": "1979-02-11", "source_reference": "SYNTHETIC"}), actor="user:a",
            today=pair.us.ex.clock().date())  # fmt: skip
    with pair.ca.uow() as s:
        with pytest.raises(PermissionDenied, match="name yourself"):
            service.open_case(s, pair.ca.ex, service.CaseIn.model_validate(CASE),
                              username="someone")  # fmt: skip
        case = service.open_case(s, pair.ca.ex, service.CaseIn.model_validate(CASE),
                                 username="rcmp1").id  # fmt: skip
    pair.pump()
    _screen(pair.ca)
    _screen(pair.us)
    pair.pump()
    with pair.us.uow() as s:
        held, timeline = service.read_case(s, case, node="us", username="cbp1")
        assert held.agencies == ["CBP", "CBSA", "RCMP", "USCG"]
        screened = [e.text for e in timeline if e.kind == "screening"]
        assert any(t.startswith("screened on us: Viktor Petrenko: serious-crime lookout")
                   for t in screened)  # fmt: skip
        assert any(t == "screened on ca: Viktor Petrenko: no lookout names them"
                   for t in screened)  # fmt: skip
        service.add_entry(s, pair.us.ex, case, service.EntryIn(
            kind="task", text="Check the marina's camera for 3 Dec", assignee="ca:cbsa1"),
            username="uscg1")  # fmt: skip
        with pytest.raises(PermissionDenied, match="not 'ca:nobody'"):
            service.add_entry(s, pair.us.ex, case, service.EntryIn(
                kind="task", text="x", assignee="ca:nobody"), username="uscg1")  # fmt: skip
        photo = b"\x89PNG synthetic photo of a boat"
        service.attach(s, pair.us.ex, case, name="boat.png", content_type="image/png",
                       content=photo, note="the boat", username="cbp1")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        _, timeline = service.read_case(s, case, node="ca", username="cbsa1")
        [task] = [e for e in timeline if e.kind == "task"]
        assert task.task == {"assignee": "ca:cbsa1", "due": None, "status": "open"}
        [file] = [e for e in timeline if e.kind == "attachment"]
        assert (file.content, file.file_sha256) == (photo, hashlib.sha256(photo).hexdigest())
        service.complete_task(s, pair.ca.ex, task.id, username="cbsa1")
    with pair.ca.uow() as s, pytest.raises(PermissionDenied, match="need to know"):
        service.read_case(s, case, node="ca", username="admin")
    with pair.ca.uow() as s:
        denied = s.scalars(select(AuditEntry).where(
            AuditEntry.event == "ibet:case:read-denied")).all()  # fmt: skip
        assert [(d.actor, d.subject) for d in denied] == [("admin", case)]
        assert s.scalars(select(AuditEntry).where(AuditEntry.event == "ibet:case:viewed")).all()
        service.close_case(s, pair.ca.ex, case, "Two arrested on landing; boat seized",
                           username="rcmp1")  # fmt: skip
        with pytest.raises(Conflict, match="is closed"):
            service.add_entry(s, pair.ca.ex, case, service.EntryIn(kind="event", text="late"),
                              username="rcmp1")  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:
        held, timeline = service.read_case(s, case, node="us", username="uscg1")
        assert (held.status, held.outcome) == ("closed", "Two arrested on landing; boat seized")
        [task] = [e for e in timeline if e.kind == "task"]
        assert task.task is not None
        assert task.task["status"] == "done"
        assert [c.id for c in service.mine(s, "us", "cbp1")] == [case]
        assert service.mine(s, "us", "someone-else") == []


def test_api_pages_and_cli_with_need_to_know(app: FastAPI, client: TestClient, node: Settings,
                                             cli: Cli, tmp_path: Path) -> None:  # fmt: skip
    officer = api_token(app, "rcmp1", "analyst")
    outsider = api_token(app, "other", "analyst")
    auditor = api_token(app, "aud", "auditor")
    opened = client.post("/api/v1/ibet/cases", json=CASE, headers=officer)
    assert opened.status_code == 409  # no IBET annex with us here
    assert "sign the ibet annex first" in opened.json()["error"]["message"]
    assert client.post("/api/v1/ibet/cases", json=CASE, headers=auditor).status_code == 403
    bad = client.post("/api/v1/ibet/cases", headers=officer,
                      json={**CASE, "members": [{"node": "ca", "username": "rcmp1",
                                                 "agency": "NASA"}]})  # fmt: skip
    assert bad.status_code == 422
    assert "not an IBET agency" in bad.text
    # a case as the partner would have sent it, then read here
    from smartborder.db import unit_of_work
    from smartborder.ibet.models import IbetCase

    with unit_of_work(app.state.sessions) as s:
        now = app.state.node.exchange.clock()
        s.add(IbetCase(id="c0ffee00-0000-4000-8000-000000000001", reference="IBET-1",
                       title="Shared", opened_by_node="us", partner="us", agencies=["RCMP"],
                       members=CASE["members"], subjects=[], status="open", outcome="",
                       created_at=now, updated_at=now))  # fmt: skip
    url = "/api/v1/ibet/cases/c0ffee00-0000-4000-8000-000000000001"
    assert client.get(url, headers=officer).status_code == 200
    refused = client.get(url, headers=outsider)
    assert refused.status_code == 403
    assert "need to know" in refused.json()["error"]["message"]
    assert client.get("/api/v1/ibet/cases", headers=outsider).json() == []
    make_user(app, "cbsa1", "analyst", PASSWORD)
    login(client, "cbsa1", PASSWORD)
    page = client.get("/ibet/cases/IBET-1")
    assert page.status_code == 200
    assert "RCMP: rcmp1 (ca)" in page.text
    empty = client.post("/ibet/cases/IBET-1/entries", data={
        "csrf_token": csrf_of(client), "kind": "event", "text": ""})  # fmt: skip
    assert empty.status_code == 422
    where = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["ibet", "cases", "--as", "rcmp1", *where])
    assert code == 0, err
    assert "IBET-1: Shared (open)" in out
    code, _, err = cli(["ibet", "show", "IBET-1", "--as", "other", *where])
    assert code != 0
    assert "need to know" in err


def test_subjects_in_another_script_are_matched_and_an_unreadable_one_is_said_once(
    pair: Pair,
) -> None:
    """Names as a Ukrainian passport prints them, a subject nobody can screen, a file too big."""
    pair.in_force()
    pair.in_force("ibet")
    with pair.ca.uow() as s:
        create_lookout(s, LookoutIn.model_validate({
            "category": "serious-crime", "names": [{"name": "Viktor Petrenko"}],
            "birth_date": "1979-02-11", "source_reference": "SYNTHETIC"}), actor="user:a",
            today=pair.ca.ex.clock().date())  # fmt: skip
        case = service.open_case(s, pair.ca.ex, service.CaseIn.model_validate({
            **CASE, "subjects": [{"names": ["Віктор Петренко"], "birth_date": "1979-02-11"},
                                 {"names": ["12345"]}]}), username="rcmp1").id  # fmt: skip
    for _ in range(2):  # the second run finds nothing left to screen
        _screen(pair.ca)
    with pair.ca.uow() as s:
        _, timeline = service.read_case(s, case, node="ca", username="rcmp1")
        said = [e.text for e in timeline if e.kind == "screening"]
        assert len(said) == 2
        assert said[0].startswith("screened on ca: Віктор Петренко: serious-crime lookout")
        assert said[1].startswith("screened on ca: 12345: could not be screened")
        from smartborder.errors import PayloadTooLarge

        with pytest.raises(PayloadTooLarge, match="at most 524,288"):
            service.attach(s, pair.ca.ex, case, name="big.bin", content_type="",
                           content=b"x" * (service.MAX_ATTACHMENT + 1), note="",
                           username="rcmp1")  # fmt: skip
