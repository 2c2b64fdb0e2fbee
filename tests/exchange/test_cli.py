"""The partners, agreements, exchange and audit commands, through the real entry point."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select, text

from smartborder.exchange.document import template_text
from smartborder.exchange.models import OutboxMessage
from smartborder.users import service as users
from tests.conftest import Cli
from tests.pair import Pair


def data(node: object) -> list[str]:
    return ["--data-dir", str(node.settings.data_dir)]  # type: ignore[attr-defined]


def test_validate_reports_every_problem_with_its_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        template_text("smu")
        .replace("kind: case-by-case", "kind: sometimes")
        .replace("days: 365", "days: 0")
        .replace("  - kind: case-refusal", "  - kind: gossip")
    )
    code, _, err = cli(["agreements", "validate", str(bad)])
    assert code == 1
    assert "3 problem(s)" in err
    assert f"{bad}:6: kind:" in err
    assert "retention.days" in err
    assert "messages.2.kind: 'gossip' is not a message kind" in err
    good = tmp_path / "good.yaml"
    good.write_text(template_text("asylum"))
    code, out, _ = cli(["agreements", "validate", str(good)])
    assert code == 0
    assert "valid agreement 'annex-asylum'" in out


def test_partners_and_the_whole_exchange_from_the_command_line(
    pair: Pair, cli: Cli, tmp_path: Path
) -> None:
    code, out, _ = cli(["partners", "list", *data(pair.ca)])
    assert code == 0
    assert "us" in out
    code, out, _ = cli(["partners", "show", "us", *data(pair.ca)])
    assert "fingerprint" in out
    key = tmp_path / "mx.pem"
    key.write_text((pair.us.settings.key_path.with_name("signing-key.pub.pem")).read_text())
    code, out, _ = cli(
        [
            "partners",
            "add",
            "--id",
            "mx",
            "--url",
            "http://mx.invalid",
            "--public-key",
            str(key),
            *data(pair.ca),
        ]
    )
    assert code == 0
    assert "Key fingerprint:" in out
    code, _, err = cli(
        [
            "partners",
            "add",
            "--id",
            "mx",
            "--url",
            "http://mx.invalid",
            "--public-key",
            str(key),
            *data(pair.ca),
        ]
    )
    assert code == 1
    assert "already registered" in err
    assert cli(["partners", "remove", "mx", *data(pair.ca)])[0] == 0
    for node, name, role in (
        (pair.ca, "sup", "supervisor"),
        (pair.us, "sup", "supervisor"),
        (pair.ca, "ana", "analyst"),
    ):
        with node.uow() as s:
            users.create_user(s, username=name, role=role, password="correct-horse-battery")
    code, _, err = cli(
        [
            "agreements",
            "propose",
            "--template",
            "smu",
            "--partner",
            "us",
            "--as",
            "ana",
            *data(pair.ca),
        ]
    )
    assert code == 1
    assert "does not grant 'agreements:decide'" in err
    code, out, _ = cli(
        [
            "agreements",
            "propose",
            "--template",
            "smu",
            "--partner",
            "us",
            "--as",
            "sup",
            *data(pair.ca),
        ]
    )
    assert code == 0, out
    pair.pump()
    assert cli(["agreements", "approve", "smu-case-by-case", "--as", "sup", *data(pair.us)])[0] == 0
    pair.pump()
    code, out, _ = cli(["agreements", "list", *data(pair.ca)])
    assert "in-force" in out
    code, out, _ = cli(
        [
            "exchange",
            "request",
            "--agreement",
            "smu-case-by-case",
            "--purpose",
            "identity-verification",
            "--surname",
            "DOE",
            "--dob",
            "1990-02-03",
            "--justification",
            "identity check at the border",
            "--case-ref",
            "C-9",
            "--as",
            "ana",
            *data(pair.ca),
        ]
    )
    assert code == 0, out
    pair.pump()
    code, out, _ = cli(["exchange", "requests", "--incoming", "--json", *data(pair.us)])
    [incoming] = json.loads(out)
    assert incoming["state"] == "awaiting-decision"
    code, out, _ = cli(
        [
            "exchange",
            "respond",
            str(incoming["id"]),
            "--approve",
            "--answer",
            '{"found": true, "remarks": "seen 2019", "ssn": "123"}',
            "--as",
            "sup",
            *data(pair.us),
        ]
    )
    assert code == 0
    assert "Withheld (not allowed by smu-case-by-case): ssn" in out
    pair.pump()
    code, out, _ = cli(["exchange", "requests", "--json", *data(pair.ca)])
    [outgoing] = json.loads(out)
    assert outgoing["response"] == {"found": True, "remarks": "seen 2019"}
    assert cli(["exchange", "outbox", "--state", "delivered", *data(pair.us)])[0] == 0
    with pair.us.uow() as s:
        response_id = s.scalars(
            select(OutboxMessage.envelope_id).where(OutboxMessage.kind == "case-response")
        ).one()
    assert (
        cli(
            [
                "exchange",
                "correct",
                response_id,
                "--set",
                "remarks=seen 2018",
                "--reason",
                "typo",
                "--as",
                "sup",
                *data(pair.us),
            ]
        )[0]
        == 0
    )
    pair.pump()
    assert (
        json.loads(cli(["exchange", "requests", "--json", *data(pair.ca)])[1])[0]["response"][
            "remarks"
        ]
        == "seen 2018"
    )
    assert (
        cli(
            [
                "exchange",
                "destroy",
                response_id,
                "--reason",
                "court order",
                "--as",
                "sup",
                *data(pair.us),
            ]
        )[0]
        == 0
    )
    pair.pump()
    assert (
        json.loads(cli(["exchange", "requests", "--json", *data(pair.ca)])[1])[0]["response"]
        is None
    )
    assert cli(["exchange", "purge", *data(pair.ca)])[0] == 0
    assert cli(["audit", "checkpoint", *data(pair.ca)])[0] == 0
    pair.pump()
    code, out, _ = cli(["audit", "verify", *data(pair.ca)])
    assert code == 0, out
    assert "1 partner receipt(s)" in out
    code, out, _ = cli(["audit", "list", "--event", "exchange:data", *data(pair.ca)])
    assert "2 of 2" in out  # the correction and the destruction


def test_audit_verify_detects_a_hand_edited_row(pair: Pair, cli: Cli) -> None:
    code, out, _ = cli(["audit", "verify", "--json", *data(pair.us)])
    assert code == 0
    assert json.loads(out)["ok"] is True
    with pair.us.engine.begin() as c:
        c.execute(
            text('UPDATE audit_entries SET details = \'{"url": "http://evil"}\' WHERE seq = 2')
        )
    code, out, _ = cli(["audit", "verify", *data(pair.us)])
    assert code == 1
    assert "FAILED at position 2" in out
    assert "entry 2 was altered" in out
    code, out, _ = cli(["audit", "verify", "--json", *data(pair.us)])
    assert json.loads(out)["first_bad_position"] == 2


def test_pinning_and_rotation_from_the_command_line(pair: Pair, cli: Cli, tmp_path: Path) -> None:
    from tests.exchange.test_mtls import NOW, issue

    cert, _, _ = issue(tmp_path / "pki", "us-node")
    code, out, _ = cli(["partners", "pin", "us", str(cert.cert), *data(pair.ca)])
    assert code == 0, out
    fingerprint = out.split("Pinned for us: ")[1].split()[0]
    code, out, _ = cli(["partners", "show", "us", *data(pair.ca)])
    assert f"TLS {fingerprint} active" in out

    old, _, _ = issue(
        tmp_path / "pki",
        "old",
        not_before=NOW - dt.timedelta(days=400),
        not_after=NOW - dt.timedelta(days=35),
    )
    code, _, err = cli(["exchange", "rotate-certificate", str(old.cert), *data(pair.us)])
    assert code != 0
    assert "expired" in err
    assert "Traceback" not in err
    new, _, _ = issue(tmp_path / "pki", "us-node-next")
    code, out, _ = cli(
        ["exchange", "rotate-certificate", str(new.cert), "--overlap-hours", "12", *data(pair.us)]
    )
    assert code == 0
    assert "Announced to ca" in out

    before = pair.us.settings.key_path.read_bytes()
    code, out, _ = cli(["exchange", "rotate-key", "--overlap-hours", "6", *data(pair.us)])
    assert code == 0, out
    assert pair.us.settings.key_path.read_bytes() != before
    kept = list(pair.us.settings.key_path.parent.glob("signing-key.2*.pem"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == before
    with pair.us.uow() as s:
        kinds = list(s.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.created_at)))
    assert kinds[-2:] == ["certificate-rotation", "signing-key-rotation"]
    pair.pump()  # delivered with the key each was signed with; 'ca' takes both
    code, out, _ = cli(["partners", "show", "us", *data(pair.ca)])
    assert "previous signing key accepted until" in out
    assert f"TLS {fingerprint} overlap until" in out

    code, out, err = cli(["partners", "unpin", "us", fingerprint, *data(pair.ca)])
    assert code == 0, (fingerprint, out, err)
    code, _, err = cli(["partners", "unpin", "us", fingerprint, *data(pair.ca)])
    assert code != 0
    assert "no certificate" in err
