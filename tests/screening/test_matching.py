"""The matcher: names, dates, documents, each hit explained; the index follows changes."""

from __future__ import annotations

import pytest

from smartborder.screening.features import FEATURES, birth_level, score
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import Matcher, Thresholds
from smartborder.screening.names import name_similarity, skeleton, tokens
from smartborder.screening.subject import make_identity


def entry(lookout_id: str, names: list[str], birth: str | None = None, **kw: object) -> Entry:
    return Entry(
        lookout_id,
        str(kw.pop("category", "serious-crime")),
        "local",
        int(kw.pop("version", 1)),  # type: ignore[call-overload]
        make_identity(names, birth, **kw),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("MOHAMMED", "MUHAMMAD"),
        ("ALEKSANDR", "ALEXANDER"),
        ("TCHAIKOVSKY", "CHAYKOVSKIY"),
        ("MXHMD", "MOHAMED"),  # ICAO's transliteration of محمد
    ],
)
def test_spellings_and_transliterations_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(
    ("query", "listed", "at_least"),
    [
        ("Smith John Paul", "John Paul Smith", 0.98),  # reordered
        ("John Smith", "John Paul Smith", 0.93),  # middle name dropped
        ("Jean de la Fontaine", "Jean Fontaine", 0.9),  # particles
        ("J. Smith", "John Smith", 0.85),  # initial
        ("Jon Smiht", "John Smith", 0.85),  # typos
        ("Mohamed Haddad", "محمد حداد", 0.85),  # script and spelling
        ("Ivanov Sergei", "Сергей Иванов", 0.98),  # Cyrillic, ICAO transliteration
    ],
)
def test_name_variants_stay_close(query: str, listed: str, at_least: float) -> None:
    value, _ = name_similarity(tokens(query), tokens(listed))
    assert value >= at_least


@pytest.mark.parametrize(
    ("query", "listed"),
    [("John Smith", "Jane Smyth"), ("Li Na", "Lu Na"), ("Smith", "John Smith")],
)
def test_different_people_are_not_close(query: str, listed: str) -> None:
    value, _ = name_similarity(tokens(query), tokens(listed))
    assert value < 0.85


@pytest.mark.parametrize(
    ("q", "c", "level"),
    [
        ((1980, 5, 17), (1980, 5, 17), "exact"),
        ((1980, 5, 7), (1980, 7, 5), "day-month-swapped"),
        ((1980, 5, 17), (1980, 5, 18), "one-part-off"),
        ((1981, 5, 17), (1980, 5, 17), "one-part-off"),
        ((1980, 5, 17), (1980, 7, 17), "one-part-off"),  # 05 vs 07: one digit
        ((1980, 5, 17), (1980, 5, 28), "two-parts-agree"),  # not a typo of one digit
        ((1980, 3, 17), (1980, 12, 17), "two-parts-agree"),
        ((1980, 0, 0), (1980, 5, 17), "agrees-to-year"),
        ((1980, 5, 0), (1980, 5, 17), "agrees-to-month"),
        ((1981, 0, 0), (1980, 5, 17), "year-off-by-one"),
        ((1980, 5, 17), (1990, 5, 17), "conflicting"),
        ((1980, 5, 17), (1980, 9, 2), "conflicting"),
        (None, (1980, 5, 17), "unknown"),
    ],
)
def test_dates_of_birth_are_graded(
    q: tuple[int, int, int] | None, c: tuple[int, int, int], level: str
) -> None:
    assert birth_level(q, c) == level


def test_every_hit_is_explained_feature_by_feature() -> None:
    query = make_identity(["Jon Smith"], "1980-05-17", "M", ["CAN"], ["AB123456"])
    listed = make_identity(["John Smith"], "1980-05-17", "M", ["CAN"], ["AB123456"])
    value, evidence = score(query, listed)
    assert value > 0.99
    assert [e.feature for e in evidence] == [f.name for f in FEATURES]
    assert all(e.weight > 0 for e in evidence)


def test_the_same_name_with_another_date_of_birth_does_not_hit() -> None:
    value, evidence = score(
        make_identity(["John Smith"], "1980-05-17"), make_identity(["John Smith"], "1962-11-02")
    )
    assert value < 0.1
    assert evidence[1].level == "conflicting"


def test_an_ocr_misread_document_number_hits() -> None:
    index = LookoutIndex()
    index.build([entry("doc", [], documents=["AB1234567"], category="lost-stolen-document")])
    hits = Matcher(index, Thresholds(0.7, {})).screen(make_identity([], documents=["A81234S67"]))
    assert [h.entry.lookout_id for h in hits] == ["doc"]
    assert hits[0].evidence[4].level == "ocr-confusable"


def test_the_index_follows_additions_amendments_and_removals() -> None:
    index = LookoutIndex()
    index.build([entry("a", ["Anna Kowalska"], "1975-03-02")])
    matcher = Matcher(index, Thresholds(0.7, {}))
    query = make_identity(["Ivan Petrov"], "1969-12-01")
    assert matcher.screen(query) == []
    index.upsert(entry("b", ["Иван Петров"], "1969-12-01"))
    assert [h.entry.lookout_id for h in matcher.screen(query)] == ["b"]
    index.upsert(entry("b", ["Olga Petrova"], "1969-12-01", version=2))  # amended
    assert matcher.screen(query) == []
    index.upsert(entry("b", ["Ivan Petrov"], "1969-12-01", version=3))
    index.remove("b")
    assert matcher.screen(query) == []
    assert len(index) == 1


def test_thresholds_are_per_category() -> None:
    index = LookoutIndex()
    index.build(
        [
            entry("t", ["Karim Haddad"], category="terrorism"),
            entry("c", ["Karim Haddad"], category="customs"),
        ]
    )
    query = make_identity(["Karim Haddad"])  # no date of birth: name evidence alone
    strict = Matcher(index, Thresholds(0.7, {"customs": 0.95, "terrorism": 0.5}))
    assert [h.entry.lookout_id for h in strict.screen(query)] == ["t"]
