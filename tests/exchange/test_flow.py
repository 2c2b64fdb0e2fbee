"""End-to-end exchange between two nodes: agreements, requests, corrections, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from smartborder.audit.chain import verify_chain
from smartborder.audit.models import AuditEntry
from smartborder.errors import Conflict, ValidationFailed
from smartborder.exchange import agreements, notices, requests
from smartborder.exchange.document import from_template
from smartborder.exchange.models import (
    Agreement,
    CaseRequest,
    Notice,
    OutboxMessage,
    ReceivedData,
)
from tests.pair import Pair

SUBJECT = {
    "surname": "OKAFOR",
    "given_names": "CHIDI EMEKA",
    "date_of_birth": "1984-03-09",
    "nationality": "NGA",
    "document_number": "A12345678",
}


def events(node: object, prefix: str = "") -> list[str]:
    with node.uow() as s:  # type: ignore[attr-defined]
        return [
            e.event
            for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            if e.event.startswith(prefix)
        ]


def test_agreement_lifecycle_through_the_exchange(pair: Pair) -> None:
    document = from_template("smu", ("ca", "us"))
    with pair.ca.uow() as s:
        proposed = agreements.propose(s, pair.ca.ex, document, actor="user:sup")
        assert agreements.current_status(proposed, pair.ca.ex) == "proposed"
    pair.pump()
    with pair.us.uow() as s:
        received = agreements.get_agreement(s, document.id)
        assert received.state == "awaiting-approval"
        assert received.digest == document.digest()
        assert received.partner == "ca"
        agreements.approve(s, pair.us.ex, document.id, actor="user:sup-us")
    pair.pump()
    for node in (pair.ca, pair.us):
        with node.uow() as s:
            agreement = agreements.get_agreement(s, document.id)
            assert agreements.current_status(agreement, node.ex) == "in-force"
            assert agreement.our_signature
            assert agreement.partner_signature
    assert "exchange:agreement:signed" in events(pair.ca)
    assert "exchange:agreement:approved" in events(pair.us)
    # A second proposal of the same id is a conflict, not a silent overwrite.
    with pytest.raises(Conflict), pair.ca.uow() as s:
        agreements.propose(s, pair.ca.ex, document, actor="user:sup")
    # Termination travels too.
    with pair.us.uow() as s:
        agreements.terminate(s, pair.us.ex, document.id, reason="superseded", actor="user:sup")
    pair.pump()
    with pair.ca.uow() as s:
        ended = agreements.get_agreement(s, document.id)
        assert agreements.current_status(ended, pair.ca.ex) == "terminated"
        assert ended.end_reason == "superseded"


def test_rejection_travels_back(pair: Pair) -> None:
    document = from_template("visa", ("ca", "us"))
    with pair.ca.uow() as s:
        agreements.propose(s, pair.ca.ex, document, actor="user:sup")
    pair.pump()
    with pytest.raises(ValidationFailed), pair.us.uow() as s:
        agreements.reject(s, pair.us.ex, document.id, reason=" ", actor="user:sup")
    with pair.us.uow() as s:
        agreements.reject(s, pair.us.ex, document.id, reason="not yet", actor="user:sup")
    pair.pump()
    with pair.ca.uow() as s:
        assert s.get(Agreement, document.id).state == "rejected"  # type: ignore[union-attr]


def test_agreement_expires_by_date(pair: Pair) -> None:
    agreement_id = pair.in_force()
    pair.clock.offset = dt.timedelta(days=365 * 7)
    with pair.ca.uow() as s:
        agreement = agreements.get_agreement(s, agreement_id)
        assert agreements.current_status(agreement, pair.ca.ex) == "expired"
        with pytest.raises(ValidationFailed, match="expired, not in force"):
            requests.create_request(
                s, pair.ca.ex, agreement_id=agreement_id, purpose="identity-verification",
                subject=SUBJECT, justification="check", case_reference="C-1",
                due_date=None, actor="user:ana",
            )  # fmt: skip


def ask(pair: Pair, agreement_id: str, **extra: object) -> int:
    with pair.ca.uow() as s:
        request, withheld = requests.create_request(
            s,
            pair.ca.ex,
            agreement_id=agreement_id,
            purpose="immigration-enforcement",
            subject={**SUBJECT, **extra},
            justification="Subject claims prior US residence; verify status.",
            case_reference="CA-2026-0042",
            due_date=dt.date(2026, 12, 1),
            actor="user:ana",
        )
        assert ("subject.phone" in withheld) == ("phone" in extra)
        s.flush()
        return request.id


def test_case_request_round_trip_minimised_both_ways(pair: Pair) -> None:
    agreement_id = pair.in_force()
    ask(pair, agreement_id, phone="+1 555 0100")  # not a field the SMU lets a request carry
    pair.pump()
    with pair.us.uow() as s:
        [incoming] = requests.list_requests(s, "incoming")
        assert incoming.state == "awaiting-decision"
        assert incoming.subject["surname"] == "OKAFOR"
        assert "phone" not in incoming.subject
        assert incoming.requested_by == "user:ana"
        assert incoming.due_date == dt.date(2026, 12, 1)
        _, withheld = requests.decide(
            s,
            pair.us.ex,
            incoming.id,
            approve=True,
            answer={
                "found": True,
                "immigration_status": "Lawful permanent resident 2009-2014",
                "subject": {"surname": "OKAFOR", "address": "12 Main St"},
                "criminal_history": "none",
            },
            reason="",
            actor="user:sup-us",
        )
        assert withheld == ["criminal_history", "subject.address"]
        assert incoming.disclosed == {
            "found": True,
            "immigration_status": "Lawful permanent resident 2009-2014",
            "subject": {"surname": "OKAFOR"},
        }
        with pytest.raises(Conflict):
            requests.decide(s, pair.us.ex, incoming.id, approve=False, answer=None,
                            reason="again", actor="user:sup-us")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        [outgoing] = requests.list_requests(s, "outgoing")
        assert outgoing.state == "answered"
        response = requests.response_of(s, outgoing)
        assert response is not None
        assert response.body["immigration_status"].startswith("Lawful")
        assert response.retain_until - response.received_at == dt.timedelta(days=365)
    assert "exchange:request:approved" in events(pair.us)


def test_refusal_carries_the_reason(pair: Pair) -> None:
    agreement_id = pair.in_force()
    ask(pair, agreement_id)
    pair.pump()
    with pair.us.uow() as s:
        [incoming] = requests.list_requests(s, "incoming")
        with pytest.raises(ValidationFailed):
            requests.decide(s, pair.us.ex, incoming.id, approve=False, answer=None, reason="",
                            actor="user:sup-us")  # fmt: skip
        requests.decide(s, pair.us.ex, incoming.id, approve=False, answer=None,
                        reason="Not within the SMU's purposes", actor="user:sup-us")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        [outgoing] = requests.list_requests(s, "outgoing")
        assert outgoing.state == "refused"
        assert outgoing.refusal_reason == "Not within the SMU's purposes"
        assert s.scalar(select(ReceivedData)) is None


def answered(pair: Pair, answer: dict[str, object] | None = None) -> str:
    """A case request from ca answered by us (with ``answer``); the answer's envelope id."""
    agreement_id = pair.in_force()
    ask(pair, agreement_id)
    pair.pump()
    with pair.us.uow() as s:
        [incoming] = requests.list_requests(s, "incoming")
        requests.decide(s, pair.us.ex, incoming.id, approve=True, reason="", actor="user:sup",
                        answer=answer or {"found": True, "immigration_status": "B1/B2 visitor"})  # fmt: skip
    pair.pump()
    with pair.us.uow() as s:
        [response] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case-response"))
        return response.envelope_id


