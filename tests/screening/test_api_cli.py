"""Lookouts and screening end to end: HTTP API and CLI against a real node database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.screening.models import Lookout
from smartborder.screening.service import Screening
from smartborder.settings import Settings
from tests.conftest import Cli, api_token

API = "/api/v1/screening"
LOOKOUT = {
    "category": "serious-crime",
    "action": "refer-secondary",
    "names": [{"name": "Сергей Иванович Петров"}, {"name": "Sergei Petrov", "kind": "alias"}],
    "birth_date": "1971-04-12",
    "sex": "M",
    "nationalities": ["RUS"],
    "documents": [{"number": "75 1234567", "country": "RUS"}],
    "source_reference": "RCMP-2026-118",
    "share": True,
}


def test_a_lookout_is_created_screened_amended_and_retracted(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    created = client.post(f"{API}/lookouts", json=LOOKOUT, headers=analyst)
    assert created.status_code == 201, created.text
    lookout = created.json()
    assert lookout["state"] == "active"
    assert lookout["documents"][0]["number"] == "751234567"

    subject = {"reference": "PAX-1", "names": ["PETROV SERGEI"], "birth_date": "1971-12-04"}
    hit = client.post(f"{API}/screen", json=subject, headers=analyst).json()
    assert hit["reference"] == "PAX-1"
    assert [h["lookout_id"] for h in hit["hits"]] == [lookout["id"]]
    evidence = {e["feature"]: e["level"] for e in hit["hits"][0]["evidence"]}
    assert evidence["birth_date"] == "day-month-swapped"
    assert evidence["name"] in ("exact", "strong")
    assert hit["hits"][0]["names"][0] == "Сергей Иванович Петров"

    changed = client.patch(
        f"{API}/lookouts/{lookout['id']}", json={"birth_date": "1950"}, headers=analyst
    )
    assert changed.json()["version"] == 2
    assert client.post(f"{API}/screen", json=subject, headers=analyst).json()["hits"] == []

    gone = client.post(
        f"{API}/lookouts/{lookout['id']}/retract", json={"reason": "arrested"}, headers=analyst
    )
    assert gone.json()["state"] == "retracted"
    again = {**subject, "birth_date": "1950"}
    assert client.post(f"{API}/screen", json=again, headers=analyst).json()["hits"] == []
    with db.unit_of_work(app.state.sessions) as s:
        events = s.scalars(
            select(AuditEntry.event).where(AuditEntry.subject == lookout["id"]).order_by("seq")
        ).all()
    assert events == [
        "screening:lookout:created",
        "screening:lookout:amended",
        "screening:lookout:retracted",
    ]


def test_bad_lookouts_and_subjects_are_refused_with_their_fields(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    bad = {
        **LOOKOUT,
        "names": [{"name": "!!!"}, {"name": "John 3rd"}],
        "birth_date": "12/04/1971",
        "nationalities": ["XYZ"],
    }
    answer = client.post(f"{API}/lookouts", json=bad, headers=analyst)
    assert answer.status_code == 422
    fields = {d["location"] for d in answer.json()["error"]["details"]}
    assert {"body.birth_date", "body.nationalities.0"} <= fields
    names = client.post(
        f"{API}/lookouts", json={**LOOKOUT, "names": [{"name": "!!!"}]}, headers=analyst
    )
    assert "has no letters" in names.text
    empty = client.post(f"{API}/screen", json={"names": []}, headers=analyst)
    assert empty.status_code == 422
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Lookout)) == 0


def test_batches_are_screened_in_order_and_limited(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    client.post(f"{API}/lookouts", json=LOOKOUT, headers=analyst)
    batch = {
        "subjects": [
            {"reference": "a", "names": ["Maria Lopez"]},
            {"reference": "b", "names": ["Sergei Petrov"], "birth_date": "1971"},
        ]
    }
    results = client.post(f"{API}/batch", json=batch, headers=analyst).json()["results"]
    assert [r["reference"] for r in results] == ["a", "b"]
    assert results[0]["hits"] == []
    assert len(results[1]["hits"]) == 1
    oversize = {"subjects": [{"names": ["Ab Cd"]}] * 1001}
    too_many = client.post(f"{API}/batch", json=oversize, headers=analyst)
    assert too_many.status_code == 422
    assert "at most 1000" in too_many.json()["error"]["message"]


def test_partner_lookouts_cannot_be_changed_locally(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    made = client.post(f"{API}/lookouts", json=LOOKOUT, headers=analyst).json()
    with db.unit_of_work(app.state.sessions) as s:
        s.get(Lookout, made["id"]).origin = "us"  # type: ignore[union-attr]
    answer = client.patch(f"{API}/lookouts/{made['id']}", json={"remarks": "x"}, headers=analyst)
    assert answer.status_code == 409
    assert "provided by us" in answer.json()["error"]["message"]


def test_a_reader_may_not_create_lookouts(app: FastAPI, client: TestClient) -> None:
    auditor = api_token(app, "aud", "auditor")
    assert client.post(f"{API}/lookouts", json=LOOKOUT, headers=auditor).status_code == 403
    assert client.get(f"{API}/lookouts", headers=auditor).status_code == 200


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "category,name,aliases,birth_date,sex,nationalities,document_number,source_reference\n"
        + "\n".join(rows)
        + "\n"
    )
    return path


def test_cli_imports_all_or_nothing_and_screens_a_file(
    node: Settings, cli: Cli, tmp_path: Path
) -> None:
    data = ["--data-dir", str(node.data_dir)]
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            "terrorism,Karim Haddad,كريم حداد,1980-02-30,M,LBN,,SRC-1",
            "customs,Ana Lima,,1990,F,BRA,,SRC-2",
            "customs,,,1990,F,QQQ,,SRC-3",
        ],
    )
    code, _, err = cli(["lookouts", "import", str(bad), "--as", "admin", *data])
    assert code == 1
    assert "bad.csv:2: birth_date:" in err
    assert "does not exist" in err
    assert "bad.csv:4: nationalities.0:" in err
    assert "nothing was imported" in err
    assert list((node.data_dir / "quarantine").glob("*-bad.csv"))
    engine = db.make_engine(node.database_url)
    with db.unit_of_work(db.session_factory(engine)) as s:
        assert s.scalar(select(func.count()).select_from(Lookout)) == 0
    engine.dispose()

    good = write_csv(
        tmp_path / "good.csv",
        [
            "terrorism,Karim Haddad,كريم حداد,1980-02-03,M,LBN,,SRC-1",
            "lost-stolen-document,,,,,,,SRC-2",
        ],
    )
    code, _, err = cli(["lookouts", "import", str(good), "--as", "admin", *data])
    assert code == 1
    assert "good.csv:3:" in err
    assert "needs at least one name" in err
    good.write_text(
        good.read_text().replace(
            "lost-stolen-document,,,,,,,SRC-2", "customs,Ana Lima,,1990,F,BRA,,SRC-2"
        )
    )
    code, out, _ = cli(["lookouts", "import", str(good), "--as", "admin", *data])
    assert code == 0
    assert "Imported 2 lookouts" in out

    travellers = tmp_path / "pax.jsonl"
    travellers.write_text(
        json.dumps({"reference": "P1", "names": ["HADDAD KARIM"], "birth_date": "1980-03-02"})
        + "\n"
        + json.dumps({"reference": "P2", "names": ["Peter Jones"], "birth_date": "1950"})
        + "\n"
    )
    code, out, _ = cli(["screen", str(travellers), "--json", *data])
    assert code == 0, out
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["reference"] for r in results] == ["P1", "P2"]
    assert results[0]["hits"][0]["category"] == "terrorism"
    assert results[1]["hits"] == []

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"names": ["Ok Name"]}\n{"names": ["x"], "birth_date": "1980"\n')
    code, _, err = cli(["screen", str(broken), *data])
    assert code == 1
    assert "broken.jsonl:2: json:" in err


def test_the_index_is_built_from_the_database_at_start_up(node: Settings) -> None:
    from smartborder.app import create_app
    from smartborder.screening import seed

    first = create_app(node, configure_logs=False)
    with db.unit_of_work(first.state.sessions) as s:
        seed.seed_lookouts(s, node_id="ca", seed=5, count=30, today=dt.date.today())
    first.state.engine.dispose()
    app = create_app(node, configure_logs=False)
    assert len(app.state.node.get(Screening).index) == 0
    with TestClient(app):
        assert len(app.state.node.get(Screening).index) == 32  # before any request
    app.state.engine.dispose()
