"""Fingerprint searches between two nodes under the fingerprints annex: a hit answered with the
criminal-record summary the annex permits, a no hit after which nothing of the query remains on
the searched node, and transactions that break the profile refused with where.

The prints are SYNTHETIC (``smartborder.synthetic.fingerprints``)."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import LargeBinary, String, Text, select
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.biometrics import nist, searches, service
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.biometrics.models import FingerprintSearch
from smartborder.biometrics.searches import RESULT
from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange import agreements, outbox
from smartborder.exchange.document import from_template
from smartborder.exchange.models import InboxMessage, OutboxMessage
from smartborder.exchange.policy import carrying
from smartborder.models import metadata
from smartborder.settings import Settings
from smartborder.synthetic.fingerprints import finger, png
from tests.conftest import PASSWORD, api_token, csrf_of, login, make_user
from tests.pair import Node, Pair

SIDE = 288


def _people(base: int, n: int) -> list[object]:
    return [finger(base + i, side=SIDE) for i in range(n)]


def _transaction(person: object, seed: int, tot: str = "CAR") -> bytes:
    capture = png(person.impression(seed, quality=0.8))  # type: ignore[attr-defined]
    return nist.write(tot=tot, dai="USFBI0000", ori="CARCMP000", tcn=f"T-{seed}",
                      fingers=[nist.Finger(2, capture)],
                      subject={"name": "DOE,JOHN", "sex": "M"})  # fmt: skip


def _enrol(node: Node, galleries: service.Biometrics, people: list[object]) -> None:
    matcher = NbisFingerprint()
    with node.uow() as s:
        for n, person in enumerate(people):
            made = matcher.extract(png(person.impression(0)), f"print {n}")  # type: ignore[attr-defined]
            service.enrol_template(s, galleries, f"us-{n}", made, actor="test")
        searches.add_record(
            s, subject="us-1", reference="FBI-1234567", owner="FBI CJIS", name="DOE, JOHN",
            birth_date=dt.date(1980, 1, 1),
            charges=[{"offence": "Fraud", "date": "2019-05-02"}],
            dispositions=[{"outcome": "Convicted; 2 years' probation", "date": "2020-01-15"}],
            actor="test", now=node.ex.clock(),
        )  # fmt: skip


def _send(pair: Pair, transaction: bytes) -> str:
    with pair.ca.uow() as s:
        return searches.send(s, pair.ca.ex, partner="us", transaction=transaction,
                             source="search.eft", reason="Arrest at Blaine port of entry",
                             actor="user:officer").id  # fmt: skip


def _answer(pair: Pair, galleries: service.Biometrics) -> list[str]:
    with pair.us.uow() as s:
        return [r.result or "" for r in searches.answer_queued(s, pair.us.ex, galleries)]


def test_a_hit_comes_back_with_the_record_and_a_no_hit_leaves_nothing_behind(
    pair: Pair, tmp_path: Path
) -> None:
    pair.in_force("smu")
    pair.in_force("fingerprints")
    galleries = service.Biometrics()
    people = _people(4000, 3)
    _enrol(pair.us, galleries, people)

    hit_id = _send(pair, _transaction(people[1], 7))
    pair.pump()
    with pair.us.uow() as s:
        (queued,) = searches.listing(s, "in")
        assert (queued.state, queued.search, queued.prints) == ("queued", "tenprint", 1)
        (kept,) = s.scalars(select(InboxMessage).where(InboxMessage.kind == "fingerprint-search"))
        assert kept.body_removed_at is not None  # held without its payload
        assert ".." in kept.token
    assert _answer(pair, galleries) == ["hit"]
    pair.pump()
    with pair.ca.uow() as s:
        hit = searches.get(s, hit_id)
        assert (hit.state, hit.result) == ("answered", "hit")
        record = hit.answer["record"]
        assert (record["reference"], record["owner"]) == ("FBI-1234567", "FBI CJIS")
        assert record["charges"] == [{"offence": "Fraud", "date": "2019-05-02"}]
        assert hit.answer["score"] >= hit.answer["threshold"]

    stranger = finger(9999, side=SIDE)
    query = _transaction(stranger, 3)
    wsq_image = nist.read(query, "q", nist.profile("ebts-like")).fingers[0].data
    miss_id = _send(pair, query)
    pair.pump()
    with pair.us.uow() as s:  # until answered, the query is held (and the scan finds it)
        assert _holds(s, [wsq_image]) == ["biometric_fingerprint_searches.query"]
    assert _answer(pair, galleries) == ["no hit"]
    pair.pump()
    with pair.ca.uow() as s:
        miss = searches.get(s, miss_id)
        assert (miss.result, miss.answer.get("record")) == ("no hit", None)
    with pair.us.uow() as s:
        (answered,) = [r for r in searches.listing(s, "in") if r.result == "no hit"]
        assert (answered.query, answered.reason) == (None, "")
        assert not _holds(s, [query, wsq_image, base64.b64encode(query)[:64]])
        events = set(s.scalars(select(AuditEntry.event)))
    assert {"biometrics:search:received", "biometrics:search:answered"} <= events
    with pair.ca.uow() as s:
        ca_events = set(s.scalars(select(AuditEntry.event)))
    assert {"biometrics:search:sent", "biometrics:search:result-received"} <= ca_events
    database = pair.us.settings.database_url
    if database.startswith("sqlite"):  # the bytes left the files, not only the tables
        path = Path(database.removeprefix("sqlite:///"))
        for file in [path, *path.parent.glob(path.name + "-*")]:
            assert wsq_image[100:164] not in file.read_bytes(), file


def _holds(session: Session, needles: list[bytes]) -> list[str]:
    """Every table column holding one of ``needles`` (bytes or their text)."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, LargeBinary | Text | String):
                continue
            for value in session.execute(select(column)).scalars():
                raw = value if isinstance(value, bytes) else str(value or "").encode()
                if any(n in raw for n in needles):
                    found.append(f"{table.name}.{column.name}")
    return found


