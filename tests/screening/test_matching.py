"""The matcher: names, dates, documents, each hit explained; the index follows changes."""

from __future__ import annotations

import pytest

from smartborder.screening.features import FEATURES, birth_level, score
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import Matcher, Thresholds, bar
from smartborder.screening.names import (
    _latin_similarity,
    name_similarity,
    skeleton,
    tokens,
)
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
        ("Smith John Paul", "John Paul Smith", 0.96),  # family name first
        ("John Smith", "John Paul Smith", 0.98),  # middle name dropped, word for word
        ("Jean de la Fontaine", "Jean Fontaine", 0.9),  # particles
        ("J. Smith", "John Smith", 0.85),  # initial
        ("Jon Smiht", "John Smith", 0.85),  # typos
        ("Mohamed Haddad", "محمد حداد", 0.85),  # script and spelling
        ("Ivanov Sergei", "Сергей Иванов", 0.98),  # Cyrillic, ICAO transliteration
    ],
)
def test_name_variants_stay_close(query: str, listed: str, at_least: float) -> None:
    value = name_similarity(tokens(query), tokens(listed)).value
    assert value >= at_least


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("John Smith", "Jane Smyth"),
        ("Li Na", "Lu Na"),
        ("Smith", "John Smith"),
        ("Dandan Song", "Dandan Tong"),  # SONG/TONG: one letter, but another surname
        ("Angelica Guajardo", "Amelia Guajardo"),
    ],
)
def test_different_people_are_not_close(query: str, listed: str) -> None:
    value = name_similarity(tokens(query), tokens(listed)).value
    assert value < 0.85


@pytest.mark.parametrize(
    ("q", "c", "level"),
    [
        ((1980, 5, 17), (1980, 5, 17), "exact"),
        ((1980, 5, 7), (1980, 7, 5), "day-month-swapped"),
        ((1980, 5, 17), (1980, 5, 18), "digit-typo"),
        ((1981, 5, 17), (1980, 5, 17), "year-typo"),
        ((1980, 5, 17), (1980, 7, 17), "digit-typo"),  # 05 vs 07: one digit
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
    strict = Matcher(
        index,
        Thresholds(
            0.7, {}, names_only=0.7, names_only_by_category={"customs": 0.95, "terrorism": 0.5}
        ),
    )
    hits = strict.screen(query)
    assert [h.entry.lookout_id for h in hits] == ["t"]
    assert hits[0].names_only
    assert hits[0].as_dict()["operating_point"] == "names-only"
    # the full operating point is left alone by the names-only table, and the other way round
    dated = make_identity(["Karim Haddad"], birth="1970-01-01")
    index.build(
        [
            entry("t", ["Karim Haddad"], birth="1970-01-01", category="terrorism"),
            entry("c", ["Karim Haddad"], birth="1970-01-01", category="customs"),
        ]
    )
    full = Matcher(index, Thresholds(0.7, {"customs": 0.9999, "terrorism": 0.5}, names_only=0.99))
    hits = full.screen(dated)
    assert [h.entry.lookout_id for h in hits] == ["t"]
    assert not hits[0].names_only


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("YAN", "JAN", "sounds alike"),  # Slavic J, English Y
        ("WI", "VI", "sounds alike"),
        ("FUC", "PHUC", "sounds alike"),
        ("BD", "ABD", "sounds alike"),  # Arabic romanised without vowels
        ("TH", "XTTAHA", "sounds alike"),  # ... against ICAO's X-forms
        ("DUG", "DUNG", "spelling"),  # a letter dropped
        ("FUR", "FURA", "spelling"),
        ("HA", "HAN", "different"),  # too short to call a typo
        ("ZHANG", "YANG", "different"),  # pinyin ZH is not Y
    ],
)
def test_short_words_are_compared_by_sound_and_by_typos(a: str, b: str, how: str) -> None:
    assert _latin_similarity(a, b)[1] == how  # by their letters (the name tables aside)


