"""Every kind of bad envelope is refused with its reason code, audited, and stores nothing."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.exchange import agreements, keys
from smartborder.exchange.envelope import Envelope, Signer, new_id
from smartborder.exchange.inbox import receive
from smartborder.exchange.models import CaseRequest, InboxMessage
from tests.pair import Pair

BODY = {
    "subject": {"surname": "DOE", "given_names": "JANE", "date_of_birth": "1990-01-01"},
    "justification": "Identity check at port of entry.",
}


def envelope(pair: Pair, agreement: str | None, **changes: Any) -> Envelope:
    data: dict[str, Any] = {
        "id": new_id(),
        "from": "ca",
        "to": "us",
        "agreement": agreement,
        "purpose": "identity-verification",
        "kind": "case-request",
        "created": pair.clock(),
        "case_ref": "CA-1",
        "body": BODY,
    }
    data.update(changes)
    return Envelope.model_validate(data)


def deliver(pair: Pair, token: str) -> dict[str, Any]:
    before = pair.us.count(InboxMessage), pair.us.count(CaseRequest)
    [result] = receive(pair.us.sessions, pair.us.ex, [token])
    if result["status"] == "refused":
        assert (pair.us.count(InboxMessage), pair.us.count(CaseRequest)) == before
        with pair.us.uow() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
            assert last is not None
            assert last.event == "exchange:envelope:refused"
            assert last.details["code"] == result["code"]
    return result


def sign(pair: Pair, env: Envelope) -> str:
    return pair.ca.ex.signer.sign(env)


def swap_payload(token: str, payload: dict[str, Any]) -> str:
    header, _, signature = token.split(".")
    raw = json.dumps(payload).encode()
    return f"{header}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}.{signature}"


@pytest.fixture
def smu(pair: Pair) -> str:
    return pair.in_force()


def test_a_good_envelope_is_accepted_once(pair: Pair, smu: str) -> None:
    token = sign(pair, envelope(pair, smu))
    assert deliver(pair, token)["status"] == "accepted"
    assert pair.us.count(CaseRequest) == 1
    again = deliver(pair, token)
    assert again["status"] == "duplicate"
    assert pair.us.count(CaseRequest) == 1


def refusal(pair: Pair, token: str) -> str:
    result = deliver(pair, token)
    assert result["status"] == "refused", result
    assert result["message"]
    return str(result["code"])


def test_tampered_body(pair: Pair, smu: str) -> None:
    env = envelope(pair, smu)
    token = sign(pair, env)
    forged = json.loads(env.payload())
    forged["body"]["subject"]["surname"] = "SMITH"
    assert refusal(pair, swap_payload(token, forged)) == "bad_signature"


def test_tampered_signature(pair: Pair, smu: str) -> None:
    token = sign(pair, envelope(pair, smu))
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert refusal(pair, f"{head}.{payload}.{flipped}") == "bad_signature"


def test_wrong_key(pair: Pair, smu: str) -> None:
    stranger = Ed25519PrivateKey.generate()
    signer = Signer(stranger, keys.fingerprint(stranger.public_key()))
    assert refusal(pair, signer.sign(envelope(pair, smu))) == "bad_signature"


def test_unknown_sender(pair: Pair, smu: str) -> None:
    assert refusal(pair, sign(pair, envelope(pair, smu, **{"from": "mx"}))) == "unknown_sender"


def test_wrong_recipient(pair: Pair, smu: str) -> None:
    assert refusal(pair, sign(pair, envelope(pair, smu, to="uk"))) == "wrong_recipient"


def test_agreement_not_in_force(pair: Pair, smu: str) -> None:
    with pair.us.uow() as s:
        agreements.terminate(s, pair.us.ex, smu, reason="test", actor="user:sup")
    assert refusal(pair, sign(pair, envelope(pair, smu))) == "agreement_not_in_force"


def test_unknown_agreement(pair: Pair, smu: str) -> None:
    assert refusal(pair, sign(pair, envelope(pair, "annex-secret"))) == "unknown_agreement"
    assert refusal(pair, sign(pair, envelope(pair, None))) == "unknown_agreement"


def test_purpose_not_allowed(pair: Pair, smu: str) -> None:
    token = sign(pair, envelope(pair, smu, purpose="marketing"))
    assert refusal(pair, token) == "purpose_not_allowed"


def test_kind_not_allowed(pair: Pair, smu: str) -> None:
    token = sign(pair, envelope(pair, smu, kind="lookout-upsert"))
    assert refusal(pair, token) == "kind_not_allowed"
    assert refusal(pair, sign(pair, envelope(pair, smu, kind="gossip"))) == "unknown_kind"


def test_extra_field_is_a_refusal_not_a_silent_drop(pair: Pair, smu: str) -> None:
    body = {**BODY, "subject": {**BODY["subject"], "religion": "x"}}
    result = deliver(pair, sign(pair, envelope(pair, smu, body=body)))
    assert result["code"] == "field_not_allowed"
    assert "subject.religion" in result["message"]


def test_oversized(pair: Pair, smu: str) -> None:
    body = {**BODY, "justification": "x" * 300_000}
    assert refusal(pair, sign(pair, envelope(pair, smu, body=body))) == "too_large"


@pytest.mark.parametrize(
    "token",
    ["", "not-a-jws", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", 42],
)
def test_malformed(pair: Pair, smu: str, token: Any) -> None:
    assert refusal(pair, token) == "malformed"


def test_malformed_envelope_fields(pair: Pair, smu: str) -> None:
    env = envelope(pair, smu)
    token = sign(pair, env)
    payload = json.loads(env.payload())
    payload["unexpected"] = 1
    assert refusal(pair, swap_payload(token, payload)) == "malformed"


def test_replay_with_a_reused_id(pair: Pair, smu: str) -> None:
    first = envelope(pair, smu)
    assert deliver(pair, sign(pair, first))["status"] == "accepted"
    second = envelope(pair, smu, id=first.id, case_ref="CA-2")
    assert refusal(pair, sign(pair, second)) == "replay"


def test_clock_far_ahead(pair: Pair, smu: str) -> None:
    future = pair.clock() + dt.timedelta(hours=2)
    assert refusal(pair, sign(pair, envelope(pair, smu, created=future))) == "clock_skew"


def test_too_old_for_the_replay_window(pair: Pair, smu: str) -> None:
    old = pair.clock() - dt.timedelta(days=8)
    assert refusal(pair, sign(pair, envelope(pair, smu, created=old))) == "expired"


def test_reply_to_nothing(pair: Pair, smu: str) -> None:
    env = envelope(pair, smu, kind="case-response", in_reply_to=new_id(), body={"found": False})
    assert refusal(pair, sign(pair, env)) == "unknown_reference"


def test_refused_by_partner_is_visible_to_the_sender(pair: Pair, smu: str) -> None:
    from smartborder.exchange import requests
    from smartborder.exchange.models import OutboxMessage

    with pair.ca.uow() as s:
        requests.create_request(
            s, pair.ca.ex, agreement_id=smu, purpose="identity-verification", subject={"surname": "X"},
            justification="j", case_reference="C", due_date=None, actor="user:a",
        )  # fmt: skip
    with pair.us.uow() as s:  # the partner ends the agreement before the request arrives
        agreements.terminate(s, pair.us.ex, smu, reason="ended", actor="user:sup")
    pair.transport.down.add("ca")  # ...and its termination notice has not reached ca yet
    pair.pump()
    with pair.ca.uow() as s:
        refused = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case-request")).one()
        assert refused.state == "refused"
        assert refused.refusal_code == "agreement_not_in_force"
