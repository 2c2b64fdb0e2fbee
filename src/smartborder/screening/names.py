"""Names as the matcher sees them: tokens in ICAO Latin, each with a consonant skeleton.

The skeleton is what stays of a name across spellings, transliterations and vowel typos:
``MOHAMMED``, ``MUHAMMAD``, ``MOHAMED`` and the ICAO form of محمد (``MXHMD``) all become ``MHMD``;
``ALEKSANDR``/``ALEXANDER``/``OLEKSANDR`` become ``LKSNDR``; ``TCHAIKOVSKY``/``CHAYKOVSKIY``
become ``CKVSK``. It is used for candidate retrieval and as one piece of evidence in scoring.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from smartborder.identity.names import SUFFIXES, TITLES, normalise

# ICAO Doc 9303 writes some Arabic letters with an X prefix; in Latin passports they are plain.
_ARABIC_X = [
    ("XAA", "A"),
    ("XAE", "A"),
    ("XAY", "A"),
    ("XXA", "A"),
    ("XTA", "A"),
    ("XTH", "TH"),
    ("XKH", "KH"),
    ("XDH", "DH"),
    ("XSH", "SH"),
    ("XSS", "S"),
    ("XDZ", "D"),
    ("XTT", "T"),
    ("XZZ", "Z"),
    ("XKK", "K"),
    ("XGG", "G"),
    ("XH", "H"),
]  # fmt: skip  (XE, XI, XC, XJ are left alone: ALEXEI, XIMENA are Latin names)
_SPELLINGS = [
    ("TSCH", "C"), ("TCH", "C"), ("SCH", "SH"), ("CH", "C"), ("CK", "K"), ("PH", "F"),
    ("KH", "H"), ("ZH", "J"), ("DZH", "J"), ("DJ", "J"), ("X", "KS"), ("Q", "K"), ("W", "V"),
    ("Z", "S"), ("C", "K"),
]  # fmt: skip
_VOWELS = re.compile(r"[AEIOUY]+")
_REPEATS = re.compile(r"(.)\1+")
# Particles (de, van, al) stay: Vietnamese Lê and Korean O are surnames, not particles.
_IGNORED = TITLES | SUFFIXES


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonants of ``token`` after folding spellings that sound alike; repeats collapsed."""
    text = token
    if "X" in text:
        for written, plain in _ARABIC_X:
            text = text.replace(written, plain)
    for written, plain in _SPELLINGS:
        if written in text:
            # "CH" must become one letter before the lone "C"s become "K".
            text = text.replace(written, "\x00" if plain == "C" else plain)
    text = text.replace("\x00", "C")
    return sys.intern(_REPEATS.sub(r"\1", _VOWELS.sub("", text)))


@lru_cache(maxsize=200_000)
def tokens(name: str) -> tuple[str, ...]:
    """The name's words in ICAO Latin, without titles and suffixes, repeated words once.
    Interned: a million lookouts share their common names."""
    words: list[str] = []
    for word in normalise(name).split():
        if word not in _IGNORED and word not in words:
            words.append(sys.intern(word))
    if not words:  # a name made only of titles is still a name
        words = [sys.intern(w) for w in normalise(name).split()]
    return tuple(words)


def token_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two name words are, in [0, 1], and how they were compared."""
    if a == b:
        return 1.0, "same"
    if len(a) == 1 or len(b) == 1:
        return (0.85, "initial") if a[0] == b[0] else (0.0, "different")
    similarity = JaroWinkler.similarity(a, b)
    if min(len(a), len(b)) <= 3:
        similarity -= 0.1  # short words are alike by chance (LI/LU, NG/NGO)
    if similarity < 0.92 and _sound_alike(a, b):
        return 0.92, "sounds alike"
    if similarity >= 0.85:
        return similarity, "spelling"
    return similarity, "different"


def _sound_alike(a: str, b: str) -> bool:
    """Same skeleton, when the skeleton says enough: three consonants, or two in long words
    (BUI and BAO share only B)."""
    shape = skeleton(a)
    if shape != skeleton(b):
        return False
    return len(shape) >= 3 or (len(shape) == 2 and min(len(a), len(b)) >= 4)


def name_similarity(query: tuple[str, ...], listed: tuple[str, ...]) -> tuple[float, str]:
    """Token-aligned similarity of two names, and a short account of the alignment.

    Words are paired greedily by similarity whatever their order (surname first or last);
    the score is the similarity of the paired words, weighted by their length, over the
    shorter name; each extra word of the longer name (a middle name one side dropped) costs
    0.03, a name of two or more words matched on one word only is capped at 0.6, and one
    matched through an initial at 0.9.
    """
    if not query or not listed:
        return 0.0, "no name"
    pairs = sorted(
        (
            (*token_similarity(q, c), i, j)
            for i, q in enumerate(query)
            for j, c in enumerate(listed)
        ),
        key=lambda p: -p[0],
    )
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[tuple[float, str, int, int]] = []
    for score, how, i, j in pairs:
        if score < 0.7 or i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((score, how, i, j))
    shorter, longer = (query, listed) if len(query) <= len(listed) else (listed, query)
    side = 0 if shorter is query else 1
    weight = {k: _weight(w) for k, w in enumerate(shorter)}
    total = sum(weight.values())
    got = sum(score * weight[(i, j)[side]] for score, _, i, j in matched)
    value = got / total if total else 0.0
    value -= 0.03 * (len(longer) - len(matched))
    if len(shorter) >= 2 and len(matched) < 2:
        value = min(value, 0.6)
    if len(shorter) == 1 and len(longer) >= 2:
        value = min(value, 0.8)  # one word against a full name: SMITH is not JOHN SMITH
    if any(how == "initial" for _, how, _, _ in matched):
        value = min(value, 0.9)  # an initial is weaker evidence than the name it stands for
    account = ", ".join(
        f"{query[i]}~{listed[j]} ({how} {score:.2f})" for score, how, i, j in matched
    )
    return max(0.0, min(1.0, value)), account or "no word in common"


def _weight(word: str) -> float:
    """Initials weigh little; long words a bit more than short ones."""
    return 0.5 if len(word) == 1 else min(len(word), 8) / 4 + 0.5
