"""Generating a valid MRZ from fields (ICAO Doc 9303), names in any script included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smartborder.errors import ValidationFailed
from smartborder.identity.dates import PartialDate
from smartborder.identity.mrz import FILLER, LAYOUTS, Format, check_digit
from smartborder.identity.names import normalise


@dataclass(frozen=True)
class MrzFields:
    format: Format
    document_code: str
    issuer: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: PartialDate
    sex: str
    expiry_date: dt.date
    optional_data: str = ""
    optional_data_2: str = ""


def mrz_name_field(surname: str, given_names: str, width: int) -> str:
    """The name field: primary ``<<`` secondary identifier, words joined by ``<``, in ICAO Latin.

    Too long a name is truncated as Doc 9303 Part 3 allows: the secondary identifier loses
    characters from its end first (keeping at least its initial), then the primary identifier;
    a truncated field is filled to its last position, which is how readers recognise truncation.
    """
    primary = normalise(surname).replace(" ", FILLER)
    secondary = normalise(given_names).replace(" ", FILLER)
    if not primary:
        raise ValidationFailed(
            "a surname (primary identifier) is required",
            details=[{"field": "surname", "problem": "empty after transliteration"}],
        )
    full = f"{primary}<<{secondary}" if secondary else primary
    if len(full) <= width:
        return full.ljust(width, FILLER)
    # Shorten the primary identifier only as far as needed for the field to end in a letter.
    for trim in range(4 if secondary else 0):
        head = primary[: len(primary) - trim].rstrip(FILLER)
        room = width - len(head) - 2
        if room < 1:
            break
        kept = secondary[:room]
        if kept.endswith(FILLER) and len(kept) >= 3 and kept[-3] != FILLER:
            # Shorten the previous word by one and keep the next word's initial instead.
            kept = kept[:-2] + FILLER + secondary[room]
        if kept.endswith(FILLER):  # the word before is an initial: shorten a longer one
            kept = _shortened(secondary, room)
        # a truncated field is full and ends in a letter, or readers take it as complete
        if len(kept) == room and not kept.endswith(FILLER):
            return f"{head}<<{kept}"
    if secondary:
        return f"{primary[: width - 3]}<<{secondary[0]}"
    return primary[:width]


def _shortened(words: str, room: int) -> str:
    """``words`` (joined by fillers) cut to ``room`` characters by taking letters off the end
    of the last word longer than an initial, then the one before (AAAA<A<A to AAA<A<A);
    shorter than ``room`` only if every word is an initial already."""
    parts = words.split(FILLER)
    while len(FILLER.join(parts)) > room:
        longer = [i for i, part in enumerate(parts) if len(part) > 1]
        if longer:
            parts[longer[-1]] = parts[longer[-1]][:-1]
        else:
            parts.pop()
    return FILLER.join(parts)


def _code(value: str, width: int, name: str) -> str:
    value = value.upper()
    if not value or len(value) > width or not all(c.isalnum() or c == FILLER for c in value):
        raise ValidationFailed(
            f"{name} must be 1-{width} of A-Z 0-9",
            details=[{"field": name, "problem": f"1-{width} of A-Z 0-9"}],
        )
    return value.ljust(width, FILLER)


def _digit_filler(text: str) -> str:
    return FILLER if set(text) <= {FILLER} else check_digit(text)


def make(fields: MrzFields) -> str:
    """The MRZ lines for ``fields``, every check digit computed."""
    layout = LAYOUTS[fields.format]
    lines = [[FILLER] * layout.length for _ in range(layout.lines)]

    def put(line: int, start: int, text: str) -> None:
        lines[line][start : start + len(text)] = list(text)

    put(0, 0, _code(fields.document_code, 2, "document_code"))
    put(0, 2, _code(fields.issuer, 3, "issuer"))
    name_line, name_start, name_end = layout.name
    put(
        name_line,
        name_start,
        mrz_name_field(fields.surname, fields.given_names, name_end - name_start),
    )
    number = fields.document_number.upper()
    line, start, end = layout.number
    optional = fields.optional_data.upper()
    if len(number) > end - start:
        if fields.format not in ("TD1", "TD2"):
            raise ValidationFailed(
                f"a {fields.format} document number has at most 9 characters",
                details=[{"field": "document_number", "problem": "longer than 9"}],
            )
        put(line, start, number[:9])
        put(line, end, FILLER)
        optional = number[9:] + check_digit(number) + FILLER + optional
    else:
        put(line, start, _code(number, 9, "document_number"))
        put(line, end, check_digit(number.ljust(9, FILLER)))
    put(layout.nationality[0], layout.nationality[1], _code(fields.nationality, 3, "nationality"))
    birth = fields.birth_date.to_mrz()
    put(layout.birth[0], layout.birth[1], birth)
    put(layout.birth[0], layout.birth[2], check_digit(birth))
    put(layout.sex[0], layout.sex[1], {"X": FILLER}.get(fields.sex, fields.sex))
    expiry = fields.expiry_date.strftime("%y%m%d")
    put(layout.expiry[0], layout.expiry[1], expiry)
    put(layout.expiry[0], layout.expiry[2], check_digit(expiry))
    extras = [optional, fields.optional_data_2.upper()]
    for where, text in zip(layout.optional, extras, strict=False):
        width = where[2] - where[1]
        if len(text) > width:
            raise ValidationFailed(
                f"optional data longer than its {width} positions",
                details=[{"field": "optional_data", "problem": f"at most {width} characters"}],
            )
        put(where[0], where[1], text.ljust(width, FILLER))
    if layout.optional_check is not None:
        where = layout.optional[0]
        put(
            layout.optional_check[0],
            layout.optional_check[1],
            _digit_filler("".join(lines[where[0]][where[1] : where[2]])),
        )
    if layout.composite is not None:
        over = "".join("".join(lines[p[0]][p[1] : p[2]]) for p in layout.composite_parts)
        put(layout.composite[0], layout.composite[1], check_digit(over))
    return "\n".join("".join(line) for line in lines)
