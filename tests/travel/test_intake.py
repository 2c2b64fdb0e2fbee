"""API/PNR intake end to end: HTTP API and CLI against a real node database (SQLite and
PostgreSQL): life-cycle, duplicates, corrected resends, reprocessing, identities, pages."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.settings import Settings
from smartborder.travel.intake import models as m
from tests.conftest import Cli, api_token, make_user

API = "/api/v1/travel"
DATA = Path(__file__).parent / "data"
PAXLST = (DATA / "paxlst_d05b.edi").read_bytes()
PNRGOV = (DATA / "pnrgov_13.edi").read_bytes()


def post(client: TestClient, body: bytes, headers: dict[str, str], **params: str) -> dict:
    response = client.post(
        f"{API}/messages",
        content=body,
        headers={**headers, "Content-Type": "application/edifact"},
        params=params,
    )
    assert response.status_code in (200, 201, 202), response.text
    return {"status": response.status_code, **response.json()}


def test_messages_are_stored_deduplicated_and_identities_resolved(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    first = post(client, PAXLST, analyst)
    assert (first["status"], first["state"], first["travellers"]) == (201, "stored", 3)
    second = post(client, PNRGOV, analyst)
    assert second["state"] == "stored"
    again = post(client, PNRGOV, analyst)
    assert (again["status"], again["state"], again["duplicate_of"]) == (
        200,
        "duplicate",
        second["id"],
    )

    [flight] = client.get(f"{API}/flights", headers=analyst).json()["items"]
    assert (flight["flight"], flight["passengers"], flight["crew"]) == ("AC870", 3, 1)
    assert flight["codeshares"] == ["LH6801"]
    page = client.get(f"{API}/flights/{flight['id']}", headers=analyst).json()
    by_name = {p["surname"]: p for p in page["manifest"]}
    assert by_name["O'BRIEN"]["link"]["rule"] == "document"
    assert "HK123456" in by_name["O'BRIEN"]["link"]["reason"]
    assert by_name["NGUYEN"]["link"]["rule"] == "new"
    assert {r["locator"] for r in page["reservations"]} == {"QWE123", "ZXC987"}
    payments = [p for r in page["reservations"] for p in r["payments"]]
    assert payments[0]["masked"].endswith("1111")
    assert "4111111111111111" not in json.dumps(page)
    assert [m["kind"] for m in page["messages"]] == ["PAXLST", "PNRGOV", "PNRGOV"]

    mary = by_name["O'BRIEN"]["traveller_id"]
    person = client.get(f"{API}/travellers/{mary}", headers=analyst).json()
    assert [x["kind"] for x in person["mentions"]] == ["PAXLST", "PNRGOV"]
    assert [x["link"]["rule"] for x in person["mentions"]] == ["new", "document"]
    assert person["documents"][0]["number"] == "HK123456"


def test_successive_pushes_link_by_booking_and_fill_the_date_of_birth(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    no_docs = PNRGOV.replace(
        b"SSR+DOCS:HK:1:AC:::::/P/CAN/HK123456/CAN/15APR85/F/01JAN30/O?'BRIEN/MARY ANNE'\n", b""
    ).replace(b"UNT+36+1'", b"UNT+35+1'")
    post(client, no_docs, analyst)
    with_docs = post(client, PNRGOV, analyst)  # the 24 h push adds SSR DOCS
    assert with_docs["state"] == "stored"
    with db.unit_of_work(app.state.sessions) as s:
        rules = dict(
            s.execute(
                select(m.Passenger.surname, m.Passenger.link_rule).where(
                    m.Passenger.message_id == with_docs["id"]
                )
            ).all()
        )
        assert rules["O'BRIEN"] == "booking"
        assert rules["NGUYEN"] == "booking"
        mary = s.execute(select(m.Traveller).where(m.Traveller.surname == "O'BRIEN")).scalar_one()
        assert mary.birth_date == "1985-04-15"  # filled in from the later push
        assert s.execute(select(func.count()).select_from(m.Traveller)).scalar_one() == 3


def test_rows_filed_in_bulk_get_time_ordered_ids(app: FastAPI, client: TestClient) -> None:
    """Mentions, travellers, documents and bookings get version 7 UUIDs that grow with time,
    so a message's rows are appended to each primary-key index instead of scattered through
    it (see smartborder.ids)."""
    analyst = api_token(app, "ana", "analyst")
    first = post(client, PAXLST, analyst)
    second = post(client, PNRGOV, analyst)
    with db.unit_of_work(app.state.sessions) as s:
        for table in (m.Passenger, m.Traveller, m.TravellerDocument, m.Reservation):
            ids = s.scalars(select(table.id)).all()
            assert ids, table
            assert {uuid.UUID(i).version for i in ids} == {7}, table
        earlier = s.scalars(select(m.Passenger.id).where(m.Passenger.message_id == first["id"]))
        later = s.scalars(select(m.Passenger.id).where(m.Passenger.message_id == second["id"]))
        assert max(earlier.all()) < min(later.all())


def test_failed_message_is_quarantined_and_a_corrected_resend_accepted(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    broken = PAXLST.replace(b"TDT+20+AC870+++AC'\n", b"")
    failed = post(client, broken, analyst)
    assert (failed["status"], failed["state"]) == (202, "quarantined")
    assert any("names no flight" in p["text"] for p in failed["problems"])
    retried = post(client, broken, analyst)  # the same bytes again: not a "duplicate"
    assert (retried["state"], retried["id"]) == ("quarantined", failed["id"])
    fixed = post(client, PAXLST, analyst)
    assert fixed["state"] == "stored"
    held = client.get(f"{API}/messages", params={"state": "quarantined"}, headers=analyst).json()
    assert held["total"] == 1
    assert held["items"][0]["attempts"] == 2
    detail = client.get(f"{API}/messages/{failed['id']}", headers=analyst).json()
    assert any(p["severity"] == "error" for p in detail["problems"])
    with db.unit_of_work(app.state.sessions) as s:
        events = s.scalars(select(AuditEntry.event).where(AuditEntry.event.like("travel:%"))).all()
        assert events.count("travel:message:quarantined") == 2
        assert "travel:message:stored" in events


def test_strict_refusal_then_lenient_reprocess(app: FastAPI, client: TestClient) -> None:
    analyst = api_token(app, "ana", "analyst")
    odd = PAXLST.replace(b"CNT+42:2'", b"CNT+42:7'")
    refused = post(client, odd, analyst, strict="true")
    assert refused["state"] == "quarantined"
    assert any(p["tag"] == "CNT" and p["severity"] == "error" for p in refused["problems"])
    redone = client.post(f"{API}/messages/{refused['id']}/reprocess", headers=analyst).json()
    assert redone["state"] == "stored"
    assert any(p["tag"] == "CNT" and p["severity"] == "warning" for p in redone["problems"])


def test_readers_and_ingesters(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "po", "program-officer")
    auditor = api_token(app, "aud", "auditor")
    assert client.post(f"{API}/messages", content=PAXLST, headers=officer).status_code == 403
    assert client.post(f"{API}/messages", content=PAXLST, headers=auditor).status_code == 403
    assert client.get(f"{API}/flights", headers=auditor).status_code == 200
    assert client.get(f"{API}/flights", headers=officer).status_code == 403
    assert client.get(f"{API}/travellers/nope", headers=auditor).status_code == 404


def test_cli_ingest_watch_quarantine_reprocess(
    app: FastAPI, node: Settings, cli: Cli, tmp_path: Path
) -> None:
    make_user(app, "ana", "analyst")
    base = ["--data-dir", str(node.data_dir)]
    good, bad = tmp_path / "good.edi", tmp_path / "bad.edi"
    good.write_bytes(PAXLST)
    bad.write_bytes(PAXLST.replace(b"CNT+42:2'", b"CNT+42:9'"))
    code, out, err = cli(["travel", "ingest", str(good), str(good), "--as", "ana", *base])
    assert code == 0, err
    assert "1 stored (3 travellers), 0 quarantined, 1 duplicate(s)" in out
    code, out, err = cli(["travel", "ingest", str(bad), "--strict", "--as", "ana", *base])
    assert code == 1
    assert "CNT says 9 passengers" in err
    code, out, _ = cli(["travel", "quarantine", *base])
    assert "segment" in out
    code, out, _ = cli(["travel", "reprocess", "--as", "ana", *base])
    assert "1 reprocessed: 1 stored" in out

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "pnr.edi").write_bytes(PNRGOV)
    (drop / "junk.edi").write_bytes(b"\x00\x01binary")
    code, out, err = cli(["travel", "watch", str(drop), "--once", "--as", "ana", *base])
    assert code == 0, err
    assert "pnr.edi: stored" in out
    assert "junk.edi: quarantined" in out
    assert len(list((drop / "done").iterdir())) == 1
    kept = sorted(p.name for p in (drop / "quarantine").iterdir())
    assert kept[0].endswith("junk.edi")
    assert kept[1].endswith("junk.edi.problems.json")


def test_parse_command_prints_travellers_without_storing(
    node: Settings, cli: Cli, app: FastAPI
) -> None:
    code, out, _ = cli(["travel", "parse", str(DATA / "paxlst_d05b.edi"), "--json"])
    assert code == 0
    parsed = json.loads(out)
    assert parsed["messages"][0]["travellers"][0]["surname"] == "O'BRIEN"
    with db.unit_of_work(app.state.sessions) as s:
        assert s.execute(select(func.count()).select_from(m.TravelMessage)).scalar_one() == 0


def test_parse_command_honours_the_message_size_setting(
    node: Settings, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.edi"
    big.write_bytes(PAXLST.replace(b"CNT+42:2'", b"FTX+AAI+++" + b"X" * 2000 + b"'\nCNT+42:2'"))
    monkeypatch.setenv("SMARTBORDER_TRAVEL_MAX_MESSAGE_BYTES", "2048")
    code, _, err = cli(["travel", "parse", str(big)])
    assert code == 1
    assert "at most 2,048 are accepted" in err
    monkeypatch.setenv("SMARTBORDER_TRAVEL_MAX_MESSAGE_BYTES", "65536")
    code, _, err = cli(["travel", "parse", str(big)])
    assert code == 0, err


def test_parse_command_table_shows_the_first_travellers_and_counts_the_rest(
    node: Settings, cli: Cli, tmp_path: Path
) -> None:
    head, rest = PAXLST.split(b"NAD+FL", 1)
    traveller = b"NAD+FL" + rest.split(b"NAD+FL")[0]
    many = tmp_path / "many.edi"
    many.write_bytes(head + traveller * 600 + b"CNT+42:600'\nUNT+1+PAX001'\nUNZ+1+000000001'\n")
    code, out, err = cli(["travel", "parse", str(many)])
    assert code == 0, err
    assert "... and 100 more travellers (--json prints them all)" in out
    assert "600 travellers in 1 message(s)" in err
    code, out, _ = cli(["travel", "parse", str(many), "--json"])
    assert len(json.loads(out)["messages"][0]["travellers"]) == 600
