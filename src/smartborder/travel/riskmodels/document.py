"""The joint risk model: a versioned set of indicators (typed conditions, each with a weight, a
rationale and an owner), thresholds, and the board/no-board decision rules.

Read from YAML or JSON (a file, the API, the UI's condition builder); every problem is
reported with its location and, for files, its line; a model with any problem is never
stored, let alone activated. A checked model is compiled once; scoring a traveller is then a
run of closures over a flat record (see ``conditions``).

Indicators are ``joint`` or ``national``. The joint score (joint indicators only) decides what
is shared with the partner, and only once the partner has co-signed the model; national
indicators add to the local score, never to what is shared.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from smartborder.errors import ValidationFailed
from smartborder.settings import NODE_ID_PATTERN
from smartborder.sourcetext import Lines, Problem, line_of, parse_mapping, problems_of, where
from smartborder.travel.riskmodels.conditions import (
    FIELDS,
    MAX_DEPTH,
    SCORE_FIELDS,
    Condition,
    Record,
    Test,
    compile_condition,
    compile_fast,
    depth_of,
    explain,
    fields_of,
    normaliser,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
Decision = Literal["board", "no board", "contact the authority"]


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN, description="unique in the model, e.g. cash-short-notice")
    title: str = Field(min_length=3, max_length=200)
    rationale: str = Field(min_length=10, max_length=4000, description="why it indicates risk")
    owner: str = Field(pattern=NODE_ID_PATTERN, description="the node (agency) that owns it")
    scope: Literal["joint", "national"]
    weight: int = Field(ge=1, le=100)
    category: str = Field("general", pattern=ID_PATTERN, description="routes hits to a group")
    when: Condition


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    review: int = Field(ge=1, le=10_000, description="score from which a traveller is queued")
    share: int = Field(ge=1, le=10_000, description="joint score from which one is shared")

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if self.share < self.review:
            raise ValueError(
                f"share ({self.share}) must be at least review ({self.review}): a traveller "
                "shared with the partner is in this node's queue too"
            )
        return self


class Decisions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    no_board: Condition | None = None
    contact: Condition | None = None


class RiskModelDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1, le=1_000_000)
    description: str = Field("", max_length=4000)
    thresholds: Thresholds
    decisions: Decisions = Decisions()
    indicators: list[Indicator] = Field(min_length=1, max_length=1000)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: what a co-signature covers."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def check_document(
    data: Any, lines: Lines | None = None
) -> tuple[RiskModelDoc | None, list[Problem]]:
    """Validate a model given as data; the model, or every problem found."""
    lines = lines or {}
    try:
        doc = RiskModelDoc.model_validate(data)
    except ValidationError as exc:
        return None, problems_of(exc, lines, whole="model", clean=_untagged)
    problems = _semantics(doc, lines)
    return (None, problems) if problems else (doc, [])


def _untagged(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The location without the union tags pydantic inserts (``when.all.all[0].leaf.op`` is
    ``when.all[0].op`` in the document)."""
    kept = []
    for index, part in enumerate(loc):
        following = loc[index + 1] if index + 1 < len(loc) else None
        if part == "leaf" or (part in ("all", "any", "not") and following == part):
            continue
        kept.append(part)
    return tuple(kept)


def _where(loc: tuple[Any, ...]) -> str:
    return where(loc, "model")


def _semantics(doc: RiskModelDoc, lines: Lines) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, indicator in enumerate(doc.indicators):
        loc: tuple[Any, ...] = ("indicators", index)
        if indicator.id in seen:
            problems.append(
                Problem(
                    _where((*loc, "id")),
                    line_of(lines, (*loc, "id")),
                    f"indicator id '{indicator.id}' is already used by "
                    f"indicators[{seen[indicator.id]}]",
                )
            )
        seen.setdefault(indicator.id, index)
        scored = sorted(fields_of(indicator.when) & SCORE_FIELDS)
        if scored:
            problems.append(
                Problem(
                    _where((*loc, "when")),
                    line_of(lines, (*loc, "when")),
                    f"{', '.join(scored)} can be used in decisions only, not in an indicator",
                )
            )
        if depth_of(indicator.when) > MAX_DEPTH:
            problems.append(
                Problem(
                    _where((*loc, "when")),
                    line_of(lines, (*loc, "when")),
                    f"conditions nest at most {MAX_DEPTH} deep",
                )
            )
    return problems


def load_model(text: str, source: str = "model") -> RiskModelDoc:
    """Parse and check a model file; raise ValidationFailed listing every problem."""
    data, lines = parse_mapping(text, source, "a risk model")
    doc, problems = check_document(data, lines)
    if doc is None:
        raise ValidationFailed(
            f"{source}: {len(problems)} problem(s) in the risk model",
            details=[p.as_detail(source) for p in problems],
        )
    return doc


