"""Advance cargo reports: a marine carrier's CUSCAR (D.97B, two bills, containers placed by
SGP) and the JSON form read to the same shipments; deadlines by mode; amendments that do not
restart the clock, cancellations, duplicates; bad input located and quarantined with its bytes
kept; and the API, the CLI and the first assessment on a real node database."""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.cargo import intake
from smartborder.cargo.assess import Assessor
from smartborder.cargo.models import CargoReport, Shipment
from smartborder.cargo.report import CargoMessage, deadline
from smartborder.cargo.shipments import Draft
from smartborder.screening import service as lookouts
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening
from smartborder.settings import Settings
from smartborder.travel.riskmodels import service as models
from smartborder.travel.riskmodels.document import load_model
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user

DATA = Path(__file__).parent / "data"
CUSCAR = (DATA / "cuscar_d97b.edi").read_bytes()
BEFORE_LOADING = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)  # loading is 12-09 06:00

REPORT: dict[str, Any] = {
    "reference": "LACO-0001", "mode": "highway", "carrier": "LACO",
    "conveyance": {"name": "tractor", "id": "QC-L12345"},
    "loading": "USPLB", "loading_at": "2026-12-05T09:00:00Z",
    "arrival": "CALCO", "arrival_at": "2026-12-05T12:00:00Z",
    "bills": [{
        "number": "PARS-LACO-0001",
        "consignor": {"name": "Plattsburgh Castings", "country": "US"},
        "consignee": {"name": "Maple Parts", "country": "CA"},
        "containers": [{"number": "CSQU 305438-3", "seal": "S1"}],
        "goods": [{"description": "aluminium castings", "hs": "7604.21", "packages": 12,
                   "weight_kg": 9800, "container": "CSQU3054383"}],
    }],
}  # fmt: skip


def _json(**changes: Any) -> bytes:
    report = copy.deepcopy(REPORT)
    report.update(changes)
    return json.dumps(report).encode()


def _receive(session: Session, data: bytes, now: dt.datetime, **kw: Any) -> intake.Received:
    with session.begin():
        return intake.receive(session, data, source="test", actor="user:test", now=now,
                              country="CA", **kw)  # fmt: skip


# -- reading ---------------------------------------------------------------------------------


def test_a_cuscar_is_read_bill_by_bill_with_containers_goods_and_parties() -> None:
    parsed = intake.parse(CUSCAR, country="CA")
    assert (parsed.form, parsed.sink.report.problems) == ("cuscar", [])
    msg = parsed.messages[0]
    assert (msg.reference, msg.function, msg.carrier, msg.mode) == (
        "MAEU-412W-CAVAN",
        "original",
        "MAEU",
        "marine",
    )
    assert msg.conveyance == {"voyage": "412W", "id": "9313927", "name": "MAERSK ESSEX"}
    assert (msg.loading_place, msg.arrival_place) == ("CNSHA", "CAVAN")
    assert msg.loading_at == dt.datetime(2026, 12, 9, 6, 0, tzinfo=dt.UTC)
    lamps, plates = msg.bills
    assert (lamps.number, lamps.destination_country) == ("MAEU123456789", "US")
    assert [c.number for c in lamps.containers] == ["CSQU3054383"]
    assert [c.seal for c in plates.containers] == ["SH123457"]
    item = lamps.goods[0]
    assert (item.description, item.hs, item.packages, item.weight_kg) == (
        "LED LAMPS AND LIGHTING FITTINGS",
        "940540",
        400,
        5200.0,
    )
    assert plates.goods[0].hs == "691110"  # printed 6911.10
    assert lamps.parties["importer"].identifier == "IMP-777"
    assert lamps.parties["consignee"].address == "1200 W LAKE ST, CHICAGO, 60607"


