from __future__ import annotations

import pytest

from smartborder.identity import countries

ICAO_ONLY = [
    "D",
    "GBD",
    "GBN",
    "GBO",
    "GBP",
    "GBS",
    "UNO",
    "UNA",
    "UNK",
    "XXA",
    "XXB",
    "XXC",
    "XXX",
    "XPO",
    "XES",
    "XOM",
    "XDC",
    "XCE",
    "XCC",
    "XBA",
    "XIM",
    "XEC",
    "XMP",
    "EUE",
    "RKS",
    "ANT",
    "NTZ",
    "UTO",
]


@pytest.mark.parametrize("code", ICAO_ONLY)
def test_icao_only_codes_are_known_with_names(code: str) -> None:
    assert countries.is_known(code)
    assert "unknown" not in countries.display_name(code)


def test_iso_codes_and_conversions() -> None:
    assert countries.is_known("CAN")
    assert countries.is_known("USA")
    assert countries.is_known("D<<")
    assert not countries.is_known("DEU<") or countries.is_known("DEU")
    assert not countries.is_known("ZZZ")
    assert countries.to_alpha2("D") == "DE"
    assert countries.from_alpha2("DE") == "D"
    assert countries.to_alpha2("CAN") == "CA"
    assert countries.from_alpha2("us") == "USA"
    assert countries.to_alpha2("XXA") is None
    assert countries.display_name("ZZZ") == "unknown code ZZZ"
