"""Request and response shapes of the exchange API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smartborder.answers import Open
from smartborder.exchange.models import Agreement, CaseRequest, Notice, OutboxMessage, Partner
from smartborder.identity import countries
from smartborder.identity.dates import DateProblem, PartialDate


class InboxIn(BaseModel):
    envelopes: list[Any] = Field(min_length=1, max_length=5000)


class InboxResult(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "refused"]
    code: str
    message: str


class InboxOut(BaseModel):
    results: list[InboxResult]


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str = ""
    url: str
    public_key: str = Field(description="The partner's Ed25519 public key, PEM.")


class CertificateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    certificate: str = Field(max_length=20_000, description="The partner's TLS certificate, PEM.")


class CertificateOut(BaseModel):
    fingerprint: str = Field(description="SHA-256, as `openssl x509 -fingerprint -sha256` prints")
    partner: str
    subject: str
    not_after: dt.datetime
    state: str = Field(description="active | overlap | retired | expired")
    retire_at: dt.datetime | None
    added_at: dt.datetime
    added_by: str


class PartnerOut(BaseModel):
    id: str
    name: str
    url: str
    fingerprint: str
    added_at: dt.datetime
    added_by: str

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(
            id=partner.id,
            name=partner.name,
            url=partner.url,
            fingerprint=partner.fingerprint,
            added_at=partner.added_at,
            added_by=partner.added_by,
        )


class ProposeIn(BaseModel):
    """Either a whole document, or a template with the partner to fill in."""

    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any] | None = None
    template: str | None = None
    partner: str | None = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class AgreementOut(BaseModel):
    id: str
    version: int
    title: str
    kind: str
    partner: str
    status: str
    proposed_by: str
    digest: str
    valid_from: dt.date
    valid_until: dt.date
    signed_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str | None
    document: dict[str, Any]

    @classmethod
    def of(cls, agreement: Agreement, status: str) -> AgreementOut:
        return cls(
            id=agreement.id,
            version=agreement.version,
            title=agreement.title,
            kind=agreement.kind,
            partner=agreement.partner,
            status=status,
            proposed_by=agreement.proposed_by,
            digest=agreement.digest,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            signed_at=agreement.signed_at,
            ended_at=agreement.ended_at,
            end_reason=agreement.end_reason,
            document=agreement.document,
        )


_NAME = r"^[^\x00-\x1f\x7f-\x9f]*$"  # any script, no control characters


class SubjectIn(BaseModel):
    """The subject of a case request, checked as the people fields are (both when a user asks
    and when a partner's request arrives)."""

    model_config = ConfigDict(extra="forbid")
    surname: str = Field(min_length=1, max_length=120, pattern=_NAME)
    given_names: str = Field("", max_length=120, pattern=_NAME)
    date_of_birth: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    sex: Literal["", "F", "M", "X"] = ""
    nationality: str = Field("", max_length=3, description="ICAO code, e.g. NGA")
    document_type: str = Field("", pattern=r"^([A-Z][A-Z<]?)?$")
    document_number: str = Field("", pattern=r"^[A-Z0-9]{0,20}$")

    @field_validator("surname")
    @classmethod
    def _has_letters(cls, value: str) -> str:
        if not any(ch.isalpha() for ch in value):
            raise ValueError(f"'{value}' has no letters")
        return value.strip()

    @field_validator("nationality")
    @classmethod
    def _icao(cls, value: str) -> str:
        if value and not (value.isascii() and value.isupper() and countries.is_known(value)):
            raise ValueError(f"'{value}' is not an ICAO state, organisation or nationality code")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _partial_date(cls, value: str) -> str:
        if not value:
            return value
        try:
            return PartialDate.parse(value).isoformat()
        except DateProblem as exc:
            raise ValueError(str(exc)) from None


def subject_problems(subject: dict[str, Any]) -> list[str]:
    """What is wrong with a subject as a partner sent it (``field: problem``), if anything."""
    try:
        SubjectIn.model_validate(subject)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"subject.{where}: {error['msg'].removeprefix('Value error, ')}")
        return problems
    return []


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agreement: str
    purpose: str
    subject: SubjectIn
    justification: str = Field(min_length=10, max_length=4000)
    case_reference: str = Field(min_length=1, max_length=80)
    due_date: dt.date | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "refuse"]
    answer: dict[str, Any] | None = None
    reason: str = Field("", max_length=4000)


class RequestOut(BaseModel):
    id: int
    envelope_id: str
    direction: str
    partner: str
    agreement: str
    purpose: str
    state: str
    subject: dict[str, Any]
    justification: str
    case_reference: str
    due_date: dt.date | None
    requested_by: str
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    refusal_reason: str | None
    disclosed: dict[str, Any] | None
    response: dict[str, Any] | None = Field(description="Partner-provided data (outgoing only).")
    response_retain_until: dt.datetime | None
    response_removed: str | None
    withheld: list[str] = Field(default_factory=list)

    @classmethod
    def of(
        cls, request: CaseRequest, response: Any = None, withheld: list[str] | None = None
    ) -> RequestOut:
        return cls(
            id=request.id,
            envelope_id=request.envelope_id,
            direction=request.direction,
            partner=request.partner,
            agreement=request.agreement,
            purpose=request.purpose,
            state=request.state,
            subject=request.subject,
            justification=request.justification,
            case_reference=request.case_reference,
            due_date=request.due_date,
            requested_by=request.requested_by,
            created_at=request.created_at,
            decided_by=request.decided_by,
            decided_at=request.decided_at,
            refusal_reason=request.refusal_reason,
            disclosed=request.disclosed,
            response=response.body if response else None,
            response_retain_until=response.retain_until if response else None,
            response_removed=request.response_removed,
            withheld=withheld or [],
        )


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    envelope_id: str
    kind: Literal["correction", "destruction"]
    reason: str = Field(min_length=1, max_length=2000)
    changes: dict[str, Any] | None = None


class NoticeOut(BaseModel):
    envelope_id: str
    direction: str
    kind: str
    partner: str
    agreement: str
    refers_to: str
    reason: str
    changes: dict[str, Any]
    state: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            envelope_id=notice.envelope_id,
            direction=notice.direction,
            kind=notice.kind,
            partner=notice.partner,
            agreement=notice.agreement,
            refers_to=notice.refers_to,
            reason=notice.reason,
            changes=notice.changes,
            state=notice.state,
            created_at=notice.created_at,
            confirmed_at=notice.confirmed_at,
        )


class OutboxOut(BaseModel):
    envelope_id: str
    partner: str
    kind: str
    agreement: str | None
    state: str
    attempts: int
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    last_error: str | None
    refusal_code: str | None

    @classmethod
    def of(cls, m: OutboxMessage) -> OutboxOut:
        return cls(
            envelope_id=m.envelope_id,
            partner=m.partner,
            kind=m.kind,
            agreement=m.agreement,
            state=m.state,
            attempts=m.attempts,
            created_at=m.created_at,
            delivered_at=m.delivered_at,
            last_error=m.last_error,
            refusal_code=m.refusal_code,
        )


class JsonSchemaOut(Open):
    """A JSON Schema document (draft 2020-12); further keywords as JSON Schema defines them."""

    title: str
    type: str
    properties: dict[str, Any]
    required: list[str] = Field(default_factory=list)
    defs: dict[str, Any] = Field(default_factory=dict, alias="$defs")
