"""Container numbers and HS codes as reports print them: the ISO 6346 examples published with
the standard's check-digit rule (CSQU3054383, CBHU3202732), separators, every single-digit
typo of a valid number caught, and HS codes at 6, 8 and 10 digits."""

from __future__ import annotations

import random

import pytest

from smartborder.cargo import codes


@pytest.mark.parametrize("number", ["CSQU3054383", "CBHU3202732", "csqu 305438-3",
                                    "CSQU 305438 3"])  # fmt: skip
def test_published_container_numbers_pass(number: str) -> None:
    assert codes.container_problem(number) is None
    assert codes.container(number) in ("CSQU3054383", "CBHU3202732")


def test_the_letter_values_skip_the_multiples_of_eleven() -> None:
    values = codes.LETTER_VALUES
    assert (values["A"], values["B"], values["K"], values["L"], values["U"], values["V"],
            values["Z"]) == (10, 12, 21, 23, 32, 34, 38)  # fmt: skip
    assert not any(v % 11 == 0 for v in values.values())


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("CSQU3054384", "fails its check digit: 4 where ISO 6346 gives 3"),
        ("CSQU305438", "has no check digit"),
        ("CSQX3054383", "category 'X' is not U, J or Z"),
        ("7SQU3054383", "is not a container number"),
        ("CSQU30543", "is not a container number"),
        ("", "is not a container number"),
    ],
)
def test_what_is_not_a_container_number_says_why(number: str, problem: str) -> None:
    found = codes.container_problem(number)
    assert found is not None
    assert problem in found
    with pytest.raises(ValueError, match=r"container number|check digit|category"):
        codes.container(number)


def test_every_single_character_typo_of_a_serial_is_caught() -> None:
    rng = random.Random(6346)
    for _ in range(200):
        owner = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
        first_ten = owner + "U" + f"{rng.randrange(10**6):06d}"
        check = codes.container_check_digit(first_ten)
        if check == 0:  # a remainder of 10 is written 0 too: a typo may then go unseen
            continue
        valid = first_ten + str(check)
        assert codes.container_problem(valid) is None
        for position in range(4, 10):
            for digit in "0123456789":
                if digit == valid[position]:
                    continue
                typo = valid[:position] + digit + valid[position + 1 :]
                assert codes.container_problem(typo) is not None, typo


@pytest.mark.parametrize("code", ["847130", "8471.30", "8471.30.01", "8471.30.0100",
                                  "0101.21", "9801.00.10"])  # fmt: skip
def test_hs_codes_pass(code: str) -> None:
    assert codes.hs_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("84713", "not an HS code"),
        ("8471301", "not an HS code"),
        ("8471AB", "not an HS code"),
        ("770000", "chapter 77"),
        ("000000", "chapter 00"),
        ("980100", "national provisions"),
    ],
)
def test_what_is_not_an_hs_code_says_why(code: str, problem: str) -> None:
    found = codes.hs_problem(code)
    assert found is not None
    assert problem in found
