"""Visa applicant screening: against local lookouts with explained hits, the destination's
requirement for the nationality, document problems (expiry, MRZ); a batch file from the CLI
with its bad lines located."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.settings import Settings
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user

SPECIMEN_MRZ = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
LOOKOUT = {
    "category": "serious-crime", "action": "refer-secondary",
    "names": [{"name": "Karim Haddad"}], "birth_date": "1980-02-14", "sex": "M",
    "nationalities": ["LBN"], "source_reference": "RCMP-2026-7",
}  # fmt: skip
KARIM = {
    "application": "V-2026-0001", "surname": "HADDAD", "given_names": "KARIM",
    "birth_date": "1980-02-14", "sex": "M", "nationality": "LBN", "document_number": "RL123456",
    "document_expiry": "2030-01-01",
}  # fmt: skip


def test_an_applicant_is_screened_with_reasons(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    assert client.post("/api/v1/screening/lookouts", json=LOOKOUT, headers=analyst).is_success
    officer = api_token(app, "otto", "program-officer")
    hit = client.post("/api/v1/visa/applicants/screen", json=KARIM, headers=officer)
    assert hit.status_code == 200, hit.text
    result = hit.json()
    assert result["outcome"] == "refer to an officer"
    assert result["destination"] == "CA"
    assert result["requirement"]["category"] == "visa-required"  # Lebanese nationals, for CA
    [found] = result["hits"]
    assert {e["feature"] for e in found["evidence"]} >= {"name", "birth_date"}
    assert "serious-crime" in result["reasons"][0]
    clean = client.post(
        "/api/v1/visa/applicants/screen",
        json={**KARIM, "application": "V-2", "surname": "OKAFOR", "given_names": "CHIOMA",
              "sex": "F", "nationality": "NGA", "birth_date": "1991-06-02"},
        headers=officer,
    )  # fmt: skip
    assert clean.json()["outcome"] == "no hit"
    assert clean.json()["reasons"] == []
    specimen = client.post(
        "/api/v1/visa/applicants/screen",
        json={"application": "V-3", "surname": "ERIKSSON", "given_names": "ANNA MARIA",
              "birth_date": "1974-08-12", "sex": "F", "nationality": "UTO",
              "document_number": "L898902C3", "document_expiry": "2012-04-15",
              "mrz": SPECIMEN_MRZ.replace("7408122", "7408123")},
        headers=officer,
    ).json()  # fmt: skip
    assert specimen["outcome"] == "refer to an officer"
    assert "the document expired on 2012-04-15" in specimen["document"]
    assert any("MRZ check digit(s) fail: birth_date" in r for r in specimen["document"])
    assert specimen["requirement"] is None  # Utopia is on no list
    mismatch = client.post(
        "/api/v1/visa/applicants/screen",
        json={**KARIM, "application": "V-4", "mrz": SPECIMEN_MRZ}, headers=officer,
    ).json()  # fmt: skip
    assert "the MRZ names document L898902C3, not RL123456" in mismatch["document"]
    missing = client.post("/api/v1/visa/applicants/screen",
                          json={"application": "V-5", "surname": "X"}, headers=officer)  # fmt: skip
    assert missing.status_code == 422
    assert {d["location"] for d in missing.json()["error"]["details"]} >= {
        "body.birth_date", "body.nationality", "body.document_number"
    }  # fmt: skip
    policy = api_token(app, "auditor1", "auditor")
    assert client.post("/api/v1/visa/applicants/screen", json=KARIM,
                       headers=policy).status_code == 403  # fmt: skip
    with db.unit_of_work(app.state.sessions) as s:
        logged = s.scalars(
            select(AuditEntry).where(AuditEntry.event == "visa:applicant:screened")
        ).all()
        assert [e.subject for e in logged] == ["V-2026-0001", "V-2", "V-3", "V-4"]


def test_a_batch_of_applications_from_the_cli(node: Settings, cli: Cli, tmp_path: Path) -> None:
    data = ["--data-dir", str(node.data_dir)]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "application,surname,given_names,birth_date,sex,nationality,document_number\n"
        "V-1,HADDAD,KARIM,1980-02-14,M,LBN,RL123456\n"
        "V-2,OKAFOR,CHIOMA,1991-02-30,F,NGA,A1234567\n"
        "V-3,LIMA,ANA,1990-01-01,F,QQQ,B7654321\n"
    )
    code, _, err = cli(["visa", "screen", str(bad), "--as", "admin", *data])
    assert code == 1
    assert "bad.csv:3: birth_date:" in err
    assert "bad.csv:4: nationality:" in err
    assert "nothing screened" in err
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(KARIM) + "\n" + json.dumps({**KARIM, "application": "V-9",
                    "surname": "OKAFOR", "given_names": "CHIOMA", "nationality": "NGA"}) + "\n")  # fmt: skip
    code, out, err = cli(["visa", "screen", str(good), "--as", "admin", "--json", *data])
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["application"] for r in results] == ["V-2026-0001", "V-9"]
    assert all(r["requirement"]["category"] == "visa-required" for r in results)
    assert "2 applicant(s) screened" in err


def test_the_applicant_page_shows_hits_and_field_errors(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    assert client.post("/api/v1/screening/lookouts", json=LOOKOUT, headers=analyst).is_success
    make_user(app, "otto", "program-officer")
    login(client, "otto", PASSWORD)
    page = client.get("/visa/applicants")
    assert 'href="/visa/applicants"' in page.text
    form = {k: v for k, v in KARIM.items()}
    shown = client.post("/visa/applicants", data={**form, "csrf_token": csrf_of(client)})
    assert shown.status_code == 200
    assert "V-2026-0001: refer to an officer" in shown.text
    assert "<strong>visa required</strong> for this nationality" in shown.text
    assert "Karim Haddad" in shown.text  # the hit card with the lookout's names
    assert 'table class="evidence"' in shown.text
    bad = client.post("/visa/applicants", data={**form, "birth_date": "1980-02-30",
                                                "csrf_token": csrf_of(client)})  # fmt: skip
    assert bad.status_code == 422
    assert 'role="alert">birth_date:' in bad.text
    assert 'value="HADDAD"' in bad.text  # what was typed is kept
