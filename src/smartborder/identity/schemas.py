from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NameType = Literal["primary", "alias", "maiden", "transliteration"]


class NameIn(BaseModel):
    name_type: NameType = "primary"
    given_names: str = Field("", max_length=120)
    surname: str = Field(min_length=1, max_length=120)
    full_name: str = Field("", max_length=200)


class DocumentIn(BaseModel):
    document_type: str = Field(pattern=r"^[A-Z][A-Z<]?$")
    number: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    issuer: str = Field(pattern=r"^[A-Z]{1,3}$")
    issued_on: dt.date | None = None
    expires_on: dt.date


class PersonIn(BaseModel):
    sex: Literal["F", "M", "X"]
    birth_date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    nationality: str = Field(pattern=r"^[A-Z]{1,3}$")
    names: list[NameIn] = Field(min_length=1, max_length=20)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)


class NameOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name_type: str
    full_name: str
    given_names: str
    surname: str
    script: str


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    document_type: str
    number: str
    issuer: str
    issued_on: dt.date | None
    expires_on: dt.date


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sex: str
    birth_date: str
    nationality: str
    source: str
    names: list[NameOut]
    documents: list[DocumentOut]


class PeoplePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PersonOut]
