from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartborder.identity.dates import DateProblem, PartialDate

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1974", PartialDate(1974)),
        ("1974-08", PartialDate(1974, 8)),
        ("1974-08-12", PartialDate(1974, 8, 12)),
        ("1974-XX-XX", PartialDate(1974)),
    ],
)
def test_parse_partial_dates(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


@pytest.mark.parametrize(
    ("yymmdd", "kind", "expected"),
    [
        ("740812", "birth", "1974-08-12"),
        ("250101", "birth", "2025-01-01"),
        ("261122", "birth", "1926-11-22"),  # a birth is never after the reference date
        ("120415", "expiry", "2012-04-15"),
        ("350101", "expiry", "2035-01-01"),
        ("9512XX", "birth", "1995-12"),
        ("95<<<<", "birth", "1995"),
        ("950000", "birth", "1995"),
    ],
)
def test_mrz_dates_resolve_their_century(yymmdd: str, kind: str, expected: str) -> None:
    assert PartialDate.from_mrz(yymmdd, kind, TODAY).isoformat() == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("yymmdd", "message"),
    [
        ("741301", "month 13"),
        ("740230", "day 30 does not exist"),
        ("7A0101", "year"),
        ("74AB01", "month"),
    ],
)
def test_impossible_dates_say_why(yymmdd: str, message: str) -> None:
    with pytest.raises(DateProblem, match=message):
        PartialDate.from_mrz(yymmdd, "birth", TODAY)


def test_age_of_a_partial_date_is_a_range() -> None:
    assert PartialDate(2000, 6, 15).age_on(TODAY) == (26, 26)
    assert PartialDate(2000).age_on(dt.date(2026, 6, 1)) == (25, 26)


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=TODAY))
def test_mrz_round_trip_for_births(born: dt.date) -> None:
    date = PartialDate(born.year, born.month, born.day)
    if TODAY.year - born.year < 100:
        assert PartialDate.from_mrz(date.to_mrz(), "birth", TODAY) == date
    assert PartialDate.parse(date.isoformat()) == date