def test_transactions_that_break_the_profile_are_refused_with_where(pair: Pair) -> None:
    pair.in_force("smu")
    with pytest.raises(Conflict, match="sign the fingerprints annex"):
        _send(pair, _transaction(finger(1, side=SIDE), 1))
    pair.in_force("fingerprints")
    good = _transaction(finger(1, side=SIDE), 1)
    with pytest.raises(ValidationFailed, match=r"record 3 \(Type-14\), field 14.013 FGP"):
        _send(pair, good.replace(b"14.013:2", b"14.013:X"))
    with pytest.raises(ValidationFailed, match="not a search"):
        _send(pair, _transaction(finger(1, side=SIDE), 1, tot="FANC"))
    # a partner that skips the check: the searched node refuses, and stores nothing
    bad = good.replace(b"14.011:WSQ20", b"14.011:GIF89")
    with pair.ca.uow() as s:
        (agreement, _), *_ = carrying(s, pair.ca.ex.clock().date(), "fingerprint-search", "us")
        outbox.send(s, pair.ca.ex, partner="us", kind="fingerprint-search", agreement=agreement,
                    purpose="criminal-record-check", actor="test",
                    body={"reference": "6f1c1a52-8d1e-4a52-9d55-0c0a4a3c7e11",
                          "profile": "ebts-like", "reason": "x",
                          "transaction": base64.b64encode(bad).decode()})  # fmt: skip
    pair.pump()
    assert pair.us.count(FingerprintSearch) == 0
    with pair.ca.uow() as s:
        (refused,) = s.scalars(select(OutboxMessage).where(OutboxMessage.state == "refused"))
        assert refused.refusal_code == "invalid_body"
        assert "field 14.011 CGA" in (refused.last_error or "")


