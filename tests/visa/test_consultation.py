"""A visa consultation between two nodes under the visa annex: sent, received, answered, the
reply back; the preview of the convergence were the change adopted; bad proposals refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from smartborder.audit.models import AuditEntry
from smartborder.errors import Conflict, ValidationFailed
from smartborder.visa import consult
from smartborder.visa.models import VisaConsultation
from tests.pair import Node, Pair


def _propose(pair: Pair, **changes: object) -> str:
    today = pair.ca.ex.clock().date()
    values: dict[str, object] = {
        "destination": "CA", "partner": "us", "nationality": "QA", "change": "lift",
        "proposed": None, "effective": today + dt.timedelta(days=90),
        "due_date": today + dt.timedelta(days=30),
        "rationale": "Qatar meets the eTA criteria; the US admits its nationals under ESTA.",
        "actor": "user:vera",
    }  # fmt: skip
    values.update(changes)
    with pair.ca.uow() as s:
        return consult.propose(s, pair.ca.ex, **values).id  # type: ignore[arg-type]


def test_a_consultation_goes_to_the_partner_and_its_answer_comes_back(pair: Pair) -> None:
    pair.in_force("smu")
    pair.in_force("visa")
    sent_id = _propose(pair)
    pair.pump()
    with pair.us.uow() as s:
        (received,) = consult.listing(s)
        assert (received.direction, received.state) == ("in", "received")
        assert (received.destination, received.nationality, received.change) == ("CA", "QA", "lift")
        assert received.proposed == "eta"
        assert received.current == "visa required"
        shown = consult.preview(s, received, now=pair.us.ex.clock())
        assert shown["now"]["differ"] == 16
        assert shown["adopted"]["differ"] == 15  # Qatar would then be treated alike
        assert shown["nationality_now_agrees"] is True
        with pytest.raises(ValidationFailed, match="an objection needs its reasons"):
            consult.reply(s, pair.us.ex, received.id, position="object", comments=" ",
                          actor="user:pat")  # fmt: skip
        consult.reply(s, pair.us.ex, received.id, position="support",
                      comments="Consistent with ESTA; no objection to the date.",
                      actor="user:pat")  # fmt: skip
    pair.pump()
    with pair.ca.uow() as s:
        sent = consult.get(s, sent_id)
        assert (sent.state, sent.position) == ("answered", "support")
        assert sent.answered_by == "partner:us"
        assert "Consistent with ESTA" in (sent.comments or "")
        assert [e["kind"] for e in sent.envelopes] == ["visa-consultation",
                                                       "visa-consultation-reply"]  # fmt: skip
    with pair.us.uow() as s, pytest.raises(Conflict, match="was answered"):
        consult.reply(s, pair.us.ex, received.id, position="object", comments="x",
                      actor="user:pat")  # fmt: skip
    assert {"visa:consultation:sent", "visa:consultation:reply-received"} <= _events(pair.ca)
    assert {"visa:consultation:received", "visa:consultation:answered"} <= _events(pair.us)


def _events(node: Node) -> set[str]:
    with node.uow() as s:
        return set(s.scalars(select(AuditEntry.event)))


def test_bad_proposals_are_refused_and_nothing_is_sent(pair: Pair) -> None:
    today = pair.ca.ex.clock().date()
    with pytest.raises(Conflict, match="no agreement in force with us"):
        _propose(pair)
    pair.in_force("smu")
    pair.in_force("visa")
    with pytest.raises(Conflict, match="CA requires no visa of FR nationals already"):
        _propose(pair, nationality="FR")
    with pytest.raises(Conflict, match="CA already requires a visa of MX nationals"):
        _propose(pair, nationality="MX", change="impose")
    with pytest.raises(ValidationFailed, match="lifting a visa needs a category without one"):
        _propose(pair, proposed="e-visa")
    with pytest.raises(ValidationFailed, match="'ZZ' is not an ISO 3166-1 alpha-2"):
        _propose(pair, nationality="ZZ")
    with pytest.raises(ValidationFailed, match="is not in the future"):
        _propose(pair, effective=today)
    with pytest.raises(ValidationFailed, match="between today and the effective date"):
        _propose(pair, due_date=today + dt.timedelta(days=200))
    with pytest.raises(ValidationFailed, match="unknown requirement"):
        _propose(pair, nationality="FR", change="impose", proposed="maybe")
    assert pair.ca.count(VisaConsultation) == 0
