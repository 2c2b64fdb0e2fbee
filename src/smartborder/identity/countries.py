"""ICAO nationality and issuing-state codes (Doc 9303 Part 3): ISO 3166-1 alpha-3 from pycountry
plus the codes ICAO adds for Germany, British nationals, organisations, stateless persons and
refugees, and ``UTO`` for the specimen state Utopia."""

from __future__ import annotations

from functools import cache

import pycountry

ICAO_ONLY: dict[str, str] = {
    "D": "Germany",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "UNO": "United Nations Organization or its officials",
    "UNA": "Specialized agency of the United Nations or its officials",
    "UNK": "Resident of Kosovo (UNMIK travel document)",
    "XXA": "Stateless person (1954 Convention)",
    "XXB": "Refugee (1951 Convention and 1967 Protocol)",
    "XXC": "Refugee (other than under the 1951 Convention)",
    "XXX": "Person of unspecified nationality",
    "XPO": "INTERPOL",
    "XES": "Organisation of Eastern Caribbean States",
    "XOM": "Sovereign Military Order of Malta",
    "XDC": "Southern African Development Community",
    "XCE": "Council of Europe",
    "XCC": "Caribbean Community (CARICOM)",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XEC": "Economic Community of West African States",
    "XMP": "Parliamentary Assembly of the Mediterranean",
    "EUE": "European Union",
    "RKS": "Kosovo",
    "ANT": "Netherlands Antilles",
    "NTZ": "Neutral Zone",
    "UTO": "Utopia (ICAO specimen state)",
}
# Codes that stand for an ISO country but differ from its alpha-3.
_ICAO_TO_ALPHA2 = {"D": "DE", "RKS": "XK"}
_ALPHA2_TO_ICAO = {"DE": "D", "XK": "RKS"}


@cache
def _iso_names() -> dict[str, str]:
    return {c.alpha_3: getattr(c, "common_name", c.name) for c in pycountry.countries}


def is_known(code: str) -> bool:
    """True for an ICAO nationality/issuer code (``<`` filler is ignored: ``D<<`` is Germany)."""
    code = code.strip("<").upper()
    return code in ICAO_ONLY or code in _iso_names()


def display_name(code: str) -> str:
    code = code.strip("<").upper()
    return ICAO_ONLY.get(code) or _iso_names().get(code) or f"unknown code {code}"


def to_alpha2(code: str) -> str | None:
    code = code.strip("<").upper()
    if code in _ICAO_TO_ALPHA2:
        return _ICAO_TO_ALPHA2[code]
    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2 if country else None


def from_alpha2(alpha2: str) -> str | None:
    """The ICAO code for an ISO alpha-2 country (``DE`` gives ``D``, as passports write it)."""
    alpha2 = alpha2.upper()
    if alpha2 in _ALPHA2_TO_ICAO:
        return _ALPHA2_TO_ICAO[alpha2]
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else None