def test_api_checks_transactions_holds_records_and_needs_the_annex(
    app: FastAPI, client: TestClient
) -> None:
    officer = api_token(app, "off", "program-officer")
    query = _transaction(finger(5, side=SIDE), 2)
    checked = client.post("/api/v1/biometrics/transactions",
                          files={"transaction": ("q.eft", query)}, headers=officer)  # fmt: skip
    assert checked.status_code == 200, checked.text
    assert [s["label"] for s in checked.json()["samples"]] == ["right index"]
    broken = client.post("/api/v1/biometrics/transactions",
                         files={"transaction": ("b.eft", query.replace(b"2.024:M", b"2.024:Q"))},
                         headers=officer)  # fmt: skip
    assert broken.status_code == 422
    (detail,) = broken.json()["error"]["details"]
    assert (detail["source"], detail["record"], detail["field"], detail["name"]) == (
        "b.eft", 2, "2.024", "SEX")  # fmt: skip
    settings: Settings = app.state.settings
    assert list((settings.data_dir / "quarantine").glob("*-b.eft"))
    no_annex = client.post(
        "/api/v1/biometrics/partner-searches", headers=officer,
        files={"transaction": ("q.eft", query)}, data={"partner": "us", "reason": "arrest"},
    )  # fmt: skip
    assert no_annex.status_code in (404, 409)  # no such partner / no annex: nothing sent
    image = client.post(
        "/api/v1/biometrics/partner-searches", headers=officer,
        files={"transaction": ("print.png", png(finger(5, side=SIDE).impression(1)))},
        data={"partner": "us", "reason": "arrest", "finger": "7"},
    )  # fmt: skip
    assert image.status_code in (404, 409)  # an image is wrapped in a CAR, then as above
    junk = client.post(
        "/api/v1/biometrics/partner-searches", headers=officer,
        files={"transaction": ("junk.png", b"hello")}, data={"partner": "us", "reason": "x"},
    )  # fmt: skip
    assert junk.status_code == 422
    assert "junk.png: not an image this node can read" in junk.json()["error"]["message"]
    record = {"subject": "P-1", "reference": "R-1", "owner": "RCMP", "name": "ROE, R",
              "charges": [{"offence": "Theft", "date": "2020-02-30"}]}  # fmt: skip
    assert client.post("/api/v1/biometrics/criminal-records", json=record,
                       headers=officer).status_code == 422  # fmt: skip
    record["charges"] = [{"offence": "Theft", "date": "2020-02-03"}]
    held = client.post("/api/v1/biometrics/criminal-records", json=record, headers=officer)
    assert (held.status_code, held.json()["reference"]) == (201, "R-1")


