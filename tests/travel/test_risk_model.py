"""The risk model: the condition format (typed, checked, compiled, explained), model files
with every problem located, scoring and decisions, records built from stored travellers, and
the model's life on a node through the API and the CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.errors import ValidationFailed
from smartborder.settings import Settings
from smartborder.travel.riskmodels.conditions import Condition, compile_condition, explain
from smartborder.travel.riskmodels.document import RiskModel, load_model
from tests.conftest import Cli, api_token, make_user
from tests.travel.test_retention import PAXLST, PNRGOV, ingest

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
SHIPPED = (
    resources.files("smartborder.travel.riskmodels") / "shipped" / "joint-api-pnr.yaml"
).read_text(encoding="utf-8")
API = "/api/v1/travel/risk"
DAY = "2026-11-22"  # AC870 in the fixtures


def holds(condition: dict[str, Any], record: dict[str, Any]) -> bool:
    return compile_condition(CONDITION.validate_python(condition))(record)


# -- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "record", "expected"),
    [
        ({"field": "traveller.nationality", "op": "equals", "value": "fra"}, {"traveller.nationality": "FRA"}, True),
        ({"field": "traveller.nationality", "op": "not_equals", "value": "FRA"}, {}, False),
        ({"field": "traveller.nationality", "op": "in", "value": ["CAN", "USA"]}, {"traveller.nationality": "USA"}, True),
        ({"field": "traveller.nationality", "op": "not_in", "value": ["CAN"]}, {"traveller.nationality": None}, False),
        ({"field": "flight.route", "op": "starts_with", "value": "YUL"}, {"flight.route": "YUL-CDG"}, True),
        ({"field": "traveller.age", "op": "between", "value": [18, 30]}, {"traveller.age": 30}, True),
        ({"field": "traveller.age", "op": "lt", "value": 18}, {"traveller.age": 18}, False),
        ({"field": "flight.departure_date", "op": "ge", "value": "2026-11-01"}, {"flight.departure_date": "2026-11-22"}, True),
        ({"field": "pnr.payment_forms", "op": "contains", "value": "cash"}, {"pnr.payment_forms": ["CASH", "CC"]}, True),
        ({"field": "itinerary.countries", "op": "contains_all", "value": ["FR", "CA"]}, {"itinerary.countries": ["CA"]}, False),
        ({"field": "itinerary.countries", "op": "contains_none", "value": ["IR"]}, {"itinerary.countries": ["CA"]}, True),
        ({"field": "booking.ticketed", "op": "is_false"}, {"booking.ticketed": None}, False),
        ({"field": "booking.agency", "op": "is_missing"}, {}, True),
        ({"not": {"field": "screening.hit", "op": "is_true"}}, {"screening.hit": True}, False),
        ({"any": [{"field": "traveller.sex", "op": "equals", "value": "F"}, {"field": "traveller.age", "op": "gt", "value": 60}]}, {"traveller.age": 61}, True),
    ],
)  # fmt: skip
def test_each_operator_reads_its_kind_and_unknown_is_no_evidence(
    condition: dict[str, Any], record: dict[str, Any], expected: bool
) -> None:
    assert holds(condition, record) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "pnr.payment_form", "op": "contains", "value": "CASH"}, "did you mean pnr.payment_forms"),
        ({"field": "traveller.age", "op": "contains", "value": 3}, "does not apply to traveller.age (number)"),
        ({"field": "traveller.age", "op": "gt", "value": "old"}, "is a number"),
        ({"field": "traveller.age", "op": "between", "value": [40]}, "two values"),
        ({"field": "booking.ticketed", "op": "is_true", "value": True}, "takes no value"),
        ({"field": "flight.departure_date", "op": "lt", "value": "22/11/2026"}, "YYYY-MM-DD"),
        ({"field": "traveller.nationality", "op": "in", "value": []}, "non-empty list"),
        ({"field": "traveller.age", "op": "like", "value": 3}, "unknown operator 'like'"),
        ({"every": []}, "Extra inputs are not permitted"),
        ("cash", "a condition is a mapping"),
    ],
)  # fmt: skip
def test_a_bad_condition_is_refused_with_the_reason(condition: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        CONDITION.validate_python(condition)


def test_explain_names_each_leaf_that_held_with_the_value_seen() -> None:
    condition = CONDITION.validate_python(
        {
            "all": [
                {"field": "pnr.payment_forms", "op": "contains", "value": "CASH"},
                {"not": {"field": "booking.ticketed", "op": "is_true"}},
            ]
        }
    )
    why = explain(condition, {"pnr.payment_forms": ["CASH"], "booking.ticketed": False})
    assert [w["field"] for w in why] == ["pnr.payment_forms", "booking.ticketed"]
    assert why[0]["seen"] == ["CASH"]
    assert why[1]["text"].startswith("not: booking.ticketed is true")


leaf = st.sampled_from(
    [
        {"field": "traveller.age", "op": "gt", "value": 40},
        {"field": "traveller.sex", "op": "equals", "value": "F"},
        {"field": "screening.hit", "op": "is_true"},
        {"field": "pnr.payment_forms", "op": "contains", "value": "CASH"},
    ]
)
conditions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=8,
)
records = st.fixed_dictionaries(
    {
        "traveller.age": st.one_of(st.none(), st.integers(0, 99)),
        "traveller.sex": st.sampled_from([None, "F", "M"]),
        "screening.hit": st.booleans(),
        "pnr.payment_forms": st.lists(st.sampled_from(["CASH", "CC"]), max_size=2),
    }
)


def _reference(condition: dict[str, Any], record: dict[str, Any]) -> bool:
    """A plain interpreter of the format, to check the compiled closures against."""
    if "all" in condition:
        return all(_reference(c, record) for c in condition["all"])
    if "any" in condition:
        return any(_reference(c, record) for c in condition["any"])
    if "not" in condition:
        return not _reference(condition["not"], record)
    seen = record.get(condition["field"])
    op, value = condition["op"], condition.get("value")
    if op == "is_true":
        return seen is True
    if seen is None:
        return False
    return {"gt": lambda: seen > value, "equals": lambda: seen == value}.get(
        op, lambda: value in seen
    )()


@settings(suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine draws slowly
@given(conditions, records)
def test_compiled_conditions_agree_with_a_plain_interpreter(
    condition: dict[str, Any], record: dict[str, Any]
) -> None:
    assert holds(condition, record) is _reference(condition, record)


# -- model files ------------------------------------------------------------------------------

BAD_MODEL = """\
name: joint-api-pnr
version: 1
thresholds: {review: 40, share: 30}
indicators:
  - id: cash
    title: Paid cash
    rationale: Cash payment hides the payer.
    owner: ca
    scope: joint
    weight: 140
    when:
      all:
        - {field: pnr.payment_form, op: contains, value: CASH}
        - {field: booking.days_booked_before, op: le, value: three}
  - id: other
    title: x
    rationale: too short
    owner: CA
    scope: both
    weight: 10
    when: {field: traveller.age, op: between, value: [40, 20]}
