"""The typed, declarative condition format of risk indicators: no code is ever evaluated.

A condition is a leaf ``{"field": "booking.days_booked_before", "op": "le", "value": 3}`` or a
combination ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}``. Each field has a kind
(text, number, date, flag, codes - a list of codes) and each operator says which kinds it takes
and what value it needs; both are checked when a condition is read, so a bad condition is
refused with its location before anything runs. A checked condition is compiled into nested
closures over a flat record (field name -> value), and can explain itself: which leaves held,
with the value each one saw.

A missing value (``None``) satisfies no operator except ``is_missing``: unknown is not evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

Kind = Literal["text", "number", "date", "flag", "codes"]
Record = Mapping[str, Any]
Test = Callable[[Record], bool]
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    description: str


_FIELDS = (
    # the traveller, as the message gives them
    FieldSpec("traveller.role", "text", "passenger, crew, in transit, ..."),
    FieldSpec("traveller.surname", "text", "surname as given"),
    FieldSpec("traveller.given_names", "text", "given names as given"),
    FieldSpec("traveller.age", "number", "age in years on the day of departure"),
    FieldSpec("traveller.sex", "text", "M, F or X"),
    FieldSpec("traveller.nationality", "text", "ICAO nationality code"),
    FieldSpec("traveller.residence", "text", "country of residence"),
    FieldSpec("traveller.birth_place", "text", "place or country of birth"),
    FieldSpec("traveller.messages", "number", "messages that mention the traveller on the flight"),
    # the travel document
    FieldSpec("document.type", "text", "P passport, I identity card, ..."),
    FieldSpec("document.country", "text", "issuing state (ICAO code)"),
    FieldSpec("document.days_to_expiry", "number", "days from departure to the expiry date"),
    FieldSpec("document.issuer_is_nationality", "flag", "issued by the traveller's nationality"),
    FieldSpec("document.count", "number", "documents given"),
    # the flight
    FieldSpec("flight.carrier", "text", "operating carrier (IATA)"),
    FieldSpec("flight.number", "text", "flight number"),
    FieldSpec("flight.origin", "text", "first departure airport (IATA)"),
    FieldSpec("flight.destination", "text", "last arrival airport (IATA)"),
    FieldSpec("flight.origin_country", "text", "country of the first departure (ISO alpha-2)"),
    FieldSpec("flight.destination_country", "text", "country of the last arrival"),
    FieldSpec("flight.route", "text", "ORIGIN-DESTINATION, e.g. YUL-CDG"),
    FieldSpec("flight.departure_date", "date", "local date of departure"),
    FieldSpec("flight.departure_hour", "number", "local hour of departure, 0-23"),
    FieldSpec("flight.codeshare", "flag", "sold under other carriers' numbers too"),
    # the itinerary booked
    FieldSpec("itinerary.airports", "codes", "every airport of the booked itinerary"),
    FieldSpec("itinerary.countries", "codes", "every country of the booked itinerary"),
    FieldSpec("itinerary.segments", "number", "segments booked"),
    FieldSpec("itinerary.max_dwell_hours", "number", "longest stop between two segments"),
    FieldSpec("itinerary.one_way", "flag", "no segment returns to the first origin"),
    FieldSpec("itinerary.stay_days", "number", "days between arrival and the return segment"),
    # the booking
    FieldSpec("booking.days_booked_before", "number", "days between booking and departure"),
    FieldSpec("booking.ticketed", "flag", "a ticket has been issued"),
    FieldSpec("booking.travellers", "number", "travellers in the same booking"),
    FieldSpec("booking.agency", "text", "travel agency or booking office"),
    FieldSpec("booking.pushes", "number", "PNR pushes received for the booking"),
    FieldSpec("booking.changes", "number", "history entries (changes) in the PNR"),
    # PNR details
    FieldSpec("pnr.payment_forms", "codes", "forms of payment: CASH, CC, CHECK, MS, ..."),
    FieldSpec("pnr.payment_count", "number", "forms of payment given"),
    FieldSpec("pnr.bags", "number", "checked bags"),
    FieldSpec("pnr.frequent_flyer", "flag", "a frequent-flyer number is given"),
    FieldSpec("pnr.contacts", "number", "contact entries (phones, e-mail)"),
    FieldSpec("pnr.email_domains", "codes", "domains of the e-mail contacts"),
    FieldSpec("pnr.seat", "text", "seat"),
    # screening against local and partner lookouts
    FieldSpec("screening.hit", "flag", "at least one lookout hit"),
    FieldSpec("screening.categories", "codes", "categories of the lookouts hit"),
    FieldSpec("screening.actions", "codes", "actions of the lookouts hit"),
    FieldSpec("screening.best_score", "number", "best lookout match score, 0-1"),
    FieldSpec("screening.partner_hit", "flag", "a hit on a partner-provided lookout"),
    # co-travellers (same booking)
    FieldSpec("co_travellers.with_hits", "number", "travellers in the booking with lookout hits"),
    # the score (decisions only, not indicators)
    FieldSpec("risk.score", "number", "score from every indicator (joint and national)"),
    FieldSpec("risk.joint_score", "number", "score from the joint indicators only"),
    FieldSpec("risk.indicators", "codes", "ids of the indicators that fired"),
)
FIELDS: dict[str, FieldSpec] = {f.name: f for f in _FIELDS}
SCORE_FIELDS = frozenset(n for n in FIELDS if n.startswith("risk."))
# what every subject's decisions read: the score the indicators made
SCORE_SPECS = tuple(f for f in _FIELDS if f.name in SCORE_FIELDS)


def vocabulary(info: ValidationInfo | None) -> Mapping[str, FieldSpec]:
    """The fields conditions may read: the traveller's unless the validation context names
    another subject's (``{"fields": ...}``; see ``document.check_document``)."""
    context = info.context if info is not None else None
    found = context.get("fields") if isinstance(context, dict) else None
    return found if found is not None else FIELDS


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    kinds: frozenset[str]
    value: Literal["none", "one", "list", "pair"]
    description: str


