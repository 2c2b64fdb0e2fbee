"""A cheap test that two identities' names cannot be alike, run before comparing them.

Most lookouts the index proposes share a key with the subject and nothing more (LEE with
any name that has a word of one consonant and a word starting with B). Comparing their names
word by word, through every reading and the name tables, is most of the cost of screening.

``may_resemble`` answers whether some name of one could score at least ``WEAK`` (0.75, the
lowest name level above "different") against some name of the other. It is a necessary
condition, never a guess: a pair of words can only be paired by ``names.name_similarity`` at
0.7 or more when their letters are that alike (Jaro-Winkler, through any of their Latin
readings), when one is the initial of the other, when they sound alike (the same folded
spelling or consonant skeleton), when the
name tables know them as one name, nickname or particle, or when one is the other in the other
system of Chinese syllables. The name's similarity is then bounded as the alignment computes
it: every word that could be paired counted as the same, the fewest words left over, the caps
of a name matched on one word; words written together on one side are tried joined. When the
bound is below 0.75, the name level is "different" and the score is known without the
comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from smartborder.screening.knowledge import LEGAL
from smartborder.screening.names import can_pair, joins, word, word_weight

WEAK = 0.75  # the least name similarity above the level "different"


def may_resemble(
    query: Sequence[tuple[str, ...]], listed: Sequence[tuple[str, ...]], at_least: float = WEAK
) -> bool:
    """Whether some name of ``query`` could score ``at_least`` (``WEAK`` or more) against
    some name of ``listed`` (true when either has no name: there is nothing to rule out)."""
    if not query or not listed:
        return True
    for q in query:
        q = _without_legal(q)
        for c in listed:
            if _names_may(q, _without_legal(c), at_least):
                return True
    return False


@lru_cache(maxsize=300_000)
def _without_legal(name: tuple[str, ...]) -> tuple[str, ...]:
    """The name's words less its legal forms (~LLC), which the alignment weighs apart."""
    return tuple(w for w in name if w[0] != LEGAL)


def _names_may(q: tuple[str, ...], c: tuple[str, ...], at_least: float) -> bool:
    if not q or not c:
        return False
    if _bound(q, c, at_least) >= at_least:
        return True
    if len(q) == len(c):
        return False
    # words written together on one side: name_similarity joins the longer name's words
    # (0.97 at most)
    longer_is_query = len(q) > len(c)
    longer, shorter = (q, c) if longer_is_query else (c, q)
    spellings = [latin for w in shorter for latin in word(w).latins]
    for joined, _ in joins(longer, spellings):  # where name_similarity would join them
        pair = (joined, c) if longer_is_query else (q, joined)
        if min(_bound(*pair, at_least), 0.97) >= at_least:
            return True
    return False


def _bound(query: tuple[str, ...], listed: tuple[str, ...], at_least: float = 0.0) -> float:
    """The most ``names.name_similarity``'s alignment could give the two names: every word
    of the shorter that could be paired counted as the same, the fewest words left over;
    0 as soon as a word that cannot be paired shows the names cannot reach ``at_least``
    (the words left are not looked at). (Loops rather than comprehensions: this runs for
    most candidates of every query.)"""
    shorter, longer = (query, listed) if len(query) <= len(listed) else (listed, query)
    weights = [word_weight(a) for a in shorter]
    total = sum(weights)
    reachable = total  # the weight of the words not yet known to find no pair
    columns = [False] * len(longer)
    got = 0.0
    small = 0
    for a, weight in zip(shorter, weights, strict=True):
        paired = False
        for j, b in enumerate(longer):
            if can_pair(a, b):
                paired = columns[j] = True
        if paired:
            got += weight
            small += 1
        else:
            # a word without a pair: the similarity is at most the share of the others
            # (a middle name more needs every word paired)
            reachable -= weight
            if reachable < at_least * total:
                return 0.0
    if not small:
        return 0.0
    matched = min(small, sum(columns))
    value = got / total - 0.04 * (len(longer) - matched)
    if len(shorter) >= 2 and matched == len(shorter) == len(longer) - 1:
        value = max(value, 0.98)  # a middle name more
    if len(shorter) >= 2 and matched < 2:
        value = min(value, 0.6)
    if len(shorter) == 1 and len(longer) >= 2:
        value = min(value, 0.8)
    return value
