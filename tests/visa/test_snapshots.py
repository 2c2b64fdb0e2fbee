"""Visa snapshots end to end: API and CLI against a real node database (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.settings import Settings
from smartborder.visa.models import VisaList, VisaSnapshot
from smartborder.visa.requirements import bundled_text
from tests.conftest import Cli, api_token

API = "/api/v1/visa"


def canada_list(changes: dict[str, str]) -> str:
    """Canada's list of the shipped data set with ``changes`` (nationality -> value)."""
    rows = ["Passport,Destination,Requirement"]
    for line in bundled_text().splitlines()[1:]:
        passport, destination, value = line.split(",")
        if destination == "CA":
            rows.append(f"{passport},CA,{changes.get(passport, value)}")
    return "\n".join(rows) + "\n"


def _count(app: FastAPI) -> int:
    with db.unit_of_work(app.state.sessions) as session:
        return session.execute(select(func.count(VisaSnapshot.id))).scalar_one()


def test_the_report_the_csv_a_newer_list_and_its_diff(app: FastAPI, client: TestClient) -> None:
    policy = api_token(app, "vera", "policy-analyst")
    report = client.get(f"{API}/compare", headers=policy)
    assert report.status_code == 200, report.text
    data = report.json()
    assert (data["a"], data["b"]) == ("CA", "US")  # the node's country and its partner's
    assert (data["agree"], data["differ"]) == (181, 16)
    assert data["lists"]["CA"]["taken_on"] == "2025-01-12"  # the shipped data, loaded at once
    exported = client.get(f"{API}/compare.csv", params={"a": "US", "b": "CA"}, headers=policy)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("nationality,name,US_requirement")
    assert len(exported.text.splitlines()) == 198

    newer = canada_list({"QA": "eta", "FR": "visa required", "BR": "eta"})
    loaded = client.post(
        f"{API}/snapshots", params={"date": "2026-06-01", "name": "ircc-2026-06.csv"},
        content=newer, headers={**policy, "Content-Type": "text/csv"},
    )  # fmt: skip
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["destinations"] == ["CA"]
    latest = client.get(f"{API}/compare", headers=policy).json()
    assert latest["lists"]["CA"]["taken_on"] == "2026-06-01"
    assert latest["lists"]["US"]["taken_on"] == "2025-01-12"  # the latest list of each
    differing = {row["nationality"] for row in latest["differing"]}
    assert "QA" not in differing  # Canada now gives Qatar an eTA, as the US does
    assert {"FR", "BR"} <= differing
    assert latest["differ"] == 16 - 1 + 2
    earlier = client.get(f"{API}/compare", params={"snapshot": "2026-01-01"}, headers=policy)
    assert earlier.json()["differ"] == 16
    changed = client.get(f"{API}/diff", params={"destination": "ca"}, headers=policy).json()
    assert {c["nationality"]: c["kind"] for c in changed["changes"]} == {
        "QA": "visa lifted", "FR": "visa imposed", "BR": "visa lifted",
    }  # fmt: skip
    assert changed["before"]["taken_on"] == "2025-01-12"
    listed = client.get(f"{API}/snapshots", headers=policy).json()["items"]
    assert [s["taken_on"] for s in listed] == ["2026-06-01", "2025-01-12"]
    again = client.post(f"{API}/snapshots", params={"date": "2026-06-02"}, content=newer,
                        headers={**policy, "Content-Type": "text/csv"})  # fmt: skip
    assert again.status_code == 409
    assert "same file was loaded" in again.json()["error"]["message"]