# -- compiled -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Compiled:
    indicator: Indicator
    test: Test


@dataclass(slots=True)
class Assessment:
    """A traveller's score, the indicators that produced it, and the decision."""

    score: int = 0
    joint_score: int = 0
    fired: list[Indicator] = field(default_factory=list)
    decision: Decision = "board"
    reasons: list[str] = field(default_factory=list)

    def as_dict(self, record: Record | None = None) -> dict[str, Any]:
        return {
            "score": self.score,
            "joint_score": self.joint_score,
            "decision": self.decision,
            "reasons": self.reasons,
            "indicators": [
                {
                    "id": i.id,
                    "title": i.title,
                    "weight": i.weight,
                    "scope": i.scope,
                    "category": i.category,
                    "owner": i.owner,
                    "rationale": i.rationale,
                    **({"matched": explain(i.when, record)} if record is not None else {}),
                }
                for i in self.fired
            ],
        }


_SCORED = ("risk.score", "risk.joint_score", "risk.indicators")  # what assessing adds
MEMORY = 100_000  # assessments remembered by the fields they were made from


def _kind(field: str) -> str | None:
    spec = FIELDS.get(field)
    return spec.kind if spec is not None else None


class RiskModel:
    """A checked model, compiled for evaluation."""

    def __init__(self, doc: RiskModelDoc, node: str | None = None) -> None:
        """On ``node``, the joint indicators and the node's own national ones: another
        agency's national indicators in a co-signed model are its own business (they are kept
        in the document, so both sides sign the same bytes, but not evaluated here)."""
        self.doc = doc
        used = [i for i in doc.indicators if i.scope == "joint" or node in (None, i.owner)]
        self.left_out = [i.id for i in doc.indicators if i not in used]
        self.indicators = [Compiled(i, compile_fast(i.when)) for i in used]
        self._normalise = normaliser(set().union(*(fields_of(i.when) for i in used)))
        decisions = doc.decisions
        self._no_board = compile_condition(decisions.no_board) if decisions.no_board else None
        self._contact = compile_condition(decisions.contact) if decisions.contact else None
        conditions = [i.when for i in used] + [
            c for c in (decisions.no_board, decisions.contact) if c
        ]
        self._reads = sorted(set().union(*map(fields_of, conditions)) - set(_SCORED))
        # where in the key a list may stand (made a tuple, to be part of a key)
        self._lists = [n for n, f in enumerate(self._reads) if _kind(f) in ("codes", None)]
        self._known: dict[tuple[Any, ...], Assessment] = {}

    def assess(self, record: Record) -> Assessment:
        """The record's assessment. It depends only on the fields the model reads, so a record
        whose fields all read as one assessed before (the same traveller in the next message;
        travellers alike) gets that assessment again without evaluating anything."""
        values = list(map(record.get, self._reads))
        for n in self._lists:
            value = values[n]
            if isinstance(value, list):
                values[n] = tuple(value)
        key = tuple(values)
        try:
            known = self._known.get(key)
        except TypeError:  # a value that cannot be a key (a list of mappings): evaluate
            return self._assess(record)
        if known is None:
            known = self._assess(record)
            if len(self._known) >= MEMORY:
                self._known.clear()
            self._known[key] = known
        return Assessment(
            known.score, known.joint_score, list(known.fired), known.decision, list(known.reasons)
        )

    def _assess(self, record: Record) -> Assessment:
        result = Assessment()
        normalised = self._normalise(record)
        for compiled in self.indicators:
            if compiled.test(normalised):
                result.fired.append(compiled.indicator)
                result.score += compiled.indicator.weight
                if compiled.indicator.scope == "joint":
                    result.joint_score += compiled.indicator.weight
        scored = {
            **record,
            "risk.score": result.score,
            "risk.joint_score": result.joint_score,
            "risk.indicators": [i.id for i in result.fired],
        }
        doc = self.doc.decisions
        if self._no_board and doc.no_board and self._no_board(scored):
            result.decision = "no board"
            result.reasons = [m["text"] for m in explain(doc.no_board, scored)]
        elif self._contact and doc.contact and self._contact(scored):
            result.decision = "contact the authority"
            result.reasons = [m["text"] for m in explain(doc.contact, scored)]
        return result

    def queued(self, assessment: Assessment) -> bool:
        return assessment.score >= self.doc.thresholds.review

    def shareable(self, assessment: Assessment) -> bool:
        """Over the joint threshold on joint indicators alone (the model must also be joint
        - co-signed - for anything to be shared; the caller checks that)."""
        return assessment.joint_score >= self.doc.thresholds.share
