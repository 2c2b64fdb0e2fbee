"""The cheap test run before comparing names: it may only rule out pairs whose names are not
alike, and it must rule out most of what the index proposes in passing."""

from __future__ import annotations

import random

import pytest

from smartborder.screening import knowledge
from smartborder.screening.features import NAME_FLOORS
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.names import PAIRED, name_similarity, pairable, token_similarity, word
from smartborder.screening.prefilter import WEAK, may_resemble
from smartborder.screening.subject import make_identity
from smartborder.synthetic.lookouts import LookoutGenerator, SyntheticLookout


def best(query: tuple[tuple[str, ...], ...], listed: tuple[tuple[str, ...], ...]) -> float:
    return max(name_similarity(q, c).value for q in query for c in listed)


def variant(rng: random.Random, lookout: SyntheticLookout) -> str:
    """A listed person's Latin name as a traveller may give it: a letter changed, the words
    turned round, the first cut to an initial, a middle name more."""
    words = lookout.names[-1].split()
    kind = rng.randrange(4)
    if kind == 0:
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(1, len(word))
            words[i] = word[:j] + rng.choice("aeiknrst") + word[j + 1 :]
    elif kind == 1:
        words = words[1:] + words[:1]
    elif kind == 2:
        words[0] = words[0][0] + "."
    else:
        words.insert(1, rng.choice(["Ann", "Lee", "Marie", "Jose"]))
    return " ".join(words)


def test_it_never_rules_out_names_alike_among_what_the_index_proposes() -> None:
    generator = LookoutGenerator(11)
    lookouts = list(generator.lookouts(4000))
    index = LookoutIndex()
    index.build(
        Entry(str(slot), lookout.category, "local", 1, make_identity(lookout.names))
        for slot, lookout in enumerate(lookouts)
    )
    rng = random.Random(3)
    queries = [variant(rng, rng.choice(lookouts)) for _ in range(400)]
    queries += [person.names[-1] for person in LookoutGenerator(12).lookouts(400)]
    checked = ruled_out = 0
    more = {floor: 0 for _, floor in NAME_FLOORS}  # ruled out where a better name is needed
    for query in queries:
        subject = make_identity([query])
        for entry in index.candidates(subject, 40):
            checked += 1
            if not may_resemble(subject.names, entry.identity.names):
                ruled_out += 1
                similarity = best(subject.names, entry.identity.names)
                assert similarity < WEAK, (subject.names, entry.identity.names, similarity)
                continue
            for floor in more:  # a bound on the similarity, whatever the level needed
                if not may_resemble(subject.names, entry.identity.names, floor):
                    more[floor] += 1
                    similarity = best(subject.names, entry.identity.names)
                    assert similarity < floor, (subject.names, entry.identity.names, floor)
    assert checked > 1000
    assert ruled_out / checked > 0.4  # most of what shares a key in passing
    assert more[0.98] > more[0.93] > more[0.85] > 0  # the better the name needed, the more


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("M. Arslan", "Mehmetzahir Arslan"),  # an initial
        ("SergeiLavrov", "Sergei Lavrov"),  # written together
        ("Abdulrahman Khalil", "Abdul Rahman Khalil"),
        ("Ted Kennedy", "Theodore Kennedy"),  # a nickname
        ("Kim Jong Un", "김정은"),  # another script
        ("Mao Zedong", "Mao Tse-tung"),  # the other system of Chinese syllables
        ("John Smith", "John Paul Smith"),  # a middle name more
    ],
)
def test_names_alike_pass(query: str, listed: str) -> None:
    q, c = make_identity([query]).names, make_identity([listed]).names
    assert best(q, c) >= WEAK
    assert may_resemble(q, c)


def test_names_sharing_a_word_in_passing_are_ruled_out() -> None:
    query = make_identity(["Jacques Lee Beauregard"]).names
    for listed in ("Lilia Briones", "Charles Lee", "ישי אבו ליל", "Anh Bao Le"):
        assert not may_resemble(query, make_identity([listed]).names), listed
    assert may_resemble(query, ())  # nothing to rule out without a name


def test_the_name_tables_answer_many_words_as_one_at_a_time() -> None:
    words = ["BILL", "WILLIAM", "김", "иван", "IBN", "ZZXQ"]
    together = knowledge.look_up(words)
    knowledge._recent.clear()
    for text in words:
        knowledge._listed.pop(text, None)
        assert knowledge.known(text) == together[text], text
    assert together["BILL"].nicknames & together["WILLIAM"].nicknames
    assert together["ZZXQ"] == knowledge.Known(frozenset(), frozenset())


def test_words_alike_are_always_pairable() -> None:
    """``pairable`` is a necessary condition of ``token_similarity`` reaching ``PAIRED``:
    the alignment does not compare words it rules out, and the prefilter bounds names by
    it. Checked on every pair of words of names the generator writes in every script,
    with their spelling variants and initials."""
    rng = random.Random(4)
    lookouts = list(LookoutGenerator(21).lookouts(300))
    words = sorted({w for lookout in lookouts for name in make_identity(lookout.names).names
                    for w in name if w[0] != "~"})  # fmt: skip
    words += [make_identity([variant(rng, lookout)]).names[0][0] for lookout in lookouts[:150]]
    alike = 0
    for a in words:
        for b in rng.sample(words, 60):
            if token_similarity(a, b)[0] >= PAIRED:
                alike += 1
                assert pairable(word(a), word(b)), (a, b, token_similarity(a, b))
    assert alike > 100
