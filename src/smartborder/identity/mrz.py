"""Machine-readable zones (ICAO Doc 9303 Parts 3-7): TD1, TD2 and TD3 documents, MRV-A and
MRV-B visas. Parsing into typed fields, every check digit, long document numbers, name
truncation, generation, and an OCR-tolerant mode that proposes corrections it can justify.

Positions in messages are 1-based, as Doc 9303 counts them.
"""

from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from smartborder.errors import ValidationFailed

Format = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]
FILLER = "<"
MAX_INPUT = 400
_VALUES = {c: i for i, c in enumerate("0123456789")} | {
    c: i + 10 for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}
_VALUES[FILLER] = 0
_ALLOWED = re.compile(r"[A-Z0-9<]")
# (lines, line length) -> format; a visa starts with V.
_SHAPES = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}


class MrzSyntaxError(ValidationFailed):
    """The text is not an MRZ at all; ``details`` name every line and position at fault."""

    code = "invalid_mrz"


_BYTE_VALUES = [0] * 256
for _char, _value in _VALUES.items():
    _BYTE_VALUES[ord(_char)] = _value
_WEIGHTS = (7, 3, 1) * 40  # longer than any field a check digit covers
_VALID_LINE = re.compile(r"[A-Z0-9<]*")


def check_digit(text: str) -> str:
    """Doc 9303 Part 3 check digit: weights 7-3-1 repeating, digits as values, A-Z as 10-35,
    ``<`` as 0, sum modulo 10. ``text`` holds only those characters."""
    values = map(_BYTE_VALUES.__getitem__, text.encode("ascii"))
    return str(sum(map(operator.mul, values, _WEIGHTS)) % 10)


@dataclass(frozen=True)
class Span:
    """Where a field sits: line and 1-based start/end positions."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Layout:
    """One format's field positions (0-based slices per line)."""

    lines: int
    length: int
    name: tuple[int, int, int]
    number: tuple[int, int, int]  # line, start, end; its check digit follows
    nationality: tuple[int, int, int]
    birth: tuple[int, int, int]  # check digit follows
    sex: tuple[int, int]
    expiry: tuple[int, int, int]  # check digit follows
    optional: tuple[tuple[int, int, int], ...]
    optional_check: tuple[int, int] | None  # TD3 personal number check digit
    composite: tuple[int, int] | None
    composite_parts: tuple[tuple[int, int, int], ...]


def _two_line(width: int) -> Layout:
    """TD2 (36) and TD3 (44) share one shape; TD3 adds a check digit over its personal number."""
    last = width - 1
    td3 = width == 44
    return Layout(
        lines=2, length=width, name=(0, 5, width), number=(1, 0, 9), nationality=(1, 10, 13),
        birth=(1, 13, 19), sex=(1, 20), expiry=(1, 21, 27),
        optional=((1, 28, last - 1 if td3 else last),),
        optional_check=(1, last - 1) if td3 else None,
        composite=(1, last),
        composite_parts=((1, 0, 10), (1, 13, 20), (1, 21, last)),
    )  # fmt: skip


def _visa(document: Layout) -> Layout:
    """MRV-A and MRV-B: the TD3 and TD2 shapes with optional data to the end and no composite."""
    return replace(
        document,
        optional=((1, 28, document.length),),
        optional_check=None,
        composite=None,
        composite_parts=(),
    )


_TD1 = Layout(
    lines=3, length=30, name=(2, 0, 30), number=(0, 5, 14), nationality=(1, 15, 18),
    birth=(1, 0, 6), sex=(1, 7), expiry=(1, 8, 14), optional=((0, 15, 30), (1, 18, 29)),
    optional_check=None, composite=(1, 29),
    composite_parts=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
)  # fmt: skip
LAYOUTS: dict[str, Layout] = {
    "TD1": _TD1,
    "TD2": _two_line(36),
    "TD3": _two_line(44),
    "MRVA": _visa(_two_line(44)),
    "MRVB": _visa(_two_line(36)),
}


@dataclass
class DigitCheck:
    name: str
    ok: bool
    expected: str
    found: str
    span: Span
    over: str


