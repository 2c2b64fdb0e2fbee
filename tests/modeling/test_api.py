"""Modelling through the HTTP API and the pages, against a real node database (SQLite and
PostgreSQL): a run and a comparison made in the background, plots, calibration, refusals."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, api_token, csrf_of, login, make_user

API = "/api/v1/modeling"
DATA = Path(__file__).parent / "data"


def finished(client: TestClient, run_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll the run until it ends (bounded: 120 polls)."""
    for _ in range(120):
        body: dict[str, Any] = client.get(f"{API}/runs/{run_id}", headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.25)
    raise AssertionError(f"run {run_id} did not finish: {body}")


def test_a_run_in_the_background_with_figures_plots_and_calibration(
    app: FastAPI, client: TestClient
) -> None:
    planner = api_token(app, "pia", "planner")
    examples = client.get(f"{API}/examples", headers=planner).json()["items"]
    names = {e["name"]: e for e in examples}
    assert names["peace-arch-douglas-nexus-booth"]["variant_of"] == "peace-arch-douglas"
    assert names["ambassador-bridge"]["sources"]
    queued = client.post(
        f"{API}/runs", json={"example": "peace-arch-douglas", "replications": 2}, headers=planner
    )
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "queued"
    done = finished(client, queued.json()["id"], planner)
    assert done["status"] == "done", done["error"]
    assert done["progress"] == {"done": 2, "total": 2}
    lanes = done["result"]["summary"]["directions"]["southbound"]["lanes"]
    assert set(lanes) == {"general", "nexus"}
    assert lanes["general"]["mean_wait"]["n"] == 2
    assert len(lanes["general"]["hourly_wait"]) == 24
    for url in done["plots"]:
        png = client.get(url, headers=planner)
        assert png.status_code == 200
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
    calibrated = client.post(
        f"{API}/runs/{done['id']}/calibration", params={"name": "bwt.xml"},
        content=(DATA / "cbp-bwt-1500.xml").read_bytes(), headers=planner,
    )  # fmt: skip
    assert calibrated.status_code == 200, calibrated.text
    hours = {(r["direction"], r["lane"], r["hour"]) for r in calibrated.json()["rows"]}
    assert ("southbound", "general", 15) in hours
    listed = client.get(f"{API}/runs", headers=planner).json()["items"]
    assert [r["id"] for r in listed] == [done["id"]]
    audit = client.get("/api/v1/audit/entries", headers=api_token(app, "aud", "auditor")).json()
    events = [e["event"] for e in audit["items"]]
    assert "modeling:run:submitted" in events
    assert "modeling:run:completed" in events


def test_a_comparison_with_typed_changes(app: FastAPI, client: TestClient) -> None:
    planner = api_token(app, "pia", "planner")
    queued = client.post(
        f"{API}/runs",
        json={"example": "peace-arch-douglas", "replications": 2,
              "changes": [{"add_booths": {"direction": "southbound", "group": "NEXUS"}}]},
        headers=planner,
    )  # fmt: skip
    assert queued.status_code == 202, queued.text
    done = finished(client, queued.json()["id"], planner)
    assert done["kind"] == "compare"
    assert done["changes"] == ["southbound: 1 more NEXUS booth(s)"]
    rows = {
        (r["direction"], r["subject"], r["metric"]): r for r in done["result"]["comparison"]["rows"]
    }
    nexus = rows[("southbound", "nexus lane", "mean_wait")]
    assert nexus["variant"] < nexus["base"]
    assert rows[("northbound", "general lane", "mean_wait")]["difference"]["mean"] == 0


def test_bad_requests_are_refused_with_located_problems(
    app: FastAPI, client: TestClient, node: Any
) -> None:
    planner = api_token(app, "pia", "planner")
    bad_yaml = (
        "name: x\ncrossing: y\ndirections:\n  - name: in\n    into: US\n    booths:\n"
        "      - {name: B, count: 2, lanes: [], schedule: [{from: 0, to: 20, open: 2}]}\n"
        "    arrivals: {cars: {per_hour: [1, 2]}}\n    service: {}\n"
    )
    refused = client.post(f"{API}/runs", json={"scenario": bad_yaml}, headers=planner)
    assert refused.status_code == 422
    details = {d["location"]: d for d in refused.json()["error"]["details"]}
    assert details["directions[0].booths[0].lanes"]["line"] == 7
    assert "24 hourly rates" in details["directions[0].arrivals.cars.per_hour"]["message"]
    assert list((node.data_dir / "quarantine").glob("*scenario.yaml*"))  # kept
    changes = client.post(
        f"{API}/runs",
        json={"example": "ambassador-bridge", "changes": [{"scale_traffic": {"factor": -1}}]},
        headers=planner,
    )
    assert changes.status_code == 422
    assert changes.json()["error"]["details"][0]["location"] == "changes[0].scale_traffic.factor"
    unknown = client.post(f"{API}/runs", json={"example": "nowhere"}, headers=planner)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["location"] == "example"
    too_many = client.post(
        f"{API}/runs", json={"example": "nowhere", "replications": 500}, headers=planner
    )
    assert too_many.status_code == 422
    checked = client.post(
        f"{API}/validate", content=bad_yaml, headers={**planner, "Content-Type": "application/yaml"}
    )
    assert checked.status_code == 422
    auditor = api_token(app, "aud", "auditor")
    assert client.get(f"{API}/examples", headers=auditor).status_code == 200
    denied = client.post(f"{API}/runs", json={"example": "ambassador-bridge"}, headers=auditor)
    assert denied.status_code == 403


def test_the_page_runs_a_scenario_and_shows_its_tables(app: FastAPI, client: TestClient) -> None:
    make_user(app, "pia", "planner")
    login(client, "pia", PASSWORD)
    page = client.get("/modeling")
    assert page.status_code == 200
    assert "Ambassador Bridge" in page.text
    form = {"csrf_token": csrf_of(client), "example": "ambassador-bridge",
            "compare": "changes", "changes": "- open_fast_to_all: {}", "replications": "2"}  # fmt: skip
    submitted = client.post("/modeling/runs", data=form)
    assert submitted.status_code == 303, submitted.text
    run_url = submitted.headers["location"]
    run_id = run_url.rsplit("/", 1)[1]
    finished(client, run_id, {})
    shown = client.get(run_url)
    assert "Variant against base" in shown.text
    assert "FAST lane open to every truck" in shown.text
    assert f"/api/v1/modeling/runs/{run_id}/plots/waits.png" in shown.text
    progress = client.get(f"{run_url}/progress")
    assert progress.headers["HX-Refresh"] == "true"
    bad = client.post("/modeling/runs", data={**form, "changes": "- make_it_faster: {}"})
    assert bad.status_code == 422
    assert "changes[0]" in bad.text
