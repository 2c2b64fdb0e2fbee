"""What lookouts and screening requests must look like; every problem reported with its field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from smartborder import clock
from smartborder.categories import Category
from smartborder.identity.dates import DateProblem, PartialDate
from smartborder.identity.schemas import IcaoCode

SubjectKind = Literal["person", "document", "organisation"]
Action = Literal[
    "refer-secondary", "deny-boarding", "notify", "arrest", "seize-document", "freeze-assets"
]
# Fields a lookout may share; the agreement's annex may allow fewer.
SHAREABLE = (
    "names",
    "birth_date",
    "sex",
    "nationalities",
    "place_of_birth",
    "documents",
    "category",
    "action",
    "remarks",
    "valid_until",
)
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")


def check_name(value: str) -> str:
    """A person's or organisation's name: letters, at most 200 characters and 12 words."""
    text = " ".join(value.split())
    if not text:
        raise ValueError("the name is empty")
    if not _LETTER.search(text):
        raise ValueError(f"'{text}' has no letters")
    if len(text) > 200:
        raise ValueError(f"the name is {len(text)} characters long; at most 200")
    if len(text.split()) > 12:
        raise ValueError(f"the name has {len(text.split())} words; at most 12")
    if len(_LETTER.findall(text)) < 2:
        raise ValueError(f"'{text}' is too short to screen (one letter)")
    return text


def check_person_name(value: str) -> str:
    text = check_name(value)
    if _DIGIT.search(text):
        raise ValueError(f"'{text}' contains digits; a person's name has none")
    return text


def check_birth(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        date = PartialDate.parse(value)
    except DateProblem as exc:
        raise ValueError(str(exc)) from None
    if date.year < 1900 or date.year > clock.today().year:
        raise ValueError(f"year {date.year} is not a plausible year of birth")
    return value.strip()


BirthDate = Annotated[
    str | None,
    Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["1980-05-17", "1980"]),
]


class NameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=400, description="as written, in any script")
    kind: Literal["primary", "alias", "transliteration", "maiden"] = "primary"


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=40)
    type: str = Field("P", pattern=r"^[A-Z][A-Z<]?$", description="ICAO document code")
    country: IcaoCode | None = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        cleaned = re.sub(r"[\s\-/.]", "", value.upper())
        if not re.fullmatch(r"[A-Z0-9]{1,20}", cleaned):
            raise ValueError(f"'{value}' is not a document number (letters and digits, <= 20)")
        return cleaned


class LookoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_kind: SubjectKind = "person"
    category: Category
    action: Action = "refer-secondary"
    names: list[NameIn] = Field(default_factory=list, max_length=20)
    birth_date: BirthDate = None
    sex: Literal["M", "F", "X"] | None = None
    nationalities: list[IcaoCode] = Field(default_factory=list, max_length=5)
    place_of_birth: str | None = Field(None, max_length=120)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)
    remarks: str = Field("", max_length=2000)
    source_reference: str = Field(min_length=1, max_length=120)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    share: bool = False
    shared_fields: list[Literal[SHAREABLE]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(SHAREABLE)
    )

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: str | None) -> str | None:
        return check_birth(value)

    @field_validator("names")
    @classmethod
    def _names(cls, value: list[NameIn], info: ValidationInfo) -> list[NameIn]:
        # A field validator (not the model's), so name problems are reported with the others.
        kind = info.data.get("subject_kind", "person")
        check = check_name if kind == "organisation" else check_person_name
        problems = []
        for position, entry in enumerate(value):
            try:
                entry.name = check(entry.name)
            except ValueError as exc:
                problems.append(f"name {position + 1}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LookoutIn:
        if self.subject_kind in ("person", "organisation") and not self.names:
            raise ValueError(f"a {self.subject_kind} lookout needs at least one name")
        if self.subject_kind == "document" and not self.documents:
            raise ValueError("a document lookout needs the document's number")
        if self.subject_kind == "organisation" and (self.birth_date or self.sex):
            raise ValueError("an organisation has no date of birth or sex")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class LookoutPatch(BaseModel):
    """An amendment: the fields given replace the lookout's."""

    model_config = ConfigDict(extra="forbid")
    category: Category | None = None
    action: Action | None = None
    names: list[NameIn] | None = Field(None, max_length=20)
    birth_date: BirthDate = None
    sex: Literal["M", "F", "X"] | None = None
    nationalities: list[IcaoCode] | None = Field(None, max_length=5)
    place_of_birth: str | None = Field(None, max_length=120)
    documents: list[DocumentIn] | None = Field(None, max_length=10)
    remarks: str | None = Field(None, max_length=2000)
    valid_until: dt.date | None = None
    share: bool | None = None
    shared_fields: list[Literal[SHAREABLE]] | None = None  # type: ignore[valid-type]

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: str | None) -> str | None:
        return check_birth(value)


class RetractIn(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class LookoutOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    subject_kind: str
    category: str
    action: str
    names: list[dict[str, Any]]
    birth_date: str | None
    sex: str | None
    nationalities: list[str]
    place_of_birth: str | None
    documents: list[dict[str, Any]]
    remarks: str
    source_reference: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    state: str = ""
    share: bool
    shared_fields: list[str]
    origin: str
    origin_id: str | None
    version: int
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    retracted_reason: str | None


class LookoutPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[LookoutOut]


class SubjectIn(BaseModel):
    """A person (or document, or organisation) to screen."""

    model_config = ConfigDict(extra="forbid")
    reference: str = Field("", max_length=120, description="your reference, echoed back")
    names: list[str] = Field(default_factory=list, max_length=10)
    birth_date: BirthDate = None
    sex: Literal["M", "F", "X"] | None = None
    nationalities: list[IcaoCode] = Field(default_factory=list, max_length=5)
    documents: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("names")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        return [check_name(n) for n in value]

    @field_validator("documents")
    @classmethod
    def _documents(cls, value: list[str]) -> list[str]:
        return [DocumentIn._number(n) for n in value]

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: str | None) -> str | None:
        return check_birth(value)

    @model_validator(mode="after")
    def _something(self) -> SubjectIn:
        if not self.names and not self.documents:
            raise ValueError("give at least one name or document number to screen")
        return self


class ScreenIn(SubjectIn):
    limit: int = Field(10, ge=1, le=100)
    floor: float | None = Field(None, ge=0.0, le=1.0)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[SubjectIn] = Field(min_length=1)
    limit: int = Field(10, ge=1, le=100)


class EvidenceOut(BaseModel):
    feature: str
    level: str
    weight: float
    detail: str


class HitOut(BaseModel):
    lookout_id: str
    category: str
    action: str
    origin: str
    names: list[str]
    score: float
    threshold: float
    evidence: list[EvidenceOut]


class ResultOut(BaseModel):
    reference: str
    hits: list[HitOut]


class BatchOut(BaseModel):
    results: list[ResultOut]