@dataclass
class Mrz:
    """A parsed MRZ: raw fields as printed (fillers stripped) and every check digit's result."""

    format: Format
    lines: tuple[str, ...]
    document_code: str
    issuer: str
    surname: str
    given_names: str
    name_truncated: bool
    document_number: str
    nationality: str
    birth_date: str  # YYMMDD as printed
    sex: str  # F, M or X (``<`` in the MRZ)
    expiry_date: str
    optional_data: str
    optional_data_2: str = ""
    digit_checks: list[DigitCheck] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)

    @property
    def check_digits_valid(self) -> bool:
        return all(c.ok for c in self.digit_checks)

    def text(self) -> str:
        return "\n".join(self.lines)

    def chip_access_key_seed(self) -> str:
        """The "MRZ information" Doc 9303 Part 11 derives the chip's BAC/PACE keys from: document
        number, date of birth and date of expiry, each with its check digit as printed."""
        number = self.document_number.ljust(9, FILLER)
        return (
            f"{number}{check_digit(number)}{self.birth_date}{check_digit(self.birth_date)}"
            f"{self.expiry_date}{check_digit(self.expiry_date)}"
        )


def split_lines(text: str) -> list[str]:
    """Lines of an MRZ from pasted text; raises MrzSyntaxError naming what is wrong and where."""
    if len(text) > MAX_INPUT:
        raise MrzSyntaxError(
            f"input is {len(text)} characters; an MRZ has at most 90",
            details=[{"problem": "too long", "limit": MAX_INPUT}],
        )
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise MrzSyntaxError("no MRZ given", details=[{"problem": "empty input"}])
    if len(lines) == 1 and len(lines[0]) in (60, 72, 88, 90):
        size = {60: 30, 72: 36, 88: 44, 90: 30}[len(lines[0])]
        lines = [lines[0][i : i + size] for i in range(0, len(lines[0]), size)]
    problems = []
    for number, line in enumerate(lines, start=1):
        if _VALID_LINE.fullmatch(line):
            continue
        for position, char in enumerate(line, start=1):
            if not _ALLOWED.fullmatch(char):
                problems.append(
                    {
                        "line": number,
                        "position": position,
                        "character": char,
                        "problem": "only A-Z, 0-9 and < may appear in an MRZ",
                    }
                )
    if problems:
        first = problems[0]
        raise MrzSyntaxError(
            f"line {first['line']} position {first['position']}: character "
            f"{first['character']!r} is not allowed (only A-Z, 0-9 and <)",
            details=problems[:20],
        )
    return lines


def detect_format(lines: list[str]) -> Format:
    shape = (len(lines), len(lines[0]))
    lengths = {len(line) for line in lines}
    details = [{"line": i, "length": len(line)} for i, line in enumerate(lines, start=1)]
    if len(lengths) > 1:
        raise MrzSyntaxError(
            "lines differ in length (" + ", ".join(str(len(x)) for x in lines) + "); every line "
            "of an MRZ has the same length: 30 (TD1), 36 (TD2, MRV-B) or 44 (TD3, MRV-A)",
            details=details,
        )
    kind = _SHAPES.get(shape)
    if kind is None:
        raise MrzSyntaxError(
            f"{len(lines)} line(s) of {len(lines[0])} characters is no MRZ format: expected 3 "
            "lines of 30 (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)",
            details=details,
        )
    if lines[0][0] == "V" and kind in ("TD2", "TD3"):
        return "MRVB" if kind == "TD2" else "MRVA"
    return kind  # type: ignore[return-value]


def _cut(lines: list[str], where: tuple[int, int, int]) -> str:
    line, start, end = where
    return lines[line][start:end]


def _span(where: tuple[int, int, int]) -> Span:
    return Span(where[0] + 1, where[1] + 1, where[2])


