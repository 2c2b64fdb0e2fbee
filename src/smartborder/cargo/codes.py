"""The identifiers cargo reports carry, checked as their standards define them.

- **Container numbers** (ISO 6346): the owner code (three letters), the equipment category
  (``U`` freight container, ``J`` detachable equipment, ``Z`` trailer or chassis), a six-digit
  serial number and a check digit. Each letter counts as a value from 10 to 38 that skips the
  multiples of 11 (A 10, B 12, ... K 21, L 23, ... U 32, V 34, ... Z 38), each digit as itself;
  the ten values are weighted 1, 2, 4, ... 512 from the left, and the sum's remainder modulo 11
  is the check digit (a remainder of 10 is written 0, which is why owners avoid such serials).
  Reports print the number with or without spaces and a hyphen (``CSQU 305438-3``).
- **Harmonized System codes** (WCO): six digits, chapter (the first two) 01 to 97, chapter 77
  being reserved; countries extend them to eight or ten digits (Canada's customs tariff and the
  US HTS classify at ten), and chapters 98 and 99 hold their national provisions. Reports print
  them with or without dots (``8471.30.0100``). Without the nomenclature's tables the check is
  of the structure and the chapter, not that the heading exists.
"""

from __future__ import annotations

import re

import pycountry

CATEGORIES = {"U": "freight container", "J": "detachable freight container equipment",
              "Z": "trailer or chassis"}  # fmt: skip
_CONTAINER = re.compile(r"^([A-Z]{3})([A-Z])(\d{6})(\d)?$")
_SEPARATORS = re.compile(r"[\s\-.]")


def _letter_values() -> dict[str, int]:
    values, value = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


LETTER_VALUES = _letter_values()


def container_check_digit(first_ten: str) -> int:
    """The ISO 6346 check digit of an owner code, category and serial (ten characters)."""
    total = sum((LETTER_VALUES[c] if c.isalpha() else int(c)) << n
                for n, c in enumerate(first_ten.upper()))  # fmt: skip
    return total % 11 % 10


def container_problem(number: str) -> str | None:
    """Why ``number`` is not an ISO 6346 container number (None when it is)."""
    text = _SEPARATORS.sub("", number.upper())
    found = _CONTAINER.match(text)
    if found is None:
        return (f"'{number}' is not a container number: three letters (owner), U, J or Z, six "
                "digits and a check digit")  # fmt: skip
    owner, category, serial, check = found.groups()
    if category not in CATEGORIES:
        return f"'{number}': category '{category}' is not U, J or Z"
    if check is None:
        return f"'{number}' has no check digit"
    expected = container_check_digit(owner + category + serial)
    if int(check) != expected:
        return f"'{number}' fails its check digit: {check} where ISO 6346 gives {expected}"
    return None


def container(number: str) -> str:
    """The number as written without separators (``CSQU3054383``), once checked."""
    problem = container_problem(number)
    if problem:
        raise ValueError(problem)
    return _SEPARATORS.sub("", number.upper())


def hs_problem(code: str) -> str | None:
    """Why ``code`` is not a Harmonized System code (six digits, or eight or ten nationally)."""
    text = _SEPARATORS.sub("", code)
    if not text.isdigit() or len(text) not in (6, 8, 10):
        return f"'{code}' is not an HS code: 6 digits, or 8 or 10 with a national extension"
    chapter = int(text[:2])
    if chapter == 0 or chapter == 77 or chapter > 99:
        return f"'{code}': chapter {text[:2]} is not in the Harmonized System"
    if chapter in (98, 99) and len(text) == 6:
        return f"'{code}': chapters 98 and 99 are national provisions, classified at 8 or 10"
    return None


def country_known(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def place_problem(place: str) -> str | None:
    """A UN/LOCODE: the country (ISO alpha-2) and three letters or digits 2-9."""
    if len(place) != 5 or not place.isalnum():
        return f"'{place}' is not a UN/LOCODE (two letters of the country, three of the place)"
    if not country_known(place[:2]):
        return f"'{place}' does not begin with an ISO 3166 country code"
    return None
