from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartborder.identity.names import detect_script, search_key


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Jean-François Tremblay", "Latn"),
        ("Фёдор Достоевский", "Cyrl"),
        ("Νίκος Παπαδόπουλος", "Grek"),
        ("محمد العلي", "Arab"),
        ("王伟", "Hani"),
        ("山田たろう", "Jpan"),
        ("김민준", "Hang"),
        ("आशा खत्री", "Deva"),
        ("1234 -", "Zyyy"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_search_key_is_latin_upper_single_spaced() -> None:
    assert search_key("  Jean-François   Tremblay ") == "JEAN FRANCOIS TREMBLAY"
    assert search_key("Фёдор") == "FEDOR"


@settings(deadline=None)
@given(st.text(max_size=60))
def test_search_key_is_idempotent(text: str) -> None:
    once = search_key(text)
    assert search_key(once) == once


def test_people_use_the_shared_date_and_country_types() -> None:
    import pydantic

    from smartborder.identity.schemas import PersonIn

    base = {"sex": "F", "nationality": "CAN", "names": [{"surname": "Roy"}]}
    assert PersonIn.model_validate({**base, "birth_date": "1980-02"}).birth_date == "1980-02"
    with pytest.raises(pydantic.ValidationError, match="day 30 does not exist"):
        PersonIn.model_validate({**base, "birth_date": "1980-02-30"})
    with pytest.raises(pydantic.ValidationError, match="is not an ICAO state"):
        PersonIn.model_validate({**base, "nationality": "ZZZ", "birth_date": "1980"})
