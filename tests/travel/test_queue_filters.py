"""The queue's filters are declared once (``targeting.schemas.QueueFilter``): the API, the queue
page and the CLI take the same fields under the same limits, and refuse the same values."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.settings import Settings
from smartborder.travel.targeting.schemas import MAX_WITHIN_HOURS, QueueFilter, QueueForm
from tests.conftest import PASSWORD, Cli, api_token, login, make_user

FILTERS = set(QueueFilter.model_fields)


def test_one_declaration_serves_the_api_the_page_and_the_cli(app: FastAPI) -> None:
    spec = app.openapi()
    api = {p["name"] for p in spec["paths"]["/api/v1/travel/queue"]["get"]["parameters"]}
    assert api == FILTERS | {"limit", "offset"}
    assert set(QueueForm.model_fields) == FILTERS | {"closed", "page"}
    assert len(FILTERS) == 9


def test_the_same_values_are_refused_everywhere(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli
) -> None:
    too_far = str(MAX_WITHIN_HOURS + 1)
    headers = api_token(app, "ana", "analyst")
    for bad in ({"within_hours": "0"}, {"within_hours": too_far}, {"flight": "X" * 41}):
        answer = client.get("/api/v1/travel/queue", params=bad, headers=headers)
        assert answer.status_code == 422, (bad, answer.text)
    make_user(app, "desk", "analyst")
    login(client, "desk", PASSWORD)
    assert client.get("/travel/queue", params={"within_hours": too_far}).status_code == 422
    # a blank field of the page's form is no filter
    page = client.get("/travel/queue", params={"within_hours": "", "severity": "", "closed": ""})
    assert page.status_code == 200
    code, _, err = cli(
        [
            "travel",
            "queue",
            "--as",
            "ana",
            "--within-hours",
            too_far,
            "--data-dir",
            str(node.data_dir),
        ]
    )
    assert code == 2
    assert "--within-hours" in err
    assert "less than or equal to 336" in err