_SCALARS = frozenset({"text", "number", "date", "flag"})
OPERATORS: dict[str, OperatorSpec] = {
    "equals": OperatorSpec(_SCALARS, "one", "is exactly"),
    "not_equals": OperatorSpec(_SCALARS, "one", "is known and is not"),
    "in": OperatorSpec(frozenset({"text", "number"}), "list", "is one of"),
    "not_in": OperatorSpec(frozenset({"text", "number"}), "list", "is known and none of"),
    "starts_with": OperatorSpec(frozenset({"text"}), "one", "begins with"),
    "ends_with": OperatorSpec(frozenset({"text"}), "one", "ends with"),
    "contains_text": OperatorSpec(frozenset({"text"}), "one", "contains the text"),
    "lt": OperatorSpec(frozenset({"number", "date"}), "one", "is less than"),
    "le": OperatorSpec(frozenset({"number", "date"}), "one", "is at most"),
    "gt": OperatorSpec(frozenset({"number", "date"}), "one", "is more than"),
    "ge": OperatorSpec(frozenset({"number", "date"}), "one", "is at least"),
    "between": OperatorSpec(frozenset({"number", "date"}), "pair", "is between (inclusive)"),
    "contains": OperatorSpec(frozenset({"codes"}), "one", "includes the code"),
    "contains_any": OperatorSpec(frozenset({"codes"}), "list", "includes any of"),
    "contains_all": OperatorSpec(frozenset({"codes"}), "list", "includes all of"),
    "contains_none": OperatorSpec(frozenset({"codes"}), "list", "is known and includes none of"),
    "is_true": OperatorSpec(frozenset({"flag"}), "none", "is true"),
    "is_false": OperatorSpec(frozenset({"flag"}), "none", "is false"),
    "is_missing": OperatorSpec(frozenset({"text", "number", "date", "flag", "codes"}), "none", ""),
    "is_present": OperatorSpec(frozenset({"text", "number", "date", "flag", "codes"}), "none", ""),
}


# -- the format -------------------------------------------------------------------------------


class Leaf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str = Field(description="a field name, e.g. booking.days_booked_before")
    op: str = Field(description="an operator the field's kind allows")
    value: Any = None
    _kind: str = PrivateAttr(default="text")  # the field's kind, in its subject's vocabulary

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str, info: ValidationInfo) -> str:
        fields = vocabulary(info)
        if name not in fields:
            raise ValueError(f"unknown field '{name}'{_suggest(name, fields)}")
        return name

    @field_validator("op")
    @classmethod
    def _known_op(cls, op: str) -> str:
        if op not in OPERATORS:
            raise ValueError(f"unknown operator '{op}'; operators: {', '.join(OPERATORS)}")
        return op

    @field_serializer("value")
    def _canonical(self, value: Any) -> Any:
        """Sets as sorted lists: a model's canonical form (and so its digest, which both
        nodes compute) must not depend on a set's iteration order."""
        if isinstance(value, frozenset):
            return sorted(value)
        return list(value) if isinstance(value, tuple) else value

    @model_validator(mode="after")
    def _typed(self, info: ValidationInfo) -> Leaf:
        spec, operator = vocabulary(info)[self.field], OPERATORS[self.op]
        self._kind = spec.kind
        if spec.kind not in operator.kinds:
            raise ValueError(
                f"operator '{self.op}' does not apply to {self.field} ({spec.kind}); "
                f"it takes {', '.join(sorted(operator.kinds))}"
            )
        object.__setattr__(self, "value", _value(self.field, spec.kind, self.op, self.value))
        return self


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list[Condition] = Field(min_length=1, max_length=50)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list[Condition] = Field(min_length=1, max_length=50)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    not_: Condition = Field(alias="not")


