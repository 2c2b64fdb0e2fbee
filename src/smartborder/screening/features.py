"""The matcher's evidence: a declared list of features, each graded into documented levels.

Every level carries a weight in log-odds (Fellegi-Sunter style: how much more often the level is
seen in true matches than in chance pairs). A hit's score is ``sigmoid(PRIOR + sum of weights)``,
a number in [0, 1], and its explanation is the list of levels with their weights, so an analyst
sees why a traveller hit and can defend or reject it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from smartborder.screening.names import name_similarity, respelt
from smartborder.screening.prefilter import may_resemble

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
        return _LEVELS[self.name, name]


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
        Level("strong", 5.3, "one spelling or transliteration apart: >= 0.93"),
        Level("close", 4.0, "typos, sound-alike words or an initial: >= 0.85"),
        Level(
            "look-alike",
            2.5,
            ">= 0.85, but every word that differs is itself a name on the list (TRONG and "
            "TRUNG, DANG and DUONG; not mere spellings of one name, CHRISTINA and KRISTINA): "
            "more likely another person's name than a misspelling",
        ),
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
        Level("year-typo", 2.5, "full dates equal but for the year, one off (1980 vs 1981)"),
        Level(
            "digit-typo",
            1.0,
            "full dates equal but for one digit of the month or day (05-17 vs 05-18); weighs "
            "less than a year typo, as unrelated dates agree that way far more often",
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
        Level("same", 0.6, "the same"),
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
_LEVELS = {(f.name, level.name): level for f in FEATURES for level in f.levels}
_WEIGHTS = {f.name: {level.name: level.weight for level in f.levels} for f in FEATURES}

_OCR = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5",
                      "G": "6", "B": "8"})  # fmt: skip


def ocr_fold(number: str) -> str:
    """A document number as OCR would confuse it: one form for 0/O/Q/D, 1/I/L, 2/Z, ..."""
    return number.translate(_OCR)


class Vocabulary(Protocol):
    """The name words on the list, to tell a misspelling from another person's name."""

    def known(self, word: str, *, listed: bool) -> bool:
        """Whether ``word`` is a name on the list; of a listed name's own words, whether
        another lookout has it too."""
        ...


def score(
    query: Identity,
    listed: Identity,
    words: Vocabulary | None = None,
    *,
    explain: bool = True,
    at_least: float | None = None,
) -> tuple[float, list[Evidence]]:
    """The calibrated score of ``listed`` against ``query`` and the evidence for it (none
    when ``explain`` is false: screening explains only the hits). With ``at_least``, a pair
    that could not reach it whatever its names is not compared by name, and the value
    returned is only known to be below ``at_least``; one that could reach it only with names
    at least so alike (``NAME_FLOORS``: 0.93 where only a strong name would do) is compared
    only when ``prefilter`` says they may be."""
    if not explain:  # the levels alone, without building the details (most pairs stop here)
        logit = PRIOR + (
            _WEIGHTS[BIRTH.name][birth_level(query.birth, listed.birth)]
            + _WEIGHTS[SEX.name][_sex_level(query.sex, listed.sex)]
            + _WEIGHTS[NATIONALITY.name][
                _nationality_level(query.nationalities, listed.nationalities)
            ]
            + _WEIGHTS[DOCUMENT.name][_document(query.documents, listed.documents)[1]]
        )
        if at_least is not None:
            need = _need(logit, at_least)
            if need > 1.0:
                return _sigmoid(logit + _BEST_NAME), []
            if need and not may_resemble(query.names, listed.names, need):
                # below: the name level cannot reach it
                return _sigmoid(logit + _WEIGHTS[NAME.name]["different"]), []
        return _sigmoid(logit + _WEIGHTS[NAME.name][_name(query, listed, words, False)[1]]), []
    rest = (
        _birth(query.birth, listed.birth, explain),
        _sex(query.sex, listed.sex),
        _nationality(query.nationalities, listed.nationalities, explain),
        _document(query.documents, listed.documents),
    )
    logit = PRIOR + sum(_LEVELS[feature.name, level].weight for feature, level, _ in rest)
    if at_least is not None and _sigmoid(logit + _BEST_NAME) < at_least:
        return _sigmoid(logit + _BEST_NAME), []
    name = _name(query, listed, words, explain)
    value = _sigmoid(logit + _LEVELS[NAME.name, name[1]].weight)
    if not explain:
        return value, []
    return value, [
        Evidence(feature.name, level, _LEVELS[feature.name, level].weight, detail)
        for feature, level, detail in (name, *rest)
    ]


def names_only(query: Identity, listed: Identity) -> bool:
    """Whether the pair has nothing but names to go on: no date of birth on one side and no
    document number in common (judged at the names-only operating point)."""
    if query.birth is not None and listed.birth is not None:
        return False
    return _document(query.documents, listed.documents)[1] == "none"


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


