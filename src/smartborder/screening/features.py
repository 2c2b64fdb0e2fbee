"""The matcher's evidence: a declared list of features, each graded into documented levels.

Every level carries a weight in log-odds (Fellegi-Sunter style: how much more often the level is
seen in true matches than in chance pairs). A hit's score is ``sigmoid(PRIOR + sum of weights)``,
a number in [0, 1], and its explanation is the list of levels with their weights, so an analyst
sees why a traveller hit and can defend or reject it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from smartborder.screening.names import name_similarity

PRIOR = -5.0  # log-odds that two records picked as candidates are the same person, before evidence


@dataclass(frozen=True, slots=True)
class Identity:
    """What the matcher compares: a lookout's subject or a screened traveller."""

    names: tuple[tuple[str, ...], ...] = ()  # each name as tokens (screening.names.tokens)
    birth: tuple[int, int, int] | None = None  # (year, month or 0, day or 0)
    sex: str | None = None  # M, F or X
    nationalities: frozenset[str] = frozenset()  # ICAO codes
    documents: tuple[str, ...] = ()  # document numbers, upper case, no separators


@dataclass(frozen=True)
class Level:
    name: str
    weight: float
    meaning: str


@dataclass(frozen=True)
class Feature:
    name: str
    meaning: str
    levels: tuple[Level, ...]

    def level(self, name: str) -> Level:
        return next(level for level in self.levels if level.name == name)


@dataclass(frozen=True)
class Evidence:
    feature: str
    level: str
    weight: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "level": self.level,
            "weight": self.weight,
            "detail": self.detail,
        }


NAME = Feature(
    "name",
    "Best token-aligned similarity between any of the subject's names and any of the lookout's "
    "names and aliases: reordered words, dropped middle names, initials, compound surnames, "
    "typos, phonetic spellings and transliterations (ICAO Latin and consonant skeletons).",
    (
        Level("exact", 6.0, "the same words (order aside): similarity >= 0.98"),
        Level("strong", 4.5, "one spelling or transliteration apart: >= 0.93"),
        Level("close", 4.0, "typos, sound-alike words or an initial: >= 0.85"),
        Level("weak", 1.0, "some words alike: >= 0.75"),
        Level("different", -4.0, "the names do not match"),
        Level("none", 0.0, "one side has no name (a document lookout)"),
    ),
)
BIRTH = Feature(
    "birth_date",
    "Dates of birth, full or partial (year, year and month), compared part by part.",
    (
        Level("exact", 5.0, "the same full date"),
        Level("day-month-swapped", 3.0, "day and month exchanged (01-02 vs 02-01)"),
        Level(
            "one-part-off",
            2.5,
            "full dates equal but for a typo in one part: the year one "
            "off, or one digit of the month or day",
        ),
        Level("two-parts-agree", -2.0, "full dates agree in two parts; the third is not a typo"),
        Level("agrees-to-month", 2.5, "year and month agree; a day is unknown on one side"),
        Level("agrees-to-year", 2.0, "the year agrees; month or day unknown on one side"),
        Level("year-off-by-one", 0.0, "years one apart, the rest unknown"),
        Level("unknown", 0.0, "no date of birth on one side"),
        Level("conflicting", -6.0, "the dates cannot be the same person's"),
    ),
)
SEX = Feature(
    "sex",
    "Sex as on the travel document (M, F, X).",
    (
        Level("same", 0.3, "the same"),
        Level("unknown", 0.0, "unknown or X on one side"),
        Level("different", -3.0, "M against F"),
    ),
)
NATIONALITY = Feature(
    "nationality",
    "Nationalities (ICAO codes); people may hold several.",
    (
        Level("shared", 0.5, "at least one in common"),
        Level("unknown", 0.0, "none given on one side"),
        Level("different", -1.0, "none in common"),
    ),
)
DOCUMENT = Feature(
    "document",
    "Travel document numbers, exactly or as an OCR misreading would give them (0/O/Q/D, 1/I/L, "
    "2/Z, 5/S, 6/G, 8/B).",
    (
        Level("same", 8.0, "the same document number"),
        Level("ocr-confusable", 6.0, "the same number read with OCR-confusable characters"),
        Level("none", 0.0, "no document number in common"),
    ),
)
FEATURES = (NAME, BIRTH, SEX, NATIONALITY, DOCUMENT)

_OCR = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5",
                      "G": "6", "B": "8"})  # fmt: skip


def ocr_fold(number: str) -> str:
    """A document number as OCR would confuse it: one form for 0/O/Q/D, 1/I/L, 2/Z, ..."""
    return number.translate(_OCR)