def test_ayn_and_hamza_marks_vanish_from_names() -> None:
    assert tokens("`Ali Ma`mun") == tokens("Ali Mamun") == ("ALI", "MAMUN")


class Words:
    def __init__(self, *known: str) -> None:
        self.words = set(known)

    def known(self, word: str, *, listed: bool) -> bool:
        return word in self.words


def test_a_name_that_differs_by_another_listed_name_is_a_look_alike() -> None:
    query = make_identity(["Trong Bui"], sex="M")
    listed = make_identity(["Trung Bui"], sex="M")
    _, plain = score(query, listed)
    assert plain[0].level == "strong"
    value, evidence = score(query, listed, Words("TRONG", "TRUNG", "BUI"))
    assert evidence[0].level == "look-alike"
    assert "TRONG/TRUNG" in evidence[0].detail
    assert value < 0.5  # another person's name, and no date of birth to say otherwise
    typo, _ = score(make_identity(["Trnog Bui"], sex="M"), listed, Words("TRUNG", "BUI"))
    assert typo > 0.7  # TRNOG is no one's name: a misspelling of TRUNG
    # J and Y sound alike in a Slavic name, but JANG and YANG are two Korean family names
    _, korean = score(
        make_identity(["Jiyeong Jang"]), make_identity(["Jiyeong Yang"]),
        Words("JANG", "YANG", "JIYEONG"),
    )  # fmt: skip
    assert korean[0].level == "look-alike"


def test_the_index_knows_which_name_words_are_on_the_list() -> None:
    index = LookoutIndex()
    index.build([entry("a", ["Trung Bui"]), entry("b", ["Trung Le"])])
    assert index.known("TRUNG", listed=True)  # two lookouts have it
    assert index.known("BUI", listed=False)
    assert not index.known("BUI", listed=True)
    index.remove("b")
    assert not index.known("TRUNG", listed=True)
    index.upsert(entry("c", ["Trong Le"]))
    assert index.known("TRONG", listed=False)
    assert not index.known("TRUNG", listed=True)


def test_ties_on_a_common_name_go_to_the_closest_date_of_birth() -> None:
    index = LookoutIndex()
    crowd = [
        entry(f"n{i}", ["Nguyen Van Anh"], f"{1950 + i % 40}-01-{1 + i % 28:02d}")
        for i in range(300)
    ]
    index.build([*crowd, entry("truth", ["Nguyen Van Anh"], "1961-07-19")])
    found = [
        e.lookout_id for e in index.candidates(make_identity(["Nguyen Van Anh"], "1960-07-19"), 5)
    ]
    assert found[0] == "truth"  # year one off, day and month the same: ranked before 1960s


def test_an_initial_on_a_very_common_key_is_searched_by_year_of_birth() -> None:
    from smartborder.screening.index import MAX_POSTINGS

    index = LookoutIndex()
    crowd = [
        entry(f"d{i}", [f"Mohammed{i:05d} Dai"], f"{1940 + i % 20}-05-05")
        for i in range(MAX_POSTINGS + 500)
    ]
    index.build([*crowd, entry("truth", ["Mahmoud Dai"], "1975-03-04")])
    hits = Matcher(index, Thresholds(0.7, {})).screen(make_identity(["M. Dai"], "1975-03-04"))
    assert [h.entry.lookout_id for h in hits] == ["truth"]  # the key M+DAI has 4,500 lookouts


