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
from collections.abc import Mapping
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
    FieldSpec,
    Record,
    Test,
    compile_condition,
    compile_fast,
    depth_of,
    explain,
    fields_of,
    kinds_of,
    normaliser,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
Subject = Literal["traveller", "shipment"]
Decision = Literal["board", "no board", "contact the authority", "release", "do not load", "hold"]
# each subject's decisions, in the order they are tried, and what holds when none does
DECISIONS: dict[str, tuple[tuple[str, Decision], ...]] = {
    "traveller": (("no_board", "no board"), ("contact", "contact the authority")),
    "shipment": (("do_not_load", "do not load"), ("hold", "hold")),
}
DEFAULT_DECISION: dict[str, Decision] = {"traveller": "board", "shipment": "release"}


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
    """A traveller's model decides ``no_board`` (then ``contact``); a shipment's decides
    ``do_not_load`` (a marine container not to be loaded at the foreign port) then ``hold``
    (held at arrival for examination)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    no_board: Condition | None = None
    contact: Condition | None = None
    do_not_load: Condition | None = None
    hold: Condition | None = None


class RiskModelDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    subject: Subject = Field("traveller", description="what it scores: travellers or shipments")
    name: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1, le=1_000_000)
    description: str = Field("", max_length=4000)
    thresholds: Thresholds
    decisions: Decisions = Decisions()
    indicators: list[Indicator] = Field(min_length=1, max_length=1000)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: what a co-signature covers. A traveller model's
        digest leaves out what it does not use (its subject and the shipment decisions), so
        models co-signed before shipments were scored keep their digest."""
        data = self.model_dump(mode="json", by_alias=True)
        if self.subject == "traveller":
            del data["subject"]
            for name, _ in DECISIONS["shipment"]:
                data["decisions"].pop(name, None)
        canonical = json.dumps(data, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def check_document(
    data: Any, lines: Lines | None = None
) -> tuple[RiskModelDoc | None, list[Problem]]:
    """Validate a model given as data; the model, or every problem found."""
    lines = lines or {}
    subject = data.get("subject", "traveller") if isinstance(data, dict) else "traveller"
    fields = vocabularies().get(subject) if isinstance(subject, str) else None
    try:
        doc = RiskModelDoc.model_validate(data, context={"fields": fields})
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


def vocabularies() -> dict[str, Mapping[str, FieldSpec]]:
    """Each subject's fields, as the domains declare them (``Domain.risk_subjects``)."""
    from smartborder.registry import domains, resolve

    found: dict[str, Mapping[str, FieldSpec]] = {"traveller": FIELDS}
    for domain in domains():
        for subject, target in domain.risk_subjects.items():
            found[subject] = resolve(target)
    return found


def parse_document(data: Any) -> RiskModelDoc:
    """A stored (already checked) document, read with its subject's fields."""
    subject = data.get("subject", "traveller") if isinstance(data, dict) else "traveller"
    return RiskModelDoc.model_validate(data, context={"fields": vocabularies().get(subject)})


def _semantics(doc: RiskModelDoc, lines: Lines) -> list[Problem]:
    problems: list[Problem] = []
    others = [name for subject, pairs in DECISIONS.items() if subject != doc.subject
              for name, _ in pairs if getattr(doc.decisions, name) is not None]  # fmt: skip
    for name in others:
        problems.append(Problem(_where(("decisions", name)), line_of(lines, ("decisions", name)),
                                f"a {doc.subject}'s model does not decide {name}; it decides "
                                + " or ".join(n for n, _ in DECISIONS[doc.subject])))  # fmt: skip
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
    # shared by every assessment RiskModel.assess gave for the same fields: their fired
    # indicators explained once (an explanation reads only those fields)
    explained: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self, record: Record | None = None) -> dict[str, Any]:
        return {
            "score": self.score,
            "joint_score": self.joint_score,
            "decision": self.decision,
            "reasons": self.reasons,
            "indicators": self.indicators(record),
        }

    def indicators(self, record: Record | None = None) -> list[dict[str, Any]]:
        """The fired indicators; with ``record``, each with what in it matched."""
        key = "matched" if record is not None else "plain"
        if key not in self.explained:
            self.explained[key] = [
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
            ]
        return [dict(i) for i in self.explained[key]]


_SCORED = ("risk.score", "risk.joint_score", "risk.indicators")  # what assessing adds
MEMORY = 100_000  # assessments remembered by the fields they were made from


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
        kinds: dict[str, str] = {}
        for indicator in used:
            kinds.update(kinds_of(indicator.when))
        self._normalise = normaliser(kinds)
        # the subject's decisions, tried in order: (condition, its test, the decision)
        self._decisions = [
            (condition, compile_condition(condition), decision)
            for name, decision in DECISIONS[doc.subject]
            if (condition := getattr(doc.decisions, name)) is not None
        ]
        self._default: Decision = DEFAULT_DECISION[doc.subject]
        for condition, _, _ in self._decisions:
            kinds.update(kinds_of(condition))
        self._reads = sorted(set(kinds) - set(_SCORED))
        # where in the key a list may stand (made a tuple, to be part of a key)
        self._lists = [n for n, f in enumerate(self._reads) if kinds.get(f) == "codes"]
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
            known.score,
            known.joint_score,
            list(known.fired),
            known.decision,
            list(known.reasons),
            known.explained,
        )

    def _assess(self, record: Record) -> Assessment:
        result = Assessment(decision=self._default)
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
        for condition, test, decision in self._decisions:
            if test(scored):
                result.decision = decision
                result.reasons = [m["text"] for m in explain(condition, scored)]
                break
        return result

    def queued(self, assessment: Assessment) -> bool:
        return assessment.score >= self.doc.thresholds.review

    def shareable(self, assessment: Assessment) -> bool:
        """Over the joint threshold on joint indicators alone (the model must also be joint
        - co-signed - for anything to be shared; the caller checks that)."""
        return assessment.joint_score >= self.doc.thresholds.share
