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
from typing import NamedTuple

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
    ("KH", "H"), ("GH", "G"), ("ZH", "J"), ("DZH", "J"), ("DJ", "J"), ("X", "KS"), ("Q", "K"),
    ("W", "V"), ("Z", "S"), ("C", "K"),
]  # fmt: skip
_VOWELS = re.compile(r"[AEIOUY]+")
_REPEATS = re.compile(r"(.)\1+")
_NO_VOWEL = re.compile(r"[^AEIOU]+")
# Particles (de, van, al) stay: Vietnamese Lê and Korean O are surnames, not particles.
_IGNORED = TITLES | SUFFIXES


def _unx(text: str) -> str:
    """ICAO's Arabic X-forms as plain letters."""
    if "X" in text:
        for written, plain in _ARABIC_X:
            text = text.replace(written, plain)
    return text


def _fold(text: str) -> str:
    """Letters written for one sound as one."""
    for written, plain in _SPELLINGS:
        if written in text:
            # "CH" must become one letter before the lone "C"s become "K".
            text = text.replace(written, "\x00" if plain == "C" else plain)
    return text.replace("\x00", "C")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonants of ``token`` after folding spellings that sound alike; repeats collapsed."""
    return sys.intern(_REPEATS.sub(r"\1", _VOWELS.sub("", _fold(_unx(token)))))


@lru_cache(maxsize=200_000)
def folded(token: str) -> str:
    """``token`` with letters written for one sound folded together, vowels kept: J and Y as I
    (Slavic JAN, English YAN; a J made from ZH stays), PH as F, W as V, ...; repeats
    collapsed."""
    text = _unx(token).replace("J", "I").replace("Y", "I")
    return _REPEATS.sub(r"\1", _fold(text))


def tokens(name: str) -> tuple[str, ...]:
    """The name's words in ICAO Latin, without titles and suffixes, repeated words once.
    Interned: a million lookouts share their common names."""
    written = [w for chunk in name.split() for w in _chunk(chunk)]
    words: list[str] = []
    for word in written:
        if word not in _IGNORED and word not in words:
            words.append(word)
    return tuple(words or written)  # a name made only of titles is still a name


@lru_cache(maxsize=500_000)
def _chunk(text: str) -> tuple[str, ...]:
    """The normal words of one whitespace-free piece of a name (``O'Brien-Smith`` gives
    ``OBRIEN``, ``SMITH``); names are made of far fewer pieces than there are names."""
    return tuple(sys.intern(w) for w in normalise(text).split())


@lru_cache(maxsize=500_000)
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
    if similarity < 0.86 and _letter_dropped(a, b):
        return 0.86, "spelling"
    if similarity >= 0.85:
        return similarity, "spelling"
    return similarity, "different"


def _letter_dropped(a: str, b: str) -> bool:
    """One word is the other with one letter left out after the first (DUNG/DUG, FURA/FUR):
    the commonest typo, which the short-word discount would otherwise count as different."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 3 or len(long_) != len(short) + 1 or short[0] != long_[0]:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(1, len(long_)))


def _sound_alike(a: str, b: str) -> bool:
    """Spelt alike once sound-alike letters are folded, vowels kept (JAN/YAN, WAN/VAN,
    PHUC/FUC); or the same skeleton when the skeleton says enough: three consonants, or two
    in long words (BUI and BAO share only B) or against a word written without vowels, as
    romanisations of Arabic and Hebrew often are (BD/ABD, TH/TAHA)."""
    if len(a) >= 2 and len(b) >= 2 and folded(a) == folded(b):
        return True
    shape = skeleton(a)
    if shape != skeleton(b):
        return False
    if len(shape) >= 3:
        return True
    return len(shape) == 2 and (min(len(a), len(b)) >= 4 or _unvoweled(a) or _unvoweled(b))


def _unvoweled(word: str) -> bool:
    return _NO_VOWEL.fullmatch(word) is not None


class NameMatch(NamedTuple):
    value: float  # in [0, 1]
    pairs: tuple[tuple[str, str, str, float], ...]  # query word, listed word, how, similarity

    @property
    def account(self) -> str:
        """The word pairs and how each was compared."""
        text = ", ".join(f"{q}~{c} ({how} {score:.2f})" for q, c, how, score in self.pairs)
        return text or "no word in common"

    @property
    def variants(self) -> tuple[tuple[str, str], ...]:
        """The pairs alike without being the same (a spelling or a sound apart)."""
        return tuple((q, c) for q, c, how, _ in self.pairs if how in _VARIANT)


_VARIANT = ("spelling", "sounds alike")


@lru_cache(maxsize=200_000)
def name_similarity(query: tuple[str, ...], listed: tuple[str, ...]) -> NameMatch:
    """Token-aligned similarity of two names, a short account of the alignment, and the word
    pairs that are alike without being the same.

    Words are paired greedily by similarity whatever their order (surname first or last);
    the score is the similarity of the paired words, weighted by their length, over the
    shorter name; each extra word of the longer name (a middle name one side dropped) costs
    0.04, but a name of two or more words found word for word with one word more (a middle
    name) counts 0.98, as the same words would. A name of two or more words matched on one
    word only is capped at 0.6, one with a pair of words only somewhat alike (SONG and TONG:
    neither a spelling variant nor sound-alike) at 0.84, and one matched through an initial
    at 0.9.
    """
    if not query or not listed:
        return NameMatch(0.0, ())
    pairs = [
        (*token_similarity(q, c), i, j) for i, q in enumerate(query) for j, c in enumerate(listed)
    ]
    pairs.sort(key=_first, reverse=True)  # stable: equal scores keep the words' order
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[tuple[float, str, int, int]] = []
    hows: set[str] = set()
    for score, how, i, j in pairs:
        if score < 0.7:
            break  # sorted: every later pair is below too
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((score, how, i, j))
        hows.add(how)
    shorter, longer = (query, listed) if len(query) <= len(listed) else (listed, query)
    weight = [_weight(w) for w in shorter]
    total = sum(weight)
    if shorter is query:
        got = sum(score * weight[i] for score, _, i, _ in matched)
    else:
        got = sum(score * weight[j] for score, _, _, j in matched)
    value = got / total if total else 0.0
    value -= 0.04 * (len(longer) - len(matched))
    exact = hows <= {"same"}
    if len(shorter) >= 2 and len(matched) == len(shorter) == len(longer) - 1 and exact:
        value = 0.98  # JOHN SMITH in JOHN PAUL SMITH: a middle name more
    if len(shorter) >= 2 and len(matched) < 2:
        value = min(value, 0.6)
    if "different" in hows:
        value = min(value, 0.84)
    if len(shorter) == 1 and len(longer) >= 2:
        value = min(value, 0.8)  # one word against a full name: SMITH is not JOHN SMITH
    if "initial" in hows:
        value = min(value, 0.9)  # an initial is weaker evidence than the name it stands for
    found = tuple((query[i], listed[j], how, score) for score, how, i, j in matched)
    return NameMatch(max(0.0, min(1.0, value)), found)


def _first(pair: tuple[float, str, int, int]) -> float:
    return pair[0]


@lru_cache(maxsize=100_000)
def _weight(word: str) -> float:
    """Initials weigh little; long words a bit more than short ones."""
    return 0.5 if len(word) == 1 else min(len(word), 8) / 4 + 0.5