_BEST_NAME = max(level.weight for level in NAME.levels)
# The least name similarity of each level above "different" (see ``_name``).
NAME_FLOORS = (("exact", 0.98), ("strong", 0.93), ("close", 0.85), ("look-alike", 0.85),
               ("weak", 0.75))  # fmt: skip


def _weight(level: str) -> float:
    return _WEIGHTS[NAME.name][level]


@lru_cache(maxsize=4096)
def _need(logit: float, at_least: float) -> float:
    """The least name similarity with which a pair whose other features sum to ``logit``
    reaches ``at_least``: 0 when any name would (even "different"), more than 1 when none
    would. The other features take few values, so this is asked of a handful of sums."""
    if _sigmoid(logit + _BEST_NAME) < at_least:
        return 2.0
    if _sigmoid(logit + _weight("different")) >= at_least:
        return 0.0
    return min(f for level, f in NAME_FLOORS if _sigmoid(logit + _weight(level)) >= at_least)


def weights(feature: Feature) -> dict[str, float]:
    """Each level of ``feature`` and its weight."""
    return dict(_WEIGHTS[feature.name])


def least_to_reach(cutoff: float) -> float:
    """The least sum of the weights of date of birth, sex and nationality from which a pair
    sharing no document could still reach ``cutoff`` with the best name."""
    if cutoff <= 0:
        return -math.inf
    if cutoff >= 1:
        return math.inf
    best_name, no_document = _BEST_NAME, _WEIGHTS[DOCUMENT.name]["none"]
    return math.log(cutoff / (1 - cutoff)) - PRIOR - best_name - no_document


Graded = tuple[Feature, str, str]  # the feature, its level, the detail that explains it


def _name(query: Identity, listed: Identity, words: Vocabulary | None, explain: bool) -> Graded:
    if not query.names or not listed.names:
        return NAME, "none", "no name to compare"
    best, found = -1.0, None
    pair: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    for q in query.names:
        for c in listed.names:
            match = name_similarity(q, c)
            if match.value > best:
                best, found, pair = match.value, match, (q, c)
            if best >= 1.0:
                break  # no other pair of names can do better
    assert found is not None
    detail = ""
    if explain:
        detail = f"{best:.2f} ({' '.join(pair[0])} ~ {' '.join(pair[1])}: {found.account})"
    if best >= 0.85 and words is not None:
        variants = found.variants
        if (
            variants
            # not mere spellings of one name (KRISTINA/CHRISTINA; JANG/YANG are two)
            and any(respelt(a) != respelt(b) for a, b in variants)
            and all(
                words.known(a, listed=False) and words.known(b, listed=True) for a, b in variants
            )
        ):
            if explain:
                others = ", ".join(f"{a}/{b}" for a, b in variants)
                detail = f"{detail}; both names on the list: {others}"
            return NAME, "look-alike", detail
    for level, threshold in NAME_FLOORS:
        if level != "look-alike" and best >= threshold:
            return NAME, level, detail
    return NAME, "different", detail


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
            if abs(qy - cy) == 1:
                return "year-typo"
            typo = _one_digit(qm, cm) or _one_digit(qd, cd)
            return "digit-typo" if typo else "two-parts-agree"
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


def _birth(q: tuple[int, int, int] | None, c: tuple[int, int, int] | None, explain: bool) -> Graded:
    level = birth_level(q, c)
    if not explain:
        return BIRTH, level, ""
    return BIRTH, level, f"{_fmt(q)} vs {_fmt(c)}" if q and c else "not given on one side"


def _sex_level(q: str | None, c: str | None) -> str:
    if q not in ("M", "F") or c not in ("M", "F"):
        return "unknown"
    return "same" if q == c else "different"


def _sex(q: str | None, c: str | None) -> Graded:
    level = _sex_level(q, c)
    return SEX, level, f"{q or '-'} vs {c or '-'}" if level == "unknown" else f"{q} vs {c}"


def _nationality_level(q: frozenset[str], c: frozenset[str]) -> str:
    if not q or not c:
        return "unknown"
    return "different" if q.isdisjoint(c) else "shared"


def _nationality(q: frozenset[str], c: frozenset[str], explain: bool) -> Graded:
    level = _nationality_level(q, c)
    if level == "unknown":
        return NATIONALITY, "unknown", "not given on one side"
    if not explain:
        return NATIONALITY, level, ""
    common = q & c
    detail = ", ".join(sorted(common)) or f"{'/'.join(sorted(q))} vs {'/'.join(sorted(c))}"
    return NATIONALITY, level, detail


def _document(q: tuple[str, ...], c: tuple[str, ...]) -> Graded:
    if not q or not c:
        return DOCUMENT, "none", ""
    for number in q:
        if number in c:
            return DOCUMENT, "same", number
    folded = {ocr_fold(n): n for n in c}
    for number in q:
        if ocr_fold(number) in folded:
            return DOCUMENT, "ocr-confusable", f"{number} vs {folded[ocr_fold(number)]}"
    return DOCUMENT, "none", ""