"""


def test_a_bad_model_gets_every_problem_with_its_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_model(BAD_MODEL, "bad.yaml")
    found = {(d["location"], d["line"]) for d in caught.value.details}
    assert found == {
        ("thresholds", 3),
        ("indicators[0].weight", 10),
        ("indicators[0].when.all[0].field", 13),
        ("indicators[0].when.all[1]", 14),
        ("indicators[1].title", 16),
        ("indicators[1].rationale", 17),
        ("indicators[1].owner", 18),
        ("indicators[1].scope", 19),
        ("indicators[1].when", 21),
    }
    assert "did you mean pnr.payment_forms" in json.dumps(caught.value.details)


def test_ids_are_unique_and_scores_are_for_decisions_only() -> None:
    text = SHIPPED.replace("id: co-traveller-hit", "id: lookout-hit").replace(
        "when: {field: itinerary.max_dwell_hours, op: gt, value: 12}",
        "when: {field: risk.score, op: gt, value: 12}",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_model(text, "m.yaml")
    messages = [d["message"] for d in caught.value.details]
    assert any("already used by indicators[0]" in t for t in messages)
    assert any("risk.score can be used in decisions only" in t for t in messages)


def test_scores_separate_joint_from_national_and_decisions_give_reasons() -> None:
    model = RiskModel(load_model(SHIPPED))
    courier = {
        "pnr.payment_forms": ["CASH"],
        "booking.days_booked_before": 1,
        "pnr.bags": 0,
        "itinerary.stay_days": 10,
        "itinerary.one_way": False,
    }
    assessed = model.assess(courier)
    assert [i.id for i in assessed.fired] == ["cash-short-notice", "no-bags-long-stay"]
    assert (assessed.score, assessed.joint_score) == (40, 30)
    assert model.queued(assessed)
    assert not model.shareable(assessed)  # national weight never counts towards sharing
    assert assessed.decision == "board"
    stopped = model.assess({"screening.hit": True, "screening.actions": ["DENY-BOARDING"],
                            "screening.best_score": 0.93})  # fmt: skip
    assert stopped.decision == "no board"
    assert any("screening.actions includes the code DENY-BOARDING" in r for r in stopped.reasons)
    watched = model.assess({"screening.hit": True, "screening.best_score": 0.75})
    assert watched.decision == "contact the authority"
    explained = watched.as_dict({"screening.hit": True})["indicators"][0]
    assert explained["id"] == "lookout-hit"
    assert explained["matched"][0]["field"] == "screening.hit"

    # On a node, another agency's national indicators are not evaluated: no-bags-long-stay
    # belongs to ca, so us (holding the co-signed model) scores the courier on joint ones only.
    on_us = RiskModel(load_model(SHIPPED), "us")
    assert on_us.left_out == ["many-changes", "no-bags-long-stay"]
    assert [i.id for i in on_us.assess(courier).fired] == ["cash-short-notice"]
    on_ca = RiskModel(load_model(SHIPPED), "ca")
    assert on_ca.left_out == []
    assert (on_ca.assess(courier).score, on_ca.assess(courier).joint_score) == (40, 30)


def test_a_record_read_alike_is_assessed_alike_from_memory() -> None:
    """Assessing depends only on the fields the model reads: a record that differs in a field
    no condition reads gets the same assessment (remembered, not evaluated again), one that
    differs in a field read does not, and each caller gets its own copy."""
    model = RiskModel(load_model(SHIPPED))
    courier = {"pnr.payment_forms": ["CASH"], "booking.days_booked_before": 1, "pnr.bags": 0,
               "itinerary.stay_days": 10, "itinerary.one_way": False}  # fmt: skip
    first = model.assess(courier)
    evaluated = []
    model._assess = lambda record: evaluated.append(record) or first  # type: ignore[method-assign]
    again = model.assess({**courier, "traveller.surname": "ANOTHER", "pnr.seat": "12C"})
    assert evaluated == []  # neither field is read by any condition
    assert [i.id for i in again.fired] == [i.id for i in first.fired]
    assert again is not first
    again.fired.clear()
    assert first.fired  # the remembered one is untouched
    model.assess({**courier, "pnr.payment_forms": ["CC"]})
    assert len(evaluated) == 1  # a field read changed: evaluated
    model.assess({**courier, "pnr.payment_forms": [{"type": "CA"}]})  # not a key: evaluated
    assert len(evaluated) == 2


# -- on a node --------------------------------------------------------------------------------


def test_models_are_loaded_activated_and_tried_through_the_api(
    app: FastAPI, client: TestClient
) -> None:
    analyst = api_token(app, "ana", "analyst")
    chief = api_token(app, "sup", "supervisor")
    ingest(app, PAXLST, PNRGOV)
    yaml_body = {"Content-Type": "application/yaml"}
    bad = client.post(f"{API}/models", content=BAD_MODEL, headers={**analyst, **yaml_body})
    assert bad.status_code == 422
    assert len(bad.json()["error"]["details"]) == 9
    loaded = client.post(f"{API}/models", content=SHIPPED, headers={**analyst, **yaml_body})
    assert loaded.status_code == 201, loaded.text
    first = loaded.json()
    assert (first["status"], first["indicators"]) == ("draft", 9)
    again = client.post(f"{API}/models", content=SHIPPED, headers={**analyst, **yaml_body})
    assert again.status_code == 409
    assert client.post(f"{API}/models/{first['id']}/activate", headers=analyst).status_code == 403
    active = client.post(f"{API}/models/{first['id']}/activate", headers=chief)
    assert active.json()["status"] == "active"
    second = client.post(
        f"{API}/models",
        content=SHIPPED.replace("version: 1", "version: 2"),
        headers={**analyst, **yaml_body},
    ).json()
    client.post(f"{API}/models/{second['id']}/activate", headers=chief)
    states = {
        m["version"]: m["status"]
        for m in client.get(f"{API}/models", headers=analyst).json()["items"]
    }
    assert states == {1: "retired", 2: "active"}
    with db.unit_of_work(app.state.sessions) as s:
        events = s.scalars(select(AuditEntry.event).where(AuditEntry.event.like("travel:model:%")))
        assert list(events).count("travel:model:activated") == 2

    # the live preview of one condition: NGUYEN paid cash (booking ZXC987)
    trial = client.post(
        f"{API}/try-condition",
        json={"date": DAY, "condition": {"field": "pnr.payment_forms", "op": "contains", "value": "cash"}},
        headers=analyst,
    )  # fmt: skip
    assert trial.status_code == 200, trial.text
    result = trial.json()
    assert (result["flights"], result["travellers"], result["matched"]) == (1, 4, 1)
    assert result["examples"][0]["name"] == "NGUYEN, VAN DUNG"
    assert result["examples"][0]["matched"][0]["seen"] == ["CASH"]
    wrong = client.post(
        f"{API}/try-condition",
        json={"date": DAY, "condition": {"field": "pnr.cash", "op": "is_true"}},
        headers=analyst,
    )
    assert wrong.status_code == 422
    assert "unknown field 'pnr.cash'" in json.dumps(wrong.json())
    fields = client.get(f"{API}/fields", headers=analyst).json()
    assert {"name": "pnr.payment_forms", "kind": "codes"}.items() <= fields["fields"][
        0
    ].items() or any(f["name"] == "pnr.payment_forms" for f in fields["fields"])


def test_records_from_stored_travellers_derive_what_indicators_read(app: FastAPI) -> None:
    from smartborder.travel.riskmodels.service import travellers_of_day

    ingest(app, PAXLST, PNRGOV)
    with db.unit_of_work(app.state.sessions) as s:
        people = {r["traveller.surname"]: r for _, r in travellers_of_day(s, DAY)}
    mary = people["O'BRIEN"]
    assert mary["traveller.age"] == 41  # born 1985-04-15, flies 2026-11-22
    to_expiry = dt.date(2030, 1, 1) - dt.date(2026, 11, 22)  # passport valid to 01JAN30
    assert mary["document.days_to_expiry"] == to_expiry.days
    assert mary["booking.days_booked_before"] == 21
    assert mary["booking.travellers"] == 2
    assert mary["pnr.payment_forms"] == ["CC"]
    assert mary["flight.destination_country"] == "FR"
    assert mary["itinerary.airports"] == ["YUL", "CDG"]
    assert mary["screening.hit"] is False
    assert people["NGUYEN"]["pnr.payment_forms"] == ["CASH"]
    assert people["NGUYEN"]["booking.changes"] == 1


def test_cli_checks_loads_tries_and_activates(
    node: Settings, app: FastAPI, cli: Cli, tmp_path: Path
) -> None:
    make_user(app, "ana", "analyst")
    make_user(app, "sup", "supervisor")
    ingest(app, PAXLST, PNRGOV)
    bad, good = tmp_path / "bad.yaml", tmp_path / "model.yaml"
    bad.write_text(BAD_MODEL)
    good.write_text(SHIPPED)
    args = ["--data-dir", str(node.data_dir)]
    code, _, err = cli(["travel", "model", "check", str(bad)])
    assert code == 1
    assert "bad.yaml line 10: indicators[0].weight" in err
    code, out, _ = cli(["travel", "model", "check", str(good)])
    assert code == 0
    assert "9 indicators (7 joint)" in out
    code, out, _ = cli(["travel", "model", "try", str(good), "--date", DAY, "--json", *args])
    assert code == 0
    assert json.loads(out)["travellers"] == 4
    code, out, err = cli(["travel", "model", "load", str(good), "--as", "ana", *args])
    assert code == 0, err
    model_id = out.split()[-1].rstrip(".")
    code, _, err = cli(["travel", "model", "activate", model_id, "--as", "ana", *args])
    assert code != 0
    assert "risk-model:activate" in err
    code, out, _ = cli(["travel", "model", "activate", model_id, "--as", "sup", *args])
    assert code == 0
    assert "is now active" in out
    code, out, _ = cli(["travel", "model", "list", *args])
    assert "active" in out


def test_every_field_and_operator_is_documented() -> None:
    from smartborder.travel.riskmodels.conditions import FIELDS, OPERATORS

    text = (Path(__file__).parents[2] / "docs" / "risk.md").read_text(encoding="utf-8")
    missing = [n for n in (*FIELDS, *OPERATORS) if f"`{n}`" not in text]
    assert not missing, f"not in docs/risk.md: {missing}"
