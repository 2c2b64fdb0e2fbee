"""Dates as identity documents carry them: often partial (year only, year and month), with unknown
parts written as ``XX``, ``<<`` or ``00`` in an MRZ, and two-digit years that need a century."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

_ISO = re.compile(r"^(\d{4})(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?$")
UNKNOWN_PARTS = {"XX", "<<", "00"}
DateKind = Literal["birth", "expiry", "issue"]


class DateProblem(ValueError):
    """A date that cannot be read; the message says why."""


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateProblem(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise DateProblem("a day without a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateProblem(f"month {self.month:02d} does not exist")
        if self.month is not None and self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateProblem(
                    f"day {self.day:02d} does not exist in {self.year}-{self.month:02d}"
                )

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """From ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``XX`` for an unknown month or day)."""
        match = _ISO.fullmatch(text.strip())
        if not match:
            raise DateProblem(f"'{text}' is not YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(
            int(year),
            None if month in (None, "XX") else int(month),
            None if day in (None, "XX") or month == "XX" else int(day),
        )

    @classmethod
    def from_mrz(cls, yymmdd: str, kind: DateKind, reference: dt.date) -> PartialDate:
        """Read an MRZ date. Births resolve to the latest century not after ``reference``;
        expiry dates to the century that puts them within 50 years after it."""
        if len(yymmdd) != 6:
            raise DateProblem(f"'{yymmdd}' is not 6 characters (YYMMDD)")
        yy, mm, dd = yymmdd[:2], yymmdd[2:4], yymmdd[4:]
        if not yy.isdecimal():
            raise DateProblem(f"year '{yy}' is not two digits")
        for part, name in ((mm, "month"), (dd, "day")):
            if part not in UNKNOWN_PARTS and not part.isdecimal():
                raise DateProblem(f"{name} '{part}' is neither digits nor unknown (XX, <<, 00)")
        month = None if mm in UNKNOWN_PARTS else int(mm)
        day = None if dd in UNKNOWN_PARTS or month is None else int(dd)
        date = cls(resolve_century(int(yy), kind, reference), month, day)
        if kind == "birth" and date.earliest() > reference:
            date = cls(date.year - 100, month, day)  # born in the reference year, but later
        return date

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        if self.month is None:
            return "year"
        return "month" if self.day is None else "day"

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def to_mrz(self) -> str:
        """YYMMDD with unknown month or day as fillers (``<<``), as Doc 9303 writes them."""
        month = f"{self.month:02d}" if self.month else "<<"
        day = f"{self.day:02d}" if self.day else "<<"
        return f"{self.year % 100:02d}{month}{day}"

    def age_on(self, on: dt.date) -> tuple[int, int]:
        """The youngest and oldest the person can be on ``on`` (equal when the date is full)."""
        return _age(self.latest(), on), _age(self.earliest(), on)

    def __str__(self) -> str:
        return self.isoformat()


def resolve_century(yy: int, kind: DateKind, reference: dt.date) -> int:
    year = (reference.year // 100) * 100 + yy
    if kind == "expiry":  # within 50 years either side of the reference date
        if year < reference.year - 50:
            return year + 100
        return year - 100 if year > reference.year + 50 else year
    return year - 100 if year > reference.year else year


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
