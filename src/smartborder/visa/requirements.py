"""Visa requirements: what a (nationality, destination) value means, and reading a snapshot.

A snapshot is CSV with the columns ``Passport,Destination,Requirement`` (ISO 3166-1 alpha-2
codes, as in the passport-index data set shipped in ``visa/data``). Each value maps to one
category:

==================  ====================================================  ===========
category            values accepted (any case)                            visa needed
==================  ====================================================  ===========
visa-required       ``visa required``                                     yes
e-visa              ``e-visa``, ``evisa``                                 yes
visa-on-arrival     ``visa on arrival``                                   yes
no-admission        ``no admission``                                      yes
eta                 ``eta``, ``esta`` (Canada's eTA, the US ESTA)          no
visa-free           ``visa free``, or the days of stay allowed (1-366)   no
own                 ``-1``: the destination's own nationals                -
==================  ====================================================  ===========

"Visa needed" groups the categories for the coarse comparison: a visa on arrival or an e-visa is
still a visa, and a nationality refused admission cannot travel visa-free either.

A snapshot lists, for each destination it covers, every nationality (a destination's list may
leave out its own nationals): a list with a nationality missing is refused, since a gap would
read as agreement or disagreement that nobody decided. Every problem is reported with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NoReturn

from smartborder.errors import ValidationFailed
from smartborder.identity.countries import display_name, from_alpha2

BUNDLED = "passport-index-tidy-iso2.csv"
BUNDLED_DATE = "2025-01-12"  # the data set's snapshot date (its README)
BUNDLED_LABEL = "passport-index dataset, 12 January 2025 (MIT licence)"
COLUMNS = ("passport", "destination", "requirement")
MAX_PROBLEMS = 200  # reported at most; the count of the rest is given

NEEDS_VISA = {
    "visa-required": True,
    "e-visa": True,
    "visa-on-arrival": True,
    "no-admission": True,
    "eta": False,
    "visa-free": False,
}
LABELS = {
    "visa-required": "visa required",
    "e-visa": "e-visa",
    "visa-on-arrival": "visa on arrival",
    "no-admission": "no admission",
    "eta": "electronic travel authorisation",
    "visa-free": "visa-free",
    "own": "own nationals",
}
_WORDS = {
    "visa required": "visa-required",
    "visa-required": "visa-required",
    "e-visa": "e-visa",
    "evisa": "e-visa",
    "visa on arrival": "visa-on-arrival",
    "visa-on-arrival": "visa-on-arrival",
    "no admission": "no-admission",
    "no-admission": "no-admission",
    "eta": "eta",
    "esta": "eta",
    "visa free": "visa-free",
    "visa-free": "visa-free",
    "-1": "own",
}


@dataclass(frozen=True, slots=True)
class Policy:
    """One destination's rule for one nationality."""

    category: str
    days: int | None = None  # days of stay allowed without a visa, when the list says

    @property
    def needs_visa(self) -> bool | None:
        return NEEDS_VISA.get(self.category)

    @property
    def label(self) -> str:
        text = LABELS[self.category]
        return f"{text} ({self.days} days)" if self.days else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "days": self.days,
            "needs_visa": self.needs_visa,
            "label": self.label,
        }


@cache
def policy_of(value: str) -> Policy:
    """The policy a requirement value stands for; ValueError naming the values accepted."""
    text = " ".join(value.strip().lower().split())
    if text.isdecimal():
        days = int(text)
        if not 1 <= days <= 366:
            raise ValueError(f"{days} days of visa-free stay is out of range (1-366)")
        return Policy("visa-free", days)
    category = _WORDS.get(text)
    if category is None:
        raise ValueError(
            f"unknown requirement '{value}': use a number of visa-free days, visa free, eta, "
            "e-visa, visa on arrival, visa required, no admission or -1"
        )
    return Policy(category)


def raw_of(policy: Policy) -> str:
    """The value a snapshot stores for ``policy`` (the data set's own words)."""
    if policy.category == "visa-free" and policy.days:
        return str(policy.days)
    return _RAW[policy.category]


_RAW = {
    "visa-required": "visa required",
    "e-visa": "e-visa",
    "visa-on-arrival": "visa on arrival",
    "no-admission": "no admission",
    "eta": "eta",
    "visa-free": "visa free",
    "own": "-1",
}


@cache
def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.isupper() and from_alpha2(code) is not None


