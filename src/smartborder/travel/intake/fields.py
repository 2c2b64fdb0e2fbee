"""Field checks both parsers share: country codes, document numbers, people's dates, sex.
Each returns the cleaned value, or None after a located warning (the field is left empty)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from smartborder.identity import countries
from smartborder.identity.dates import DateKind, DateProblem
from smartborder.travel.intake.edifact import Report, Segment
from smartborder.travel.intake.interchange import person_date

_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{1,20}")
_AIRPORT = re.compile(r"[A-Z]{3}")
SEXES = {"M": "M", "F": "F", "X": "X", "U": None, "MI": "M", "FI": "F", "I": None, "UI": None}
INFANTS = {"MI", "FI", "I", "UI"}  # SSR DOCS: an infant's document


@lru_cache(maxsize=4096)
def _country_code(value: str) -> str | None:
    code = value.strip().upper()
    if len(code) == 2:  # some carriers send ISO alpha-2
        alpha3 = countries.from_alpha2(code)
        if alpha3:
            return alpha3
    return code if countries.is_known(code) else None


def country(value: str, report: Report, seg: Segment, element: str, what: str) -> str | None:
    if not value.strip():
        return None
    code = _country_code(value)
    if code is not None:
        return code
    report.warn(f"{what} '{value}' is not an ICAO/ISO country code; left empty", seg, element)
    return None


def document_number(value: str, report: Report, seg: Segment, element: str) -> str | None:
    number = value.strip().upper().replace(" ", "")
    if _DOCUMENT_NUMBER.fullmatch(number):
        return number
    report.warn(
        f"document number '{value}' is not 1-20 letters and digits; document left out",
        seg,
        element,
    )
    return None


def person_day(
    value: str, kind: DateKind, reference: dt.date, report: Report, seg: Segment, element: str
) -> str | None:
    if not value.strip():
        return None
    try:
        return person_date(value, kind, reference)
    except DateProblem as exc:
        report.warn(f"{kind} date '{value}': {exc}; left empty", seg, element)
        return None


def sex(value: str, report: Report, seg: Segment, element: str) -> str | None:
    code = value.strip().upper()
    if not code:
        return None
    if code in SEXES:
        return SEXES[code]
    report.warn(f"sex '{value}' is not M, F, X or U; left empty", seg, element)
    return None


def airport(value: str, report: Report, seg: Segment, element: str) -> str | None:
    code = value.strip().upper()
    if _AIRPORT.fullmatch(code):
        return code
    report.warn(f"'{value}' is not a three-letter IATA location code", seg, element)
    return None


def flight_number(
    text: str, carrier: str, report: Report, seg: Segment, element: str
) -> tuple[str, str] | None:
    """(carrier, number) from "AC0870" or "870" with the carrier given apart."""
    text = text.strip().upper().replace(" ", "")
    carrier = carrier.strip().upper()
    match = re.fullmatch(r"\d{1,4}[A-Z]?", text)
    prefix = ""
    if match is None:
        match = re.fullmatch(r"([A-Z0-9]{2}[A-Z]?)(\d{1,4}[A-Z]?)", text)
        if match is None:
            report.error(
                f"flight '{text}' is not a carrier code and a 1-4 digit number", seg, element
            )
            return None
        prefix, text = match.groups()
    chosen = carrier or prefix
    if not chosen:
        report.error(f"flight '{text}' names no carrier", seg, element)
        return None
    return chosen, text.lstrip("0") or "0"