def test_correction_is_applied_and_confirmed(pair: Pair) -> None:
    shared = answered(pair)
    with pair.us.uow() as s:
        with pytest.raises(ValidationFailed, match="could carry"):
            notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="correction",
                                reason="typo", changes={"salary": 1}, actor="user:sup")  # fmt: skip
        notices.send_notice(
            s, pair.us.ex, envelope_id=shared, kind="correction", reason="status was wrong",
            changes={"immigration_status": "F-1 student"}, actor="user:sup",
        )  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        held = s.get(ReceivedData, shared)
        assert held is not None
        assert held.body["immigration_status"] == "F-1 student"
        assert held.corrected_at is not None
    with pair.us.uow() as s:
        [notice] = s.scalars(select(Notice))
        assert notice.state == "confirmed"
    assert "exchange:data:corrected" in events(pair.ca)
    assert "exchange:notice:confirmed" in events(pair.us)


def test_destruction_removes_the_data_and_is_confirmed(pair: Pair) -> None:
    shared = answered(pair)
    with pair.us.uow() as s:
        notices.send_notice(s, pair.us.ex, envelope_id=shared, kind="destruction",
                            reason="court order", changes=None, actor="user:sup")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        assert s.get(ReceivedData, shared) is None
        [outgoing] = requests.list_requests(s, "outgoing")
        assert outgoing.response_envelope_id is None
        assert "court order" in (outgoing.response_removed or "")
    with pair.us.uow() as s:
        assert s.scalars(select(Notice)).one().state == "confirmed"


def test_retention_job_purges_and_records_what_it_deleted(pair: Pair) -> None:
    shared = answered(pair)
    with pair.ca.uow() as s:
        assert notices.purge_expired(s, pair.ca.ex, actor="system:retention") == []
    pair.clock.offset = dt.timedelta(days=366)
    with pair.ca.uow() as s:
        assert notices.purge_expired(s, pair.ca.ex, actor="system:retention") == [shared]
        assert s.get(ReceivedData, shared) is None
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.event == "exchange:data:purged")
        ).one()
        assert entry.subject == shared
        assert entry.details["kind"] == "case-response"
        assert "body" not in entry.details
        assert s.scalars(select(CaseRequest)).one().response_removed.startswith("purged")  # type: ignore[union-attr]


def test_every_step_is_chained_on_both_nodes(pair: Pair) -> None:
    answered(pair)
    for node in (pair.ca, pair.us):
        with node.uow() as s:
            report = verify_chain(s)
            assert report.ok, report.problems
            assert report.size > 5
