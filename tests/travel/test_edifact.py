"""The EDIFACT tokeniser: separators, the release character, located problems; checked against
pydifact's reference tokeniser on the same text."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydifact.parser import Parser

from smartborder.travel.intake.edifact import DEFAULT, Report, Separators, tokenise, write

DATA = Path(__file__).parent / "data"


def ours(text: str) -> list[tuple[str, list[list[str]]]]:
    report = Report()
    interchange = tokenise(text, report)
    assert interchange is not None, report.problems
    assert not report.failed, report.problems
    return [(s.tag, _trim(s.data)) for s in interchange.segments]


def _trim(elements: list[list[str]]) -> list[list[str]]:
    out = []
    for element in elements:
        while len(element) > 1 and element[-1] == "":
            element = element[:-1]
        out.append(element)
    while out and out[-1] == [""]:
        out.pop()
    return out


def pydifacts(text: str) -> list[tuple[str, list[list[str]]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments = list(Parser().parse(text))
    return [
        (s.tag, _trim([e if isinstance(e, list) else [e] for e in s.elements]))
        for s in segments
        if s.tag != "UNA"
    ]


@pytest.mark.parametrize("name", ["paxlst_d05b.edi", "pnrgov_13.edi"])
def test_same_segments_as_pydifact(name: str) -> None:
    text = (DATA / name).read_text()
    assert ours(text) == pydifacts(text)


values = st.text(alphabet=st.sampled_from(list("AB1 ?:+'.*#|")), max_size=8)
segments_strategy = st.lists(
    st.tuples(
        st.sampled_from(["NAD", "DOC", "RFF", "FTX"]),
        st.lists(st.lists(values, min_size=1, max_size=3), min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=6,
)
separator_sets = st.sampled_from(
    [DEFAULT, Separators("*", "|", ".", "#", " ", "~"), Separators(":", "+", ",", "\\", " ", "!")]
)


@settings(max_examples=200, deadline=None)
@given(segments_strategy, separator_sets)
def test_write_then_read_round_trips_and_matches_pydifact(
    segments: list[tuple[str, list[list[str]]]], seps: Separators
) -> None:
    body = [("UNB", [["UNOA", "4"], ["X"], ["Y"]]), *segments, ("UNZ", [["1"], ["1"]])]
    text = write(body, seps)
    assert ours(text) == [(tag, _trim(elements)) for tag, elements in write_norm(body)]
    assert ours(text) == pydifacts(text)


def write_norm(body: list[tuple[str, list[list[str]]]]) -> list[tuple[str, list[list[str]]]]:
    out = []
    for tag, elements in body:
        trimmed = [
            e[: max((i + 1 for i, c in enumerate(e) if c), default=0)] or [""] for e in elements
        ]
        while trimmed and trimmed[-1] == [""]:
            trimmed.pop()
        out.append((tag, trimmed))
    return out


def test_custom_separators_and_release_character() -> None:
    text = "UNA*|.# ~UNB|UNOA*4|A|B~NAD|FL|||O#~BRIEN*ANN#|MARIE~UNZ|1|1~"
    segs = ours(text)
    assert segs[1] == ("NAD", [["FL"], [""], [""], ["O~BRIEN", "ANN|MARIE"]])


def test_truncated_interchange_is_located() -> None:
    report = Report()
    interchange = tokenise("UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA'\nNAD+FL+++SMI", report)
    assert interchange is not None
    assert [s.tag for s in interchange.segments] == ["UNB", "UNH"]  # read as asked for
    [problem] = report.problems
    assert problem.severity == "error"
    assert problem.line == 3
    assert problem.position == 3
    assert "truncated" in problem.text


def test_not_edifact_and_wrong_separators() -> None:
    report = Report()
    assert tokenise("hello world", report) is None
    assert "starts with UNA, UNB or UNH" in report.problems[0].text
    report = Report()
    interchange = tokenise("UNA:+.? 'UNB*UNOA:4*A*B'NAD*FL'UNZ*1*1'", report)
    assert interchange is not None
    assert list(interchange.segments) == []
    assert any("segment tag" in p.text for p in report.problems)
    report = Report()
    assert tokenise("UNA::::::UNB", report) is None
    assert "distinct" in report.problems[0].text