def score(query: Identity, listed: Identity) -> tuple[float, list[Evidence]]:
    """The calibrated score of ``listed`` against ``query`` and the evidence for it."""
    evidence = [
        _name(query, listed),
        _birth(query.birth, listed.birth),
        _sex(query.sex, listed.sex),
        _nationality(query.nationalities, listed.nationalities),
        _document(query.documents, listed.documents),
    ]
    logit = PRIOR + sum(e.weight for e in evidence)
    return 1.0 / (1.0 + math.exp(-logit)), evidence


def _evidence(feature: Feature, level: str, detail: str) -> Evidence:
    return Evidence(feature.name, level, feature.level(level).weight, detail)


def _name(query: Identity, listed: Identity) -> Evidence:
    if not query.names or not listed.names:
        return _evidence(NAME, "none", "no name to compare")
    best, account = 0.0, ""
    for q in query.names:
        for c in listed.names:
            value, how = name_similarity(q, c)
            if value > best or not account:
                best, account = value, f"{' '.join(q)} ~ {' '.join(c)}: {how}"
    for threshold, level in ((0.98, "exact"), (0.93, "strong"), (0.85, "close"), (0.75, "weak")):
        if best >= threshold:
            return _evidence(NAME, level, f"{best:.2f} ({account})")
    return _evidence(NAME, "different", f"{best:.2f} ({account})")


def _fmt(birth: tuple[int, int, int]) -> str:
    y, m, d = birth
    return f"{y:04d}-{m:02d}-{d:02d}" if d else (f"{y:04d}-{m:02d}" if m else f"{y:04d}")


def birth_level(q: tuple[int, int, int] | None, c: tuple[int, int, int] | None) -> str:
    """Grade two dates of birth (a level of BIRTH)."""
    if q is None or c is None:
        return "unknown"
    (qy, qm, qd), (cy, cm, cd) = q, c
    if abs(qy - cy) > 1:
        return "conflicting"
    full = qm and qd and cm and cd
    if full:
        if q == c:
            return "exact"
        if qy == cy and (qm, qd) == (cd, cm):
            return "day-month-swapped"
        if sum((qy == cy, qm == cm, qd == cd)) == 2:
            typo = abs(qy - cy) == 1 or _one_digit(qm, cm) or _one_digit(qd, cd)
            return "one-part-off" if typo else "two-parts-agree"
        return "conflicting"
    if qm and cm and qm != cm and not (qd and cd and (qm, qd) == (cd, cm)):
        return "conflicting"
    if qy != cy:
        return "year-off-by-one" if not (qm and cm) else "conflicting"
    if qm and cm:
        if qd and cd and qd != cd:
            return "conflicting"
        return "agrees-to-month"
    return "agrees-to-year"


def _one_digit(a: int, b: int) -> bool:
    """01 vs 07, 12 vs 02: two-digit numbers that differ in exactly one digit."""
    return a != b and (a // 10 == b // 10 or a % 10 == b % 10)


def _birth(q: tuple[int, int, int] | None, c: tuple[int, int, int] | None) -> Evidence:
    level = birth_level(q, c)
    detail = f"{_fmt(q)} vs {_fmt(c)}" if q and c else "not given on one side"
    return _evidence(BIRTH, level, detail)


def _sex(q: str | None, c: str | None) -> Evidence:
    if q not in ("M", "F") or c not in ("M", "F"):
        return _evidence(SEX, "unknown", f"{q or '-'} vs {c or '-'}")
    return _evidence(SEX, "same" if q == c else "different", f"{q} vs {c}")


def _nationality(q: frozenset[str], c: frozenset[str]) -> Evidence:
    if not q or not c:
        return _evidence(NATIONALITY, "unknown", "not given on one side")
    common = q & c
    level = "shared" if common else "different"
    return _evidence(
        NATIONALITY,
        level,
        ", ".join(sorted(common)) or f"{'/'.join(sorted(q))} vs {'/'.join(sorted(c))}",
    )


def _document(q: tuple[str, ...], c: tuple[str, ...]) -> Evidence:
    for number in q:
        if number in c:
            return _evidence(DOCUMENT, "same", number)
    folded = {ocr_fold(n): n for n in c}
    for number in q:
        if ocr_fold(number) in folded:
            return _evidence(DOCUMENT, "ocr-confusable", f"{number} vs {folded[ocr_fold(number)]}")
    return _evidence(DOCUMENT, "none", "")
