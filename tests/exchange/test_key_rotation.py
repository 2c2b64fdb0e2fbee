"""Signing-key rotation: announced in an envelope signed with the old key and carrying a proof
made with the new one; the partner accepts both keys for the overlap, then the new one only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.exchange import agreements, certificates, keys
from smartborder.exchange.envelope import Envelope, Signer, new_id
from smartborder.exchange.inbox import receive
from smartborder.exchange.models import Agreement, Partner
from tests.pair import Pair


def old_key_envelope(pair: Pair, signer: Signer) -> str:
    """Something 'us' might still send from a process that has not restarted yet."""
    envelope = Envelope.model_validate(
        {
            "id": new_id(),
            "from": "us",
            "to": "ca",
            "kind": "agreement-rejection",
            "created": pair.clock(),
            "body": {"agreement": "no-such", "reason": "late"},
        }
    )
    return signer.sign(envelope)


def test_rotated_key_is_accepted_with_the_old_one_for_the_overlap_only(pair: Pair) -> None:
    agreement_id = pair.in_force()
    old_signer = pair.us.ex.signer
    new_key, staged = keys.stage_signing_key(pair.us.settings.key_path)
    with pair.us.uow() as s:
        told = certificates.announce_signing_key(
            s, pair.us.ex, new_key=new_key, overlap_hours=2, actor="cli:test"
        )
    assert told == ["ca"]
    keys.promote_signing_key(pair.us.settings.key_path, staged, "old")
    assert keys.load_signing_key(pair.us.settings.key_path).public_key() == new_key.public_key()
    assert (pair.us.settings.key_path.parent / "signing-key.old.pem").is_file()
    pair.us.ex.signer = Signer(new_key, keys.fingerprint(new_key.public_key()))
    pair.pump()

    with pair.ca.uow() as s:
        partner = s.get(Partner, "us")
        assert partner is not None
        assert partner.fingerprint == keys.fingerprint(new_key.public_key())
        assert partner.previous_key_until is not None
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.event == "exchange:signing-key:replaced")
        ).one()
        assert entry.details["previous"] == old_signer.kid

    # the new key signs what 'us' sends from now on
    with pair.us.uow() as s:
        agreements.terminate(s, pair.us.ex, agreement_id, reason="rotated", actor="cli:test")
    pair.pump()
    with pair.ca.uow() as s:
        agreement = s.get(Agreement, agreement_id)
        assert agreement is not None
        assert agreement.state == "terminated"

    # during the overlap an envelope signed with the old key still verifies (and then is
    # refused for what it says); after it, the old key no longer verifies
    during = receive(pair.ca.sessions, pair.ca.ex, [old_key_envelope(pair, old_signer)])
    assert during[0]["code"] != "bad_signature"
    pair.clock.offset = dt.timedelta(hours=2, minutes=1)
    after = receive(pair.ca.sessions, pair.ca.ex, [old_key_envelope(pair, old_signer)])
    assert after[0]["code"] == "bad_signature"


def test_a_rotation_whose_proof_was_not_made_with_the_new_key_is_refused(pair: Pair) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    claimed = Ed25519PrivateKey.generate()
    other = Ed25519PrivateKey.generate()
    until = (pair.clock() + dt.timedelta(hours=1)).isoformat()
    public = keys.public_pem(claimed.public_key()).decode()
    proof = Signer(other, "x").sign_statement(
        {"node": "us", "public_key": public, "overlap_until": until}
    )
    envelope = Envelope.model_validate(
        {
            "id": new_id(),
            "from": "us",
            "to": "ca",
            "kind": "signing-key-rotation",
            "created": pair.clock(),
            "body": {"public_key": public, "proof": proof, "overlap_until": until},
        }
    )
    result = receive(pair.ca.sessions, pair.ca.ex, [pair.us.ex.signer.sign(envelope)])
    assert result[0]["status"] == "refused"
    assert result[0]["code"] == "bad_signature"
    with pair.ca.uow() as s:
        partner = s.get(Partner, "us")
        assert partner is not None
        assert partner.previous_public_key is None


@pytest.mark.parametrize("hours", [0, -1, 24 * 31])
def test_the_overlap_must_be_sensible(pair: Pair, hours: float) -> None:
    from smartborder.errors import ValidationFailed

    with pair.us.uow() as s, pytest.raises(ValidationFailed, match="overlap-hours"):
        certificates.announce_signing_key(
            s,
            pair.us.ex,
            new_key=keys.stage_signing_key(pair.us.settings.key_path)[0],
            overlap_hours=hours,
            actor="cli:test",
        )