def test_a_bad_upload_changes_nothing_and_is_kept(
    app: FastAPI, client: TestClient, node: Settings
) -> None:
    policy = api_token(app, "vera", "policy-analyst")
    assert client.get(f"{API}/snapshots", headers=policy).status_code == 200
    before = _count(app)
    bad = canada_list({"MX": "maybe"}).replace("\nFR,CA,eta", "\nFR,ZZ,eta")
    refused = client.post(f"{API}/snapshots", params={"name": "bad.csv"}, content=bad,
                          headers={**policy, "Content-Type": "text/csv"})  # fmt: skip
    assert refused.status_code == 422
    error = refused.json()["error"]
    lines = {(d["location"], d["line"]) for d in error["details"]}
    assert ("Requirement", bad.splitlines().index("MX,CA,maybe") + 1) in lines
    assert ("Destination", bad.splitlines().index("FR,ZZ,eta") + 1) in lines
    assert "kept in quarantine" in error["message"]
    assert _count(app) == before
    kept = list((node.data_dir / "quarantine").glob("*bad.csv"))
    assert len(kept) == 1
    assert kept[0].read_text() == bad
    unknown = client.get(f"{API}/compare", params={"a": "QQ"}, headers=policy)
    assert unknown.status_code == 422
    assert "'QQ' is not an ISO 3166-1 alpha-2 country code" in unknown.json()["error"]["message"]
    analyst = api_token(app, "ana", "analyst")
    forbidden = client.post(f"{API}/snapshots", content=bad,
                            headers={**analyst, "Content-Type": "text/csv"})  # fmt: skip
    assert forbidden.status_code == 403
    assert client.get(f"{API}/compare", headers=analyst).status_code == 200  # reading is open


def test_cli_compares_loads_and_diffs(node: Settings, cli: Cli, tmp_path: Path) -> None:
    data = ["--data-dir", str(node.data_dir)]
    code, out, _ = cli(["visa", "compare", "CA", "US", "--json", "--csv",
                        str(tmp_path / "r.csv"), *data])  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert (report["agree"], report["differ"]) == (181, 16)
    assert {"nationality", "CA", "US", "kind"} <= set(report["differing"][0])
    assert (tmp_path / "r.csv").read_text().count("\n") == 198
    bad = tmp_path / "broken.csv"
    bad.write_text("Passport,Destination,Requirement\nFR,CA,eta\nXX,CA,eta\n")
    code, _, err = cli(["visa", "load", str(bad), "--as", "admin", "--date", "2026-01-01", *data])
    assert code == 1
    assert "broken.csv:3: Passport: 'XX' is not an ISO 3166-1 alpha-2 country code" in err
    assert "kept in quarantine" in err
    newer = tmp_path / "ircc.csv"
    newer.write_text(canada_list({"FR": "visa required"}))
    code, out, _ = cli(["visa", "load", str(newer), "--as", "admin", "--date", "2026-03-01",
                        *data])  # fmt: skip
    assert code == 0, out
    assert "1 destination list(s)" in out
    code, out, _ = cli(["visa", "diff", "CA", "--json", *data])
    assert json.loads(out)["changes"][0]["kind"] == "visa imposed"
    code, out, _ = cli(["visa", "compare", "CA", "US", "--snapshot", "2025-12-31", *data])
    assert "same policy: 181   different: 16" in out
    code, out, _ = cli(["visa", "snapshots", "--json", *data])
    assert [s["taken_on"] for s in json.loads(out)] == ["2026-03-01", "2025-01-12"]
    code, _, err = cli(["visa", "compare", "CA", "US", "--snapshot", "2025-02-30", *data])
    assert code == 2
    assert "'2025-02-30' is not a date" in err
    engine = db.make_engine(node.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            assert session.execute(select(func.count(VisaList.id))).scalar_one() == 200
    finally:
        engine.dispose()


def test_a_consultation_needs_the_visa_annex_and_a_valid_proposal(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli
) -> None:
    policy = api_token(app, "vera", "policy-analyst")
    proposal = {
        "partner": "us",
        "nationality": "QA",
        "change": "lift",
        "effective": "2099-01-01",
        "due_date": "2098-12-01",
        "rationale": "eTA criteria",
    }
    refused = client.post(f"{API}/consultations", json=proposal, headers=policy)
    assert refused.status_code == 409  # no visa annex in force on this lone node
    assert "no agreement in force with us" in refused.json()["error"]["message"]
    bad = client.post(
        f"{API}/consultations", json={**proposal, "change": "abolish"}, headers=policy
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["location"] == "body.change"
    assert client.get(f"{API}/consultations", headers=policy).json() == {"items": []}
    code, _, err = cli(
        [
            "visa",
            "consult",
            "QA",
            "--change",
            "lift",
            "--to",
            "us",
            "--effective",
            "2099-01-01",
            "--due",
            "2098-12-01",
            "--rationale",
            "eTA criteria",
            "--as",
            "admin",
            "--data-dir",
            str(node.data_dir),
        ]
    )
    assert code == 1
    assert "no agreement in force with us carries 'visa-consultation'" in err
