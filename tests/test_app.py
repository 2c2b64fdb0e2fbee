"""The HTTP API end to end: authentication everywhere, one error shape, limits, request ids."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.app import API_PREFIX, api_routers, create_app, ui_routers
from smartborder.audit import chain
from smartborder.audit.models import AuditEntry
from smartborder.auth import Db
from smartborder.errors import Conflict
from smartborder.settings import Settings
from tests.conftest import api_token

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("POST", "/api/v1/exchange/inbox"),  # authenticated per envelope by its signature
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/login/sso"),  # single sign-on: to the identity provider and back
    ("GET", "/login/sso/callback"),
    # the trusted-traveller applicant's own status page: the reference and the date of birth
    ("GET", "/programs/status"),
    ("POST", "/programs/status"),
    # and the online application form (both limited per address)
    ("GET", "/programs/apply"),
    ("POST", "/programs/apply"),
}


def assert_error_shape(body: dict[str, object], code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)


def test_health_needs_no_credentials(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "node": "ca"}


def test_ready_reports_database_and_migrations(client: TestClient) -> None:
    body = client.get("/api/v1/ready").json()
    assert body["status"] == "ready"
    assert body["migrations"] == "current"
    assert body["revision"] == body["head"] != "none"


def all_routes() -> list[tuple[str, APIRoute]]:
    routes = [(API_PREFIX + r.path, r) for router in api_routers() for r in router.routes]
    routes += [(r.path, r) for router in ui_routers() for r in router.routes]
    return [(path, r) for path, r in routes if isinstance(r, APIRoute)]


def test_every_other_route_requires_authentication(client: TestClient) -> None:
    checked = 0
    for full_path, route in all_routes():
        path = re.sub(r"\{[^}]+\}", "1", full_path)
        for method in route.methods - {"HEAD"}:
            if (method, full_path) in PUBLIC:
                continue
            response = client.request(method, path)
            checked += 1
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
                assert_error_shape(response.json(), "not_authenticated")
            else:
                assert response.status_code == 303, (method, path)
                assert response.headers["location"].startswith("/login?next=")
    assert checked >= 15


def test_openapi_docs_served_locally_to_signed_in_users(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "reader", "auditor")
    schema = client.get("/api/v1/openapi.json", headers=headers).json()
    assert "/api/v1/people" in schema["paths"]
    docs = client.get("/api/v1/docs", headers=headers).text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_token_auth_me_and_revocation(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "feed", "analyst")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["username"] == "feed"
    assert me["authenticated_via"] == "token"
    assert "people:read" in me["permissions"]
    assert "users:manage" not in me["permissions"]
    created = client.post("/api/v1/tokens", json={"name": "second"}, headers=headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("sbt_")
    listed = client.get("/api/v1/tokens", headers=headers).json()
    assert {t["name"] for t in listed} == {"test", "second"}
    assert all("token" not in t for t in listed)
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=headers)
    assert revoked.json()["revoked_at"] is not None
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert_error_shape(refused.json(), "not_authenticated")


def test_cannot_revoke_someone_elses_token(app: FastAPI, client: TestClient) -> None:
    alice = api_token(app, "alice", "analyst")
    bob = api_token(app, "bob", "analyst")
    bob_token = client.get("/api/v1/tokens", headers=bob).json()[0]["id"]
    response = client.delete(f"/api/v1/tokens/{bob_token}", headers=alice)
    assert response.status_code == 403
    assert_error_shape(response.json(), "forbidden")


def test_role_check_refuses_with_reason(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "policy1", "policy-analyst")
    response = client.get("/api/v1/people", headers=headers)
    assert response.status_code == 403
    body = response.json()
    assert_error_shape(body, "forbidden")
    assert body["error"]["details"] == [{"permission": "people:read", "role": "policy-analyst"}]


def test_admin_manages_users_over_the_api(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "root2", "admin")
    new = {"username": "analyst7", "role": "analyst", "password": "long-enough-pass"}
    created = client.post("/api/v1/users", json=new, headers=headers)
    assert created.status_code == 201
    assert created.json()["role"] == "analyst"
    assert "password" not in created.text
    assert "hash" not in created.text
    again = client.post("/api/v1/users", json=new, headers=headers)
    assert again.status_code == 409
    assert_error_shape(again.json(), "conflict")
    disabled = client.post("/api/v1/users/analyst7/disable", headers=headers)
    assert disabled.json()["active"] is False
    missing = client.post("/api/v1/users/nobody/disable", headers=headers)
    assert missing.status_code == 404
    assert_error_shape(missing.json(), "not_found")


def test_disabled_users_token_stops_working(app: FastAPI, client: TestClient) -> None:
    admin = api_token(app, "boss", "admin")
    user = api_token(app, "temp", "analyst")
    assert client.get("/api/v1/me", headers=user).status_code == 200
    client.post("/api/v1/users/temp/disable", headers=admin)
    assert client.get("/api/v1/me", headers=user).status_code == 401


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"username": "x", "role": "analyst", "password": "long-enough-pass"}, "body.username"),
        ({"username": "okname", "role": "emperor", "password": "long-enough-pass"}, "body.role"),
        ({"username": "okname", "role": "analyst"}, "body.password"),
    ],
)
def test_validation_errors_name_the_field(
    app: FastAPI, client: TestClient, payload: dict[str, str], where: str
) -> None:
    headers = api_token(app, "root3", "admin")
    response = client.post("/api/v1/users", json=payload, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert_error_shape(body, "validation_failed")
    assert where in [d["location"] for d in body["error"]["details"]]


def test_short_password_refused_with_field(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "root4", "admin")
    body = {"username": "shorty", "role": "analyst", "password": "short"}
    response = client.post("/api/v1/users", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "password", "problem": "at least 12 characters"}
    ]


def test_malformed_json_is_400_with_location(app: FastAPI, client: TestClient) -> None:
    headers = {**api_token(app, "root5", "admin"), "Content-Type": "application/json"}
    response = client.post("/api/v1/users", content=b'{"username": "a",', headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body, "malformed_json")
    assert body["error"]["details"][0]["location"].startswith("body")


def test_oversized_body_is_413(app: FastAPI, client: TestClient) -> None:
    headers = {**api_token(app, "root6", "admin"), "Content-Type": "application/json"}
    big = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    response = client.post("/api/v1/tokens", content=big, headers=headers)
    assert response.status_code == 413
    assert_error_shape(response.json(), "payload_too_large")


def test_oversized_streamed_body_is_413(app: FastAPI, client: TestClient) -> None:
    headers = {**api_token(app, "root7", "admin"), "Content-Type": "application/json"}

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65536

    response = client.post("/api/v1/tokens", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_unknown_route_and_method(client: TestClient) -> None:
    missing = client.get("/api/v1/does-not-exist")
    assert missing.status_code == 404
    assert_error_shape(missing.json(), "not_found")
    wrong = client.put("/api/v1/health")
    assert wrong.status_code == 405
    assert_error_shape(wrong.json(), "method_not_allowed")


def test_query_bounds_are_enforced(app: FastAPI, client: TestClient) -> None:
    headers = api_token(app, "reader2", "analyst")
    response = client.get("/api/v1/people?limit=100000", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == "query.limit"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/api/v1/health", headers={"X-Request-ID": "trace-123"})
    assert given.headers["x-request-id"] == "trace-123"
    made = client.get("/api/v1/health", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


def test_node_info_includes_key_fingerprint(app: FastAPI, client: TestClient) -> None:
    info = client.get("/api/v1/node", headers=api_token(app, "aud", "auditor")).json()
    assert info["node_id"] == "ca"
    assert info["country"] == "CA"
    assert re.fullmatch(r"([0-9A-F]{4}:){7}[0-9A-F]{4}", info["signing_key_fingerprint"])


def test_unexpected_error_is_500_without_traceback(app: FastAPI) -> None:
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/boom")
    assert response.status_code == 500
    assert_error_shape(response.json(), "internal_error")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_responses_carry_security_headers(client: TestClient) -> None:
    page = client.get("/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self'
    static = client.get("/static/smartborder.css")
    assert static.headers["cache-control"].startswith("public")


def test_a_request_commits_before_it_answers_and_one_that_fails_leaves_nothing(
    app: FastAPI, client: TestClient
) -> None:
    # The request's unit of work (auth.get_db): written rows are committed before the answer
    # goes out; an error after writing rolls them back, whatever was already flushed.
    def write(fail: bool, session: Db) -> dict[str, bool]:
        chain.append(session, "test:request:written", actor="test", details={"fail": fail})
        session.flush()  # on the database, in the request's transaction
        if fail:
            raise Conflict("refused after writing")
        return {"written": True}

    app.add_api_route("/api/v1/test/write", write, methods=["POST"])

    def written() -> list[object]:
        with db.unit_of_work(app.state.sessions) as session:
            query = select(AuditEntry.details).where(AuditEntry.event == "test:request:written")
            return list(session.scalars(query))

    refused = client.post("/api/v1/test/write", params={"fail": "true"})
    assert refused.status_code == 409
    assert_error_shape(refused.json(), "conflict")
    assert written() == []
    done = client.post("/api/v1/test/write", params={"fail": "false"})
    assert done.status_code == 200
    assert done.json() == {"written": True}
    assert written() == [{"fail": False}]
    with db.unit_of_work(app.state.sessions) as session:  # the chain still holds together
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 1
        assert chain.verify_chain(session).ok


def test_a_served_node_settles_its_heap_once_started_and_a_test_app_does_not(
    node: Settings,
) -> None:
    import gc

    from smartborder import collector

    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        plain = create_app(node, configure_logs=False)
        with TestClient(plain):
            assert gc.get_freeze_count() == before
        served = create_app(node, configure_logs=False, settle=True)
        with TestClient(served):
            assert gc.get_freeze_count() > before  # start-up's objects out of the walks
            assert gc.get_threshold()[2] >= collector.OLDEST_EVERY
        for application in (plain, served):
            application.state.engine.dispose()
            application.state.read_engine.dispose()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
