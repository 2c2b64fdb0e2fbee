"""Both parsers under mutated real-shaped messages: never an exception, never a hang, every
problem located, and a message that passes has a flight and its travellers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartborder.travel.intake.parser import parse

DATA = Path(__file__).parent / "data"
SAMPLES = [
    (DATA / n).read_bytes()
    for n in ("paxlst_d05b.edi", "pnrgov_13.edi", "pnrgov_carrier.edi", "paxlst_through.edi")
]
TODAY = dt.date(2026, 11, 21)
NOISE = st.binary(min_size=1, max_size=12) | st.sampled_from(
    [
        b"'",
        b"+",
        b":",
        b"?",
        b"??????",
        b"",
        b"\r\n",
        b"\n",
        b"UNH+",
        b"UNZ+1+1",
        b"NAD+FL+++",
        b"TIF+",
        b"TIF+X:G'",
        b"TVL+++++1'",
        b"SRC'",
        b"RCI+",
        b"SSR+DOCS:HK:1:XX:::::/P/X/1/X/01JAN20/FI/01JAN30/X/Y'",
        b"TDT+20+XX1'",
        b"\x00",
        b"\x1a",
        b"\x92",
        b"\xff\xfe",
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "repeat"]))
        if kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(NOISE)
        elif kind == "replace":
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        else:
            end = data.find(b"'", at)
            if end > 0:
                data[at:at] = data[at : end + 1] * draw(st.integers(1, 3))
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.booleans())
def test_mutated_messages_never_crash_and_problems_are_located(data: bytes, strict: bool) -> None:
    outcome = parse(data, today=TODAY, strict=strict)
    for problem in outcome.problems:
        assert problem.text
        assert problem.severity in ("error", "warning")
        assert str(problem)
    if not outcome.failed:
        assert outcome.messages
        for message in outcome.messages:
            assert message.flight.carrier
            assert message.flight.number
            for person in message.everyone():
                assert person.surname
    if strict:
        assert not outcome.warnings  # strict mode has only errors


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_with_a_reason(data: bytes) -> None:
    outcome = parse(data, today=TODAY)
    assert outcome.failed
    assert outcome.errors


def test_digits_of_other_scripts_are_not_numbers() -> None:
    """``'¹'.isdigit()`` is true and ``int('¹')`` fails: a superscript or other non-decimal
    digit in a date, count or check character is a problem, never a crash (found by the
    mutation test above)."""
    for sample in SAMPLES:
        text = sample.decode("latin-1")
        for digit in "0123456789":
            data = text.replace(digit, "\u00b9", 3).encode("utf-8")
            outcome = parse(data, today=TODAY)
            for problem in outcome.problems:
                assert str(problem)
