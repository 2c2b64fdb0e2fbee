"""Reconciliation with Splink: forum shoppers planted in two countries' records are found with
their match weights; the export keeps back who alleges persecution in the partner; a bad export
is refused with where; the Spark path gives the pairs DuckDB gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.asylum import claims, reconcile
from smartborder.errors import ValidationFailed
from smartborder.settings import Settings
from smartborder.synthetic.claimants import linkage_sets
from tests.asylum.test_claims import claim
from tests.conftest import Cli, api_token, make_user
from tests.pair import Pair


@pytest.fixture(scope="module")
def sets() -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]]:
    return linkage_sets(20261204, 3000, 2500, 300, pool=800)


def test_planted_forum_shoppers_are_found_beside_splinks_defaults(
    sets: tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]],
) -> None:
    ours, theirs, truth = sets
    tuned = reconcile.link(ours, theirs)
    measured = reconcile.score(tuned, truth)
    assert measured["precision"] >= 0.97, measured
    assert measured["recall"] >= 0.9, measured
    assert tuned.expected_precision is not None
    assert tuned.expected_precision >= 0.9
    weights = [p["match_weight"] for p in tuned.pairs]
    assert weights == sorted(weights, reverse=True)
    assert all(p["match_probability"] >= reconcile.THRESHOLD for p in tuned.pairs)
    plain = reconcile.link(ours, theirs, tuned=False)
    baseline = reconcile.score(plain, truth)
    assert measured["recall"] > baseline["recall"]  # typos and swapped dates are found
    assert plain.as_dict()["settings"] == "splink-defaults"


def test_the_linkage_row_reads_names_as_passports_print_them() -> None:
    made = reconcile.row("r1", ["احمد کریمی", "Ahmad KARIMI"], "1988-06", "M", ["af"],
                         ["p 888-123"])  # fmt: skip
    assert (made["forename"], made["surname"], made["birth_date"], made["birth_year"]) == (
        "AHMAD", "KARIMI", None, 1988)  # fmt: skip
    assert (made["nationality"], made["document"]) == ("AF", "P888123")
    only_cyrillic = reconcile.row("r2", ["Ахмад Карими"], "1988-06-02", None, [], [])
    assert (only_cyrillic["forename"], only_cyrillic["surname"]) == ("AKHMAD", "KARIMI")
    assert only_cyrillic["birth_date"] == "1988-06-02"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"unique_id": "a", "surname": "X"}\n{"unique_id": "a"}\n', "'a' appears twice"),
        ('{"unique_id": "a", "birth_year": "1980"}\n', "birth_year '1980' is not a year"),
        ('{"unique_id": "a", "birth_date": "1980-13-01"}\n', "is not a date"),
        ('{"unique_id": "a", "religion": "x"}\n', "religion not a column of the export"),
        ('{"unique_id": "a"}\n{"unique_id": \n', "line 2: not JSON"),
    ],
)
def test_a_bad_export_is_refused_with_the_record_and_field(text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed, match=r"export\.jsonl") as refused:
        reconcile.read_export(text, "export.jsonl")
    assert problem in refused.value.message


def test_between_the_nodes_the_cli_exports_and_reconciles(
    pair: Pair, cli: Cli, tmp_path: Path
) -> None:
    from smartborder.users import service as users

    for node in (pair.ca, pair.us):
        with node.uow() as s:
            users.create_user(s, username="asy", role="asylum-officer", password="x" * 14)
    us_people = [
        ("Amira Hasan", "1990-03-12", []),  # a forum shopper ca does not know of yet
        ("Omar Farouk", "1985-07-01", ["CA"]),  # alleges persecution in Canada: never exported
        ("Li Wei", "1979-11-30", []),
    ]
    for n, (name, born, alleges) in enumerate(us_people):
        with pair.us.uow() as s:
            claims.create(s, claim(reference=f"US-{n}", claimant={"names": [name],
                          "birth_date": born, "sex": "F"}, persecution_in=alleges,
                          facts={"claim_date": "2025-09-01"}), actor="t", now=pair.us.ex.clock())  # fmt: skip
    for n, (name, born) in enumerate([("Amira HASSAN", "1990-03-12"),
                                      ("Omar FAROUK", "1985-07-01"),
                                      ("Jean Tremblay", "1970-01-01")]):  # fmt: skip
        with pair.ca.uow() as s:
            claims.create(s, claim(reference=f"CA-{n}", claimant={"names": [name],
                          "birth_date": born, "sex": "F"}, persecution_in=[]),
                          actor="t", now=pair.ca.ex.clock())  # fmt: skip
    export = tmp_path / "us-claimants.jsonl"
    us_data = ["--data-dir", str(pair.us.settings.data_dir), "--as", "asy"]
    code, out, err = cli(["asylum", "export-claimants", "--out", str(export), *us_data])
    assert code == 0, err
    assert "2 claimant(s) exported" in out
    assert "Farouk" not in export.read_text()
    ca_data = ["--data-dir", str(pair.ca.settings.data_dir), "--as", "asy"]
    report = tmp_path / "report.json"
    code, out, err = cli(["asylum", "reconcile", str(export), "--partner", "us", "--out",
                          str(report), *ca_data])  # fmt: skip
    assert code == 0, err
    made = json.loads(report.read_text())
    assert [(p["ours"], p["theirs"], p["known"]) for p in made["pairs"]] == [
        ("CA-0", "US-0", False)]  # fmt: skip
    assert made["missed_at_intake"] == 1
    assert "CA-0                 US-0" in out
    assert "MISSED AT INTAKE" in out
    export.write_text('{"unique_id": "x", "birth_year": 3000}\n')
    code, _, err = cli(["asylum", "reconcile", str(export), "--partner", "us", *ca_data])
    assert code == 1
    assert "record 1: birth_year 3000 is not a year" in err
    assert list((pair.ca.settings.data_dir / "quarantine").glob("*-us-claimants.jsonl"))


def test_the_api_reconciles_for_asylum_officers(
    app: FastAPI, client: TestClient, node: Settings
) -> None:
    officer = api_token(app, "asy", "asylum-officer")
    made = client.post("/api/v1/asylum/claims", headers=officer, json={
        "reference": "CA-1", "claimant": {"names": ["Amira HASSAN"], "birth_date": "1990-03-12",
                                          "sex": "F"},
        "location": "Lacolle", "facts": {"claim_date": "2026-05-04"},
    })  # fmt: skip
    assert made.status_code == 201, made.text
    theirs = [reconcile.row("US-9", ["Amira Hasan"], "1990-03-12", "F", [], []),
              reconcile.row("US-8", ["Li Wei"], "1979-11-30", "M", [], [])]  # fmt: skip
    answer = client.post("/api/v1/asylum/reconciliations", headers=officer,
                         json={"partner": "us", "records": theirs})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert [(p["ours"], p["theirs"]) for p in answer.json()["pairs"]] == [("CA-1", "US-9")]
    bad = client.post("/api/v1/asylum/reconciliations", headers=officer,
                      json={"partner": "us", "records": [{"unique_id": ""}]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "unique_id"
    make_user(app, "aud", "auditor")
    auditor = api_token(app, "aud2", "auditor")
    assert client.post("/api/v1/asylum/reconciliations", headers=auditor,
                       json={"partner": "us", "records": theirs}).status_code == 403  # fmt: skip


def test_the_spark_path_finds_what_duckdb_finds(
    sets: tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]],
) -> None:
    ours, theirs, _ = sets
    spark = reconcile.local_spark()
    try:
        on_spark = reconcile.link(ours[:600], theirs[:500], engine="spark", spark=spark)
    finally:
        spark.stop()
    on_duckdb = reconcile.link(ours[:600], theirs[:500])
    found_spark = {(p["ours"], p["theirs"]) for p in on_spark.pairs}
    found_duckdb = {(p["ours"], p["theirs"]) for p in on_duckdb.pairs}
    assert found_spark
    overlap = len(found_spark & found_duckdb) / len(found_spark | found_duckdb)
    assert overlap >= 0.9, found_spark ^ found_duckdb


def test_the_shipped_models_are_what_training_writes(tmp_path: Path) -> None:
    from smartborder.asylum.training import write_models

    written = write_models(tmp_path, seed=5, records=4000)
    assert [Path(w).name for w in written] == ["reconcile-tuned.json",
                                               "reconcile-splink-defaults.json"]  # fmt: skip
    for path, tuned in zip(written, (True, False), strict=True):
        fresh = json.loads(Path(path).read_text())
        shipped = reconcile.shipped_model(tuned=tuned)
        assert [c["output_column_name"] for c in fresh["comparisons"]] == [
            c["output_column_name"] for c in shipped["comparisons"]]  # fmt: skip
        assert fresh["blocking_rules_to_generate_predictions"] == (
            shipped["blocking_rules_to_generate_predictions"])  # fmt: skip
        learnt = [level for c in shipped["comparisons"] for level in c["comparison_levels"]
                  if level.get("m_probability") is not None]  # fmt: skip
        assert len(learnt) >= len(shipped["comparisons"]) * 2
