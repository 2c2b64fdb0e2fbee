"""The document check through the API, the UI and the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.cli import main
from tests.conftest import ADMIN_PASSWORD, api_token, csrf_of, login

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


def test_api_checks_an_mrz(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "officer", "program-officer")
    body = {"mrz": TD3, "reference_date": "2010-01-01"}
    report = client.post("/api/v1/documents/check", json=body, headers=headers).json()
    assert report["valid"] is True
    assert report["type"] == "TD3"
    assert report["fields"]["document_number"] == "L898902C3"
    assert {c["status"] for c in report["checks"]} == {"pass"}
    today = client.post("/api/v1/documents/check", json={"mrz": TD3}, headers=headers).json()
    assert today["valid"] is False
    expired = [c for c in today["checks"] if c["status"] == "fail"]
    assert expired == [
        {
            "check": "expiry_date",
            "status": "fail",
            "reason": "the document expired on 2012-04-15",
            "field": "expiry_date",
            "location": None,
        }
    ]


def test_api_builds_and_checks_typed_fields(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "officer2", "analyst")
    fields = {
        "format": "TD1",
        "document_code": "I",
        "issuer": "UTO",
        "surname": "Eriksson",
        "given_names": "Anna María",
        "document_number": "D23145890",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2012-04-15",
    }
    body = {"fields": fields, "reference_date": "2010-01-01"}
    report = client.post("/api/v1/documents/check", json=body, headers=headers).json()
    assert report["mrz"] == TD1
    assert report["valid"] is True


@pytest.mark.parametrize(
    ("body", "status", "code", "needle"),
    [
        ({"mrz": "P<UTO\nL89"}, 422, "invalid_mrz", "lines differ in length"),
        ({"mrz": TD3.replace("ANNA", "ANNä")}, 422, "invalid_mrz", "line 1 position 19"),
        ({"mrz": "X" * 401}, 422, "validation_failed", "body.mrz"),
        ({}, 422, "validation_failed", "either 'mrz' or 'fields'"),
    ],
)
def test_api_bad_input(
    app: FastAPI, client: TestClient, body: dict[str, str], status: int, code: str, needle: str
) -> None:
    headers = api_token(app, "officer3", "analyst")
    response = client.post("/api/v1/documents/check", json=body, headers=headers)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert needle in error["message"] + json.dumps(error["details"])


def test_ui_page_shows_fields_and_checks(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    page = client.get("/documents/check")
    assert "Document check" in page.text
    token = csrf_of(client)
    report = client.post(
        "/documents/check", data={"csrf_token": token, "mrz": TD3}, headers={"HX-Request": "true"}
    )
    assert "<html" not in report.text
    assert "Checks failed" in report.text
    assert "the document expired on 2012-04-15" in report.text
    assert "L898902C3" in report.text
    assert "Utopia" in report.text
    bad = client.post("/documents/check", data={"csrf_token": token, "mrz": "NOT AN MRZ"})
    assert bad.status_code == 422
    assert "line 1 position 4" in bad.text


def _run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["smartborder", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def test_cli_check_json_and_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(["doc", "check", TD3, "--json", "--on", "2010-01-01"], capsys, monkeypatch)
    assert code == 0
    result = json.loads(out)
    assert set(result) >= {"valid", "type", "fields", "checks"}
    assert result["valid"] is True
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(TD1 + "\n"))
    code, out, _ = _run(["doc", "check", "-"], capsys, monkeypatch)
    assert code == 1  # expired today
    assert "INVALID" in out
    assert "the document expired on 2012-04-15" in out


def test_cli_batch_file_with_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = tmp_path / "batch.txt"
    batch.write_text(f"{TD3}\n\n{TD1}\n\nP<UTO\n\n{TD3.replace('C36', 'C37')}\n")
    code, out, _ = _run(
        ["doc", "check", "--file", str(batch), "--on", "2010-01-01"], capsys, monkeypatch
    )
    assert code == 1
    assert f"{batch}:1: valid TD3" in out
    assert f"{batch}:8: unreadable" in out
    assert f"{batch}:10: invalid TD3" in out
    assert "check_digit:document_number" in out
    assert "4 document(s): 2 valid, 1 invalid, 1 unreadable" in out


def test_cli_make_round_trips(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [
        "doc",
        "make",
        "--surname",
        "Müller",
        "--given-names",
        "Jürgen",
        "--issuer",
        "D",
        "--number",
        "C01X00T47",
        "--birth",
        "1964-08-12",
        "--sex",
        "M",
        "--expiry",
        "2031-10-31",
    ]
    code, out, _ = _run(args, capsys, monkeypatch)
    assert code == 0
    made = out.strip()
    assert made.splitlines()[0].startswith("P<D<<MUELLER<<JUERGEN<")
    code, out, _ = _run(["doc", "check", made, "--json", "--on", "2026-01-01"], capsys, monkeypatch)
    assert json.loads(out)["valid"] is True
    code, _, err = _run([*args[:-2], "--expiry", "someday"], capsys, monkeypatch)
    assert code == 1
    assert "expiry_date" in err