def _layout_spans(layout: Layout) -> dict[str, Span]:
    sex_line, sex_at = layout.sex
    spans = {
        "document_code": Span(1, 1, 2),
        "issuer": Span(1, 3, 5),
        "name": _span(layout.name),
        "document_number": _span(layout.number),
        "nationality": _span(layout.nationality),
        "birth_date": _span(layout.birth),
        "sex": Span(sex_line + 1, sex_at + 1, sex_at + 1),
        "expiry_date": _span(layout.expiry),
        "optional_data": _span(layout.optional[0]),
    }
    if layout.composite is not None:
        line, at = layout.composite
        spans["composite"] = Span(line + 1, at + 1, at + 1)
    return spans


# Where each field sits, per format: computed once, shared read-only by every parse.
SPANS: dict[str, dict[str, Span]] = {kind: _layout_spans(lay) for kind, lay in LAYOUTS.items()}


def _digit(
    lines: list[str],
    name: str,
    over: str,
    at: tuple[int, int],
    span: Span,
    *,
    filler_ok: bool = False,
) -> DigitCheck:
    found = lines[at[0]][at[1]]
    expected = check_digit(over)
    ok = found == expected or (filler_ok and found == FILLER and set(over) <= {FILLER})
    return DigitCheck(name, ok, expected, found, span, over)


def parse_name(field_text: str) -> tuple[str, str, bool]:
    """(surname, given names, possibly truncated) from a name field: ``<<`` separates the
    primary from the secondary identifier, ``<`` the words within each."""
    primary, _, secondary = field_text.partition("<<")
    surname = " ".join(p for p in primary.split("<") if p)
    given = " ".join(p for p in secondary.split("<") if p)
    truncated = not field_text.endswith(FILLER)
    return surname, given, truncated


def parse(text: str) -> Mrz:
    """Parse and verify check digits. Syntax problems raise MrzSyntaxError; a wrong check digit
    does not raise: it is reported in ``digit_checks``."""
    lines = split_lines(text)
    kind = detect_format(lines)
    layout = LAYOUTS[kind]
    checks: list[DigitCheck] = []
    spans = SPANS[kind]

    number_raw = _cut(lines, layout.number)
    number_check_at = (layout.number[0], layout.number[2])
    optional = [_cut(lines, where) for where in layout.optional]
    number = number_raw.rstrip(FILLER)
    long_number = kind in ("TD1", "TD2") and lines[number_check_at[0]][number_check_at[1]] == FILLER
    if long_number and optional[0].strip(FILLER):
        # Doc 9303: a number over 9 characters continues in the optional data, its check digit last.
        overflow = optional[0].split(FILLER, 1)[0]
        number = number_raw + overflow[:-1]
        where = layout.optional[0]
        at = (where[0], where[1] + len(overflow) - 1)
        checks.append(_digit(lines, "document_number", number, at, spans["document_number"]))
        optional[0] = optional[0][len(overflow) :]
    else:
        checks.append(
            _digit(lines, "document_number", number_raw, number_check_at, spans["document_number"])
        )
    for name, where in (("birth_date", layout.birth), ("expiry_date", layout.expiry)):
        checks.append(_digit(lines, name, _cut(lines, where), (where[0], where[2]), spans[name]))
    if layout.optional_check is not None:
        where = layout.optional[0]
        checks.append(
            _digit(
                lines,
                "optional_data",
                _cut(lines, where),
                layout.optional_check,
                spans["optional_data"],
                filler_ok=True,
            )
        )
    if layout.composite is not None:
        over = "".join(_cut(lines, part) for part in layout.composite_parts)
        at = layout.composite
        checks.append(_digit(lines, "composite", over, at, spans["composite"]))

    surname, given, truncated = parse_name(_cut(lines, layout.name))
    sex = lines[layout.sex[0]][layout.sex[1]]
    return Mrz(
        format=kind,
        lines=tuple(lines),
        document_code=lines[0][0:2].rstrip(FILLER),
        issuer=lines[0][2:5].rstrip(FILLER),
        surname=surname,
        given_names=given,
        name_truncated=truncated,
        document_number=number,
        nationality=_cut(lines, layout.nationality).rstrip(FILLER),
        birth_date=_cut(lines, layout.birth),
        sex="X" if sex == FILLER else sex,
        expiry_date=_cut(lines, layout.expiry),
        optional_data=optional[0].strip(FILLER),
        optional_data_2=optional[1].strip(FILLER) if len(optional) > 1 else "",
        digit_checks=checks,
        spans=spans,
    )


