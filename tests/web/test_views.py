"""The HTML UI through the real app: sign-in, CSRF, sessions, navigation, pages."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from smartborder import db
from smartborder.identity import service as identity
from smartborder.synthetic.people import PeopleGenerator
from smartborder.users.models import WebSession
from tests.conftest import ADMIN_PASSWORD, PASSWORD, csrf_of, login, make_user, post_login


def test_sign_in_sets_a_hardened_cookie_and_redirects(client: TestClient) -> None:
    response = post_login(client, "admin", ADMIN_PASSWORD)
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "sb_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    overview = client.get("/")
    assert overview.status_code == 200
    assert "Canada" in overview.text
    assert "Sign out" in overview.text


def test_wrong_password_says_so_without_revealing_which(client: TestClient) -> None:
    bad_password = post_login(client, "admin", "wrong-password-x")
    unknown_user = post_login(client, "nosuchuser", "wrong-password-x")
    for response in (bad_password, unknown_user):
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert "Wrong username or password." in response.text  # type: ignore[attr-defined]
    assert "sb_session" not in client.cookies


def test_repeated_failures_lock_the_username(client: TestClient) -> None:
    for _ in range(4):
        assert post_login(client, "admin", "wrong-password-x").status_code == 401  # type: ignore[attr-defined]
    locked = post_login(client, "admin", "wrong-password-x")
    assert locked.status_code == 429  # type: ignore[attr-defined]
    # Even the right password is refused while the lock holds.
    still = post_login(client, "admin", ADMIN_PASSWORD)
    assert still.status_code == 429  # type: ignore[attr-defined]
    assert "Too many failed sign-ins" in still.text  # type: ignore[attr-defined]
    assert int(still.headers["retry-after"]) >= 1  # type: ignore[attr-defined]


def test_login_without_form_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 403
    assert "sign-in form expired" in response.text


def test_unsafe_request_without_csrf_token_is_refused(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    refused = client.post("/logout")
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    api_refused = client.post("/api/v1/tokens", json={"name": "x"})
    assert api_refused.status_code == 403
    assert api_refused.json()["error"]["code"] == "csrf_failed"
    allowed = client.post(
        "/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert allowed.status_code == 201


def test_sign_out_ends_the_session(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    token = csrf_of(client)
    old_cookie = client.cookies["sb_session"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["location"] == "/login?signed_out=1"
    client.cookies.set("sb_session", old_cookie)
    assert client.get("/").status_code == 303


def test_expired_session_sends_back_to_sign_in(app: FastAPI, client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    past = db.utcnow() - dt.timedelta(hours=1)
    with db.unit_of_work(app.state.sessions) as s:
        s.execute(update(WebSession).values(last_seen_at=past - dt.timedelta(hours=1)))
    response = client.get("/people")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/people&expired=1"
    page = client.get(response.headers["location"])
    assert "Your session expired" in page.text
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "session_expired"


def test_navigation_shows_only_permitted_sections(app: FastAPI, client: TestClient) -> None:
    make_user(app, "pat", "policy-analyst")
    login(client, "pat", PASSWORD)
    page = client.get("/").text
    assert 'href="/account"' in page
    assert 'href="/users"' not in page
    assert 'href="/people"' not in page
    forbidden = client.get("/users")
    assert forbidden.status_code == 403
    assert "does not grant" in forbidden.text


def test_people_page_lists_and_searches_across_scripts(app: FastAPI, client: TestClient) -> None:
    generator = PeopleGenerator(seed=7, country="CA")
    with db.unit_of_work(app.state.sessions) as s:
        for person in generator.people(60):
            identity.create_person(s, person)
    login(client, "admin", ADMIN_PASSWORD)
    page = client.get("/people")
    assert "60 people" in page.text
    assert "page 1 of 2" in page.text
    assert 'href="/people?q=&amp;page=2">Next' in page.text  # the shared pager
    second = client.get("/people", params={"page": 2}).text
    assert "page 2 of 2" in second
    assert 'href="/people?q=&amp;page=1">← Previous' in second
    assert "Next →" not in second
    with db.unit_of_work(app.state.sessions) as s:
        _, people = identity.list_people(s, limit=60)
    foreign = next(p for p in people if p.names[0].script != "Latn")
    native = foreign.names[0].surname
    partial = client.get("/people", params={"q": native}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert native in partial.text
    latin = foreign.names[1].surname  # the transliteration finds the same person
    by_latin = client.get("/people", params={"q": latin})
    assert f'href="/people/{foreign.id}"' in by_latin.text
    detail = client.get(f"/people/{foreign.id}")
    assert foreign.documents[0].number in detail.text
    assert client.get("/people/999999").status_code == 404


def test_admin_creates_and_disables_users_in_the_ui(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    token = csrf_of(client)
    form = {"csrf_token": token, "username": "newbie", "role": "analyst", "password": "short"}
    refused = client.post("/users", data=form)
    assert refused.status_code == 422
    assert "at least 12 characters" in refused.text
    form["password"] = PASSWORD
    created = client.post("/users", data=form)
    assert "User &#39;newbie&#39; created." in created.text
    row = client.post(
        "/users/newbie/disable", headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert 'id="user-newbie"' in row.text
    assert "disabled" in row.text
    assert "<html" not in row.text


def test_api_token_is_shown_once_in_the_ui(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    token = csrf_of(client)
    page = client.post("/account/tokens", data={"csrf_token": token, "name": "airline-feed"})
    secret = re.search(r'id="new-token">(sbt_[^<]+)<', page.text)
    assert secret
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 200
    )
    again = client.get("/account").text
    assert "airline-feed" in again
    assert secret.group(1) not in again


def test_unknown_page_gets_an_html_error_page(client: TestClient) -> None:
    login(client, "admin", ADMIN_PASSWORD)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "nothing at GET /no/such/page" in response.text


def test_next_parameter_cannot_redirect_off_site(client: TestClient) -> None:
    page = client.get("/login", params={"next": "//evil.example/"})
    assert 'name="next" value="/"' in page.text