def _shape(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {All: "all", AnyOf: "any", Not: "not", Leaf: "leaf"}.get(type(value))
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    return None


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(
        _shape,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping: {field, op, value}, {all: [...]}, "
        "{any: [...]} or {not: {...}}",
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _value(name: str, kind: str, op: str, value: Any) -> Any:
    """The operator's value, checked against the field's kind and normalised."""
    shape = OPERATORS[op].value
    if shape == "none":
        if value is not None:
            raise ValueError(f"operator '{op}' takes no value")
        return None
    if shape == "one":
        return _scalar(name, "codes" if kind == "codes" else kind, value)
    if not isinstance(value, list) or not value:
        wanted = "two values [low, high]" if shape == "pair" else "a non-empty list"
        raise ValueError(f"operator '{op}' needs {wanted}")
    items = tuple(_scalar(name, "text" if kind == "codes" else kind, v) for v in value)
    if shape == "pair":
        if len(items) != 2:
            raise ValueError(f"operator '{op}' needs two values [low, high], got {len(items)}")
        if items[0] > items[1]:
            raise ValueError(f"between: the low value {value[0]} is above the high {value[1]}")
        return items
    if len(items) > 1000:
        raise ValueError(f"operator '{op}' takes at most 1000 values")
    return frozenset(items)


def _scalar(name: str, kind: str, value: Any) -> Any:
    if kind in ("text", "codes"):
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise ValueError(f"{name} is text: give a non-empty string, not {value!r}")
        return str(value).strip().upper()
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} is a number: give a number, not {value!r}")
        return float(value)
    if kind == "date":
        text = value.isoformat() if isinstance(value, dt.date) else value
        try:
            return dt.date.fromisoformat(str(text)).isoformat()
        except ValueError:
            raise ValueError(f"{name} is a date: give YYYY-MM-DD, not {value!r}") from None
    if not isinstance(value, bool):
        raise ValueError(f"{name} is a flag: give true or false, not {value!r}")
    return value


# -- compiling and explaining -----------------------------------------------------------------


def fields_of(condition: Condition) -> set[str]:
    if isinstance(condition, Leaf):
        return {condition.field}
    if isinstance(condition, Not):
        return fields_of(condition.not_)
    parts = condition.all if isinstance(condition, All) else condition.any
    return set().union(*(fields_of(c) for c in parts))


def depth_of(condition: Condition) -> int:
    if isinstance(condition, Leaf):
        return 1
    if isinstance(condition, Not):
        return 1 + depth_of(condition.not_)
    parts = condition.all if isinstance(condition, All) else condition.any
    return 1 + max(depth_of(c) for c in parts)


def kinds_of(condition: Condition) -> dict[str, str]:
    """Each field the condition reads, with its kind (as its subject's vocabulary gave it)."""
    if isinstance(condition, Leaf):
        return {condition.field: condition._kind}
    if isinstance(condition, Not):
        return kinds_of(condition.not_)
    parts = condition.all if isinstance(condition, All) else condition.any
    found: dict[str, str] = {}
    for part in parts:
        found.update(kinds_of(part))
    return found


def compile_condition(condition: Condition) -> Test:
    """A test of ``condition`` on a record as ``records.record_of`` gives it."""
    fast, normalise = compile_fast(condition), normaliser(kinds_of(condition))
    return lambda r: fast(normalise(r))


def normaliser(kinds: Mapping[str, str]) -> Callable[[Record], dict[str, Any]]:
    """Turns a record into the normalised form ``compile_fast`` tests read: each field of
    ``kinds`` present, text upper-cased, numbers as floats, dates as ISO text, codes as a
    frozenset. A model normalises each record once for all its indicators."""
    steps = tuple((name, _normaliser(kinds[name])) for name in sorted(kinds))

    def normalise(record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, norm in steps:
            value = record.get(name)
            out[name] = None if value is None else norm(value)
        return out

    return normalise


def compile_fast(condition: Condition) -> Test:
    """``condition`` as nested closures over a normalised record (see ``normaliser``)."""
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Not):
        inner = compile_fast(condition.not_)
        return lambda r: not inner(r)
    parts = condition.all if isinstance(condition, All) else condition.any
    tests = tuple(compile_fast(c) for c in parts)
    if len(tests) == 1:
        return tests[0]
    if isinstance(condition, All):
        if len(tests) == 2:
            first, second = tests
            return lambda r: first(r) and second(r)

        def every(record: Record) -> bool:
            for test in tests:  # noqa: SIM110 - a plain loop: no generator per call
                if not test(record):
                    return False
            return True

        return every
    if len(tests) == 2:
        first, second = tests
        return lambda r: first(r) or second(r)

    def some(record: Record) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop: no generator per call
            if test(record):
                return True
        return False

    return some


def _leaf(leaf: Leaf) -> Test:
    """One closure per operator, each reading the normalised value directly: a leaf runs for
    every indicator of every traveller filed, so it avoids calls it does not need. A missing
    value satisfies nothing but ``is_missing``."""
    name, op, value = leaf.field, leaf.op, leaf.value
    table: dict[str, Test] = {
        "is_missing": lambda r: _missing(r[name]),
        "is_present": lambda r: not _missing(r[name]),
        "is_true": lambda r: r[name] is True,
        "is_false": lambda r: r[name] is False,
        "equals": lambda r: (v := r[name]) is not None and v == value,
        "not_equals": lambda r: (v := r[name]) is not None and v != value,
        "in": lambda r: (v := r[name]) is not None and v in value,
        "not_in": lambda r: (v := r[name]) is not None and v not in value,
        "starts_with": lambda r: (v := r[name]) is not None and v.startswith(value),
        "ends_with": lambda r: (v := r[name]) is not None and v.endswith(value),
        "contains_text": lambda r: (v := r[name]) is not None and value in v,
        "lt": lambda r: (v := r[name]) is not None and v < value,
        "le": lambda r: (v := r[name]) is not None and v <= value,
        "gt": lambda r: (v := r[name]) is not None and v > value,
        "ge": lambda r: (v := r[name]) is not None and v >= value,
        "between": lambda r: (v := r[name]) is not None and value[0] <= v <= value[1],
        "contains": lambda r: (v := r[name]) is not None and value in v,
        "contains_any": lambda r: (v := r[name]) is not None and not value.isdisjoint(v),
        "contains_all": lambda r: (v := r[name]) is not None and value <= v,
        "contains_none": lambda r: (v := r[name]) is not None and value.isdisjoint(v),
    }
    return table[op]


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, Collection) and not value)


