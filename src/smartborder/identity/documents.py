"""The document check: an MRZ (or typed fields) in, its fields and every check out, each check
pass, fail or warning with the reason an officer can quote."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from smartborder.errors import ValidationFailed
from smartborder.identity import countries
from smartborder.identity.dates import DateProblem, PartialDate
from smartborder.identity.mrz import Mrz, parse, parse_tolerant
from smartborder.identity.mrz_make import MrzFields, make
from smartborder.identity.schemas import DocumentCheckIn, MrzFieldsIn

Status = Literal["pass", "fail", "warning"]
FORMAT_NAMES = {
    "TD1": "TD1 (ID card size, 3 lines of 30)",
    "TD2": "TD2 (2 lines of 36)",
    "TD3": "TD3 (passport, 2 lines of 44)",
    "MRVA": "MRV-A (visa, 2 lines of 44)",
    "MRVB": "MRV-B (visa, 2 lines of 36)",
}
# First letter of the document code each format may carry (Doc 9303 Parts 4-7).
DOCUMENT_CODES = {"TD1": "ACI", "TD2": "ACI", "TD3": "P", "MRVA": "V", "MRVB": "V"}
DOCUMENT_KINDS = {
    "P": "passport",
    "I": "identity card",
    "A": "official travel document",
    "C": "official travel document",
    "V": "visa",
}


@dataclass(frozen=True)
class Check:
    check: str
    status: Status
    reason: str
    field: str | None = None
    location: str | None = None


@dataclass
class DocumentReport:
    valid: bool
    type: str
    mrz: str
    fields: dict[str, Any]
    checks: list[Check]
    corrections: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_document(text: str, *, today: dt.date, tolerant: bool = False) -> DocumentReport:
    """Parse and check an MRZ. Raises MrzSyntaxError when the text is no MRZ at all."""
    corrections: list[dict[str, Any]] = []
    if tolerant:
        mrz, fixes = parse_tolerant(text)
        corrections = [asdict(c) for c in fixes]
    else:
        mrz = parse(text)
    checks: list[Check] = []
    for c in mrz.digit_checks:
        where = f"line {c.span.line}, positions {c.span.start}-{c.span.end}"
        label = c.name.replace("_", " ")
        if c.ok:
            checks.append(
                Check(
                    f"check_digit:{c.name}",
                    "pass",
                    f"{label} check digit is {c.found}",
                    c.name,
                    where,
                )
            )
        else:
            reason = f"{label} check digit should be {c.expected}, the MRZ has {c.found!r}"
            checks.append(Check(f"check_digit:{c.name}", "fail", reason, c.name, where))
    fields, date_checks = _fields_and_dates(mrz, today)
    checks += _code_checks(mrz)
    checks += date_checks
    if mrz.name_truncated:
        checks.append(
            Check(
                "name_truncation",
                "warning",
                "the name fills its field to the last position: it may have been truncated",
                "name",
                _where(mrz, "name"),
            )
        )
    else:
        checks.append(Check("name_truncation", "pass", "the name fits its field", "name"))
    if corrections:
        changed = ", ".join(
            f"line {c['line']} pos {c['position']} {c['was']}→{c['now']}" for c in corrections
        )
        checks.append(Check("ocr_corrections", "warning", f"read with OCR corrections: {changed}"))
    valid = all(c.status != "fail" for c in checks)
    return DocumentReport(valid, mrz.format, mrz.text(), fields, checks, corrections)


def _where(mrz: Mrz, name: str) -> str | None:
    span = mrz.spans.get(name)
    return f"line {span.line}, positions {span.start}-{span.end}" if span else None


def _code_checks(mrz: Mrz) -> list[Check]:
    checks = []
    allowed = DOCUMENT_CODES[mrz.format]
    code = mrz.document_code
    if code and code[0] in allowed:
        checks.append(
            Check(
                "document_type",
                "pass",
                f"'{code}' is a {DOCUMENT_KINDS[code[0]]} code",
                "document_code",
            )
        )
    else:
        checks.append(
            Check(
                "document_type",
                "fail",
                f"document code '{code}' does not fit a {mrz.format} MRZ "
                f"(expected it to start with {' or '.join(allowed)})",
                "document_code",
                _where(mrz, "document_code"),
            )
        )
    for name, value in (("issuer", mrz.issuer), ("nationality", mrz.nationality)):
        if countries.is_known(value):
            checks.append(
                Check(f"{name}_code", "pass", f"'{value}' is {countries.display_name(value)}", name)
            )
        else:
            checks.append(
                Check(
                    f"{name}_code",
                    "fail",
                    f"'{value}' is not an ICAO state or organisation code",
                    name,
                    _where(mrz, name),
                )
            )
    if mrz.sex in ("F", "M", "X"):
        checks.append(Check("sex", "pass", f"sex '{mrz.sex}' is F, M or unspecified", "sex"))
    else:
        checks.append(
            Check("sex", "fail", f"sex '{mrz.sex}' is not F, M or <", "sex", _where(mrz, "sex"))
        )
    return checks


def _fields_and_dates(mrz: Mrz, today: dt.date) -> tuple[dict[str, Any], list[Check]]:
    checks: list[Check] = []
    birth: PartialDate | None = None
    expiry: PartialDate | None = None
    try:
        birth = PartialDate.from_mrz(mrz.birth_date, "birth", today)
    except DateProblem as exc:
        checks.append(
            Check(
                "birth_date",
                "fail",
                f"date of birth '{mrz.birth_date}' cannot be read: {exc}",
                "birth_date",
                _where(mrz, "birth_date"),
            )
        )
    try:
        expiry = PartialDate.from_mrz(mrz.expiry_date, "expiry", today)
        if expiry.precision != "day":
            raise DateProblem("an expiry date must be a full date")
    except DateProblem as exc:
        expiry = None
        checks.append(
            Check(
                "expiry_date",
                "fail",
                f"date of expiry '{mrz.expiry_date}' cannot be read: {exc}",
                "expiry_date",
                _where(mrz, "expiry_date"),
            )
        )
    if birth is not None:
        if birth.earliest() > today:
            checks.append(
                Check("birth_date", "fail", f"date of birth {birth} is in the future", "birth_date")
            )
        else:
            checks.append(
                Check("birth_date", "pass", f"date of birth {birth} is plausible", "birth_date")
            )
    if expiry is not None:
        ends = expiry.latest()
        if ends < today:
            checks.append(
                Check("expiry_date", "fail", f"the document expired on {expiry}", "expiry_date")
            )
        else:
            checks.append(Check("expiry_date", "pass", f"valid until {expiry}", "expiry_date"))
        if birth is not None and ends < birth.earliest():
            checks.append(
                Check(
                    "date_order", "fail", f"expiry {expiry} is before birth {birth}", "expiry_date"
                )
            )
    ages = birth.age_on(today) if birth and birth.earliest() <= today else None
    fields: dict[str, Any] = {
        "document_code": mrz.document_code,
        "document_kind": DOCUMENT_KINDS.get(mrz.document_code[:1], "unknown"),
        "issuer": mrz.issuer,
        "issuer_name": countries.display_name(mrz.issuer),
        "surname": mrz.surname,
        "given_names": mrz.given_names,
        "document_number": mrz.document_number,
        "nationality": mrz.nationality,
        "nationality_name": countries.display_name(mrz.nationality),
        "birth_date": birth.isoformat() if birth else None,
        "age": (ages[0] if ages[0] == ages[1] else f"{ages[0]}-{ages[1]}") if ages else None,
        "sex": mrz.sex,
        "expiry_date": expiry.isoformat() if expiry else None,
        "optional_data": mrz.optional_data,
        "optional_data_2": mrz.optional_data_2,
        "format": FORMAT_NAMES[mrz.format],
    }
    return fields, checks


def fields_to_mrz(data: MrzFieldsIn) -> str:
    """Build an MRZ from typed fields (raises ValidationFailed naming the field at fault)."""
    try:
        birth = PartialDate.parse(data.birth_date)
    except DateProblem as exc:
        raise ValidationFailed(
            f"birth_date: {exc}", details=[{"field": "birth_date", "problem": str(exc)}]
        ) from None
    return make(
        MrzFields(
            format=data.format,
            document_code=data.document_code,
            issuer=data.issuer,
            surname=data.surname,
            given_names=data.given_names,
            document_number=data.document_number,
            nationality=data.nationality,
            birth_date=birth,
            sex=data.sex,
            expiry_date=data.expiry_date,
            optional_data=data.optional_data,
        )
    )


def check_request(data: DocumentCheckIn, today: dt.date) -> DocumentReport:
    """The use case behind the API, UI and CLI: MRZ text or typed fields, checked."""
    if (data.mrz is None) == (data.fields is None):
        raise ValidationFailed(
            "give either 'mrz' or 'fields'",
            details=[{"field": "mrz", "problem": "exactly one of mrz and fields is required"}],
        )
    text = data.mrz if data.mrz is not None else fields_to_mrz(data.fields)  # type: ignore[arg-type]
    return check_document(text, today=data.reference_date or today, tolerant=data.tolerant)