def test_the_page_enrols_and_refuses_a_broken_transaction_with_where(
    app: FastAPI, client: TestClient
) -> None:
    make_user(app, "prog", "program-officer")
    login(client, "prog", PASSWORD)
    token = csrf_of(client)
    person = finger(6, side=SIDE)
    page = client.get("/fingerprints")
    assert "Enrol a print" in page.text
    assert "Search a partner's criminal records" in page.text
    enrolled = client.post("/fingerprints/enrol", data={"csrf_token": token, "subject": "W-1"},
                           files={"sample": ("w.png", png(person.impression(0)))})  # fmt: skip
    assert enrolled.status_code == 200, enrolled.text
    assert "W-1 now has 1 print(s) enrolled" in enrolled.text
    found = client.post("/fingerprints/search", data={"csrf_token": token},
                        files={"sample": ("s.png", png(person.impression(4)))})  # fmt: skip
    assert "1 matching of 1 prints searched" in found.text
    twice = client.post("/fingerprints/enrol", data={"csrf_token": token, "subject": "W-2"},
                        files={"sample": ("w.png", png(person.impression(2)))})  # fmt: skip
    assert twice.status_code == 409
    assert "matches W-1&#39;s" in twice.text
    bad = _transaction(person, 1).replace(b"14.013:2", b"14.013:X")
    refused = client.post(
        "/fingerprints/partner-search",
        data={"csrf_token": token, "partner": "us", "reason": "arrest"},
        files={"transaction": ("bad.eft", bad)},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "record 3 (Type-14), field 14.013 FGP: &#39;X&#39; is not a whole number" in refused.text


def test_where_the_annex_says_a_person_answers_a_supervisor_decides(pair: Pair) -> None:
    annex = from_template("fingerprints", ("ca", "us"))
    rules = [r.model_copy(update={"disclosure": "on-request"}) if r.kind == RESULT else r
             for r in annex.messages]  # fmt: skip
    pair.in_force("smu")
    pair.in_force(annex.model_copy(update={"messages": rules}))
    galleries = service.Biometrics()
    people = _people(4100, 2)
    _enrol(pair.us, galleries, people)
    hit_id = _send(pair, _transaction(people[1], 5))
    miss_id = _send(pair, _transaction(finger(9998, side=SIDE), 5))
    pair.pump()
    assert _answer(pair, galleries) == ["", ""]  # nothing answered yet: held for a person
    pair.pump()
    with pair.us.uow() as s:
        held = {r.answer["proposed"]: r for r in searches.listing(s, "in")}
        assert {r.state for r in held.values()} == {"review"}
        assert held["hit"].answer["subject"] == "us-1"
        assert len(searches.query_prints(held["hit"])) == 1  # the examiner sees the print
        with pytest.raises(Conflict, match="no hit to confirm"):
            searches.decide(s, pair.us.ex, held["no hit"].id, result="hit", actor="sup")
    with pair.us.uow() as s:
        searches.decide(s, pair.us.ex, held["hit"].id, result="hit", actor="sup")
        searches.decide(s, pair.us.ex, held["no hit"].id, result="no hit", actor="sup")
    pair.pump()
    with pair.ca.uow() as s:
        assert searches.get(s, hit_id).result == "hit"
        assert searches.get(s, miss_id).result == "no hit"
    with pair.us.uow() as s:
        assert all(r.query is None for r in searches.listing(s, "in"))
        with pytest.raises(Conflict, match="not waiting for a decision"):
            searches.decide(s, pair.us.ex, held["hit"].id, result="hit", actor="sup")


def test_a_held_search_shows_its_prints_to_a_supervisor_only(
    app: FastAPI, client: TestClient
) -> None:
    now = db.utcnow()
    with db.unit_of_work(app.state.sessions) as s:
        s.add(FingerprintSearch(
            id="held-1", reference="6f1c1a52-8d1e-4a52-9d55-0c0a4a3c7e12", direction="in",
            partner="us", agreement="annex-fingerprints", purpose="criminal-record-check",
            search="tenprint", tot="CAR", prints=1, state="review", result=None,
            answer={"proposed": "hit", "subject": "P-1", "score": 99.0, "searched": 3,
                    "reasons": []},
            query=_transaction(finger(8, side=SIDE), 1), reason="arrest", created_at=now,
            created_by="partner:us", answered_at=None, envelopes=[],
        ))  # fmt: skip
    supervisor = api_token(app, "sup", "supervisor")
    officer = api_token(app, "off2", "program-officer")
    image = client.get("/api/v1/biometrics/partner-searches/held-1/prints/1", headers=supervisor)
    assert (image.status_code, image.headers["content-type"]) == (200, "image/png")
    assert client.get("/api/v1/biometrics/partner-searches/held-1/prints/2",
                      headers=supervisor).status_code == 404  # fmt: skip
    assert client.get("/api/v1/biometrics/partner-searches/held-1/prints/1",
                      headers=officer).status_code == 403  # fmt: skip
    refused = client.post("/api/v1/biometrics/partner-searches/held-1/decision",
                          json={"result": "hit"}, headers=supervisor)  # fmt: skip
    assert refused.status_code == 409  # no annex in force here: nothing sent, nothing lost
    with db.unit_of_work(app.state.sessions) as s:
        kept = s.get(FingerprintSearch, "held-1")
        assert kept is not None
        assert (kept.state, kept.query is not None) == ("review", True)
    make_user(app, "sup-page", "supervisor")
    login(client, "sup-page", PASSWORD)
    page = client.get("/fingerprints").text
    assert "Confirm hit" in page
    assert 'alt="query print 1"' in page


def test_a_search_whose_annex_ended_is_dropped_and_leaves_nothing(pair: Pair) -> None:
    pair.in_force("smu")
    annex = pair.in_force("fingerprints")
    galleries = service.Biometrics()
    _enrol(pair.us, galleries, _people(4200, 2))
    _send(pair, _transaction(finger(9997, side=SIDE), 2))
    pair.pump()
    with pair.us.uow() as s:
        agreements.terminate(s, pair.us.ex, annex, reason="ended", actor="user:sup")
    assert _answer(pair, galleries) == [""]
    with pair.us.uow() as s:
        (dropped,) = searches.listing(s, "in")
        assert (dropped.state, dropped.query, dropped.reason) == ("dropped", None, "")
        assert "sign the fingerprints annex" in dropped.answer["error"]
