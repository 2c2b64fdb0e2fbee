"""Every JSON answer of the API is described: the OpenAPI document gives each operation's
success answers a schema with named fields (a ``*Out`` model), never a free-form object."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.exchange.document import AgreementDocument
from tests.conftest import api_token


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def _undescribed(spec: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """Why a success answer's schema does not describe it (None: it does)."""
    if not schema:
        return "no schema"
    if schema.get("type") == "array":
        return _undescribed(spec, schema.get("items", {}))
    if schema.get("type") in {"string", "integer", "number", "boolean"}:
        return None  # a value with a type is described
    if "anyOf" in schema:  # e.g. a model or null
        described = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return next((w for s in described if (w := _undescribed(spec, s))), None)
    if "$ref" not in schema:
        return f"not a named schema: {schema}"
    model = _resolve(spec, schema)
    if not model.get("properties"):
        return f"{schema['$ref']} declares no field"
    return None


def answers(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation.get("responses", {}).items():
                content = answer.get("content", {}).get("application/json")
                if code.startswith("2") and content is not None:
                    found.append((method.upper(), path, code, content.get("schema", {})))
    return found


def test_every_json_answer_has_a_schema(app: FastAPI) -> None:
    spec = app.openapi()
    found = answers(spec)
    assert len(found) > 80  # every domain's API is in the document
    undescribed = [
        (method, path, code, why)
        for method, path, code, schema in found
        if (why := _undescribed(spec, schema))
    ]
    assert undescribed == []


def test_the_walk_finds_a_free_form_answer() -> None:
    spec = {
        "paths": {
            "/a": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}
            },
            "/b": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "additionalProperties": True}
                                }
                            }
                        }
                    }
                }
            },
        }
    }
    assert [_undescribed(spec, s) for *_, s in answers(spec)] == [
        "no schema",
        "not a named schema: {'type': 'object', 'additionalProperties': True}",
    ]


def test_the_agreement_schema_is_served_as_described(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "reader", "auditor")
    answer = client.get("/api/v1/agreements/schema", headers=headers)
    assert answer.status_code == 200, answer.text
    schema = answer.json()
    assert schema["type"] == "object"
    assert {"parties", "messages", "retention"} <= set(schema["properties"])
    assert schema == AgreementDocument.model_json_schema()  # nothing lost on the way
    assert "$defs" in schema
