"""An agreement's field list says each field's shape; nothing outside it passes either way."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from smartborder.errors import ValidationFailed
from smartborder.exchange import requests
from smartborder.exchange.document import TEMPLATES, from_template
from smartborder.exchange.models import CaseRequest, OutboxMessage
from smartborder.exchange.policy import Refused, extra_fields, leaves, project
from tests.exchange.test_flow import ask
from tests.exchange.test_inbox import BODY, deliver, envelope, sign
from tests.pair import Pair

SMUGGLED = {"ssn": "123-45-6789", "medical": "confidential"}
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "ssn", "surname", "x_1"]), inner, max_size=3)
    ),
    max_leaves=8,
)
# A list or object holding at least one value (empty ones carry nothing and are dropped).
NOT_SCALAR = JSON.filter(
    lambda v: isinstance(v, list | dict) and any(x not in (None, "") for _, x in leaves({"v": v}))
)
RESPONSE = from_template("smu", ("ca", "us")).rule("case-response")
assert RESPONSE is not None


def test_a_list_in_a_one_value_field_is_refused_on_receipt(pair: Pair) -> None:
    smu = pair.in_force()
    body = {**BODY, "subject": {**BODY["subject"], "surname": ["x", SMUGGLED]}}
    result = deliver(pair, sign(pair, envelope(pair, smu, body=body)))
    assert result["code"] == "field_not_allowed"
    assert "subject.surname[]" in result["message"]
    assert "subject.surname[].ssn" in result["message"]
    assert pair.us.count(CaseRequest) == 0


@pytest.mark.parametrize(
    "body",
    [
        {**BODY, "justification": {"text": "x", **SMUGGLED}},
        {**BODY, "subject": [BODY["subject"], SMUGGLED]},
        {**BODY, "subject": {**BODY["subject"], "SSN": "1"}},
        {**BODY, "subject": {**BODY["subject"], "surname.ssn": "1"}},
        {**BODY, "due_date": [[[["2026-01-01"]]]]},
    ],
    ids=["object-in-text", "list-of-objects", "upper-case-key", "dotted-key", "nested-lists"],
)
def test_other_shapes_are_refused_on_receipt(pair: Pair, body: dict[str, Any]) -> None:
    smu = pair.in_force()
    assert deliver(pair, sign(pair, envelope(pair, smu, body=body)))["code"] == "field_not_allowed"


def test_an_answer_smuggling_a_list_is_refused_on_sending(pair: Pair) -> None:
    ask(pair, pair.in_force())
    pair.pump()
    with pair.us.uow() as s:
        [incoming] = requests.list_requests(s, "incoming")
        with pytest.raises(ValidationFailed, match=r"remarks\[\]") as raised:
            requests.decide(s, pair.us.ex, incoming.id, approve=True, reason="", actor="user:sup",
                            answer={"found": True, "remarks": ["ok", SMUGGLED]})  # fmt: skip
        assert raised.value.details == [{"field": "body", "problem": "field_not_allowed"}]
    with pair.us.uow() as s:
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "case-response")) is None
        assert s.get(CaseRequest, incoming.id).state == "awaiting-decision"  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(RESPONSE.fields), value=NOT_SCALAR)
def test_sending_never_lets_another_shape_through(field: str, value: Any) -> None:
    """Fuzz: any list or object put where the SMU allows one value is refused, never cut."""
    body: dict[str, Any] = {"found": True}
    node = body
    *parents, leaf = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    with pytest.raises(Refused) as refused:
        project(body, RESPONSE.fields)
    assert refused.value.code == "field_not_allowed"
    assert extra_fields(body, RESPONSE.fields)  # and the receiver refuses it too


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(st.sampled_from(["found", "remarks", "subject", "ssn"]), JSON))
def test_what_goes_out_is_exactly_in_the_agreements_shapes(body: dict[str, Any]) -> None:
    """Fuzz: whatever is sent passes the receiver's check; what was cut is reported."""
    try:
        kept, withheld = project(body, RESPONSE.fields)
    except Refused:
        return
    assert extra_fields(kept, RESPONSE.fields) == []
    sent = {path for path, _ in leaves(kept)}
    assert sent.isdisjoint(withheld)


def test_lists_the_annexes_declare_travel_whole() -> None:
    rule = from_template("lookouts", ("ca", "us")).rule("lookout-upsert")
    assert rule is not None
    body = {
        "lookout_id": "L1",
        "names": [{"name": "Иван Петров", "kind": "primary"}, {"name": "Ivan Petrov"}],
        "nationalities": ["RUS", "UKR"],
        "documents": [{"number": "X1", "type": "P", "secret": "s"}],
    }
    kept, withheld = project(body, rule.fields)
    assert kept["names"] == body["names"]
    assert kept["nationalities"] == ["RUS", "UKR"]
    assert kept["documents"] == [{"number": "X1", "type": "P"}]
    assert withheld == ["documents[].secret"]
    with pytest.raises(Refused):  # a list of lists where a list of names is allowed
        project({"names": [["Ivan"]]}, rule.fields)
    deep: Any = "x"
    for _ in range(5000):  # no recursion limit reached on hostile nesting
        deep = [deep]
    assert extra_fields({"names": deep}, rule.fields)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_loads_with_its_shapes(name: str) -> None:
    document = from_template(name, ("ca", "us"))
    for rule in document.messages:
        assert rule.fields