def country_name(code: str) -> str:
    icao = from_alpha2(code)
    return display_name(icao) if icao else code


def check_country(code: str, what: str = "country") -> str:
    """``code`` upper-cased if it is an ISO 3166-1 alpha-2 country (or XK, Kosovo)."""
    upper = code.strip().upper()
    if not is_country(upper):
        raise ValidationFailed(
            f"'{code}' is not an ISO 3166-1 alpha-2 country code",
            details=[{"location": what, "message": f"unknown country code '{code}'"}],
        )
    return upper


Lists = dict[str, dict[str, str]]  # destination -> nationality -> raw value


@cache
def bundled_text() -> str:
    return (resources.files("smartborder.visa") / "data" / BUNDLED).read_text(encoding="utf-8")


@cache
def bundled_countries() -> frozenset[str]:
    """The nationalities of the shipped data set: every list must cover at least these."""
    lists = read_snapshot(bundled_text(), BUNDLED, universe=frozenset())
    return frozenset(n for listed in lists.values() for n in listed)


def read_snapshot(text: str, source: str, *, universe: frozenset[str] | None = None) -> Lists:
    """The lists of a snapshot file, or ValidationFailed with every problem and its line.

    ``universe`` is the nationalities each destination's list must cover besides those the file
    names (default: those of the shipped data set)."""
    problems: list[dict[str, Any]] = []

    def problem(line: int, field: str, message: str) -> None:
        problems.append({"source": source, "line": line, "location": field, "message": message})

    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        empty = "the file is empty: expected Passport,Destination,Requirement"
        _fail(source, [{"source": source, "line": 1, "location": "header", "message": empty}])
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = [h.strip().lower() for h in next(reader)]
    where = {name: header.index(name) for name in COLUMNS if name in header}
    missing = [name for name in COLUMNS if name not in where]
    if missing:
        _fail(
            source,
            [
                {
                    "source": source,
                    "line": 1,
                    "location": "header",
                    "message": f"missing column(s) {', '.join(missing)}; the header must be "
                    "Passport,Destination,Requirement",
                }
            ],
        )
    lists: Lists = {}
    first_seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problem(number, "row", f"{len(row)} fields where the header has {len(header)}")
            continue
        passport, destination, value = (row[where[c]].strip() for c in COLUMNS)
        good = True
        for field, code in (("Passport", passport), ("Destination", destination)):
            if not is_country(code):
                problem(number, field, f"'{code}' is not an ISO 3166-1 alpha-2 country code")
                good = False
        try:
            policy = policy_of(value)
        except ValueError as exc:
            problem(number, "Requirement", str(exc))
            continue
        if not good:
            continue
        if (policy.category == "own") != (passport == destination):
            problem(
                number,
                "Requirement",
                "-1 stands only for a destination's own nationals"
                if policy.category == "own"
                else f"{passport} nationals going to {passport} need no requirement: use -1",
            )
            continue
        pair = (passport, destination)
        if pair in first_seen:
            problem(
                number,
                "row",
                f"{passport} to {destination} is given already on line {first_seen[pair]}",
            )
            continue
        first_seen[pair] = number
        lists.setdefault(destination, {})[passport] = value
    if not lists and not problems:
        problem(2, "row", "no requirements: the file has a header and nothing else")
    if not problems:
        everyone = (bundled_countries() if universe is None else universe) | {
            n for listed in lists.values() for n in listed
        }
        for destination, listed in sorted(lists.items()):
            gap = sorted(everyone - set(listed) - {destination})
            if gap:
                shown = ", ".join(gap[:20]) + (
                    f" and {len(gap) - 20} more" if len(gap) > 20 else ""
                )
                problem(
                    first_seen[
                        min(
                            ((p, d) for p, d in first_seen if d == destination),
                            key=first_seen.__getitem__,
                        )
                    ],
                    f"Destination {destination}",
                    f"the list for {destination} has no row for {len(gap)} nationalit"
                    f"{'y' if len(gap) == 1 else 'ies'}: {shown}",
                )
    if problems:
        _fail(source, problems)
    return lists


def _fail(source: str, problems: list[dict[str, Any]]) -> NoReturn:
    shown = problems[:MAX_PROBLEMS]
    more = len(problems) - len(shown)
    raise ValidationFailed(
        f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was loaded"
        + (f" (the first {MAX_PROBLEMS} are listed)" if more else ""),
        details=shown,
    )
