"""Enrolment, memberships and the lane through the API, the CLI and the pages, on one node: the
application's approval by both countries is set in the table (test_enrolment shows it arriving
from the partner), and the interview's day is brought to today once booked."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from prometheus_client import REGISTRY
from sqlalchemy import update

from smartborder import db
from smartborder.programs.models import TrustedApplication, TrustedInterview
from smartborder.screening import service as lookouts
from smartborder.screening.schemas import LookoutIn
from smartborder.settings import Settings
from smartborder.synthetic.fingerprints import finger, png
from tests.biometrics.test_face import ASTRONAUT, PHOTO, _another_capture
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user
from tests.programs.test_applications import APPLICATION


def _jpeg(data: bytes) -> bytes:
    """As a camera sends it (the PNG would pass the node's 1 MiB body limit in base64)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _approved(app: FastAPI, client: TestClient, officer: dict[str, str]) -> str:
    sent = client.post("/api/v1/programs/applications", json=APPLICATION, headers=officer)
    reference = str(sent.json()["reference"])
    with db.unit_of_work(app.state.sessions) as s:  # both countries approved (see test_vetting)
        s.execute(update(TrustedApplication).where(TrustedApplication.reference == reference)
                  .values(status="approved"))  # fmt: skip
    return reference


def _the_day_came(app: FastAPI, interview: str) -> None:
    with db.unit_of_work(app.state.sessions) as s:
        s.execute(update(TrustedInterview).where(TrustedInterview.id == interview)
                  .values(day=db.utcnow().date()))  # fmt: skip


def _book(client: TestClient, officer: dict[str, str], reference: str) -> str:
    free = client.get("/api/v1/programs/centres/yul/free-days", headers=officer).json()
    assert free[0] == {"day": db.utcnow().date().isoformat(), "left": 60}  # open every day
    booked = client.post("/api/v1/programs/interviews", headers=officer,
                         json={"reference": reference, "centre": "yul", "day": free[1]["day"]})  # fmt: skip
    assert booked.status_code == 201, booked.text
    return str(booked.json()["id"])


def test_enrol_then_the_lane_and_a_suspension_over_the_api(
    app: FastAPI, client: TestClient
) -> None:
    officer = api_token(app, "po", "program-officer")
    booth = api_token(app, "bso", "analyst")  # any officer decides at the lane
    auditor = api_token(app, "aud", "auditor")
    interview = _book(client, officer, _approved(app, client, officer))
    early = client.post(f"/api/v1/programs/interviews/{interview}/enrolment", headers=officer,
                        json={"face": _b64(PHOTO), "fingerprints": [_b64(png(finger(61)
                              .impression(0)))]})  # fmt: skip
    assert early.status_code == 409  # not before the booked day
    _the_day_came(app, interview)
    bad = client.post(f"/api/v1/programs/interviews/{interview}/enrolment", headers=officer,
                      json={"face": _b64(png(finger(60).impression(0))),
                            "fingerprints": ["@@@"]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "fingerprints[0]"
    prints = [_b64(png(finger(seed).impression(0))) for seed in (61, 62)]
    blurred = client.post(f"/api/v1/programs/interviews/{interview}/enrolment", headers=officer,
                          json={"face": _b64(png(finger(60).impression(0))),
                                "fingerprints": prints})  # fmt: skip
    assert blurred.status_code == 422
    (problem,) = blurred.json()["error"]["details"]  # the prints were fine: only the face
    assert problem["field"] == "face"
    assert "no face found" in problem["problem"]
    done = client.post(f"/api/v1/programs/interviews/{interview}/enrolment", headers=officer,
                       json={"face": _b64(PHOTO), "fingerprints": prints})  # fmt: skip
    assert done.status_code == 200, done.text
    card = done.json()["card_number"]
    assert done.json()["quality"]["face"]["usable"]
    face_now = _b64(_another_capture(6, 0.8, 0.8))
    admit = client.post("/api/v1/programs/lane", headers=booth,
                        json={"card": card, "lane": "air", "face": face_now})  # fmt: skip
    assert admit.json()["decision"] == "admit", admit.text
    timed = REGISTRY.get_sample_value("smartborder_lane_decision_duration_seconds_count",
                                      {"decision": "admit"})  # fmt: skip
    assert timed is not None
    assert timed >= 1
    for garbage, why in (("@@@", "not base64"), (_b64(png(finger(9).impression(0))),
                                                  "no face found")):  # fmt: skip
        bad_capture = client.post("/api/v1/programs/lane", headers=booth,
                                  json={"card": card, "lane": "air", "face": garbage}).json()  # fmt: skip
        assert bad_capture["decision"] == "refer"
        assert bad_capture["reasons"][0].startswith("face capture not usable")
        assert why in bad_capture["reasons"][0]
    too_long = client.post("/api/v1/programs/lane", headers=booth,
                           json={"card": "9" * 33, "lane": "air"})  # fmt: skip
    assert too_long.status_code == 422
    other = client.post("/api/v1/programs/lane", headers=booth,
                        json={"card": card, "lane": "air", "face": _b64(_jpeg(ASTRONAUT))})  # fmt: skip
    assert other.status_code == 200, other.text
    assert other.json()["decision"] == "refer"
    assert client.post("/api/v1/programs/lane", headers=auditor,
                       json={"card": card, "lane": "air"}).status_code == 403  # fmt: skip
    suspended = client.post(f"/api/v1/programs/memberships/{card}/status", headers=officer,
                            json={"action": "suspend", "reasons": ["new lookout: customs"]})  # fmt: skip
    assert suspended.json()["status"] == "suspended"
    refused = client.post("/api/v1/programs/lane", headers=booth,
                          json={"card": card, "lane": "air", "face": face_now}).json()  # fmt: skip
    assert refused["reasons"] == ["membership suspended: new lookout: customs"]
    shown = client.get(f"/api/v1/programs/memberships/{card}", headers=auditor).json()
    assert [h["event"] for h in shown["history"]] == ["issued", "suspended"]
    assert client.post(f"/api/v1/programs/memberships/{card}/status", headers=officer,
                       json={"action": "suspend", "reasons": ["again"]}).status_code == 409  # fmt: skip
    listed = client.get("/api/v1/programs/interviews", headers=auditor,
                        params={"state": "enrolled"}).json()  # fmt: skip
    assert [i["card_number"] for i in listed] == [card]


def test_the_cli_enrols_decides_at_the_lane_and_suspends(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    officer = api_token(app, "po", "program-officer")
    make_user(app, "bso", "analyst")
    interview = _book(client, officer, _approved(app, client, officer))
    _the_day_came(app, interview)
    files = {}
    for name, data in (("face.jpg", PHOTO), ("now.jpg", _another_capture(6, 0.8, 0.8)),
                       ("p1.png", png(finger(71).impression(0))),
                       ("p2.png", png(finger(72).impression(0)))):  # fmt: skip
        files[name] = tmp_path / name
        files[name].write_bytes(data)
    as_po = ["--data-dir", str(node.data_dir), "--as", "po"]
    code, out, err = cli(["programs", "enrol", interview, "--face", str(files["face.jpg"]),
                          "--print", str(files["p1.png"]), "--print", str(files["p2.png"]),
                          *as_po])  # fmt: skip
    assert code == 0, err
    card = out.strip().rsplit(" ", 1)[-1]
    as_bso = ["--data-dir", str(node.data_dir), "--as", "bso"]
    code, out, err = cli(["programs", "lane", card, "--lane", "air", "--face",
                          str(files["now.jpg"]), *as_bso])  # fmt: skip
    assert code == 0, err
    assert out.startswith("ADMIT: every check passed")
    with db.unit_of_work(app.state.sessions) as s:  # a lookout made since the approval
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "immigration-violation", "names": [{"name": "Marie-Eve TREMBLAY"}],
            "birth_date": "1984-07-09", "source_reference": "SYNTHETIC"}),
            actor="user:analyst", today=db.utcnow().date())  # fmt: skip
    code, out, err = cli(["programs", "recheck", "--data-dir", str(node.data_dir)])
    assert (code, out.split(":")[0]) == (0, card), err
    flagged = client.get("/api/v1/programs/flagged", headers=officer).json()
    assert [m["card_number"] for m in flagged] == [card]
    code, out, err = cli(["programs", "dismiss", card, "--reason", "the lookout is her aunt",
                          *as_po])  # fmt: skip
    assert (code, out.strip()) == (0, f"{card}: flags dismissed"), err
    again = client.post(f"/api/v1/programs/memberships/{card}/dismiss", headers=officer,
                        json={"reasons": ["again"]})  # fmt: skip
    assert again.status_code == 409
    assert client.get("/api/v1/programs/flagged", headers=officer).json() == []
    code, out, err = cli(["programs", "change", card, "cancel", "--reason",
                          "false statement on the application", *as_po])  # fmt: skip
    assert (code, out.strip()) == (0, f"{card}: cancelled")
    code, out, _ = cli(["programs", "lane", card, "--lane", "air", "--face",
                        str(files["now.jpg"]), *as_bso])  # fmt: skip
    assert "REFER: membership cancelled: false statement on the application" in out
    code, out, _ = cli(["programs", "members", "--json", *as_po])
    assert json.loads(out)["items"][0]["status"] == "cancelled"
    code, _, err = cli(["programs", "book", "TTNOPE", "--centre", "yul", "--day", "someday",
                        *as_po])  # fmt: skip
    assert code == 2
    assert "--day" in err


def test_the_lane_page_and_the_enrolment_page(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "po", "program-officer")
    reference = _approved(app, client, officer)
    interview = _book(client, officer, reference)
    _the_day_came(app, interview)
    make_user(app, "po2", "program-officer", PASSWORD)
    login(client, "po2", PASSWORD)
    page = client.get("/programs/enrolment")
    assert page.status_code == 200
    assert interview in page.text
    token = csrf_of(client)
    bad_day = client.post("/programs/interviews", data={"csrf_token": token, "reference": "TTX",
                                                         "centre": "yul", "day": "soon"})  # fmt: skip
    assert bad_day.status_code == 422
    assert "day: &#39;soon&#39; is not a date" in bad_day.text
    sent = client.post(f"/programs/interviews/{interview}/enrolment",
                       data={"csrf_token": token},
                       files=[("face", ("face.jpg", PHOTO, "image/jpeg")),
                              ("fingerprints", ("p1.png", png(finger(81).impression(0)),
                                                "image/png")),
                              ("fingerprints", ("p2.png", png(finger(82).impression(0)),
                                                "image/png"))])  # fmt: skip
    assert sent.status_code == 303, sent.text
    enrolled = client.get("/programs/enrolment").text
    assert "enrolled" in enrolled
    applicant = TestClient(app).post("/programs/status", data={
        "reference": reference, "birth_date": "1984-07-09"}).text  # fmt: skip
    assert "Interview: Montréal-Trudeau airport" in applicant
    assert "Membership: active, until " in applicant
    with db.unit_of_work(app.state.sessions) as s:
        card = s.get(TrustedInterview, interview).card_number  # type: ignore[union-attr]
    lane_page = client.get("/programs/lane")
    assert lane_page.status_code == 200
    decided = client.post("/programs/lane", data={"csrf_token": token, "card": card,
                                                  "lane": "air"},
                          files=[("face", ("now.jpg", _another_capture(6, 0.8, 0.8),
                                           "image/jpeg"))])  # fmt: skip
    assert decided.status_code == 200
    assert "ADMIT" in decided.text
    unknown = client.post("/programs/lane", data={"csrf_token": token, "card": "nope",
                                                  "lane": "air"})  # fmt: skip
    assert "REFER" in unknown.text
    assert "is unknown on this node" in unknown.text


def test_a_cancelled_interview_frees_its_place_and_another_is_booked(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli
) -> None:
    officer = api_token(app, "po", "program-officer")
    reference = _approved(app, client, officer)
    interview = _book(client, officer, reference)
    url = f"/api/v1/programs/interviews/{interview}/cancel"
    assert client.post(url, headers=officer, json={"reason": ""}).status_code == 422
    done = client.post(url, headers=officer, json={"reason": "the applicant asked"})
    assert done.json()["state"] == "cancelled"
    assert done.json()["finding"]["note"] == "the applicant asked"
    assert client.post(url, headers=officer, json={"reason": "again"}).status_code == 409
    again = _book(client, officer, reference)  # the day has its place back
    make_user(app, "po2", "program-officer")
    code, out, err = cli(["programs", "cancel-interview", again, "--reason", "moved away",
                          "--data-dir", str(node.data_dir), "--as", "po2"])  # fmt: skip
    assert (code, out.strip()) == (0, f"interview {again}: cancelled"), err


def test_two_officers_booking_the_last_place_at_once_get_one_each(
    app: FastAPI, client: TestClient, node: Settings
) -> None:
    """On PostgreSQL several workers serve a node: the day's last place goes to one booking,
    the other is told the day is full (the centre's day is locked while it is counted)."""
    import threading

    from smartborder.errors import Conflict
    from smartborder.programs import enrolment
    from smartborder.programs.applications import rules

    if node.database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time already")
    officer = api_token(app, "po", "program-officer")
    references = [_approved(app, client, officer) for _ in range(2)]
    day = db.utcnow().date() + dt.timedelta(days=2)
    with db.unit_of_work(app.state.sessions) as s:
        for n in range(rules().centre("yul").capacity - 1):
            s.add(TrustedInterview(
                id=f"full-{n}", reference=f"TTFULL{n:04d}", centre="yul", day=day,
                state="booked", capture={}, duplicates=[], finding=None, card_number=None,
                booked_at=db.utcnow(), booked_by="user:po", updated_at=db.utcnow()))  # fmt: skip
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def book(reference: str) -> None:
        start.wait(10)
        try:
            with db.unit_of_work(app.state.sessions) as s:
                enrolment.book(s, reference, "yul", day, actor="user:po", now=db.utcnow())
            outcomes.append("booked")
        except Conflict as exc:
            outcomes.append("full" if "is full" in exc.message else exc.message)

    threads = [threading.Thread(target=book, args=(r,)) for r in references]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked", "full"]
