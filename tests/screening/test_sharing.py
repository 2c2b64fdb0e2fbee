"""The lookout exchange between two nodes: create, amend, retract, unshare, expiry, caveats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from smartborder.audit.chain import verify_chain
from smartborder.audit.models import AuditEntry
from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange.envelope import Envelope, new_id
from smartborder.exchange.inbox import receive
from smartborder.exchange.models import OutboxMessage
from smartborder.screening import service
from smartborder.screening.matcher import Thresholds
from smartborder.screening.models import Lookout
from smartborder.screening.schemas import LookoutIn, LookoutPatch, SubjectIn
from tests.pair import Node, Pair

TODAY = dt.date.today()


def lookout(**changes: Any) -> LookoutIn:
    data: dict[str, Any] = {
        "category": "serious-crime",
        "action": "refer-secondary",
        "names": [{"name": "Okafor, Chidi Emeka"}, {"name": "Chidi Okafo", "kind": "alias"}],
        "birth_date": "1984-03-09",
        "sex": "M",
        "nationalities": ["NGA"],
        "documents": [{"number": "A12345678", "type": "P", "country": "NGA"}],
        "remarks": "Source: internal investigation 4711 (not for the partner).",
        "source_reference": "CA-INV-4711",
        "share": True,
        "shared_fields": ["names", "birth_date", "sex", "nationalities", "documents", "action"],
    }
    data.update(changes)
    return LookoutIn.model_validate(data)


def create(node: Node, data: LookoutIn) -> str:
    with node.uow() as s:
        made = service.create_lookout(s, data, actor="user:analyst", today=TODAY, ex=node.ex)
        s.flush()
        return made.id


def partner_copy(node: Node, origin: str, origin_id: str) -> Lookout | None:
    with node.uow() as s:
        held = s.scalars(
            select(Lookout).where(Lookout.origin == origin, Lookout.origin_id == origin_id)
        ).first()
        if held is not None:
            s.expunge(held)
        return held


def screen(node: Node, name: str, birth: str = "1984-03-09") -> list[tuple[str, str]]:
    engine = service.Screening(Thresholds(0.7, {}))
    with node.uow() as s:
        hits = engine.screen(
            s, SubjectIn(names=[name], birth_date=birth), today=node.ex.clock().date()
        )
    return [(h.entry.origin, h.entry.lookout_id) for h in hits]


def events(node: Node, prefix: str) -> list[str]:
    with node.uow() as s:
        return [
            e.event
            for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            if e.event.startswith(prefix)
        ]


@pytest.fixture
def annex(pair: Pair) -> Pair:
    pair.in_force("smu")
    pair.in_force("lookouts")
    return pair


def test_a_shared_lookout_travels_with_its_caveats_and_is_screened(annex: Pair) -> None:
    pair = annex
    shared = create(pair.ca, lookout())
    private = create(pair.ca, lookout(share=False, names=[{"name": "Private Person"}]))
    pair.pump()
    copy = partner_copy(pair.us, "ca", shared)
    assert copy is not None
    assert partner_copy(pair.us, "ca", private) is None
    # Provenance, and the caveats: remarks and the source reference stay home.
    assert copy.origin_agreement == "annex-lookouts"
    assert copy.origin_envelope
    assert copy.remarks == ""
    assert copy.source_reference == f"ca:{shared}"
    assert [n["name"] for n in copy.names] == ["Okafor, Chidi Emeka", "Chidi Okafo"]
    assert copy.documents[0]["number"] == "A12345678"
    assert copy.share is False  # no onward disclosure
    # The partner's copy is screened like a local lookout and shown as the partner's.
    assert screen(pair.us, "OKAFOR CHIDI") == [("ca", copy.id)]
    # ...and it is read-only there.
    with pytest.raises(Conflict), pair.us.uow() as s:
        service.amend_lookout(s, copy.id, LookoutPatch(remarks="x"), actor="user:a", ex=pair.us.ex)
    assert "screening:lookout:received" in events(pair.us, "screening:")
    # The other direction works the same way.
    back = create(pair.us, lookout(names=[{"name": "Maria Fernanda Lopez"}], birth_date="1990"))
    pair.pump()
    assert partner_copy(pair.ca, "us", back) is not None
    assert screen(pair.ca, "Maria Lopez", "1990-02-03")[0][0] == "us"
    for node in (pair.ca, pair.us):
        with node.uow() as s:
            assert verify_chain(s).ok


def test_amendments_retraction_and_unsharing_propagate(annex: Pair) -> None:
    pair = annex
    lookout_id = create(pair.ca, lookout())
    pair.pump()
    with pair.ca.uow() as s:
        service.amend_lookout(
            s, lookout_id, LookoutPatch(birth_date="1984-09-03"), actor="user:a", ex=pair.ca.ex
        )
    pair.pump()
    copy = partner_copy(pair.us, "ca", lookout_id)
    assert copy is not None
    assert (copy.birth_date, copy.version) == ("1984-09-03", 2)
    # Taking 'share' off withdraws it from the partner; putting it back sends it again.
    with pair.ca.uow() as s:
        service.amend_lookout(
            s, lookout_id, LookoutPatch(share=False), actor="user:a", ex=pair.ca.ex
        )
    pair.pump()
    copy = partner_copy(pair.us, "ca", lookout_id)
    assert copy is not None
    assert (copy.status, copy.retracted_reason) == ("retracted", "no longer shared")
    assert screen(pair.us, "Chidi Okafor", "1984-09-03") == []
    with pair.ca.uow() as s:
        service.amend_lookout(
            s, lookout_id, LookoutPatch(share=True), actor="user:a", ex=pair.ca.ex
        )
    pair.pump()
    copy = partner_copy(pair.us, "ca", lookout_id)
    assert copy is not None
    assert (copy.status, copy.version) == ("active", 4)
    # Retraction reaches the partner with its reason; the copy no longer hits there.
    with pair.ca.uow() as s:
        service.retract_lookout(s, lookout_id, reason="person cleared", actor="u", ex=pair.ca.ex)
    pair.pump()
    copy = partner_copy(pair.us, "ca", lookout_id)
    assert copy is not None
    assert (copy.status, copy.retracted_reason, copy.version) == ("retracted", "person cleared", 5)
    assert screen(pair.us, "Chidi Okafor", "1984-09-03") == []
    assert events(pair.us, "screening:lookout:retracted")


def test_expiry_is_the_same_day_on_both_sides(annex: Pair) -> None:
    pair = annex
    lookout_id = create(
        pair.ca,
        lookout(shared_fields=["names", "birth_date", "valid_until"], valid_until=TODAY),
    )
    pair.pump()
    copy = partner_copy(pair.us, "ca", lookout_id)
    assert copy is not None
    assert copy.valid_until == TODAY
    assert copy.state_on(TODAY) == "active"
    assert copy.state_on(TODAY + dt.timedelta(days=1)) == "expired"
    assert screen(pair.us, "Chidi Okafor") != []
    pair.clock.offset = dt.timedelta(days=2)
    assert screen(pair.us, "Chidi Okafor") == []


def test_shared_lookouts_go_when_the_annex_is_signed(pair: Pair) -> None:
    pair.in_force("smu")
    early = create(pair.ca, lookout())  # no lookout annex yet: nothing to send it under
    with pair.ca.uow() as s:
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "lookout-upsert")) is None
    pair.in_force("lookouts")
    pair.pump()
    assert partner_copy(pair.us, "ca", early) is not None


def test_caveats_that_leave_nothing_usable_are_refused_at_home(annex: Pair) -> None:
    with pytest.raises(ValidationFailed) as caught, annex.ca.uow() as s:
        service.create_lookout(
            s,
            lookout(shared_fields=["birth_date"]),
            actor="user:a",
            today=TODAY,
            ex=annex.ca.ex,
        )
    assert "needs at least one name" in str(caught.value.details)
    assert annex.ca.count(Lookout) == 0


def upsert(pair: Pair, body: dict[str, Any], kind: str = "lookout-upsert") -> dict[str, Any]:
    envelope = Envelope.model_validate(
        {
            "id": new_id(),
            "from": "ca",
            "to": "us",
            "agreement": "annex-lookouts",
            "purpose": "border-screening",
            "kind": kind,
            "created": pair.clock(),
            "body": body,
        }
    )
    [result] = receive(pair.us.sessions, pair.us.ex, [pair.ca.ex.signer.sign(envelope)])
    return result


BODY = {
    "lookout_id": "L-1",
    "version": 3,
    "subject_kind": "person",
    "category": "terrorism",
    "names": [{"name": "Ivan Petrov"}],
    "birth_date": "1970",
}


def test_versions_only_move_forward(annex: Pair) -> None:
    assert upsert(annex, BODY)["status"] == "accepted"
    stale = {**BODY, "version": 2, "birth_date": "1971"}
    assert upsert(annex, stale)["status"] == "accepted"  # acknowledged, not applied
    copy = partner_copy(annex.us, "ca", "L-1")
    assert copy is not None
    assert (copy.birth_date, copy.version) == ("1970", 3)
    old_retraction = {"lookout_id": "L-1", "version": 1, "reason": "old"}
    assert upsert(annex, old_retraction, "lookout-retraction")["status"] == "accepted"
    assert partner_copy(annex.us, "ca", "L-1").status == "active"  # type: ignore[union-attr]
    assert events(annex.us, "screening:lookout:not-applied")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({**BODY, "names": []}, "needs at least one name"),
        ({**BODY, "names": [{"name": "X"}]}, "too short"),
        ({**BODY, "birth_date": "1970-13-01"}, "birth_date"),
        ({**BODY, "nationalities": ["ZZZ"]}, "nationalities"),
        ({**BODY, "version": "3"}, "version"),
        ({**BODY, "lookout_id": ""}, "lookout_id"),
        ({**BODY, "category": "gossip"}, "category"),
    ],
)
def test_a_bad_partner_lookout_is_refused_and_stores_nothing(
    annex: Pair, body: dict[str, Any], expected: str
) -> None:
    result = upsert(annex, body)
    assert result["status"] == "refused"
    assert result["code"] == "invalid_body"
    assert expected in result["message"]
    assert annex.us.count(Lookout) == 0
