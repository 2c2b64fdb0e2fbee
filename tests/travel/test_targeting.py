"""Joint targeting on one node: every traveller filed is screened and scored, hits land in the
queue with explanations, dispositions keep their history, re-scoring follows lookouts and the
model, and board / no board answers at once (JSON and CUSRES). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from smartborder import db
from smartborder.screening import service as lookouts
from smartborder.screening.schemas import LookoutIn
from smartborder.settings import Settings
from smartborder.travel.intake import models as m
from smartborder.travel.retention import models as hm
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting.service import Targeting
from tests.conftest import Cli, api_token, make_user
from tests.pair import Clock
from tests.travel.test_retention import PAXLST, PNRGOV

API = "/api/v1/travel"
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)  # the day before AC870 leaves
YAML = {"Content-Type": "application/yaml"}
MODEL = """\
name: test-model
version: 1
thresholds: {review: 40, share: 60}
decisions:
  no_board: {field: screening.actions, op: contains, value: deny-boarding}
  contact: {field: screening.hit, op: is_true}
indicators:
  - id: lookout-hit
    title: Matches a lookout
    rationale: The traveller matches a lookout above its category threshold.
    owner: ca
    scope: joint
    weight: 70
    category: lookout
    when: {field: screening.hit, op: is_true}
  - id: cash
    title: Paid cash
    rationale: Cash leaves no trace of who paid for the ticket.
    owner: ca
    scope: joint
    weight: 20
    category: narcotics
    when: {field: pnr.payment_forms, op: contains, value: CASH}
  - id: cash-national
    title: Paid cash (national weighting)
    rationale: The national service weighs cash payments more heavily on this route.
    owner: ca
    scope: national
    weight: 90
    category: narcotics
    when: {field: pnr.payment_forms, op: contains, value: CASH}
