"""The lookout and screening pages: list and search, create/edit/retract with field errors, screen
with the evidence shown feature by feature; partner lookouts read-only."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartborder import db
from smartborder.screening.models import Lookout
from tests.conftest import PASSWORD, csrf_of, login, make_user

FORM = {
    "subject_kind": "person",
    "category": "terrorism",
    "action": "deny-boarding",
    "names": "Абдулла Хасанов\nAbdulla Khasanov",
    "birth_date": "1979-06-02",
    "sex": "M",
    "nationalities": "UZB, RUS",
    "documents": "FA1234567 P UZB",
    "remarks": "Designated 2025.",
    "source_reference": "LIST-77",
    "share": "true",
    "shared_fields": ["names", "birth_date", "documents"],
}


def analyst(app: FastAPI, client: TestClient) -> tuple[TestClient, str]:
    make_user(app, "ana", "analyst")
    login(client, "ana", PASSWORD)
    return client, csrf_of(client)


def lookout_id(response_location: str) -> str:
    found = re.fullmatch(r"/lookouts/([0-9a-f-]{36})", response_location)
    assert found, response_location
    return found.group(1)


def test_create_edit_list_and_retract_through_the_pages(app: FastAPI, client: TestClient) -> None:
    browser, csrf = analyst(app, client)
    assert "New lookout" in browser.get("/lookouts").text
    made = browser.post("/lookouts/new", data={**FORM, "csrf_token": csrf})
    assert made.status_code == 303, made.text
    new_id = lookout_id(made.headers["location"])
    page = browser.get(f"/lookouts/{new_id}").text
    assert "Абдулла Хасанов" in page
    assert "Abdulla Khasanov" in page
    assert "FA1234567" in page
    assert "shared with partners under the lookout annex: names, birth_date, documents" in page

    # Search finds it by a transliterated part of the name; the table fragment for htmx too.
    listing = browser.get("/lookouts", params={"q": "khasanov"}, headers={"HX-Request": "true"})
    assert new_id in listing.text
    assert "<html" not in listing.text
    assert new_id not in browser.get("/lookouts", params={"q": "nobody"}).text

    edited = browser.post(
        f"/lookouts/{new_id}/edit",
        data={**FORM, "birth_date": "1979", "csrf_token": csrf},
    )
    assert edited.status_code == 303, edited.text
    with db.unit_of_work(app.state.sessions) as s:
        row = s.get(Lookout, new_id)
        assert row is not None
        assert (row.birth_date, row.version, row.nationalities) == ("1979", 2, ["UZB", "RUS"])
        assert [n["kind"] for n in row.names] == ["primary", "alias"]

    gone = browser.post(
        f"/lookouts/{new_id}/retract", data={"reason": "delisted", "csrf_token": csrf}
    )
    assert gone.status_code == 303
    page = browser.get(f"/lookouts/{new_id}").text
    assert "retracted" in page
    assert "delisted" in page
    assert "/edit" not in page


def test_form_errors_name_each_field_and_save_nothing(app: FastAPI, client: TestClient) -> None:
    browser, csrf = analyst(app, client)
    bad = {
        **FORM,
        "names": "Ab1del",
        "birth_date": "1979-13-40",
        "nationalities": "ZZZ",
        "valid_until": "2001-01-01",
        "valid_from": "2002-01-01",
        "csrf_token": csrf,
    }
    response = browser.post("/lookouts/new", data=bad)
    assert response.status_code == 422
    errors = re.findall(r'class="error field-error">([^<]+)<', response.text)
    assert any("digits" in e for e in errors), errors
    assert any("month" in e.lower() for e in errors), errors
    assert any("ZZZ" in e for e in errors), errors
    assert 'value="1979-13-40"' in response.text  # what was typed is kept
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalars(select(Lookout)).first() is None
    # An amendment that would break the lookout is refused the same way.
    made = browser.post("/lookouts/new", data={**FORM, "csrf_token": csrf})
    new_id = lookout_id(made.headers["location"])
    broken = browser.post(
        f"/lookouts/{new_id}/edit", data={**FORM, "names": "", "csrf_token": csrf}
    )
    assert broken.status_code == 422
    assert "needs at least one name" in broken.text


def test_screen_form_explains_each_hit(app: FastAPI, client: TestClient) -> None:
    browser, csrf = analyst(app, client)
    browser.post("/lookouts/new", data={**FORM, "csrf_token": csrf})
    result = browser.post(
        "/screen",
        data={"names": "KHASANOV ABDULA", "birth_date": "1979-02-06", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert result.status_code == 200, result.text
    assert "1 hit" in result.text
    rows = re.findall(r"<tr><td>(\w[\w_ ]*)</td><td>([\w-]+)</td>", result.text)
    features = dict(rows)
    assert features["birth_date"] == "day-month-swapped"
    assert features["name"] in ("exact", "strong", "close")
    assert "deny-boarding" in result.text
    nothing = browser.post("/screen", data={"names": "", "csrf_token": csrf})
    assert nothing.status_code == 422
    assert "give at least one name or document number" in nothing.text


def test_partner_lookouts_are_marked_and_read_only(app: FastAPI, client: TestClient) -> None:
    now = db.utcnow()
    with db.unit_of_work(app.state.sessions) as s:
        s.add(
            Lookout(
                id="00000000-0000-0000-0000-000000000001",
                subject_kind="person",
                category="serious-crime",
                action="notify",
                names=[{"name": "John Partner", "kind": "primary"}],
                search_text="JOHN PARTNER",
                nationalities=[],
                documents=[],
                remarks="",
                source_reference="us:U-9",
                valid_from=dt.date(2026, 1, 1),
                status="active",
                share=False,
                shared_fields=[],
                origin="us",
                origin_id="U-9",
                origin_agreement="annex-lookouts",
                version=1,
                created_at=now,
                created_by="partner:us",
                updated_at=now,
                updated_by="partner:us",
            )
        )
    browser, csrf = analyst(app, client)
    page = browser.get("/lookouts/00000000-0000-0000-0000-000000000001").text
    assert "partner-provided (us)" in page
    assert "Only us can change or retract this lookout" in page
    assert "/edit" not in page
    refused = browser.post(
        "/lookouts/00000000-0000-0000-0000-000000000001/retract",
        data={"reason": "mine now", "csrf_token": csrf},
    )
    assert refused.status_code == 409
    assert "partner: us" in browser.get("/lookouts", params={"origin": "us"}).text


def test_officers_screen_but_do_not_manage(app: FastAPI, client: TestClient) -> None:
    make_user(app, "off", "program-officer")
    login(client, "off", PASSWORD)
    assert client.get("/screen").status_code == 200
    assert "New lookout" not in client.get("/lookouts").text
    assert client.get("/lookouts/new").status_code == 403