def _normaliser(kind: str) -> Callable[[Any], Any]:
    if kind == "text":
        return lambda v: str(v).upper()
    if kind == "number":
        return float
    if kind == "date":
        return lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)[:10]
    if kind == "codes":
        return lambda v: frozenset(str(x).upper() for x in v)
    return lambda v: v


def explain(condition: Condition, record: Record) -> list[dict[str, Any]]:
    """The leaves that held for ``record``, each with the value it saw (for a condition that
    holds: why it held)."""
    found: list[dict[str, Any]] = []
    _explain(condition, record, found, negated=False)
    return found


def _explain(
    condition: Condition, record: Record, found: list[dict[str, Any]], *, negated: bool
) -> bool:
    if isinstance(condition, Leaf):
        held = _leaf_test(condition)(record)
        if held != negated:
            found.append(describe(condition, record.get(condition.field), negated=negated))
        return held
    if isinstance(condition, Not):
        return not _explain(condition.not_, record, found, negated=not negated)
    parts = condition.all if isinstance(condition, All) else condition.any
    results = [_explain(c, record, found, negated=negated) for c in parts]
    return all(results) if isinstance(condition, All) else any(results)


@lru_cache(maxsize=4096)  # a model's leaves, explained for every assessment kept
def _leaf_test(leaf: Leaf) -> Test:
    return compile_condition(leaf)


def describe(leaf: Leaf, seen: Any, *, negated: bool = False) -> dict[str, Any]:
    value = leaf.value
    if isinstance(value, frozenset):
        value = sorted(value)
    elif isinstance(value, tuple):
        value = list(value)
    words = OPERATORS[leaf.op].description or leaf.op.replace("_", " ")
    shown = "" if value is None else f" {value}"
    return {
        "field": leaf.field,
        "op": leaf.op,
        "value": value,
        "seen": sorted(seen) if isinstance(seen, set | frozenset) else seen,
        "text": f"{'not: ' if negated else ''}{leaf.field} {words}{shown} (was {seen!r})",
    }