@pytest.mark.parametrize(
    ("mode", "fast", "country", "loading", "arrival", "due", "rule"),
    [
        ("marine", False, "CA", "2026-12-09T06:00", "2026-12-23T08:00", "2026-12-08T06:00",
         "24 h before loading"),
        ("air", False, "US", "2026-12-05T08:00", "2026-12-05T16:00", "2026-12-05T12:00",
         "4 h before arrival"),
        ("air", False, "CA", "2026-12-05T08:00", "2026-12-05T09:30", "2026-12-05T08:00",
         "wheels up"),
        ("rail", False, "CA", None, "2026-12-05T16:00", "2026-12-05T14:00", "2 h"),
        ("highway", False, "US", None, "2026-12-05T16:00", "2026-12-05T15:00", "1 h"),
        ("highway", True, "US", None, "2026-12-05T16:00", "2026-12-05T15:30", "30 min"),
        ("highway", True, "CA", None, "2026-12-05T16:00", "2026-12-05T15:00", "1 h"),
    ],
)  # fmt: skip
def test_each_mode_has_its_deadline(mode: str, fast: bool, country: str, loading: str | None,
                                    arrival: str, due: str, rule: str) -> None:  # fmt: skip
    def moment(text: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if text else None

    found = deadline(CargoMessage(mode=mode, fast=fast, loading_at=moment(loading),
                                  arrival_at=moment(arrival)), country)  # fmt: skip
    assert found.at == moment(due)
    assert rule in found.rule


# -- the life of a report --------------------------------------------------------------------


def test_reports_are_stored_judged_against_their_deadline_and_amended(session: Session) -> None:
    stored = _receive(session, CUSCAR, BEFORE_LOADING)
    assert stored.state == "stored"
    assert [(s["bill"], s["action"], s["late"]) for s in stored.shipments] == [
        ("MAEU123456789", "reported", False),
        ("MAEU123456790", "reported", False),
    ]
    with session.begin():
        lamps = session.scalars(select(Shipment).where(Shipment.bill == "MAEU123456789")).one()
        assert (lamps.in_transit, lamps.destination_country) == (True, "US")
        assert lamps.routing == ["CN", "CA", "US"]
        assert lamps.deadline_at == dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC)
    assert _receive(session, CUSCAR, BEFORE_LOADING).state == "duplicate"

    # an amendment after the deadline changes the shipment, not its compliance
    amended = CUSCAR.replace(b"+9'", b"+5'", 1).replace(b"KGM:5200", b"KGM:5900")
    later = BEFORE_LOADING + dt.timedelta(days=3)
    changed = _receive(session, amended, later)
    assert [s["action"] for s in changed.shipments] == ["amended", "amended"]
    with session.begin():
        lamps = session.scalars(select(Shipment).where(Shipment.bill == "MAEU123456789")).one()
        assert (lamps.version, lamps.late, lamps.goods[0]["weight_kg"]) == (2, False, 5900.0)
        assert lamps.history[-1]["changed"] == ["goods"]

    # cancelled, then reported afresh: the clock restarts, and now it is late
    cancelled = _receive(session, CUSCAR.replace(b"+9'", b"+1'", 1), later)
    assert {s["action"] for s in cancelled.shipments} == {"cancelled"}
    again = _receive(session, CUSCAR.replace(b"CUS0001", b"CUS0002"), later)
    assert next((s["action"], s["late"], s["late_minutes"]) for s in again.shipments) == (
        "reported",
        True,
        54 * 60,
    )  # 12-10 12:00 against 12-08 06:00
    assert "24 h before loading" in again.shipments[0]["deadline_rule"]


def test_an_amendment_of_nothing_is_quarantined_with_its_bytes_and_writes_nothing(
    session: Session,
) -> None:  # fmt: skip
    data = CUSCAR.replace(b"+9'", b"+5'", 1)
    result = _receive(session, data, BEFORE_LOADING)
    assert result.state == "quarantined"
    assert "carrier MAEU is not a registered trade party" in result.problems[0]["text"]
    problem = next(p for p in result.problems if p["severity"] == "error")
    assert (problem["tag"], problem["element"]) == ("CNI", "2.1")
    assert problem["line"] == 16
    assert "an amendment of a bill not reported" in problem["text"]
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Shipment)) == 0
        assert session.get(CargoReport, result.report_id).raw == data  # type: ignore[union-attr]


