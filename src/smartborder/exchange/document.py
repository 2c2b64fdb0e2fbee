"""Agreement documents: the SMU or an annex as machine-readable policy (YAML or JSON).

:func:`load_document` parses and validates a document and reports every problem at once with its
location (the field path and, where the source has one, the line).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from smartborder.errors import ValidationFailed
from smartborder.exchange.kinds import AGREEMENT_KINDS
from smartborder.sourcetext import line_of, parse_mapping

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,79}$")]
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,31}$")]
# A shape path: ``subject.surname`` (one value), ``nationalities[]`` (a list of values),
# ``names[].name`` (a list of objects with a ``name``). See smartborder.exchange.policy.
FieldPath = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\[\])*(\.[a-z][a-z0-9_]*(\[\])*)*$")
]
Disclosure = Literal["on-request", "on-match", "systematic"]
TEMPLATES = (
    "smu", "lookouts", "api-pnr", "asylum", "trusted-traveller", "cargo", "visa", "fingerprints",
    "statistics", "removals", "ibet",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Purpose(_Strict):
    id: Slug
    description: str = Field(min_length=3, max_length=500)


class MessageRule(_Strict):
    kind: str
    disclosure: Disclosure
    fields: list[FieldPath] = Field(min_length=1, max_length=200)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in AGREEMENT_KINDS:
            raise ValueError(
                f"'{value}' is not a message kind an agreement can carry; known kinds: "
                + ", ".join(sorted(AGREEMENT_KINDS))
            )
        return value

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        repeated = sorted({f for f in value if value.count(f) > 1})
        if repeated:
            raise ValueError(f"fields listed twice: {', '.join(repeated)}")
        return value


class Retention(_Strict):
    days: int = Field(ge=1, le=3650, description="How long the receiver may keep shared data.")


class OnwardDisclosure(_Strict):
    rule: Literal["prohibited", "with-consent", "permitted"]
    text: str = Field(min_length=3, max_length=2000)


class Aggregates(_Strict):
    """How aggregate counts travel under an annex that carries them: no cell under
    ``minimum_cell`` is sent (so no individual can be singled out)."""

    minimum_cell: int = Field(ge=3, le=1000)


class AgreementDocument(_Strict):
    """The agreement as both parties sign it."""

    id: Slug
    version: int = Field(ge=1)
    title: str = Field(min_length=3, max_length=200)
    kind: Literal["case-by-case", "systematic"]
    annex_to: Slug | None = None
    parties: list[NodeId] = Field(min_length=2, max_length=2)
    legal_basis: str = Field(min_length=20, max_length=5000)
    purposes: list[Purpose] = Field(min_length=1, max_length=50)
    messages: list[MessageRule] = Field(min_length=1, max_length=50)
    retention: Retention
    onward_disclosure: OnwardDisclosure
    valid_from: dt.date
    valid_until: dt.date
    aggregates: Aggregates | None = None  # an annex carrying aggregate counts

    @model_validator(mode="after")
    def _consistent(self) -> AgreementDocument:
        problems = []
        if self.parties[0] == self.parties[1]:
            problems.append("parties: the two parties must differ")
        if self.valid_until <= self.valid_from:
            problems.append("valid_until: must be after valid_from")
        ids = [p.id for p in self.purposes]
        if len(set(ids)) != len(ids):
            problems.append("purposes: each purpose id may appear once")
        kinds = [m.kind for m in self.messages]
        if len(set(kinds)) != len(kinds):
            problems.append("messages: each kind may appear once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def canonical(self) -> bytes:
        data = self.model_dump(mode="json")
        if data.get("aggregates") is None:  # absent, as before annexes could carry aggregates
            data.pop("aggregates", None)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def rule(self, kind: str) -> MessageRule | None:
        return next((m for m in self.messages if m.kind == kind), None)

    def purpose_ids(self) -> set[str]:
        return {p.id for p in self.purposes}

    def partner_of(self, node_id: str) -> str:
        return self.parties[1] if self.parties[0] == node_id else self.parties[0]


@dataclass(frozen=True)
class Problem:
    location: str
    line: int | None
    message: str

    def as_detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"field": self.location, "problem": self.message}
        if self.line is not None:
            detail["line"] = self.line
        return detail


def load_document(text: str, source: str = "agreement") -> AgreementDocument:
    """Parse and validate; raise ValidationFailed listing every problem with its location."""
    data, lines = parse_mapping(text, source, "an agreement")
    try:
        return AgreementDocument.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                ".".join(str(p) for p in error["loc"]) or "document",
                line_of(lines, tuple(error["loc"])),
                error["msg"].removeprefix("Value error, "),
            )
            for error in exc.errors()
        ]
        raise ValidationFailed(
            f"{source}: {len(problems)} problem(s) in the agreement",
            details=[{"source": source, **p.as_detail()} for p in problems],
        ) from None


def template_text(name: str) -> str:
    if name not in TEMPLATES:
        raise ValidationFailed(
            f"no agreement template '{name}'; templates: {', '.join(TEMPLATES)}",
            details=[{"field": "template", "problem": f"one of {', '.join(TEMPLATES)}"}],
        )
    folder = resources.files("smartborder.exchange") / "agreement_templates"
    return (folder / f"{name}.yaml").read_text(encoding="utf-8")


def from_template(name: str, parties: tuple[str, str]) -> AgreementDocument:
    """A template with the two parties filled in (templates name 'ca' and 'us')."""
    document = load_document(template_text(name), f"template {name}")
    return document.model_copy(update={"parties": list(parties)})
