"""Build the matcher's :class:`Identity` from names, dates and codes as people write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from smartborder.identity.dates import PartialDate
from smartborder.identity.names import normalise
from smartborder.screening.features import Identity
from smartborder.screening.names import name_forms

_DOCUMENT_NOISE = re.compile(r"[^0-9A-Z]")


def birth_tuple(text: str | None) -> tuple[int, int, int] | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as (year, month or 0, day or 0); raises
    :class:`~smartborder.identity.dates.DateProblem` when it cannot be read."""
    return _birth(text) if text else None


@lru_cache(maxsize=100_000)  # a million lookouts share some 40,000 dates of birth
def _birth(text: str) -> tuple[int, int, int]:
    date = PartialDate.parse(text)
    return date.year, date.month or 0, date.day or 0


def search_text(names: Iterable[dict[str, Any]]) -> str:
    """The names of a lookout, normalised and joined, for listing and searching."""
    return " | ".join(normalise(str(n["name"])) for n in names)


def document_number(text: str) -> str:
    return _DOCUMENT_NOISE.sub("", text.upper())


def make_identity(
    names: Iterable[str],
    birth: str | None = None,
    sex: str | None = None,
    nationalities: Iterable[str] = (),
    documents: Iterable[str] = (),
) -> Identity:
    named = tuple(dict.fromkeys(t for n in names if n.strip() for t in name_forms(n) if t))
    return Identity(
        names=named,
        birth=birth_tuple(birth),
        sex=sex.upper() if sex else None,
        nationalities=frozenset(n.upper() for n in nationalities if n),
        documents=tuple(d for d in (document_number(n) for n in documents) if d),
    )