def test_a_container_typo_is_a_warning_kept_with_the_shipment_and_strict_refuses_it(
    session: Session,
) -> None:  # fmt: skip
    typo = _json(bills=[{**REPORT["bills"][0], "containers": [{"number": "CSQU3054384"}]}])
    kept = _receive(session, typo, dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC))
    assert kept.state == "stored"
    warning = next(p for p in kept.problems if "ISO 6346" in p["text"])
    assert warning["element"] == "bills[0].containers[0].number"
    assert "fails its check digit: 4 where ISO 6346 gives 3" in warning["text"]
    with session.begin():
        row = session.scalars(select(Shipment)).one()
        assert any("ISO 6346" in w["text"] for w in row.warnings)
        assert row.late is False
    refused = _receive(session, typo.replace(b"LACO-0001", b"LACO-0002"),
                       dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC), strict=True)  # fmt: skip
    assert refused.state == "quarantined"
    assert {p["severity"] for p in refused.problems} == {"error"}


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (CUSCAR.replace(b"TDT+20+412W+1+", b"TDT+20+412W+9+"), "mode '9' is not one of"),
        (CUSCAR.replace(b"CUSCAR:D:97B", b"PAXLST:D:05B"), "is not CUSCAR"),
        (CUSCAR.replace(b"LOC+60+CAVAN'\n", b""), "place of arrival is missing"),
        (CUSCAR.replace(b"DTM+133:202612090600:203'\n", b""), "needs the loading time"),
        (CUSCAR.replace(b"FTX+AAA+++CERAMIC TABLEWARE'", b"FTX+AAA'"), "without a description"),
        (b"\x00\x01binary", "binary content"),
        (CUSCAR[: len(CUSCAR) // 2], "truncated"),
        (b"{\"mode\": \"marine\"", "not valid JSON"),
        (_json(mode="sea"), "mode 'sea' is not one of"),
        (_json(bills=[{"number": "H1", "kind": "house", "goods": [{"description": "x"}]}]),
         "does not name its master bill"),
        (_json(bills=[{"number": "B1", "weight": 3}]), "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_malformed_reports_are_quarantined_saying_where(session: Session, data: bytes,
                                                        said: str) -> None:  # fmt: skip
    result = _receive(session, data, BEFORE_LOADING)
    assert result.state == "quarantined"
    assert any(said in p["text"] and p["severity"] == "error" for p in result.problems), (
        result.problems
    )
    with session.begin():
        assert session.get(CargoReport, result.report_id).raw == data  # type: ignore[union-attr]


def test_a_large_report_reads_in_bounded_problems() -> None:
    bills = [{"number": f"B{n}", "consignor": {"name": "A"}, "consignee": {"name": "B"},
              "containers": [{"number": f"CSQU{n:06d}0"}], "goods": [{"description": "toys"}]}
             for n in range(5000)]  # fmt: skip
    parsed = intake.parse(_json(bills=bills), country="CA")
    assert len(parsed.messages[0].bills) == 5000
    problems = parsed.sink.report.finish()
    assert len(problems) == 1001  # the first thousand, and one that counts the rest
    assert "more problems not shown" in problems[-1].text


# -- the API, the CLI, the first assessment --------------------------------------------------


def _reported(client: TestClient, headers: dict[str, str], data: bytes, **params: str
              ) -> dict[str, Any]:  # fmt: skip
    response = client.post("/api/v1/cargo/reports", content=data, params=params,
                           headers={**headers, "Content-Type": "application/edifact"})  # fmt: skip
    assert response.status_code in (200, 201, 202), response.text
    return {"status": response.status_code, **response.json()}


def test_reports_through_the_api_with_the_assessment_and_late_listing(
    app: FastAPI, client: TestClient
) -> None:
    with db.unit_of_work(app.state.sessions) as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Ningbo Home Goods Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=db.utcnow().date())  # fmt: skip
    analyst = api_token(app, "ana", "analyst")
    past = CUSCAR.replace(b"20261209", b"20200109").replace(b"20261223", b"20200123")
    first = _reported(client, analyst, past)  # loaded in 2020, reported now: late
    assert (first["status"], first["state"]) == (201, "stored")
    statuses = {s["bill"]: s["status"] for s in first["shipments"]}
    assert statuses == {"MAEU123456789": "released", "MAEU123456790": "review"}
    assert all(s["late"] for s in first["shipments"])
    plates = next(s for s in first["shipments"] if s["bill"] == "MAEU123456790")
    shown = client.get(f"/api/v1/cargo/shipments/{plates['id']}", headers=analyst).json()
    assert shown["assessment"]["reasons"][0].startswith("consignor NINGBO HOME GOODS CO: customs")
    late = client.get("/api/v1/cargo/shipments", params={"late": "true"}, headers=analyst).json()
    assert {s["bill"] for s in late} == {"MAEU123456789", "MAEU123456790"}
    assert late[0]["deadline_rule"] == "marine: 24 h before loading at the foreign port"
    assert _reported(client, analyst, past)["status"] == 200
    bad = _reported(client, analyst, CUSCAR.replace(b"TDT+20+412W+1+", b"TDT+20+412W+9+"))
    assert (bad["status"], bad["problems"][0]["tag"]) == (202, "TDT")
    quarantine = client.get("/api/v1/cargo/reports", params={"state": "quarantined"},
                            headers=analyst).json()  # fmt: skip
    assert [r["id"] for r in quarantine] == [bad["id"]]
    auditor = api_token(app, "aud", "auditor")
    assert client.post("/api/v1/cargo/reports", content=CUSCAR, headers=auditor).status_code == 403


def test_the_cli_reports_lists_and_registers_parties(node: Settings, app: FastAPI,
                                                     cli: Cli, tmp_path: Path) -> None:  # fmt: skip
    make_user(app, "ana", "analyst")
    make_user(app, "po", "program-officer")
    data = tmp_path / "report.json"
    data.write_bytes(_json(arrival_at=(db.utcnow() + dt.timedelta(hours=3)).isoformat()))
    where = ["--data-dir", str(node.data_dir)]
    code, out, err = cli(["cargo", "report", str(data), "--as", "ana", *where])
    assert code == 0, err
    assert "LACO PARS-LACO-0001: reported, released (highway: 1 h before arrival)" in out
    assert "carrier LACO is not a registered trade party (unknown party)" in out
    code, out, _ = cli(["cargo", "shipments", "--json", "--as", "ana", *where])
    assert json.loads(out)["items"][0]["bill"] == "PARS-LACO-0001"
    broken = tmp_path / "broken.edi"
    broken.write_bytes(CUSCAR.replace(b"TDT+20+412W+1+", b"TDT+20+412W+9+"))
    code, out, _ = cli(["cargo", "report", str(broken), "--as", "ana", *where])
    assert code == 1
    assert "quarantined" in out
    assert "message 1, segment 6 (TDT), element 3.1, line 7" in out
    code, out, err = cli(["cargo", "party", "carrier", "laco", "--name", "Transport Lacolle",
                          "--country", "CA", "--program", "PIP", "--as", "po", *where])  # fmt: skip
    assert code == 0, err
    assert "carrier   LACO" in out
    assert "PIP pending" in out
    party = out.split()[0]
    code, out, _ = cli(["cargo", "party-decision", party, "approve", "--reason", "validated",
                        "--as", "po", *where])  # fmt: skip
    assert "PIP approved" in out
    code, _, err = cli(["cargo", "party", "driver", "D1", "--name", "Jo", "--country", "CA",
                        "--as", "po", *where])  # fmt: skip
    assert code != 0
    assert "birth_date" in err


# -- the shipment risk model -----------------------------------------------------------------

MODEL = Path(__file__).parents[2] / "src/smartborder/cargo/shipped/joint-cargo.yaml"


def _model_active(session: Session) -> None:
    with session.begin():
        row = models.store_model(session, load_model(MODEL.read_text(), MODEL.name),
                                 source="test", actor="user:sup", now=db.utcnow())  # fmt: skip
        models.activate(session, row.id, actor="user:sup", now=db.utcnow())
        assert models.active_model(session) is None  # the travellers' model is another's
        assert models.active_model(session, "shipment") is row


def test_the_shipment_model_scores_explains_and_decides(session: Session, node: Settings
                                                        ) -> None:  # fmt: skip
    _model_active(session)
    with session.begin():
        lookouts.create_lookout(session, LookoutIn.model_validate({
            "category": "terrorism", "names": [{"name": "Ningbo Home Goods Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=BEFORE_LOADING.date())  # fmt: skip
    screening = Screening(Thresholds.from_settings(node))
    result = _receive(session, CUSCAR.replace(b"6911.10", b"9305.10"), BEFORE_LOADING,
                      scorer=Assessor(screening, BEFORE_LOADING.date(), "ca"))  # fmt: skip
    by_bill = {s["bill"]: s for s in result.shipments}
    lamps, plates = by_bill["MAEU123456789"], by_bill["MAEU123456790"]
    # the lamps: an importer nobody registered, routed through Canada to the US
    assert (lamps["status"], lamps["score"]) == ("released", 15)
    # the tableware turned arms parts, from a shipper a terrorism lookout names: do not load
    assert plates["status"] == "held"
    with session.begin():
        row = session.get(Shipment, plates["id"])
        assert row is not None
        assert row.assessment is not None
        fired = {i["id"] for i in row.assessment["indicators"]}
        assert fired == {"party-lookout-hit", "commodity-of-interest", "importer-unknown"}
        assert row.assessment["decision"] == "do not load"
        assert row.assessment["reasons"][0].startswith("do not load: shipment.mode is exactly")
        seen = next(i for i in row.assessment["indicators"] if i["id"] == "commodity-of-interest")
        assert seen["matched"][0]["seen"] == ["93"]


def test_the_queue_examinations_and_parties_through_the_api_and_the_pages(
    app: FastAPI, client: TestClient
) -> None:
    with db.unit_of_work(app.state.sessions) as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Ningbo Home Goods Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=db.utcnow().date())  # fmt: skip
    analyst = api_token(app, "ana", "analyst")
    _reported(client, analyst, CUSCAR)
    queue = client.get("/api/v1/cargo/queue", headers=analyst).json()
    assert [s["bill"] for s in queue] == ["MAEU123456790"]
    shipment = queue[0]["id"]
    assert client.post(f"/api/v1/cargo/shipments/{shipment}/examinations", headers=analyst,
                       json={"kind": "xray", "reasons": ["x"]}).status_code == 422  # fmt: skip

    make_user(app, "ana2", "analyst", PASSWORD)
    login(client, "ana2", PASSWORD)
    page = client.get("/cargo")
    assert "NINGBO HOME GOODS CO: customs lookout" in page.text
    token = csrf_of(client)
    sent = client.post(f"/cargo/shipments/{shipment}/refer", follow_redirects=False,
                       data={"csrf_token": token, "kind": "nii",
                             "reasons": "shipper under a customs lookout"})  # fmt: skip
    assert sent.status_code == 303
    again = client.post(f"/cargo/shipments/{shipment}/refer",
                        data={"csrf_token": token, "kind": "physical", "reasons": "again"})  # fmt: skip
    assert again.status_code == 422
    assert "already waits for a nii examination" in again.text
    [exam] = client.get("/api/v1/cargo/examinations", headers=analyst).json()
    assert (exam["kind"], exam["status"]) == ("nii", "requested")
    done = client.post(f"/cargo/examinations/{exam['id']}/result", follow_redirects=False,
                       data={"csrf_token": token, "result": "discrepancy",
                             "findings": "more cartons than declared"})  # fmt: skip
    assert done.status_code == 303
    shown = client.get(f"/cargo/shipments/{shipment}").text
    assert "discrepancy" in shown
    assert "more cartons than declared" in shown
    stats = client.get("/api/v1/cargo/statistics", headers=analyst).json()
    assert (stats["examined"], stats["with_finding"], stats["yield"]) == (1, 1, 1.0)
    assert stats["by_kind"] == {"nii": {"examined": 1, "with_finding": 1, "yield": 1.0}}

    officer = api_token(app, "po", "program-officer")
    party = client.post("/api/v1/cargo/parties", headers=officer, json={
        "role": "importer", "identifier": "IMP-9", "name": "Ningbo Home Goods Co",
        "country": "CN", "program": "C-TPAT"}).json()  # fmt: skip
    assert party["status"] == "pending"
    assert party["hits"][0]["category"] == "customs"
    refused = client.post(f"/api/v1/cargo/parties/{party['id']}/decision", headers=officer,
                          json={"action": "approve", "reasons": ["validated"]})  # fmt: skip
    assert refused.status_code == 422
    assert "say why they are not this party" in refused.json()["error"]["message"]
    assert client.post("/api/v1/cargo/parties", headers=analyst, json={
        "role": "importer", "identifier": "IMP-8", "name": "X", "country": "CA"}
    ).status_code == 403  # fmt: skip
    assert "Ningbo Home Goods Co" in client.get("/cargo/parties").text


def test_a_draft_has_the_attributes_of_a_stored_shipment() -> None:
    assert {f.name for f in fields(Draft)} == {c.key for c in Shipment.__table__.columns}
