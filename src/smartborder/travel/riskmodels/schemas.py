"""The answers of the risk model API: models (as loaded and their life), the fields and
operators conditions may use, and trials of a model or a condition on a day's travellers."""

from __future__ import annotations

from typing import Any

from smartborder.answers import Open, Out
from smartborder.travel.intake.schemas import AssessedOut


class RiskModelOut(Out):
    id: str
    name: str
    subject: str  # traveller | shipment
    version: int
    status: str  # draft | active | retired
    joint: bool
    digest: str
    indicators: int
    source: str
    created_by: str
    created_at: str
    activated_at: str | None
    cosigned_by: str | None
    cosigned_at: str | None
    proposed_by: str | None  # the partner, for a model it proposed
    document: dict[str, Any] | None = None  # the model itself, on a single model's answers


class ActivatedOut(RiskModelOut):
    """A model activated, with what scoring the flights not yet arrived again did."""

    rescored: AssessedOut


class RiskModelList(Out):
    items: list[RiskModelOut]


class FieldOut(Out):
    name: str
    kind: str
    description: str


class OperatorOut(Out):
    name: str
    kinds: list[str]
    value: str


class FieldsOut(Out):
    """What conditions can read, and which operators each kind of field takes."""

    fields: list[FieldOut]
    operators: list[OperatorOut]


class ExampleOut(Open):
    """A traveller the trial matched; further fields say why: ``matched`` (the condition's
    leaves that held, with the values seen) or the model's assessment (score, decision,
    indicators fired and their reasons)."""

    traveller_id: str
    flight_id: str
    flight: str
    name: str


class TrialOut(Out):
    """How a model (or one condition) reads on the travellers of a day."""

    date: str
    flights: int
    travellers: int
    matched: int
    by_indicator: dict[str, int]
    queued: int
    shareable: int
    decisions: dict[str, int]
    examples: list[ExampleOut]
    note: str
