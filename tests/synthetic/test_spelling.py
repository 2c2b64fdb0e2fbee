"""Latin spellings of Arabic, Persian and Hebrew names: real spellings whose letters agree."""

from __future__ import annotations

import itertools
import re

import pytest

from smartborder.identity.names import detect_script
from smartborder.screening.knowledge import look_up
from smartborder.synthetic.people import PeopleGenerator
from smartborder.synthetic.spelling import how_common, spell_name, spellings


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("محمد", {"MOHAMED", "MOHAMMED", "MUHAMMAD", "MOHAMMAD"}),  # Arabic and Persian alike
        ("أحمد", {"AHMED", "AHMAD"}),
        ("خالد", {"KHALED", "KHALID"}),
        ("حسين", {"HUSSEIN", "HUSSAIN"}),
        ("جمال", {"JAMAL", "DJAMEL"}),  # ج as J, or DJ as Algeria writes it
        ("زینب", {"ZAINAB", "ZAYNAB"}),  # Persian ی
        ("فاطمه", {"FATIMA"}),  # Persian final ه
        ("דוד", {"DAVID"}),
        ("אהרון", {"AARON"}),
        ("כהן", {"COHEN"}),
        ("אלון", {"ELON"}),
    ],
)
def test_real_spellings_of_vowelless_names(written: str, expected: set[str]) -> None:
    assert expected <= set(spellings(written))


@pytest.mark.parametrize(
    ("written", "not_a_spelling"),
    [
        ("حسين", "HASSAN"),  # the ي of Husayn wants a vowel there
        ("حسن", "HUSSEIN"),  # and Hasan has none to give
        ("دوד", "DAWUD"),  # not a word at all: two scripts in one
        ("דוד", "DAWUD"),  # ו is V in a Hebrew name: DAWUD is the Arabic David
        ("יהונתן", "JONATHAN"),  # Israeli passports write י as Y: the English name is not one
        ("تاج", "TIAGO"),  # no vowel of its own before ا, none after the last letter
        ("أمير", "OMAR"),  # the letters of another name
    ],
)
def test_spellings_whose_letters_disagree_are_not_spellings(
    written: str, not_a_spelling: str
) -> None:
    assert not_a_spelling not in spellings(written)


def test_a_spelling_is_known_to_the_name_tables_as_the_same_name() -> None:
    # letters agree, but TAGE (Danish) is not the name تقي: the tables do not know them as one
    found = spellings("تقي")
    assert "TAGE" not in found
    for written in ("محمد", "خالد", "דוד"):
        names = look_up([written])[written].names
        for latin in spellings(written):
            assert names & look_up([latin])[latin].names, (written, latin)


def test_the_arabic_article_and_abd() -> None:
    assert "AL-BAGHDADI" in spellings("البغدادي", "ar")
    assert not spellings("البغدادي", "fa")  # a Persian name such as الناز is not the article
    assert spell_name("عبد العزيز", "ar") == [
        tuple(f"{abd} {r}" for r in spellings("عزيز", "ar") for abd in ("ABDEL", "ABDUL"))
    ]
    assert how_common("AL-KHALID") == how_common("KHALID") > 1


def test_persian_family_names_are_joined_as_passports_write_them() -> None:
    assert "MOHAMMADPOUR" in spell_name("محمد پور", "fa")[0]
    assert "MOHAMMADPOUR" in spellings("محمدپور", "fa")
    assert "REZAZADEH" in spell_name("رضا زاده", "fa")[0]
    assert "HAMIDI" in spellings("حمیدی", "fa")  # the nisba -i after a name
    assert how_common("MOHAMMADPOUR") == how_common("MOHAMMAD") > 1


def test_worst_case_words_are_bounded() -> None:
    assert spellings("ب" * 40) == ()  # too long to be a name word
    assert spellings("ثذضظ" * 3) == ()  # every letter several ways: too many to look up
    assert spellings("Smith") == ()  # not the script


def test_synthetic_people_carry_the_spellings_their_passports_print() -> None:
    seen = 0
    for person in PeopleGenerator(9).people(1500):
        if person.nationality not in ("EGY", "IRN", "ISR"):
            continue
        native, latin = person.names[0], person.names[1]
        assert detect_script(native.full_name) in ("Arab", "Hebr")
        words = re.split(r"[ -]", latin.full_name.upper())
        # every word has a vowel: no vowelless skeletons such as MHMD or BNW EMRW
        assert all(re.search("[AEIOUY]", w) for w in words), latin.full_name
        language = {"EGY": "ar", "IRN": "fa", "ISR": "he"}[person.nationality]
        for written, spelt in (
            (native.given_names, latin.given_names),
            (native.surname, latin.surname),
        ):
            ways = itertools.product(*spell_name(written or "", language))
            assert (spelt or "").upper() in {" ".join(w) for w in ways}, (written, spelt)
        seen += 1
    assert seen > 50