"""


def mary_lookout(**changes: Any) -> LookoutIn:
    data: dict[str, Any] = {
        "category": "terrorism",
        "action": "deny-boarding",
        "names": [{"name": "Mary Anne O'Brien"}],
        "birth_date": "1985-04-15",
        "sex": "F",
        "nationalities": ["CAN"],
        "remarks": "Planted for the test.",
        "source_reference": "TEST-1",
    }
    data.update(changes)
    return LookoutIn.model_validate(data)


def add_lookout(app: FastAPI, data: LookoutIn) -> str:
    with db.unit_of_work(app.state.sessions) as s:
        made = lookouts.create_lookout(s, data, actor="user:test", today=NOW.date())
        s.flush()
        return made.id


@pytest.fixture
def node_app(app: FastAPI) -> FastAPI:
    app.state.exchange.clock = Clock(NOW - db.utcnow())
    return app


def load_and_activate(client: TestClient, editor: dict[str, str], chief: dict[str, str]) -> Any:
    loaded = client.post(f"{API}/risk/models", content=MODEL, headers={**editor, **YAML})
    assert loaded.status_code == 201, loaded.text
    active = client.post(f"{API}/risk/models/{loaded.json()['id']}/activate", headers=chief)
    assert active.status_code == 200, active.text
    return active.json()


def post(client: TestClient, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"{API}/messages", content=data, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_every_traveller_filed_is_screened_scored_and_queued_with_reasons(
    node_app: FastAPI, client: TestClient
) -> None:
    app = node_app
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    load_and_activate(client, analyst, chief)
    lookout_id = add_lookout(app, mary_lookout())
    assessed = post(client, PAXLST, analyst)["assessed"]
    assert (assessed["travellers"], assessed["hits"]) == (3, 1)
    assert assessed["decisions"] == {"no board": 1, "board": 2}
    post(client, PNRGOV, analyst)

    items = client.get(f"{API}/queue", headers=analyst).json()["items"]
    by_name = {i["traveller"]["name"]: i for i in items}
    assert set(by_name) == {"O'BRIEN, MARY ANNE", "NGUYEN, VAN DUNG"}
    mary = by_name["O'BRIEN, MARY ANNE"]
    assert (mary["severity"], mary["decision"], mary["category"]) == (
        "high",
        "no board",
        "terrorism",
    )
    assert (mary["team"], mary["score"], mary["status"]) == ("national-security", 70, "new")
    cash = by_name["NGUYEN, VAN DUNG"]
    assert (cash["severity"], cash["score"], cash["joint_score"]) == ("medium", 110, 20)
    assert cash["team"] == "targeting"  # "narcotics" is routed nowhere in particular

    page = client.get(f"{API}/assessments/{mary['id']}", headers=analyst).json()
    [hit] = page["hits"]
    assert (hit["lookout_id"], hit["action"], hit["state"]) == (
        lookout_id,
        "deny-boarding",
        "active",
    )
    assert {e["feature"] for e in hit["evidence"]} >= {"name"}
    [indicator] = page["indicators"]
    assert indicator["id"] == "lookout-hit"
    assert indicator["matched"][0]["field"] == "screening.hit"
    assert page["flight"]["flight"] == "AC870"
    assert page["booking"]["locator"] == "QWE123"
    assert page["reasons"] == [m["text"] for m in [{"text": page["reasons"][0]}]]
    assert "deny-boarding" in page["reasons"][0]

    # an open hit holds the traveller's data past retention
    with db.unit_of_work(app.state.sessions) as s:
        [hold] = s.scalars(select(hm.Hold).where(hm.Hold.source == f"hit:{mary['id']}")).all()
        assert hold.released_at is None

    # the queue's filters
    assert client.get(f"{API}/queue?severity=medium", headers=analyst).json()["total"] == 1
    assert client.get(f"{API}/queue?flight=AC870", headers=analyst).json()["total"] == 2
    assert client.get(f"{API}/queue?flight=BA1", headers=analyst).json()["total"] == 0
    assert client.get(f"{API}/queue?within_hours=48", headers=analyst).json()["total"] == 2
    assert client.get(f"{API}/queue?within_hours=1", headers=analyst).json()["total"] == 0
    assert client.get(f"{API}/queue?team=national-security", headers=analyst).json()["total"] == 1
    bad = client.get(f"{API}/queue?severity=urgent", headers=analyst)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["location"] == "severity"


def test_dispositions_keep_their_history_and_close_the_hit(
    node_app: FastAPI, client: TestClient
) -> None:
    app = node_app
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    auditor = api_token(app, "aud", "auditor")
    load_and_activate(client, analyst, chief)
    add_lookout(app, mary_lookout())
    post(client, PAXLST, analyst)
    [mary] = client.get(f"{API}/queue?severity=high", headers=analyst).json()["items"]
    url = f"{API}/assessments/{mary['id']}/dispositions"

    assert client.post(url, json={"status": "in review"}, headers=auditor).status_code == 403
    no_note = client.post(url, json={"status": "cleared"}, headers=analyst)
    assert no_note.status_code == 422
    assert no_note.json()["error"]["details"][0]["location"] == "note"
    unknown = client.post(url, json={"status": "arrested", "note": "x"}, headers=analyst)
    assert unknown.status_code == 422
    assert client.post(url, json={"status": "in review"}, headers=analyst).status_code == 201
    done = client.post(
        url, json={"status": "cleared", "note": "Not the same person: birthplace differs."},
        headers=analyst,
    )  # fmt: skip
    assert done.status_code == 201, done.text
    history = done.json()["history"]
    assert [(h["status"], h["actor"]) for h in history] == [
        ("in review", "user:ana"),
        ("cleared", "user:ana"),
    ]
    assert history[1]["note"].startswith("Not the same person")
    assert client.get(f"{API}/queue?severity=high", headers=analyst).json()["total"] == 0
    closed = client.get(f"{API}/queue?severity=high&open=false", headers=analyst).json()
    assert closed["items"][0]["status"] == "cleared"
    with db.unit_of_work(app.state.sessions) as s:
        hold = s.scalars(select(hm.Hold).where(hm.Hold.source == f"hit:{mary['id']}")).one()
        assert hold.released_by == "user:ana"


def test_rescoring_follows_new_lookouts_and_a_new_model(
    node_app: FastAPI, client: TestClient
) -> None:
    app = node_app
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    post(client, PAXLST, analyst)
    post(client, PNRGOV, analyst)
    assert client.get(f"{API}/queue", headers=analyst).json()["total"] == 0  # no model, no hit

    add_lookout(app, mary_lookout(action="refer-secondary"))
    assert client.post(f"{API}/risk/rescore", headers=analyst).status_code == 403
    again = client.post(f"{API}/risk/rescore", headers=chief).json()
    assert (again["flights"], again["hits"], again["stored"]) == (1, 1, 1)
    [mary] = client.get(f"{API}/queue", headers=analyst).json()["items"]
    assert (mary["decision"], mary["model"]) == ("contact the authority", None)

    activated = load_and_activate(client, analyst, chief)
    assert activated["rescored"]["travellers"] == 4
    names = {
        i["traveller"]["name"]: i
        for i in client.get(f"{API}/queue", headers=analyst).json()["items"]
    }
    assert set(names) == {"O'BRIEN, MARY ANNE", "NGUYEN, VAN DUNG"}
    assert names["O'BRIEN, MARY ANNE"]["model"] == "test-model v1"
    assert names["O'BRIEN, MARY ANNE"]["version"] == 2  # re-assessed, same row

    # a lookout retracted: the untouched hit goes away on the next re-scoring
    with db.unit_of_work(app.state.sessions) as s:
        [lookout] = s.scalars(select(lookouts.Lookout)).all()
        lookouts.retract_lookout(s, lookout.id, reason="resolved", actor="user:test")
    client.post(f"{API}/risk/rescore", headers=chief)
    left = [
        i["traveller"]["name"] for i in client.get(f"{API}/queue", headers=analyst).json()["items"]
    ]
    assert left == ["NGUYEN, VAN DUNG"]


def check_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "TX-1",
        "traveller": {
            "surname": "O'Brien",
            "given_names": "Mary Anne",
            "birth_date": "1985-04-15",
            "sex": "F",
            "nationality": "CAN",
            "documents": [{"type": "P", "number": "HK123456", "country": "CAN"}],
        },
        "flight": {
            "carrier": "AC",
            "number": "870",
            "origin": "YUL",
            "destination": "CDG",
            "date": "2026-11-22",
            "departure": "2026-11-22T18:30",
        },
    }
    for path, value in changes.items():
        node = body
        *parents, leaf = path.split("__")
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(leaf)
        else:
            node[leaf] = value
    return body


def test_board_no_board_answers_with_reasons_and_refuses_bad_requests(
    node_app: FastAPI, client: TestClient
) -> None:
    app = node_app
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    clean = client.post(f"{API}/check", json=check_body(), headers=analyst).json()
    assert (clean["decision"], clean["model"], clean["hits"]) == ("board", None, [])
    add_lookout(app, mary_lookout())
    denied = client.post(f"{API}/check", json=check_body(), headers=analyst).json()
    assert denied["decision"] == "no board"  # no model: the lookout's action decides
    assert "deny boarding" in denied["reasons"][0]
    load_and_activate(client, analyst, chief)
    scored = client.post(f"{API}/check", json=check_body(), headers=analyst).json()
    assert (scored["decision"], scored["score"], scored["model"]) == (
        "no board",
        70,
        "test-model v1",
    )
    assert scored["indicators"][0]["id"] == "lookout-hit"
    other = client.post(
        f"{API}/check", json=check_body(traveller__surname="Lefebvre"), headers=analyst
    ).json()
    assert other["decision"] == "board"

    for changes, location in (
        ({"traveller__birth_date": None}, "body.traveller.birth_date"),
        ({"traveller__birth_date": "1985-02-30"}, "body.traveller.birth_date"),
        ({"flight__date": "2026-13-01"}, "body.flight.date"),
        ({"flight__destination": "YUL"}, "body.flight"),
        ({"flight__departure": "2026-11-23T01:00"}, "body.flight"),
        ({"traveller__nationality": "QQQ"}, "body.traveller.nationality"),
    ):
        bad = client.post(f"{API}/check", json=check_body(**changes), headers=analyst)
        assert bad.status_code == 422, (changes, bad.text)
        assert bad.json()["error"]["details"][0]["location"] == location
    broken = client.post(
        f"{API}/check", content=b"{", headers={**analyst, "Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    auditor = api_token(app, "aud", "auditor")
    assert client.post(f"{API}/check", json=check_body(), headers=auditor).status_code == 403


def test_an_interactive_paxlst_is_answered_with_a_cusres(
    node_app: FastAPI, client: TestClient, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    app = node_app
    analyst = api_token(app, "ana", "analyst")
    add_lookout(app, mary_lookout())
    edifact = {**analyst, "Content-Type": "application/edifact"}
    answer = client.post(f"{API}/check", content=PAXLST, headers=edifact)
    assert answer.status_code == 200, answer.text
    text = answer.text
    assert "UNH+1+CUSRES:D:05B:UN:IATA'" in text
    assert "BGM+962'" in text
    assert "RFF+AF:AC870'" in text
    assert "LOC+125+YUL'" in text
    assert text.count("ERP+2'") == 3
    assert text.count("ERC+0Z'") == 2
    assert "RFF+AVF:QWE123'\nERC+1Z'\nFTX+AAP+++DO NOT BOARD'" in text  # O'BRIEN first
    segments = text.count("'\n") - 2  # between UNH and UNT, both counted
    assert f"UNT+{segments}+1'" in text

    bad = client.post(f"{API}/check", content=b"UNA:+.? 'UNB+UNOA:4+X+Y'", headers=edifact)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]

    source = tmp_path / "iapi.edi"
    source.write_bytes(PAXLST)
    target = tmp_path / "cusres.edi"
    code, out, _ = cli(["travel", "check", str(source), "--as", "ana", "--out", str(target),
                        "--data-dir", str(node.data_dir)])  # fmt: skip
    assert code == 3  # someone is not cleared to board
    assert "ERC+1Z'" in target.read_text()
    code, out, _ = cli(["travel", "check", str(source), "--as", "ana", "--json",
                        "--data-dir", str(node.data_dir)])  # fmt: skip
    decisions = {d["surname"]: d["decision"] for d in json.loads(out)}
    assert decisions == {"O'BRIEN": "no board", "TREMBLAY": "board", "DUPUIS": "board"}


def test_a_check_does_its_database_work_off_the_event_loop(
    node_app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kiosk's check must not hold up the server's other requests while it reads the
    database: check() and cusres.answer() run in a worker thread, not on the event loop."""
    from smartborder.travel.targeting import router as router_targeting

    seen: list[str] = []

    def on_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def watched(real: Any, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append(f"{name} on the loop" if on_loop() else f"{name} in a worker")
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(router_targeting, "check", watched(router_targeting.check, "check"))
    monkeypatch.setattr(
        router_targeting.cusres, "answer", watched(router_targeting.cusres.answer, "answer")
    )
    analyst = api_token(node_app, "ana", "analyst")
    answer = client.post(f"{API}/check", json=check_body(), headers=analyst)
    assert answer.json()["decision"] == "board"
    edifact = {**analyst, "Content-Type": "application/edifact"}
    assert client.post(f"{API}/check", content=PAXLST, headers=edifact).status_code == 200
    assert seen == ["check in a worker", "answer in a worker"]


def test_intake_scoring_and_dispositions_read_travel_tables_by_their_indexes(
    node_app: FastAPI, client: TestClient
) -> None:
    """Every statement of filing, scoring, re-scoring, checking and disposing is planned by
    SQLite (which keeps no statistics) with an index that fits: none reads a whole travel
    table, and none finds a flight's assessments through the origin index (every local
    assessment of every flight). Either would slow every message as the tables grow."""
    app = node_app
    engine = app.state.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner, which has no statistics to go by")
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    load_and_activate(client, analyst, chief)
    add_lookout(app, mary_lookout())
    run: dict[str, Any] = {}

    def seen(_c: Any, _cursor: Any, statement: str, parameters: Any, _x: Any, many: bool) -> None:
        if "travel_" in statement and statement.lstrip().startswith(("SELECT", "UPDATE", "DELETE")):
            run.setdefault(statement, parameters[0] if many else parameters)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        post(client, PAXLST, analyst)
        post(client, PNRGOV, analyst)
        post(client, PAXLST.replace(b"QWE123", b"QWE124"), analyst)  # Mary's booking changes
        [mary] = client.get(f"{API}/queue?severity=high", headers=analyst).json()["items"]
        note = {"status": "cleared", "note": "Not her."}
        url = f"{API}/assessments/{mary['id']}/dispositions"
        assert client.post(url, json=note, headers=analyst).status_code == 201
        assert client.post(f"{API}/check", json=check_body(), headers=analyst).status_code == 200
        cash = {"field": "pnr.payment_forms", "op": "contains", "value": "cash"}
        trial = client.post(  # the condition builder's preview of a day's travellers
            f"{API}/risk/try-condition", json={"date": "2026-11-22", "condition": cash},
            headers=analyst,
        )  # fmt: skip
        assert trial.json()["travellers"] == 4  # the PNR names one the PAXLST does not
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert any("travel_holds" in statement for statement in run)
    raw = engine.raw_connection()
    try:
        plans = {
            statement: [row[3] for row in raw.cursor().execute(f"EXPLAIN QUERY PLAN {statement}",
                                                               parameters)]
            for statement, parameters in run.items()
        }  # fmt: skip
    finally:
        raw.close()
    wrong = {
        " ".join(statement.split())[:160]: plan
        for statement, plan in plans.items()
        if any(step.startswith("SCAN travel_") for step in plan)
        or ("flight_id" in statement and any("assessments_origin" in step for step in plan))
    }
    assert wrong == {}


def test_cli_queue_show_dispose_rescore(
    node_app: FastAPI, client: TestClient, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    app = node_app
    make_user(app, "sup", "supervisor")
    add_lookout(app, mary_lookout())
    source = tmp_path / "paxlst.edi"
    # rescoring covers flights not yet arrived: the specimen's flight moved a week ahead
    ahead = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
    source.write_bytes(
        PAXLST.replace(b"2611221830", ahead.strftime("%y%m%d1830").encode()).replace(
            b"2611230730", (ahead + dt.timedelta(days=1)).strftime("%y%m%d0730").encode()
        )
    )
    home = ["--data-dir", str(node.data_dir)]
    assert cli(["travel", "ingest", str(source), "--as", "sup", *home])[0] == 0
    code, out, _ = cli(["travel", "queue", "--as", "sup", "--json", *home])
    assert code == 0, out
    [item] = json.loads(out)["items"]
    assert item["traveller"]["name"] == "O'BRIEN, MARY ANNE"
    code, out, _ = cli(["travel", "show", item["id"][:8], "--as", "sup", *home])
    assert json.loads(out)["hits"][0]["action"] == "deny-boarding"
    code, out, err = cli(
        ["travel", "dispose", item["id"], "--as", "sup", "--status", "denied boarding", *home]
    )
    assert code == 1
    assert "note" in err
    code, out, _ = cli(["travel", "dispose", item["id"], "--as", "sup", "--status", "denied boarding",
                        "--note", "Confirmed by the liaison officer.", *home])  # fmt: skip
    assert code == 0, out
    code, out, _ = cli(["travel", "rescore", "--as", "sup", *home])
    assert code == 0
    assert json.loads(out)["hits"] == 1


# the PNR push again, without Mary's SSR DOCS
PNR_WITHOUT_DOCS = PNRGOV.replace(
    b"SSR+DOCS:HK:1:AC:::::/P/CAN/HK123456/CAN/15APR85/F/01JAN30/O?'BRIEN/MARY ANNE'\n", b""
).replace(b"UNT+36+1'", b"UNT+35+1'")


def mary_aboard(s: Any, recall: Any = None) -> tuple[m.Flight, Any]:
    from smartborder.travel.riskmodels.records import flight_records

    flight = s.execute(select(m.Flight)).scalar_one()
    aboard = flight_records(s, flight, None, recall)
    return flight, next(a for a in aboard if a.person.surname == "O'BRIEN")


def test_a_later_push_without_docs_keeps_what_the_paxlst_said(
    node_app: FastAPI, client: TestClient
) -> None:
    """The latest mention decides, but a PNR push without SSR DOCS after the PAXLST does not
    erase the date of birth, nationality and document the PAXLST gave (scoring and screening
    would otherwise see a thinner person with every push)."""
    analyst = api_token(node_app, "ana", "analyst")
    post(client, PAXLST, analyst)
    post(client, PNR_WITHOUT_DOCS, analyst)
    with db.unit_of_work(node_app.state.sessions) as s:
        _, mary = mary_aboard(s)
    assert mary.mentions == 2
    assert mary.locator is not None  # the booking, from the push
    assert mary.record["traveller.age"] == 41  # born 1985-04-15, leaves 2026-11-22
    assert mary.record["traveller.nationality"] == "CAN"
    assert [d["number"] for d in mary.documents] == ["HK123456"]
    assert mary.record["document.days_to_expiry"] is not None


def test_what_scoring_recalls_between_messages_follows_new_pushes_and_masking(
    node_app: FastAPI, client: TestClient
) -> None:
    """Decoded mentions and booking fields are kept between messages (``Recall``); a further
    push of the booking is read anew, and a masked mention is never served from memory."""
    from sqlalchemy import update

    from smartborder.travel.riskmodels.records import flight_records

    recall = node_app.state.node.get(Targeting).recall
    analyst = api_token(node_app, "ana", "analyst")
    post(client, PNRGOV, analyst)
    with db.unit_of_work(node_app.state.sessions) as s:
        flight, mary = mary_aboard(s, recall)
        assert mary.record["booking.pushes"] == 1
        assert recall.mentions
        assert recall.bookings
    again = PNR_WITHOUT_DOCS
    post(client, again, analyst)
    with db.unit_of_work(node_app.state.sessions) as s:
        flight, mary = mary_aboard(s, recall)
        assert mary.record["booking.pushes"] == 2
        assert mary.mentions == 2
        assert mary.record["traveller.nationality"] == "CAN"  # from the first push's DOCS
        s.execute(update(m.Passenger).values(masked=True))
        assert flight_records(s, flight, None, recall) == []


def test_scoring_takes_the_rows_just_written_as_they_read_back(
    node_app: FastAPI, client: TestClient
) -> None:
    """Scoring a message learns its mentions and bookings from the rows ``file_message``
    wrote, without reading them back: nothing is read whole while a first push, a further
    push (a rewritten booking) and a PAXLST are filed and scored, and the records are those
    a cold read of the database gives."""
    from sqlalchemy import event

    from smartborder.travel.riskmodels.records import Recall, flight_records

    recall = node_app.state.node.get(Targeting).recall
    analyst = api_token(node_app, "ana", "analyst")
    engine = node_app.state.engine
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    for data in (PNRGOV, PNR_WITHOUT_DOCS, PAXLST):
        statements.clear()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert post(client, data, analyst)["assessed"]["travellers"]
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        selects = [q for q in statements if q.lstrip().startswith("SELECT")]
        assert not [q for q in selects if "details" in q or "documents," in q]
        with db.unit_of_work(node_app.state.sessions) as s:
            flight = s.execute(select(m.Flight)).scalar_one()
            warm = flight_records(s, flight, None, recall)
            cold = flight_records(s, flight, None, Recall())
        assert [a.record for a in warm] == [a.record for a in cold]
        assert [a.documents for a in warm] == [a.documents for a in cold]


def test_an_unchanged_re_assessment_is_known_by_its_digest_and_a_changed_row_is_rewritten(
    node_app: FastAPI, client: TestClient
) -> None:
    from sqlalchemy import update

    analyst = api_token(node_app, "ana", "analyst")
    chief = api_token(node_app, "sup", "supervisor")
    post(client, PAXLST, analyst)
    add_lookout(node_app, mary_lookout(action="refer-secondary"))
    assert client.post(f"{API}/risk/rescore", headers=chief).json()["stored"] == 1

    def mary() -> tm.Assessment:
        with db.unit_of_work(node_app.state.sessions) as s:
            return s.execute(select(tm.Assessment)).scalar_one()

    first = mary()
    assert first.digest
    again = client.post(f"{API}/risk/rescore", headers=chief).json()
    assert (again["updated"], mary().version) == (0, 1)  # unchanged: not rewritten
    with db.unit_of_work(node_app.state.sessions) as s:  # a row from before revision 0011
        s.execute(update(tm.Assessment).values(digest=None))
    client.post(f"{API}/risk/rescore", headers=chief)
    assert (mary().digest, mary().version) == (first.digest, 1)  # digest filled in, same row
    with db.unit_of_work(node_app.state.sessions) as s:  # values changed behind scoring's back
        s.execute(update(tm.Assessment).values(digest="0" * 32, score=999))
    assert client.post(f"{API}/risk/rescore", headers=chief).json()["updated"] == 1
    assert (mary().score, mary().digest, mary().version) == (first.score, first.digest, 2)