def test_a_large_build_leaves_its_entries_out_of_the_cycle_collectors_walks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from smartborder import collector
    from smartborder.screening import index as index_module

    monkeypatch.setattr(index_module, "SETTLE_AT", 3)
    small, large = LookoutIndex(), LookoutIndex()
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        small.build([entry("L1", ["Ana Silva"]), entry("L2", ["Bo Chen"])])
        assert gc.get_freeze_count() == before  # under the size: nothing frozen
        large.build([entry(f"L{n}", [f"Person Number{n}"]) for n in range(5)])
        assert gc.get_freeze_count() > before
        assert all(o is not large for o in gc.get_objects(generation=2))
        assert large.get("L4") is not None  # frozen, not lost
        assert gc.get_threshold()[2] >= collector.OLDEST_EVERY  # full collections rarer
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_a_key_shared_by_many_is_read_only_for_the_years_that_can_match() -> None:
    from smartborder.screening.index import NARROW_FROM

    index = LookoutIndex()
    crowd = [
        entry(f"n{i}", ["Nguyen Van Anh"], f"{1950 + i % 40}-01-{1 + i % 28:02d}")
        for i in range(max(300, NARROW_FROM * 2))
    ]
    unknown = [entry(f"u{i}", ["Nguyen Van Anh"]) for i in range(3)]
    index.build([*crowd, *unknown])
    index.upsert(entry("late", ["Nguyen Van Anh"], "1975-02-02"))  # beside the sorted arrays
    found = {
        e.lookout_id
        for e in index.candidates(make_identity(["Nguyen Van Anh"], "1960-07-19"), 10_000)
    }
    born = {e.lookout_id: e.identity.birth for e in [*crowd, *unknown]}
    could_match = {i for i, b in born.items() if b is None or abs(b[0] - 1960) <= 1}
    assert found == could_match  # the late one, born 1975, is ruled out as well
    assert len(could_match) > 3
    anyone = {e.lookout_id for e in index.candidates(make_identity(["Nguyen Van Anh"]), 10_000)}
    assert anyone == {*born, "late"}  # without a date of birth every one of them


def test_a_conflicting_full_date_of_birth_is_left_out_unless_a_document_matches() -> None:
    index = LookoutIndex()
    index.build(
        [
            entry("conflict", ["Karim Haddad"], "1960-11-22"),  # only the year agrees
            entry("typo", ["Karim Haddad"], "1960-05-17"),  # year and month agree
            entry("swapped", ["Karim Haddad"], "1960-07-05"),
            entry("year-only", ["Karim Haddad"], "1960"),
            entry("no-date", ["Karim Haddad"]),
            entry("papers", ["Karim Haddad"], "1960-11-22", documents=["P1234567"]),
        ]
    )
    query = make_identity(["Karim Haddad"], "1960-05-07", documents=["P1234567"])
    every = {e.lookout_id for e in index.candidates(query, 40)}
    # (held to the bar when more are found than the limit: with fewer, the scorer leaves
    # them out as surely, and nothing is lost to the limit)
    fitting = {e.lookout_id for e in index.candidates(query, 5, bar=bar(0.7))}
    assert every == {"conflict", "typo", "swapped", "year-only", "no-date", "papers"}
    assert fitting == every - {"conflict"}
    assert score(query, index.get("conflict").identity)[1][1].level == "conflicting"  # type: ignore[union-attr]
    # the matcher leaves them out only when no threshold (or floor) is low enough for them
    matcher = Matcher(index, Thresholds(0.7, {}))
    assert "conflict" not in {h.entry.lookout_id for h in matcher.screen(query, floor=0.5)}
    low = {h.entry.lookout_id for h in matcher.screen(query, floor=0.0, limit=10)}
    assert "conflict" in low


