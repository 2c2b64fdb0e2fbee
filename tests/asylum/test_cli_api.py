"""STCA determinations through the CLI (a batch from a file: JSON, JSON lines, YAML) and the API
(asylum officers only), bad claims refused one by one with where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.asylum.test_stca import KNOWN
from tests.conftest import Cli, api_token


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
