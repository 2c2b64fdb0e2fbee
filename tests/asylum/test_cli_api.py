"""STCA determinations through the CLI (a batch from a file: JSON, JSON lines, YAML) and the API
(asylum officers only), bad claims refused one by one with where."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.settings import Settings
from tests.asylum.test_stca import KNOWN
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user


def _claim(**changes: Any) -> dict[str, Any]:
    return json.loads(json.dumps({**KNOWN, **changes}, default=str))


BATCH = [
    _claim(),
    _claim(relatives=[{"relationship": "sister", "in_country": True, "status": "citizen"}]),
    _claim(arrival="between-ports", entry_date="2024-03-05"),  # entered after the claim
    _claim(death_penalty_charge=None),
]


@pytest.mark.parametrize("kind", ["json", "jsonl", "yaml"])
def test_a_batch_is_determined_claim_by_claim(cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"claims.{kind}"
    if kind == "json":
        path.write_text(json.dumps(BATCH))
    elif kind == "jsonl":
        path.write_text("\n".join(json.dumps(c) for c in BATCH))
    else:
        path.write_text(yaml.safe_dump(BATCH))
    code, out, _ = cli(["asylum", "determine", str(path), "--json"])
    assert code == 1  # one claim was refused
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [r.get("outcome", "refused") for r in results] == [
        "ineligible", "exception", "refused", "undetermined"]  # fmt: skip
    assert results[2]["refused"][0]["field"] == "entry_date"
    assert results[3]["missing"][0]["fact"] == "death_penalty_charge"
    code, text, _ = cli(["asylum", "determine", str(path)])
    assert "claim 2: exception (a) under ca-2023, decide by 2024-03-07" in text
    assert "claim 3: refused (entry_date: 2024-03-05 is after the claim date" in text


def test_the_batch_is_judged_under_the_united_states_rules_when_asked(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([_claim(came_from="CA", visa_exempt_us=False,
                                       needs_canada_visa=True)]))  # fmt: skip
    code, out, _ = cli(["asylum", "determine", str(path), "--country", "US", "--json"])
    assert code == 0
    (made,) = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert (made["version"], made["outcome"], made["deadline"]) == ("us-2023", "ineligible", None)


def test_a_file_that_is_no_batch_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text('{"claim_date": ')
    code, _, err = cli(["asylum", "determine", str(path)])
    assert code == 1
    assert "claims.json: not JSON, JSON lines or YAML" in err
    path.write_text("just: a mapping\n")
    code, _, err = cli(["asylum", "determine", str(path)])
    assert "claims.json: a batch is a list of claims" in err


def test_the_api_determines_for_asylum_officers_only(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "asy", "asylum-officer")
    made = client.post("/api/v1/asylum/stca/determinations", json=_claim(), headers=officer)
    assert made.status_code == 200, made.text
    assert made.json()["outcome"] == "ineligible"
    assert made.json()["steps"][0]["cite"] == "IRPA s.101(1)(e); IRPR s.159.3"
    bad = client.post("/api/v1/asylum/stca/determinations", headers=officer,
                      json=_claim(birth_date="2012-01-01", has_spouse=True))  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "has_spouse"
    other = api_token(app, "prog", "program-officer")
    assert client.post("/api/v1/asylum/stca/determinations", json=_claim(),
                       headers=other).status_code == 403  # fmt: skip


CLAIM = {
    "claimant": {"names": ["Ahmad KARIMI", "احمد کریمی"], "birth_date": "1988-06",
                 "sex": "M", "documents": [{"kind": "passport", "number": "P88812345",
                                            "country": "AF"}]},
    "location": "St-Bernard-de-Lacolle land port",
    "persecution_in": ["AF"],
    "facts": {"claim_date": "2026-05-04", "came_from": "US", "nationalities": ["AF"],
              "arrival": "land-port"},
}  # fmt: skip


def test_claims_are_recorded_read_and_changed_through_the_cli(
    app: FastAPI, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    make_user(app, "asy", "asylum-officer")
    make_user(app, "aud", "auditor")
    make_user(app, "adm2", "admin")
    data = ["--data-dir", str(node.data_dir)]
    bad = _deep(CLAIM, facts={**CLAIM["facts"], "entry_date": "2026-05-09"})
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump([CLAIM, bad], allow_unicode=True))
    code, out, err = cli(["asylum", "record", str(path), "--as", "asy", *data])
    assert code == 1, err
    assert "claim 1: " in out
    assert "recorded, undetermined under ca-2023" in out
    assert "compared with no partner" in out
    assert "claim 2: refused (facts.entry_date: 2026-05-09 is after the claim date" in out
    (kept,) = (node.data_dir / "quarantine").glob("*-claims.yaml")
    problems = json.loads(kept.with_name(kept.name + ".problems.json").read_text())
    assert problems[0]["claim"] == 2
    code, out, _ = cli(["asylum", "claims", "--json", "--as", "aud", *data])
    assert code == 0
    (listed,) = json.loads(out)["items"]
    reference = listed["reference"]
    missing = [m["fact"] for m in listed["determination"]["missing"]]
    assert "death_penalty_charge" in missing
    assert "relatives" in missing
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({
        "death_penalty_charge": False, "stateless": False, "birth_date": "1988-06-02",
        "relatives": [{"relationship": "uncle", "age": 50, "in_country": True,
                       "status": "citizen"}],
    }))  # fmt: skip
    code, out, err = cli(["asylum", "change", reference, "--facts", str(facts), "--reason",
                          "interview", "--as", "asy", *data])  # fmt: skip
    assert code == 0, err
    assert f"{reference}: version 2; determined again: exception" in out
    code, out, _ = cli(["asylum", "show", reference, "--as", "aud", *data])
    assert "IRPR s.159.5(a): an uncle in Canada (citizen)" in out, out
    assert "v2 " in out
    assert "interview (facts.birth_date, facts.death_penalty_charge" in out
    code, _, err = cli(["asylum", "show", reference, "--as", "adm2", *data])
    assert code != 0
    assert "does not grant 'asylum:read'" in err


def _deep(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(base)), **changes}


def test_the_api_records_claims_for_officers_and_shows_them_to_auditors(
    app: FastAPI, client: TestClient
) -> None:
    officer = api_token(app, "asy", "asylum-officer")
    auditor = api_token(app, "aud", "auditor")
    admin = api_token(app, "adm2", "admin")
    made = client.post("/api/v1/asylum/claims", json=CLAIM, headers=officer)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["claim"]["determination"]["outcome"] == "undetermined"
    assert body["comparisons"] == []
    assert body["not_compared"] == []
    claim_id = body["claim"]["id"]
    assert client.post("/api/v1/asylum/claims", json=CLAIM, headers=auditor).status_code == 403
    assert client.get("/api/v1/asylum/claims", headers=admin).status_code == 403
    changed = client.patch(f"/api/v1/asylum/claims/{claim_id}", headers=officer, json={
        "reason": "interview", "facts": {"death_penalty_charge": True}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["redetermined"] is True
    assert changed.json()["claim"]["determination"]["outcome"] == "not-applicable"
    shown = client.get(f"/api/v1/asylum/claims/{claim_id}", headers=auditor).json()
    assert [c["version"] for c in shown["changes"]] == [1, 2]
    assert [d["outcome"] for d in shown["determinations"]] == ["undetermined", "not-applicable"]
    bad = client.patch(f"/api/v1/asylum/claims/{claim_id}", headers=officer, json={
        "reason": "x", "facts": {"arrival": "airport", "entry_date": "2026-05-01"}})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "facts.entry_date"
    again = client.get(f"/api/v1/asylum/claims/{claim_id}", headers=auditor).json()
    assert again["claim"]["version"] == 2  # the refused change wrote nothing
    listed = client.get("/api/v1/asylum/claims", params={"name": "karimi"}, headers=auditor)
    assert [c["id"] for c in listed.json()] == [claim_id]
    unknown = client.post("/api/v1/asylum/claims", headers=officer,
                          json=_deep(CLAIM, persecution_in=["ZZ"]))  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "persecution_in[0]"


def test_the_guided_form_asks_only_what_the_rules_still_need(
    app: FastAPI, client: TestClient
) -> None:
    make_user(app, "asy", "asylum-officer", PASSWORD)
    login(client, "asy", PASSWORD)
    token = csrf_of(client)
    made = client.post("/asylum/claims", data={
        "csrf_token": token, "names": "\n".join(["Ahmad KARIMI", "احمد کریمی"]), "birth_date": "1988-06-02",
        "sex": "M", "document": "P88812345", "document_country": "AF",
        "nationalities": "AF", "persecution_in": "AF", "location": "Lacolle",
        "claim_date": "2026-05-04", "came_from": "US", "arrival": "land-port",
    }, follow_redirects=True)  # fmt: skip
    assert made.status_code == 200, made.text
    page = made.text
    assert "Undetermined: facts are missing" in page
    assert 'id="q-death_penalty_charge"' in page
    assert 'id="q-relatives"' in page
    assert 'id="q-arrival"' not in page
    assert 'id="q-came_from"' not in page
    claim_id = re.search(r'action="/asylum/claims/([^/]+)/facts"', page)
    assert claim_id
    answered = client.post(f"/asylum/claims/{claim_id.group(1)}/facts", data={
        "csrf_token": token, "death_penalty_charge": "no", "stateless": "no",
        "relative0_relationship": "sister", "relative0_age": "30",
        "relative0_status": "work-permit", "relative0_in_country": "on",
        "reason": "interview",
    }, follow_redirects=True)  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert "An exception applies" in answered.text
    assert "IRPR s.159.5(d)" in answered.text
    assert 'id="q-relatives"' not in answered.text
    wrong = client.post(f"/asylum/claims/{claim_id.group(1)}/facts", data={
        "csrf_token": token, "reason": "nothing"})  # fmt: skip
    assert wrong.status_code == 422
    assert "answer at least one question" in wrong.text
    listing = client.get("/asylum")
    assert "Ahmad KARIMI" in listing.text
    assert "exception (d)" in listing.text
