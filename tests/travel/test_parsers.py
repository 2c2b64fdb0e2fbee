"""PAXLST and PNRGOV semantics, lenient and strict modes, the JSON form, and bad input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from smartborder.travel.intake.parser import parse

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 21)
PAXLST = (DATA / "paxlst_d05b.edi").read_bytes()
PNRGOV = (DATA / "pnrgov_13.edi").read_bytes()


def test_paxlst_travellers_documents_and_flight() -> None:
    outcome = parse(PAXLST, today=TODAY)
    assert outcome.problems == []
    [message] = outcome.messages
    assert (message.kind, message.version, message.purpose) == ("PAXLST", "D:05B", "passenger list")
    assert message.flight.designator == "AC870"
    [leg] = message.flight.legs
    assert (leg.origin, leg.destination, leg.departure) == ("YUL", "CDG", "2026-11-22T18:30")
    mary, jean, luc = message.travellers
    assert (mary.surname, mary.given_names, mary.sex) == ("O'BRIEN", "MARY ANNE", "F")
    assert (mary.birth_date, mary.nationality, mary.seat) == ("1985-04-15", "CAN", "23C")
    assert mary.documents[0].number == "HK123456"
    assert mary.documents[0].expiry == "2030-01-01"
    assert mary.reservation == "QWE123"
    assert jean.birth_date == "1971-03-02"  # CCYYMMDD accepted too
    assert luc.role == "crew"


def test_pnrgov_reservations_ssr_docs_payment_masked_codeshare_history() -> None:
    outcome = parse(PNRGOV, today=TODAY)
    assert outcome.problems == []
    [message] = outcome.messages
    assert message.purpose == "full push"
    assert message.flight.codeshares == ["LH6801"]
    first, second = message.reservations
    assert first.locator == "QWE123"
    assert first.created == "2026-11-01T10:15"
    mary, jean = first.travellers
    assert (mary.surname, mary.given_names) == ("O'BRIEN", "MARY ANNE")  # title dropped
    assert (mary.birth_date, mary.sex, mary.documents[0].number) == ("1985-04-15", "F", "HK123456")
    assert mary.seat == "23C"
    assert mary.frequent_flyer == "AC 123456789"
    assert jean.residence == "FRA"
    assert "5 RUE DU BAC" in (jean.address or "")
    assert first.payments[0].masked == "************1111"
    assert "4111111111111111" not in json.dumps(outcome.as_dict())
    assert first.amounts == ["base 900.00 CAD", "total 1180.00 CAD"]
    assert second.travellers[0].documents == []  # a PNR without SSR DOCS is kept
    assert second.history[0].action == "cancelled"
    assert second.history[0].by == "AGENT7"


def test_pnr_segment_out_of_guide_order_is_read_not_refused() -> None:
    # GTAS: "Expected TRI but got TVL" - here the itinerary comes before the traveller
    text = PNRGOV.decode().replace(
        "TIF+NGUYEN:I+VAN DUNG MR:A:1'\nTVL+221126:1830:231126:0730+YUL+CDG+LH:AC+6801:Y'",
        "TVL+221126:1830:231126:0730+YUL+CDG+LH:AC+6801:Y'\nTIF+NGUYEN:I+VAN DUNG MR:A:1'",
    )
    outcome = parse(text.encode(), today=TODAY, strict=True)
    assert not outcome.failed
    assert outcome.messages[0].reservations[1].travellers[0].surname == "NGUYEN"


def test_lenient_warns_strict_refuses_with_location() -> None:
    text = PAXLST.decode().replace("CNT+42:2'", "CNT+42:5'").replace("NAT+2+FRA'", "NAT+2+QQQ'")
    lenient = parse(text.encode(), today=TODAY)
    assert not lenient.failed
    where = {(p.tag, p.element): p for p in lenient.warnings}
    assert "CNT says 5 passengers" in where[("CNT", "1.2")].text
    assert where[("NAT", "2")].message == "PAX001"
    assert where[("NAT", "2")].position == 28  # UNB is segment 1
    assert where[("NAT", "2")].line == 29
    strict = parse(text.encode(), today=TODAY, strict=True)
    assert strict.failed
    assert {p.tag for p in strict.errors} == {"CNT", "NAT"}


@pytest.mark.parametrize(
    ("change", "tag", "fragment"),
    [
        (("DTM+329:850415'", "DTM+329:851341'"), "DTM", "month 13 does not exist"),
        (("DOC+P:110:111+HK123456'", "DOC+P:110:111+HK-12/3'"), "DOC", "document number"),
        (("BGM+745'", "BGM+999'"), "BGM", "unknown document name code"),
        (("RFF+SEA:23C'", "RFF+XXQ:23C'"), "RFF", "unknown reference qualifier"),
        (("UNT+40+PAX001'", "UNT+41+PAX001'"), "UNT", "UNT says 41"),
        (("UNZ+1+000000001'", "UNZ+3+000000001'"), "UNZ", "UNZ says 3"),
        (("DTM+189:2611221830:201'", "DTM+189:2613221830:201'"), "DTM", "not a date"),
    ],
)
def test_bad_fields_are_located_warnings(change: tuple[str, str], tag: str, fragment: str) -> None:
    outcome = parse(PAXLST.decode().replace(*change).encode(), today=TODAY)
    assert not outcome.failed
    assert any(p.tag == tag and fragment in p.text for p in outcome.warnings), outcome.problems


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (PAXLST[: len(PAXLST) // 2], "truncated"),
        (PAXLST.replace(b"TDT+20+AC870+++AC'\n", b""), "names no flight"),
        (b"\x00\x01\x02PK\x03\x04binary", "binary content"),
        (b"", "empty"),
        (b"UNB+UNOA:4+A+B'UNZ+0+1'", "no message"),
        (PNRGOV.replace(b"PNRGOV:13:1:IA", b"INVOIC:D:96A:UN"), "neither PAXLST nor PNRGOV"),
        (b'{"kind": "PAXLST"', "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_unusable_messages_fail_with_a_reason(data: bytes, fragment: str) -> None:
    outcome = parse(data, today=TODAY)
    assert outcome.failed
    assert any(fragment in p.text for p in outcome.errors), outcome.problems


def test_size_limit_and_a_large_message_parses() -> None:
    head, rest = PAXLST.split(b"NAD+FL", 1)
    traveller = b"NAD+FL" + rest.split(b"NAD+FL")[0]
    big = head + traveller * 45_000 + b"CNT+42:45000'\nUNT+1+PAX001'\nUNZ+1+000000001'\n"
    assert len(big) > 10_000_000
    outcome = parse(big, today=TODAY)
    assert len(outcome.messages[0].travellers) == 45_000
    assert not outcome.failed
    refused = parse(big, today=TODAY, max_bytes=1_000_000)
    assert "at most 1,000,000" in refused.errors[0].text


def test_json_form_round_trips_and_locates_errors() -> None:
    outcome = parse(PNRGOV, today=TODAY)
    document = {"messages": [dataclasses.asdict(m) for m in outcome.messages]}
    again = parse(json.dumps(document).encode(), today=TODAY)
    assert again.form == "JSON"
    assert again.messages == outcome.messages
    document["messages"][0]["reservations"][0]["travellers"][1]["documents"] = "nope"
    bad = parse(json.dumps(document).encode())
    assert bad.failed
    assert bad.errors[0].element == "reservations.0.travellers.1.documents"
    assert bad.errors[0].message == "#1"


def test_multi_part_list_counted_across_parts() -> None:
    text = PAXLST.decode()
    head, rest = text.split("NAD+FL+++TREMBLAY", 1)
    first = head.replace("+01:F'", "+01:C'") + "UNT+23+PAX001'\n"
    second = (
        (
            "UNH+PAX002+PAXLST:D:05B:UN:IATA+API01+02:F'\nBGM+745'\nTDT+20+AC870+++AC'\n"
            "LOC+125+YUL'\nDTM+189:2611221830:201'\nLOC+87+CDG'\nDTM+232:2611230730:201'\n"
            "NAD+FL+++TREMBLAY" + rest
        )
        .replace("UNT+40+PAX001'", "UNT+25+PAX002'")
        .replace("UNE+1+1'", "UNE+2+1'")
    )
    outcome = parse((first + second).encode(), today=TODAY)
    assert [m.part for m in outcome.messages] == [1, 2]
    assert sum(len(m.travellers) for m in outcome.messages) == 3
    assert outcome.problems == []