# --- OCR-tolerant reading -------------------------------------------------------------------

_TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "I": "1",
    "L": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
}
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
_MAX_AMBIGUOUS = 10


@dataclass(frozen=True)
class Correction:
    line: int
    position: int
    was: str
    now: str
    reason: str


def _numeric_positions(layout: Layout) -> list[tuple[int, int]]:
    """Positions that can only hold digits (or a filler): dates and check digits."""
    spots = []
    for where in (layout.birth, layout.expiry):
        spots += [(where[0], i) for i in range(where[1], where[2] + 1)]
    spots.append((layout.number[0], layout.number[2]))
    for at in (layout.optional_check, layout.composite):
        if at is not None:
            spots.append(at)
    return spots


def _alpha_positions(layout: Layout) -> list[tuple[int, int]]:
    """Positions that can only hold letters (or a filler): codes, nationality, sex, the name."""
    spots = [(0, i) for i in range(0, 5)]
    spots += [
        (layout.nationality[0], i) for i in range(layout.nationality[1], layout.nationality[2])
    ]
    spots.append(layout.sex)
    line, start, end = layout.name
    spots += [(line, i) for i in range(start, end)]
    return spots


def parse_tolerant(text: str) -> tuple[Mrz, list[Correction]]:
    """Parse, correcting the usual OCR confusions (0/O, 1/I, 5/S, 8/B, 2/Z, ...) where the field
    type demands it, and in document numbers only when the corrected text makes its check digit
    pass and exactly one correction does. Every change is returned with its reason."""
    raw = [
        line.strip().upper().replace(" ", "") for line in text.strip().splitlines() if line.strip()
    ]
    lines = split_lines("\n".join(raw))
    kind = detect_format(lines)
    layout = LAYOUTS[kind]
    grid = [list(line) for line in lines]
    corrections: list[Correction] = []
    rules = (
        (_numeric_positions(layout), _TO_DIGIT, "dates and check digits are digits"),
        (_alpha_positions(layout), _TO_LETTER, "codes and names have no digits"),
    )
    for spots, table, reason in rules:
        for line, pos in spots:
            char = grid[line][pos]
            if char in table:
                grid[line][pos] = table[char]
                corrections.append(Correction(line + 1, pos + 1, char, table[char], reason))
    corrections += _fix_document_number(grid, layout)
    mrz = parse("\n".join("".join(row) for row in grid))
    return mrz, corrections


def _fix_document_number(grid: list[list[str]], layout: Layout) -> list[Correction]:
    line, start, end = layout.number
    field_chars = grid[line][start:end]
    digit = grid[line][end]
    if not digit.isdecimal() or check_digit("".join(field_chars)) == digit:
        return []
    spots = [i for i, c in enumerate(field_chars) if c in _TO_DIGIT or c in _TO_LETTER]
    if not spots or len(spots) > _MAX_AMBIGUOUS:
        return []
    fixes: list[list[str]] = []
    # Fewest changes first: accept the smallest correction only if it is the only one of its size.
    for size in range(1, len(spots) + 1):
        for chosen_spots in itertools.combinations(spots, size):
            candidate = list(field_chars)
            for i in chosen_spots:
                c = candidate[i]
                candidate[i] = _TO_DIGIT.get(c) or _TO_LETTER[c]
            if check_digit("".join(candidate)) == digit:
                fixes.append(candidate)
        if fixes:
            break
    if len(fixes) != 1:
        return []  # none, or several equally good: do not guess
    chosen = fixes[0]
    changes = []
    for i, (was, now) in enumerate(zip(field_chars, chosen, strict=True)):
        if was != now:
            grid[line][start + i] = now
            changes.append(
                Correction(
                    line + 1,
                    start + i + 1,
                    was,
                    now,
                    "the only change that makes the document number's check digit pass",
                )
            )
    return changes