def test_subjects_screened_together_get_what_each_gets_alone() -> None:
    index = LookoutIndex()
    index.build(
        [
            *(entry(f"n{i}", ["Nguyen Van Anh"], f"{1950 + i % 40}-01-{1 + i % 28:02d}")
              for i in range(200)),
            entry("ivan", ["Ivan Petrov"], "1969-12-01"),
            entry("doc", [], documents=["AB1234567"]),
        ]
    )  # fmt: skip
    subjects = [
        make_identity(["Nguyen Van Anh"], "1960-01-05"),
        make_identity(["Ivan Petrov"], "1969-12-01"),
        make_identity(["Nobody Known"], "1980-02-02"),
        make_identity([], documents=["A81234S67"]),
        make_identity(["Nguyen Anh"]),
    ]
    matcher = Matcher(index, Thresholds(0.7, {}))
    together = matcher.screen_all(subjects)
    alone = [matcher.screen(s) for s in subjects]
    assert [[h.entry.lookout_id for h in hits] for hits in together] == [
        [h.entry.lookout_id for h in hits] for hits in alone
    ]
    assert [h.entry.lookout_id for h in together[1]] == ["ivan"]
    assert together[2] == []
    assert [h.entry.lookout_id for h in together[3]] == ["doc"]
    assert len(together[0]) > 0


def test_the_bar_leaves_out_exactly_the_pairs_that_could_not_reach_it() -> None:
    """Lookouts found by name are held to the bar before ranking: every pair whose date of
    birth, sex and nationality could reach the cutoff with the best name is kept (those
    sharing a document always), and every pair left in that could not has a partial date of
    birth or several nationalities, graded at their best."""
    import math
    import random

    rng = random.Random(11)

    def birth() -> str | None:
        year = rng.choice([1979, 1980, 1981])
        return rng.choice([
            None, f"{year}", f"{year}-{rng.choice([1, 5, 7, 11])}".replace("-", "-0", 1)[:7],
            *[f"{year}-{rng.choice(['01', '05', '07', '11', '10'])}-"
              f"{rng.choice(['01', '05', '07', '11', '15', '17'])}"] * 4,
        ])  # fmt: skip

    def person(n: int) -> dict[str, object]:
        return {
            "birth": birth(),
            "sex": rng.choice(["M", "F", "X", None]),
            "nationalities": rng.choice([[], ["CAN"], ["USA"], ["FRA"], ["CAN", "USA"]]),
            "documents": ["P0000001"] if n % 17 == 0 else [],
        }

    lookouts = [
        entry(f"L{n}", ["Ahmed Karimi"], p.pop("birth"), **p)  # type: ignore[arg-type]
        for n in range(400)
        for p in [person(n)]
    ]
    index = LookoutIndex()
    index.build(lookouts)
    prior = FEATURES  # the features' own weights decide, as the scorer's do
    weight = {(f.name, level.name): level.weight for f in prior for level in f.levels}
    best_name = max(level.weight for f in prior if f.name == "name" for level in f.levels)
    dropped = checked = 0
    for n in range(60):
        p = person(n)
        query = make_identity(["Ahmed Karimi"], p.pop("birth"), **p)  # type: ignore[arg-type]
        for cutoff in (0.5, 0.7, 0.9):
            every = index.candidates(query, 10_000)
            # one fewer than all: the bar applies (there is a limit to cut at), and unless
            # it leaves none out, the limit does not cut what it kept
            limit = len(every) - 1
            kept = {e.lookout_id for e in index.candidates(query, limit, bar=bar(cutoff))}
            if len(kept) >= limit:
                continue
            checked += 1
            for listed in every:
                _, evidence = score(query, listed.identity)
                rest = sum(weight[e.feature, e.level] for e in evidence if e.feature != "name")
                best = 1 / (1 + math.exp(-(-5.0 + rest + best_name)))
                if best >= cutoff:
                    assert listed.lookout_id in kept, (query, listed.identity)
                elif listed.lookout_id in kept:
                    partial = not (query.birth and listed.identity.birth and query.birth[2]
                                   and listed.identity.birth[2])  # fmt: skip
                    several = len(listed.identity.nationalities) > 1
                    papers = bool(set(query.documents) & set(listed.identity.documents))
                    assert partial or several or papers, (query, listed.identity, cutoff)
                else:
                    dropped += 1
    assert checked > 100
    assert dropped > 1000  # the bar does leave out what cannot match
