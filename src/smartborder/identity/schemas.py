from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from smartborder.identity import countries
from smartborder.identity.dates import DateProblem, PartialDate


def _known_icao_code(value: str) -> str:
    if not countries.is_known(value):
        raise ValueError(f"'{value}' is not an ICAO state, organisation or nationality code")
    return value


IcaoCode = Annotated[str, Field(pattern=r"^[A-Z]{1,3}$"), AfterValidator(_known_icao_code)]
NameType = Literal["primary", "alias", "maiden", "transliteration"]


class NameIn(BaseModel):
    name_type: NameType = "primary"
    given_names: str = Field("", max_length=120)
    surname: str = Field(min_length=1, max_length=120)
    full_name: str = Field("", max_length=200)


class DocumentIn(BaseModel):
    document_type: str = Field(pattern=r"^[A-Z][A-Z<]?$")
    number: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    issuer: IcaoCode
    issued_on: dt.date | None = None
    expires_on: dt.date


class PersonIn(BaseModel):
    sex: Literal["F", "M", "X"]
    birth_date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    nationality: IcaoCode
    names: list[NameIn] = Field(min_length=1, max_length=20)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)

    @field_validator("birth_date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        try:
            return PartialDate.parse(value).isoformat()
        except DateProblem as exc:
            raise ValueError(str(exc)) from None


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


class MrzFieldsIn(BaseModel):
    """Typed fields to build an MRZ from (names in any script are transliterated)."""

    format: Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"] = "TD3"
    document_code: str = Field("P", pattern=r"^[A-Z][A-Z<]?$")
    issuer: str = Field(pattern=r"^[A-Z]{1,3}$")
    surname: str = Field(min_length=1, max_length=200)
    given_names: str = Field("", max_length=200)
    document_number: str = Field(pattern=r"^[A-Z0-9]{1,22}$")
    nationality: str = Field(pattern=r"^[A-Z]{1,3}$")
    birth_date: str = Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    sex: Literal["F", "M", "X"]
    expiry_date: dt.date
    optional_data: str = Field("", pattern=r"^[A-Z0-9<]{0,15}$")


class DocumentCheckIn(BaseModel):
    """Either ``mrz`` (the lines as printed) or ``fields``."""

    mrz: str | None = Field(None, max_length=400)
    fields: MrzFieldsIn | None = None
    tolerant: bool = Field(
        False, description="correct usual OCR confusions when check digits allow"
    )
    reference_date: dt.date | None = Field(
        None, description="check as of this date (default today)"
    )


class CheckOut(BaseModel):
    check: str
    status: Literal["pass", "fail", "warning"]
    reason: str
    field: str | None
    location: str | None


class CorrectionOut(BaseModel):
    line: int
    position: int
    was: str
    now: str
    reason: str


class DocumentCheckOut(BaseModel):
    valid: bool
    type: str
    mrz: str
    fields: dict[str, Any]
    checks: list[CheckOut]
    corrections: list[CorrectionOut]
