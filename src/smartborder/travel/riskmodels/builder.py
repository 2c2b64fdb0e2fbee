"""The condition builder's form as a checked condition and indicator: rows of field, operator
and value (a list as comma-separated values; "between" as "low, high"), each optionally negated,
joined by all or any. Every row's problem is reported with its row and field; nothing is
evaluated that did not pass the same checks as a model file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels import service as models_service
from smartborder.travel.riskmodels.conditions import FIELDS, OPERATORS, Condition
from smartborder.travel.riskmodels.document import RiskModelDoc

CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)


@dataclass(slots=True)
class Built:
    condition: Condition | None = None
    problems: list[str] = field(default_factory=list)
    written: dict[str, Any] | None = None  # the condition as a model file would hold it


def _scalar(kind: str, text: str) -> Any:
    if kind == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text  # the check says a number is wanted, with the row
    if kind == "flag":
        return {"true": True, "false": False}.get(text.lower(), text)
    return text


def _value(kind: str, op: str, text: str) -> Any:
    shape = OPERATORS[op].value
    if shape == "none":
        return None
    if shape == "one":
        return _scalar("text" if kind == "codes" else kind, text)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return [_scalar("text" if kind == "codes" else kind, p) for p in parts]


def build_condition(values: dict[str, Any], rows: int) -> Built:
    built = Built()
    leaves: list[dict[str, Any]] = []
    for row in range(1, rows + 1):
        name = values.get(f"field_{row}", "")
        if not name:
            continue
        op = values.get(f"op_{row}", "")
        text = values.get(f"value_{row}", "")
        where = f"row {row} ({name})"
        if name not in FIELDS:
            built.problems.append(f"{where}: unknown field")
            continue
        if op not in OPERATORS:
            built.problems.append(f"{where}: choose an operator")
            continue
        leaf: dict[str, Any] = {"field": name, "op": op}
        value = _value(FIELDS[name].kind, op, text)
        if value is not None or OPERATORS[op].value != "none":
            leaf["value"] = value
        try:
            CONDITION.validate_python(leaf)
        except ValidationError as exc:
            reasons = (e["msg"].removeprefix("Value error, ") for e in exc.errors())
            built.problems.extend(f"{where}: {reason}" for reason in reasons)
            continue
        leaves.append({"not": leaf} if values.get(f"not_{row}") else leaf)
    if built.problems or not leaves:  # nothing chosen yet: no condition, no problem
        return built
    combine = "any" if values.get("combine") == "any" else "all"
    built.written = leaves[0] if len(leaves) == 1 else {combine: leaves}
    built.condition = CONDITION.validate_python(built.written)
    return built


def indicator_of(values: dict[str, Any], condition: Condition) -> dict[str, Any]:
    """The form's indicator fields with the built condition (checked with the model)."""
    weight = values.get("weight", "")
    return {
        "id": values.get("id", ""),
        "title": values.get("title", ""),
        "rationale": values.get("rationale", ""),
        "owner": values.get("owner", ""),
        "scope": values.get("scope", ""),
        "weight": int(weight) if weight.isdecimal() else weight,
        "category": values.get("category") or "general",
        "when": CONDITION.dump_python(condition, mode="json", by_alias=True, exclude_none=True),
    }


def new_draft(session: Session, model_id: str, indicator: dict[str, Any]) -> RiskModelDoc:
    """The model ``model_id`` with ``indicator`` added (or replacing the one of the same id), as
    the next version of its name: checked like any model file."""
    base = models_service.get_model(session, model_id)
    latest = session.execute(
        select(func.max(rm.RiskModelRow.version)).where(rm.RiskModelRow.name == base.name)
    ).scalar_one()
    document = dict(base.document)
    kept = [i for i in document.get("indicators", []) if i.get("id") != indicator["id"]]
    document["indicators"] = [*kept, indicator]
    document["version"] = int(latest or base.version) + 1
    return RiskModelDoc.model_validate(document)
