"""NEXUS and FAST applications: judged with cited reasons, the fee by date, refused with where
when they cannot be judged; through the API and the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartborder.errors import ValidationFailed
from smartborder.programs import applications
from smartborder.settings import Settings
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user

APPLICATION: dict[str, Any] = {
    "program": "nexus", "modes": ["highway", "air"], "date": "2026-05-04",
    "applicant": {"surname": "Tremblay", "given_names": "Marie-Ève", "birth_date": "1984-07-09",
                  "sex": "F", "citizenships": ["CA"]},
    "addresses": [{"from": "2019-03-01", "line": "12 rue Principale", "city": "Lacolle",
                   "country": "CA"},
                  {"from": "2015-01-01", "to": "2019-02-28", "line": "4 Elm St",
                   "city": "Plattsburgh", "country": "US"}],
    "employment": [{"from": "2012-09-01", "employer": "Transport Lacolle inc."}],
    "trips": [{"from": "2025-07-01", "to": "2025-07-14", "country": "FR"}],
    "documents": [{"kind": "passport", "number": "AB123456", "country": "CA",
                   "expires": "2030-01-01", "surname": "TREMBLAY", "birth_date": "1984-07-09"}],
    "consents_to_biometrics": True,
}  # fmt: skip


def made(**changes: Any) -> applications.ApplicationIn:
    data = copy.deepcopy(APPLICATION)
    for key, value in changes.items():
        if key in applications.ApplicantIn.model_fields:
            data["applicant"][key] = value
        else:
            data[key] = value
    return applications.ApplicationIn.model_validate(data)


def test_an_eligible_application_and_its_fee_by_date() -> None:
    application = made()
    applications.check(application)
    assert applications.eligibility(application) == (True, [])
    assert applications.fee(application)["amount"] == 120  # since October 2024
    assert applications.fee(made(date="2024-09-30"))["amount"] == 50
    fast = made(program="fast", modes=["commercial"], documents=[
        *APPLICATION["documents"],
        {"kind": "commercial-driver-licence", "number": "T1234-56789", "country": "CA",
         "expires": "2028-01-01"}])  # fmt: skip
    assert applications.eligibility(fast) == (True, [])
    assert applications.fee(fast)["amount"] == 50


@pytest.mark.parametrize(
    ("changes", "rule", "finding"),
    [
        ({"citizenships": ["FR"]}, "residence", "neither a citizen nor a permanent resident"),
        ({"citizenships": [], "permanent_residence": {"country": "US", "since": "2024-06-01"}},
         "permanent_resident_years", "3 years are needed"),
        ({"consents_to_biometrics": False}, "biometrics", "does not consent"),
        ({"documents": [{**APPLICATION["documents"][0], "expires": "2026-01-01"}]},
         "documents", "no valid passport"),
        ({"program": "fast", "modes": ["commercial"]}, "documents",
         "needs a valid commercial driver licence"),
    ],
)  # fmt: skip
def test_ineligible_applications_say_why_with_the_rule(
    changes: dict[str, Any], rule: str, finding: str
) -> None:
    application = made(**changes)
    applications.check(application)
    eligible, reasons = applications.eligibility(application)
    assert not eligible
    assert reasons[0]["rule"] == rule
    assert finding in reasons[0]["finding"]
    assert reasons[0]["cite"].startswith("SOR/2003-323")


def test_a_permanent_resident_of_three_years_is_eligible() -> None:
    resident = made(citizenships=["MX"],
                    permanent_residence={"country": "CA", "since": "2023-05-01"})  # fmt: skip
    assert applications.eligibility(resident) == (True, [])


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"addresses": [{"from": "2023-03-01", "line": "x", "city": "y", "country": "CA"},
                        {"from": "2015-01-01", "to": "2022-06-30", "line": "x", "city": "y",
                         "country": "US"}]},
         "addresses", "nothing from 2022-07-01 to 2023-02-28"),
        ({"employment": [{"from": "2023-01-01", "employer": "x"}]}, "employment",
         "nothing from 2021-05-04 to 2022-12-31"),
        ({"documents": [{**APPLICATION["documents"][0], "surname": "GAGNON"}]},
         "documents[0].surname", "a document of another person"),
        ({"documents": [{**APPLICATION["documents"][0], "birth_date": "1985-07-09"}]},
         "documents[0].birth_date", "a document of another person"),
        ({"birth_date": "2014-02-02"}, "guardian", "the applicant is 12"),
        ({"modes": ["rail"]}, "modes[0]", "'rail' is not a mode of NEXUS"),
        ({"trips": [{"from": "2025-07-14", "to": "2025-07-01", "country": "FR"}]}, "trips[0]",
         "ends (2025-07-01) before it starts"),
        ({"citizenships": ["XX"]}, "applicant.citizenships[0]", "not an ISO 3166-1"),
    ],
)  # fmt: skip
def test_what_cannot_be_judged_is_refused_with_where(
    changes: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        applications.check(made(**changes))
    found = {p["field"]: p["problem"] for p in refused.value.details}
    assert field in found, found
    assert problem in found[field]


def test_a_minor_with_a_member_parent_applies_free() -> None:
    minor = made(birth_date="2014-02-02", guardian={"name": "Marie-Ève Tremblay",
                                                   "membership": "50012345"},
                 documents=[{**APPLICATION["documents"][0], "birth_date": "2014-02-02"}])  # fmt: skip
    applications.check(minor)
    assert applications.fee(minor) == {"amount": 0, "currency": "USD",
                                       "reason": "a minor applying with a member (50012345)"}  # fmt: skip


def test_the_api_submits_for_program_officers(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "po", "program-officer")
    auditor = api_token(app, "aud", "auditor")
    sent = client.post("/api/v1/programs/applications", json=APPLICATION, headers=officer)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["status"], body["fee"]["amount"]) == ("vetting", 120)
    assert body["reference"].startswith("TT")
    shown = client.get(f"/api/v1/programs/applications/{body['reference']}", headers=auditor)
    assert shown.json()["applicant"] == "MARIE EVE TREMBLAY"  # ICAO: the hyphen is a space
    no = client.post("/api/v1/programs/applications", headers=officer,
                     json={**APPLICATION, "consents_to_biometrics": False})  # fmt: skip
    assert no.json()["status"] == "ineligible"
    assert no.json()["reasons"][0]["cite"] == "SOR/2003-323 s.6(d)"
    gap = client.post("/api/v1/programs/applications", headers=officer,
                      json={**APPLICATION, "employment": [{"from": "2024-01-01",
                                                           "employer": "x"}]})  # fmt: skip
    assert gap.status_code == 422
    assert gap.json()["error"]["details"][0]["field"] == "employment"
    listed = client.get("/api/v1/programs/applications", headers=auditor).json()
    assert sorted(a["status"] for a in listed) == ["ineligible", "vetting"]  # nothing of the gap
    assert client.post("/api/v1/programs/applications", json=APPLICATION,
                       headers=auditor).status_code == 403  # fmt: skip


def test_the_cli_applies_and_quarantines_what_cannot_be_judged(
    app: FastAPI, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    make_user(app, "po", "program-officer")
    data = ["--data-dir", str(node.data_dir), "--as", "po"]
    good = tmp_path / "nexus.yaml"
    good.write_text(yaml.safe_dump(APPLICATION, allow_unicode=True))
    code, out, err = cli(["programs", "apply", str(good), *data])
    assert code == 0, err
    assert "nexus application, vetting; fee 120 USD" in out
    reference = out.split(":", 1)[0]
    code, out, _ = cli(["programs", "show", reference, "--json", *data])
    assert json.loads(out)["status"] == "vetting"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**APPLICATION, "birth_date_typo": 1}))
    code, _, err = cli(["programs", "apply", str(bad), *data])
    assert code == 1
    assert "bad.yaml: the application is not valid" in err
    assert list((node.data_dir / "quarantine").glob("*-bad.yaml"))
    code, out, _ = cli(["programs", "applications", *data])
    assert reference in out


def test_the_vetting_queue_and_decisions_over_the_api(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "po", "program-officer")
    sent = client.post("/api/v1/programs/applications", json=APPLICATION, headers=officer)
    reference = sent.json()["reference"]
    assert sent.json()["vetting"]["own"]["decision"] == "approve"  # no hit here
    assert "no partner" in sent.json()["vetting"]["waiting"]
    queue = client.get("/api/v1/programs/vetting", headers=officer).json()
    assert queue == {"own": [], "partners": []}
    again = client.post(f"/api/v1/programs/applications/{reference}/decision", headers=officer,
                        json={"decision": "deny", "reason_codes": ["other"]})  # fmt: skip
    assert again.status_code == 409  # this node decided already
    unknown = client.post("/api/v1/programs/vetting/nope/decision", headers=officer,
                          json={"decision": "approve"})  # fmt: skip
    assert unknown.status_code == 404
    bad = client.post(f"/api/v1/programs/applications/{reference}/decision", headers=officer,
                      json={"decision": "maybe"})  # fmt: skip
    assert bad.status_code == 422


def test_the_pages_the_officer_and_the_applicant_see(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "po", "program-officer")
    sent = client.post("/api/v1/programs/applications", json=APPLICATION, headers=officer)
    reference = sent.json()["reference"]
    public = TestClient(app)  # the applicant: no account
    page = public.post("/programs/status", data={"reference": reference.lower(),
                                                 "birth_date": "1984-07-09"})  # fmt: skip
    assert page.status_code == 200
    assert "being vetted by both countries" in page.text
    wrong = public.post("/programs/status", data={"reference": reference,
                                                  "birth_date": "1984-07-10"})  # fmt: skip
    assert wrong.status_code == 404
    assert "No application has that reference number and date of birth." in wrong.text
    unknown = public.post("/programs/status", data={"reference": "TTXXXXXXXX",
                                                    "birth_date": "1984-07-09"})  # fmt: skip
    assert unknown.text.count("No application has that reference") == 1
    make_user(app, "po2", "program-officer", PASSWORD)
    login(client, "po2", PASSWORD)
    listing = client.get("/programs")
    assert listing.status_code == 200
    assert reference in listing.text
    assert "Nobody is waiting for a decision." in listing.text
    token = csrf_of(client)
    refused = client.post(f"/programs/applications/{reference}/decision",
                          data={"csrf_token": token, "decision": "deny"})  # fmt: skip
    assert refused.status_code == 422
    assert "a denial gives at least one reason code" in refused.text
    late = client.post(f"/programs/applications/{reference}/decision",
                       data={"csrf_token": token, "decision": "deny", "reason_codes": "other"})  # fmt: skip
    assert late.status_code == 422  # this node decided already (no hit)
    assert "is not waiting for this node" in late.text


def test_an_applicant_with_a_hit_waits_on_the_page_for_an_officer(
    app: FastAPI, client: TestClient
) -> None:
    from smartborder import db
    from smartborder.screening import service as lookouts
    from smartborder.screening.schemas import LookoutIn

    with db.unit_of_work(app.state.sessions) as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Marie-Ève Tremblay"}],
            "birth_date": "1984-07-09", "source_reference": "seizure at Lacolle",
        }), actor="user:analyst", today=dt.date(2026, 5, 4))  # fmt: skip
    officer = api_token(app, "po", "program-officer")
    sent = client.post("/api/v1/programs/applications", json=APPLICATION, headers=officer)
    reference = sent.json()["reference"]
    assert sent.json()["vetting"]["own"]["decision"] is None
    make_user(app, "po2", "program-officer", PASSWORD)
    login(client, "po2", PASSWORD)
    page = client.get("/programs")
    assert "customs lookout" in page.text
    decided = client.post(f"/programs/applications/{reference}/decision", data={
        "csrf_token": csrf_of(client), "decision": "deny", "reason_codes": "customs-violation",
        "note": "seizure confirmed"}, follow_redirects=True)  # fmt: skip
    assert decided.status_code == 200
    assert "Nobody is waiting for a decision." in decided.text
    shown = client.get(f"/api/v1/programs/applications/{reference}", headers=officer).json()
    assert shown["status"] == "denied"


def _form(**changes: str) -> dict[str, str]:
    """The online form as an applicant fills it in (the fields of APPLICATION)."""
    fields = {
        "program": "nexus", "mode-highway": "yes", "mode-air": "yes", "surname": "Tremblay",
        "given_names": "Marie-Ève", "birth_date": "1984-07-09", "sex": "F",
        "citizenships": "ca", "addresses-0-from": "2019-03-01",
        "addresses-0-line": "12 rue Principale", "addresses-0-city": "Lacolle",
        "addresses-0-country": "CA", "addresses-1-from": "2015-01-01",
        "addresses-1-to": "2019-02-28", "addresses-1-line": "4 Elm St",
        "addresses-1-city": "Plattsburgh", "addresses-1-country": "US",
        "employment-0-from": "2012-09-01", "employment-0-employer": "Transport Lacolle inc.",
        "documents-0-kind": "passport", "documents-0-number": "AB123456",
        "documents-0-country": "CA", "documents-0-expires": "2031-01-01", "consent": "yes",
    }  # fmt: skip
    fields.update(changes)
    return {k: v for k, v in fields.items() if v}


def test_the_applicant_applies_online_and_is_told_where_it_falls_short(
    app: FastAPI, client: TestClient
) -> None:
    public = TestClient(app)  # no account
    assert "Apply for NEXUS or FAST" in public.get("/programs/apply").text
    made = public.post("/programs/apply", data=_form())
    assert made.status_code == 201, made.text
    reference = made.text.split("Your reference: ")[1][:10]
    assert "Being vetted by both countries." in made.text
    assert "120 USD" in made.text
    officer = api_token(app, "po", "program-officer")
    stored = client.get(f"/api/v1/programs/applications/{reference}", headers=officer).json()
    assert stored["created_by"] == "applicant:web"
    assert stored["application"]["documents"][0]["surname"] == "Tremblay"
    gap = public.post("/programs/apply", data=_form(**{"addresses-0-from": "2023-03-01"}))
    assert gap.status_code == 422
    assert "addresses: nothing from " in gap.text  # the five years end today
    assert " to 2023-02-28: 5 years are asked for" in gap.text
    assert 'value="Lacolle"' in gap.text  # what was given is kept for the correction
    no_mode = public.post("/programs/apply", data=_form(**{"mode-highway": "", "mode-air": ""}))
    assert no_mode.status_code == 422
    assert "modes: List should have at least 1 item" in no_mode.text
    renewal = public.post("/programs/apply", data=_form(renewal_of="512345674"))
    assert renewal.status_code == 422
    assert "renewal_of: no membership with the card" in renewal.text
    flooded = [public.post("/programs/status", data={"reference": f"TT{n:08d}",
                                                     "birth_date": "1984-07-09"}).status_code
               for n in range(8)]  # fmt: skip
    assert flooded[0] == 404
    assert flooded[-1] == 429  # references are not tried by the thousand
