from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartborder.identity.names import normalise, split_name
from smartborder.identity.transliteration import transliterate


@pytest.mark.parametrize(
    ("name", "icao"),
    [
        ("Jürgen Weiß", "JUERGEN WEISS"),
        ("Åsa Ødegård", "AASA OEDEGAARD"),
        ("Peña Muñoz", "PENA MUNOZ"),
        ("Łukasz Żółć", "LUKASZ ZOLC"),
        ("Жанна Хачатурян", "ZHANNA KHACHATURIAN"),
        ("Цветана Чернышёва", "TSVETANA CHERNYSHEVA"),
        ("Щукин Юрий", "SHCHUKIN IURII"),
        ("Объедков", "OBIEEDKOV"),
        ("Ярослав", "IAROSLAV"),
        ("محمد", "MXHMD"),
        ("خالد", "XKHALD"),
    ],
)
def test_icao_transliteration(name: str, icao: str) -> None:
    assert transliterate(name) == icao


def test_other_scripts_go_through_anyascii() -> None:
    assert normalise("王伟") == "WANGWEI"
    assert normalise("Νίκος") == "NIKOS"


def test_normalise_folds_punctuation_and_apostrophes() -> None:
    assert normalise("  O'Brien-Smith, Jr. ") == "OBRIEN SMITH JR"
    assert normalise("ＭＡＲＩＡ") == "MARIA"  # full-width letters through NFKC


@settings(deadline=None)
@given(st.text(max_size=80))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@pytest.mark.parametrize(
    ("written", "given", "surname"),
    [
        ("Dr. Jean de la Fontaine", ("JEAN",), ("DE", "LA", "FONTAINE")),
        ("Ludwig Mies van der Rohe", ("LUDWIG", "MIES"), ("VAN", "DER", "ROHE")),
        ("Osama bin Laden", ("OSAMA",), ("BIN", "LADEN")),
        ("Mary Smith-Jones", ("MARY",), ("SMITH", "JONES")),
        ("TREMBLAY, Jean-Marc", ("JEAN", "MARC"), ("TREMBLAY",)),
        ("J. R. R. Tolkien Jr.", ("J", "R", "R"), ("TOLKIEN",)),
        ("王伟", ("WEI",), ("WANG",)),
        ("欧阳修", ("XIU",), ("OUYANG",)),
        ("김민준", ("MINJUN",), ("GIM",)),
    ],
)
def test_split_name(written: str, given: tuple[str, ...], surname: tuple[str, ...]) -> None:
    parts = split_name(written)
    assert parts.given_names == given
    assert parts.surname == surname


def test_surname_variants_cover_usual_spellings() -> None:
    assert {"MACDONALD", "MCDONALD"} <= split_name("Angus MacDonald").surname_variants()
    assert {"DE LA FONTAINE", "DELAFONTAINE", "FONTAINE"} <= split_name(
        "Jean de la Fontaine"
    ).surname_variants()
    assert {"SMITH", "JONES", "SMITHJONES"} <= split_name("Mary Smith-Jones").surname_variants()
    parts = split_name("Mr Sean O'Neill")
    assert parts.titles == ("MR",)
    assert parts.surname == ("ONEILL",)
