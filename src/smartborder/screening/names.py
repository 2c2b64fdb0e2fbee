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

from smartborder.identity.names import SUFFIXES, TITLES, detect_script, normalise
from smartborder.screening.knowledge import ARTICLES, LEGAL, known, legal_forms, same_name
from smartborder.screening.readings import (
    SPACELESS,
    Form,
    chinese_forms,
    every_reading,
    is_native,
    latin_forms,
    native_words,
)

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


@lru_cache(maxsize=200_000)
def respelt(token: str) -> str:
    """``token`` with letters written for one sound folded (PH as F, C as K), as ``folded``
    but with J and Y kept apart: one sound in a Slavic name (JAN, YAN), two names in Korean
    and Chinese ones (JANG and YANG, JING and YING)."""
    return _REPEATS.sub(r"\1", _fold(_unx(token)))


def tokens(name: str) -> tuple[str, ...]:
    """The name's words as the matcher compares them (the first of ``name_forms``)."""
    forms = name_forms(name)
    return forms[0] if forms else ()


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=200_000)
def name_forms(name: str) -> tuple[tuple[str, ...], ...]:
    """The name as the matcher compares it, one tuple of words per way to read it.

    A Latin name gives its words in ICAO Latin, without titles (and without the suffixes JR,
    SR, II of a person; a company keeps its numbers), repeated words kept (ABDUL KABIR ABDUL
    JAN has two ABDULs), words written together split where the case shows it (SergeiLavrov),
    and ``SURNAME, Given`` turned round. A name in another script keeps its words as written
    (``readings``), with every likely cut of a name written without spaces. A company's legal
    forms become one word each at the end, ``~`` and its class (``~JSC`` for AG, АО, PJSC)."""
    text, classes = legal_forms(name)
    legal = tuple(sys.intern(LEGAL + c) for c in dict.fromkeys(classes))
    if not classes and text.count(",") == 1:
        surname, given = text.split(",")
        if surname.strip() and given.strip():
            text = f"{given} {surname}"
    native = native_words(text)
    if native:
        return tuple(tuple(sys.intern(w) for w in cut) + legal for cut in native)
    if not text.isupper():
        text = _CAMEL.sub(" ", text)
    written = [w for chunk in text.split() for w in _chunk(chunk)]
    ignored = TITLES if legal else _IGNORED
    words = tuple(w for w in written if w not in ignored) or tuple(written)
    # a name made only of titles is still a name
    if not words and not legal:
        return ()
    return (words + legal,)


# The Persian and Urdu ezafe joining two words of a name ("of"), romanised -e-, -i- or -ye-
# (Lashkar-e-Taiba, Tehrik-i-Taliban, Jaish-e-Mohammed): one word however it is written.
_EZAFE = re.compile(r"(?<=[^\W\d_]{2})-(?:e|i|ye|yi)-(?=[^\W\d_]{2})", re.IGNORECASE)


@lru_cache(maxsize=500_000)
def _chunk(text: str) -> tuple[str, ...]:
    """The normal words of one whitespace-free piece of a name (``O'Brien-Smith`` gives
    ``OBRIEN``, ``SMITH``; ``Tehrik-i-Taliban``, ``TEHRIK E TALIBAN``); names are made of far
    fewer pieces than there are names."""
    return tuple(sys.intern(w) for w in normalise(_EZAFE.sub("-e-", text)).split())


@lru_cache(maxsize=500_000)
def token_similarity(a: str, b: str) -> tuple[float, str, str]:
    """How alike two name words are, in [0, 1], how they were compared, and what was used to
    compare them beyond their letters (a transliteration, the name tables), if anything."""
    if a == b:
        return 1.0, "same", ""
    if a[0] == LEGAL or b[0] == LEGAL:
        return 0.0, "different", ""  # legal forms are weighed apart
    if is_native(a) or is_native(b):
        return _across_scripts(a, b)
    score, how = _latin_similarity(a, b)
    if score >= 0.95 or min(len(a), len(b)) < 2:
        return score, how, ""
    if other := _other_system(a, b):
        return other
    if (kind := same_name(a, b)) and _believed(a, b, kind):
        return _known(a, b, kind)
    return score, how, ""


def _known(a: str, b: str, kind: str) -> tuple[float, str, str]:
    """Two words the name tables (or the article) make one name, and the note that says so."""
    source = "" if kind == "the Arabic article" else " (name tables)"
    return 0.95, "known", f"{_lower(a)} and {_lower(b)}: {kind}{source}"


_ALWAYS = (
    "nickname",
    "one particle",
    "one organisation term",
    "the Arabic article",
)  # believed without the letters


def _believed(a: str, b: str, kind: str) -> bool:
    """Whether the tables' word that two Latin words are one name may be taken: always for
    nicknames and particles; for names, when both words are longer than four letters, or one
    is and they begin alike with one vowel. The tables join short East Asian names that only
    share a character (SIN, SON and SONG; DANG and TRAN; DUNG and TUNG; SEONG and SONG)."""
    if min(len(a), len(b)) == 2:
        # the only words of two letters so known: AL and EL; CO and COMPANY, a word the
        # organisation tables know and its abbreviation
        return kind == "the Arabic article" or (
            kind == "one organisation term" and (a.startswith(b) or b.startswith(a))
        )
    if kind in _ALWAYS or min(len(a), len(b)) > 4:
        return True
    # a short word and a long one: they begin alike and have one vowel (not SEONG and SONG,
    # two Korean family names)
    return max(len(a), len(b)) > 4 and _same_start(a, b) and _vowel(a) == _vowel(b)


_KNOWN_LOOKS_ALIKE = 0.75  # letter similarity from which the name tables may say "same name"


def _other_system(a: str, b: str) -> tuple[float, str, str] | None:
    """Two Latin words that are one Chinese name in Pinyin and in Wade-Giles (TSETUNG and
    ZEDONG), or None."""
    for x, y in ((a, b), (b, a)):
        for form in chinese_forms(x):
            if form.latin == y:
                return 0.95, "known", f"{x} read as {y} ({form.scheme})"
    return None


def _same_start(a: str, b: str) -> bool:
    """Whether two words begin with the same sound (KATE and CATHERINE, JOE and JOSEPH)."""
    return folded(a)[:1] == folded(b)[:1]


def _lower(word: str) -> str:
    return word.capitalize() if word.isascii() else word


def _forms(word: str) -> tuple[Form, ...]:
    return latin_forms(word) if is_native(word) else (Form(word, ""),)


def _across_scripts(a: str, b: str) -> tuple[float, str, str]:
    """A word in its own script against another word: the best of their Latin readings, or
    one name by the name tables."""
    forms_a, forms_b = _forms(a), _forms(b)
    for fa in forms_a:  # the commonest match first: a reading is the word
        for fb in forms_b:
            if fa.latin == fb.latin:
                return 1.0, "same", _reading(a, fa, b, fb)
    best, how_best, pair = 0.0, "different", (forms_a[0], forms_b[0])
    syllabic = _syllabic(a) or _syllabic(b)
    for fa in forms_a:
        for fb in forms_b:
            score, how = _latin_similarity(fa.latin, fb.latin)
            if syllabic and how == "sounds alike" and not _spelt_otherwise(fa.latin, fb.latin):
                # the consonants of a few Chinese or Korean syllables say little (光耀 read
                # KUANGYAO has the K, N, G of QIANG), and their first letter says which name
                # it is: JANG is not 양, read YANG, however J and Y sound in Polish
                score, how = JaroWinkler.similarity(fa.latin, fb.latin), "different"
            elif (
                syllabic
                and how == "spelling"
                and score < _SYLLABLES_ALIKE
                and abs(len(fa.latin) - len(fb.latin)) > 1
            ):
                # their readings are every spelling they are given: a Latin word shorter or
                # longer by a syllable's letters is another name (JAEHO is not 재현, read
                # JAEHYON), one a vowel apart may be (CHUNYING for 振英, read CHENYING)
                how = "different"
            if score > best:
                best, how_best, pair = score, how, (fa, fb)
    if best < 0.95 and (kind := same_name(a, b)) and _plausible(a, b, best):
        return _known(a, b, kind)
    if best == 0.0:
        return 0.0, "different", ""
    if how_best in _VARIANT and _other_syllables(a, b):
        how_best = "different"
    return best, how_best, _reading(a, pair[0], b, pair[1])


def _other_syllables(a: str, b: str) -> bool:
    """Whether a Latin word cannot be a Korean word of several syllables (a given name written
    as one word) spelt otherwise: it must begin with a spelling of the first syllable and end
    with one of the last. SEONGHO is not 성훈, read SEONGHUN (HO is not 훈), nor YEONGMI 영희;
    a vowel spelt otherwise inside is (YEONGHEE for 영희)."""
    native, latin = (a, b) if is_native(a) else (b, a)
    if len(native) < 2 or not latin.isascii() or not _korean(native):
        return False
    firsts = {f.latin for f in latin_forms(native[0])}
    lasts = {f.latin for f in latin_forms(native[-1])}
    return not (any(latin.startswith(f) for f in firsts) and any(latin.endswith(f) for f in lasts))


def _spelt_otherwise(a: str, b: str) -> bool:
    """One spelling of the other, letters for one sound folded, the first letter the same
    (DUCK and DUK for 덕)."""
    return a[0] == b[0] and folded(a) == folded(b)


_SYLLABLES_ALIKE = 0.95  # letter similarity from which a Latin word may be a misspelt reading


@lru_cache(maxsize=100_000)
def _syllabic(word: str) -> bool:
    """Whether a word is Chinese, Japanese or Korean (read syllable by syllable)."""
    return is_native(word) and detect_script(word) in SPACELESS


def _plausible(a: str, b: str, letters: float) -> bool:
    """Whether the name tables may be believed across scripts: one character of Chinese or
    one Korean syllable is a name of many readings (the tables give 강 the names of HONG), so
    its best reading must look like the Latin word, or have its consonants and vowel (LEE for
    李, read LI), or be one letter against a short word, or the Latin word must be another
    reading of the character (BO for 薄, read BAO); a Korean syllable, one of its
    spellings must have the Latin word's vowel and onset (ROH for 노, read NO)."""
    native = a if is_native(a) else b
    latin = b if native is a else a
    if not latin.isascii():
        return False
    if len(native) > 1:
        # a Chinese or Japanese given name is read, not looked up: the tables give 佐藤
        # (SATO) the names of SAITO
        return not _syllabic(native)
    forms = _forms(native)
    if _korean(native):
        # the tables give 신 (SIN) the names of SON, 자 (JA) those of JIA, 양 (YANG) those
        # of JANG: a syllable is believed to be the Latin name when one of its spellings has
        # the same vowel and begins alike, L, R, N and none being one (노, read NO, and ROH;
        # 이, read I, and LEE; 류, read RYU, and YU)
        return any(
            _vowel(f.latin) == _vowel(latin) and _onset(f.latin) == _onset(latin) for f in forms
        )
    if letters >= _KNOWN_LOOKS_ALIKE or latin in every_reading(native):
        return True  # looks alike, or is another reading of the character (BO for 薄)
    if any(skeleton(f.latin) == skeleton(latin) and _vowel(f.latin) == _vowel(latin)
           for f in forms):  # fmt: skip
        return True  # the same consonants and vowel: LEE for 李, read LI (not LEI for 利)
    return any(len(f.latin) == 1 for f in forms) and 2 <= len(latin) <= 4


_VOWEL_SPELLINGS = (("EO", "U"), ("OO", "U"), ("EU", "U"), ("EE", "I"), ("AE", "E"), ("AI", "E"))
_VOWEL = re.compile(r"[AEIOU]")


def _vowel(latin: str) -> str:
    """The vowel of a Korean syllable as its spellings write it: JEONG and JUNG, MUN and MOON,
    I and LEE, BAEK and PAIK have one vowel each."""
    for spelt, sound in _VOWEL_SPELLINGS:
        latin = latin.replace(spelt, sound)
    found = _VOWEL.search(latin)
    return found.group() if found else ""


_ONSET = re.compile(r"[^AEIOUWY]*")


def _onset(latin: str) -> str:
    """The consonants a Korean syllable's spelling begins with, L, R and N (which Korean drops
    or turns into one another at the start of a word: RI, LEE, I) being none."""
    onset = _ONSET.match(latin)
    found = onset.group() if onset else ""
    return "" if found in ("L", "R", "N", "RH") else found


def _reading(a: str, fa: Form, b: str, fb: Form) -> str:
    notes = [f"{x} read as {f.latin} ({f.scheme})" for x, f in ((a, fa), (b, fb)) if f.scheme]
    return "; ".join(notes)


def _latin_similarity(a: str, b: str) -> tuple[float, str]:
    """Two words in ICAO Latin, by their letters and sounds."""
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
    if len(shape) == 2 and (_unvoweled(a) or _unvoweled(b)):
        return True
    # two consonants in long words, beginning alike (a vowel and another: OSAMA and USAMA;
    # not PAULO and APOLLO)
    return (
        len(shape) == 2
        and min(len(a), len(b)) >= 4
        and (a[0] == b[0] or (a[0] in "AEIOU" and b[0] in "AEIOU"))
    )


def _unvoweled(word: str) -> bool:
    return _NO_VOWEL.fullmatch(word) is not None


class NameMatch(NamedTuple):
    value: float  # in [0, 1]
    # query word, listed word, how, similarity, what was used beyond the letters
    pairs: tuple[tuple[str, str, str, float, str], ...]
    notes: tuple[str, ...] = ()  # what the alignment found about the names as wholes

    @property
    def account(self) -> str:
        """The word pairs and how each was compared, then what was found about the whole."""
        words = [
            f"{q}~{c} ({how} {score:.2f}{'; ' + note if note else ''})"
            for q, c, how, score, note in self.pairs
        ]
        return "; ".join([", ".join(words) or "no word in common", *self.notes])

    @property
    def variants(self) -> tuple[tuple[str, str], ...]:
        """The pairs alike without being the same (a spelling or a sound apart)."""
        return tuple((q, c) for q, c, how, _, _ in self.pairs if how in _VARIANT)


_VARIANT = ("spelling", "sounds alike")
# Words that join a person's name to the father's (or tribe's): what stands before is the
# person, what stands after the father; exchanged, they name another person.
PATRONYMIC = frozenset(["BIN", "IBN", "BINT", "BN", "OULD", "WALAD", "BENT"])
_ROMAN = re.compile(r"I{2,3}|IV|VI{1,3}|IX")  # not XI: a Chinese family name
Aligned = tuple[float, str, int, int, str]  # similarity, how, query index, listed index, note


@lru_cache(maxsize=200_000)
def name_similarity(query: tuple[str, ...], listed: tuple[str, ...]) -> NameMatch:
    """Token-aligned similarity of two names, a short account of the alignment, and the word
    pairs that are alike without being the same.

    Words are paired greedily by similarity; the score is the similarity of the paired words,
    weighted by their length, over the shorter name; each extra word of the longer name (a
    middle name one side dropped) costs 0.04, but a name of two or more words found word for
    word with one word more (a middle name) counts 0.98, as the same words would. A name of
    two or more words matched on one word only is capped at 0.6, one with a pair of words only
    somewhat alike (SONG and TONG: neither a spelling variant nor sound-alike) at 0.84, and one
    matched through an initial at 0.9.

    Order counts where it carries meaning: the same words in another order are not the same
    name (0.96 when the family name has moved from one end to the other, as lists and
    passports write it differently; 0.9 for another order), unless a name is written in its
    own script (Chinese, Japanese and Korean write the family name first); words exchanged
    across BIN/IBN (father and son) cap it at 0.6. Words written together on one side and
    apart on the other (SERGEILAVROV, ABDUL RAHMAN/ABDULRAHMAN) are joined to compare (0.97 at
    most). A number (2, II) that is not on both sides caps it at 0.8. Legal forms of companies
    (~JSC) count for little: missing on one side costs nothing, a different one 0.05.
    """
    core_q = tuple(w for w in query if w[0] != LEGAL)
    core_c = tuple(w for w in listed if w[0] != LEGAL)
    if not core_q or not core_c:
        return NameMatch(0.0, ())
    match = _aligned(core_q, core_c)
    unsure = _unsure(match, core_q, core_c) if len(core_q) != len(core_c) else []
    if match.value < 0.97 and unsure:
        longer, shorter = (core_q, core_c) if len(core_q) > len(core_c) else (core_c, core_q)
        for joined, word in joins(longer, unsure):
            pair = (joined, shorter) if longer is core_q else (shorter, joined)
            other = _aligned(*pair)
            value = min(other.value, 0.97)
            side = 0 if longer is core_q else 1
            least = 0.93 if len(joined) == 1 else 0.9  # all words as one: a long word, and
            # long words look alike by their first letters
            close = any(
                p[side] == word and p[3] >= least and _about_as_long(p[0], p[1])
                for p in other.pairs
            )
            if value > match.value and close:  # the joined word itself must match well
                note = f"written together: {' '.join(joined)} / {' '.join(longer)}"
                match = NameMatch(value, other.pairs, (*other.notes, note))
    legal_q = {w for w in query if w[0] == LEGAL}
    legal_c = {w for w in listed if w[0] == LEGAL}
    if legal_q and legal_c and not legal_q & legal_c:
        forms = f"{'/'.join(sorted(w[1:] for w in legal_q))} vs " + "/".join(
            sorted(w[1:] for w in legal_c)
        )
        match = NameMatch(
            max(0.0, match.value - 0.05), match.pairs, (*match.notes, f"legal forms {forms}")
        )
    return match


def _about_as_long(a: str, b: str) -> bool:
    """Whether two words, read into Latin, are within two letters of one length: two words
    written together are the other word only if about as long (HRUNI, a name of its own, is
    not אהרון שמואלי written together, read HRUNSHMUELI, however alike their first letters)."""
    return any(abs(len(x.latin) - len(y.latin)) <= 2 for x in _forms(a) for y in _forms(b))


def _unsure(match: NameMatch, query: tuple[str, ...], listed: tuple[str, ...]) -> list[str]:
    """The Latin spellings of the words of the shorter name that found no word the same:
    only those can be two words of the longer name written together (a dropped middle name
    cannot)."""
    shorter, first = (query, 0) if len(query) <= len(listed) else (listed, 1)
    sure = {pair[first] for pair in match.pairs if pair[2] == "same"}
    return [
        f.latin
        for word in shorter
        if word not in sure
        for f in (*_forms(word), *(chinese_forms(word) if word.isascii() else ()))
    ]


def joins(name: tuple[str, ...], unsure: list[str]) -> list[tuple[tuple[str, ...], str]]:
    """``name`` with two neighbouring Latin words written as one, each way, and all as one,
    each with the word so made; only where the word made could be one of ``unsure`` (it
    begins the same and is about as long)."""
    wanted = [(u[:2], len(u)) for u in unsure]
    return [
        (joined, made)
        for joined, made, spellings in joinable(name)
        if any(u == m and abs(lu - lm) <= 3 for u, lu in wanted for m, lm in spellings)
    ]


@lru_cache(maxsize=300_000)
def joinable(
    name: tuple[str, ...],
) -> tuple[tuple[tuple[str, ...], str, tuple[tuple[str, int], ...]], ...]:
    """Every way ``joins`` may write words of ``name`` as one: the name so written, the word
    made, and the first two letters and length of each Latin spelling of that word. Latin
    words (not numbers) are joined, and Chinese, Japanese and Korean syllables written apart;
    words of scripts that write spaces are not (their Latin readings are, when a Latin name
    is compared). Computed once per name: a listed name meets query after query."""
    out = []
    for i in range(len(name) - 1):
        a, b = name[i], name[i + 1]
        latin = a.isascii() and b.isascii() and not _number(a) and not _number(b)
        if latin or (_syllabic(a) and _syllabic(b)):
            made = a + b
            out.append(((*name[:i], made, *name[i + 2 :]), made, _starts(made)))
    if len(name) > 2 and all(w.isascii() for w in name):
        made = "".join(name)
        out.append(((made,), made, _starts(made)))
    return tuple(out)


def _starts(made: str) -> tuple[tuple[str, int], ...]:
    spellings = [f.latin for f in latin_forms(made)] if is_native(made) else [made]
    return tuple((m[:2], len(m)) for m in spellings)


def _aligned(query: tuple[str, ...], listed: tuple[str, ...]) -> NameMatch:
    pairs = [  # words that cannot be paired are not compared (most words of two names)
        (*token_similarity(q, c), i, j)
        for i, q in enumerate(query)
        for j, c in enumerate(listed)
        if can_pair(q, c)
    ]
    pairs.sort(key=_first, reverse=True)  # stable: equal scores keep the words' order
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[Aligned] = []
    hows: set[str] = set()
    for score, how, note, i, j in pairs:
        if score < 0.7:
            break  # sorted: every later pair is below too
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((score, how, i, j, note))
        hows.add(how)
    shorter, longer = (query, listed) if len(query) <= len(listed) else (listed, query)
    weight = [word_weight(w) for w in shorter]
    total = sum(weight)
    if shorter is query:
        got = sum(m[0] * weight[m[2]] for m in matched)
    else:
        got = sum(m[0] * weight[m[3]] for m in matched)
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
    notes: list[str] = []
    if part := _part_of_given_name(query, listed, matched):
        value = min(value, 0.6)
        notes.append(f"{part} of the given name found on one side only")
    cap, why = _order(query, listed, matched)
    if why:
        value = min(value, cap)
        notes.append(why)
    if _numbers_differ(query, listed, matched):
        value = min(value, 0.8)
        notes.append("numbers differ")
    found = tuple((query[i], listed[j], how, score, note) for score, how, i, j, note in matched)
    return NameMatch(max(0.0, min(1.0, value)), found, tuple(notes))


def _part_of_given_name(
    query: tuple[str, ...], listed: tuple[str, ...], matched: list[Aligned]
) -> str:
    """A syllable of a Korean given name cut apart (장 춘 자 for 장춘자) that found no word while
    another syllable did: CHUNJA is not JA. Empty when there is none."""
    for name, side in ((query, 2), (listed, 3)):
        paired = {m[side] for m in matched}
        syllables = [i for i, w in enumerate(name) if i > 0 and len(w) == 1 and _korean(w)]
        if any(i in paired for i in syllables):
            for i in syllables:
                if i not in paired:
                    return name[i]
    return ""


@lru_cache(maxsize=4096)
def _korean(word: str) -> bool:
    return is_native(word) and detect_script(word) == "Hang"


def _order(
    query: tuple[str, ...], listed: tuple[str, ...], matched: list[Aligned]
) -> tuple[float, str]:
    """What the order of the paired words says: a cap and why, or (1, "") when it is fine."""
    if len(matched) < 2:
        return 1.0, ""
    by_query = sorted(matched, key=lambda m: m[2])
    js = [m[3] for m in by_query]
    parts_q, parts_c = _patronymic(query), _patronymic(listed)
    if parts_q and parts_c:
        pq, pc = parts_q[0], parts_c[0]
        if any((i < pq) != (j < pc) for _, _, i, j, _ in matched if i != pq and j != pc):
            return 0.6, "the person's and the father's names are exchanged"
    if js == sorted(js):
        return 1.0, ""
    if any(is_native(w) for w in (*query, *listed)):
        return 1.0, ""  # family name first is how the script writes it
    ranks = sorted(js)
    start = ranks.index(js[0])
    if js == ranks[start:] + ranks[:start]:
        return 0.96, "words in another order (family name first?)"
    return 0.9, "words in another order"


@lru_cache(maxsize=100_000)
def _patronymic(name: tuple[str, ...]) -> tuple[int, ...]:
    """Where the words joining a person's name to the father's stand (not first or last)."""
    return tuple(i for i, w in enumerate(name) if w in PATRONYMIC and 0 < i < len(name) - 1)


def _numbers_differ(
    query: tuple[str, ...], listed: tuple[str, ...], matched: list[Aligned]
) -> bool:
    """Whether a number (2, II) on one side is not the same number on the other."""
    numbers_q, numbers_c = _numbers(query), _numbers(listed)
    if not numbers_q and not numbers_c:
        return False
    same_q = {i for score, how, i, _, _ in matched if how == "same"}
    same_c = {j for score, how, _, j, _ in matched if how == "same"}
    return any(i not in same_q for i in numbers_q) or any(j not in same_c for j in numbers_c)


@lru_cache(maxsize=100_000)
def _numbers(name: tuple[str, ...]) -> tuple[int, ...]:
    """Where the numbers (2, II) of a name are."""
    return tuple(i for i, w in enumerate(name) if _number(w))


def _number(word: str) -> bool:
    first = word[0]
    if first.isdigit():
        return word.isdigit()
    return first in "IVX" and _ROMAN.fullmatch(word) is not None


def _first(pair: tuple[float, str, str, int, int]) -> float:
    return pair[0]


@lru_cache(maxsize=100_000)
def word_weight(word: str) -> float:
    """Initials weigh little; long words a bit more than short ones."""
    return 0.5 if len(word) == 1 else min(len(word), 8) / 4 + 0.5


PAIRED = 0.7  # the least similarity at which name_similarity pairs two words


class Word(NamedTuple):
    latins: tuple[str, ...]  # the word in Latin letters, every way it may be read
    marks: frozenset[str]  # what two words alike share: a folded spelling, a skeleton, a name


@lru_cache(maxsize=300_000)
def word(text: str) -> Word:
    """What ``pairable`` needs of one name word, computed once."""
    if is_native(text):
        latins = tuple(f.latin for f in latin_forms(text))
    else:
        latins = (text, *(f.latin for f in chinese_forms(text)))
    marks = set()
    for latin in latins:
        if len(latin) >= 2:
            marks.add("F" + folded(latin))
        shape = skeleton(latin)
        if len(shape) >= 2:
            marks.add("S" + shape)
    tables = known(text)
    marks.update("N" + s for s in tables.names)
    marks.update("K" + s for s in tables.nicknames)
    marks.update("P" + s for s in tables.particles)
    marks.update("T" + s for s in tables.terms)
    if text.upper() in ARTICLES:
        marks.add("ARTICLE")
    return Word(latins, frozenset(marks))


def pairable(a: Word, b: Word) -> bool:
    """Whether two words could be paired (``token_similarity`` ``PAIRED`` or more): their
    letters are that alike (Jaro-Winkler, through any of their Latin readings), one is the
    initial of the other, or they share a mark (the same folded spelling or consonant
    skeleton, a name, nickname, particle or organisation term of the name tables, the Arabic
    article). A necessary condition, never a guess: words it says no to are never paired
    (the alignment does not compare them; ``prefilter`` bounds names by it)."""
    if not a.marks.isdisjoint(b.marks):
        return True
    for x in a.latins:
        for y in b.latins:
            if len(x) == 1 or len(y) == 1:  # an initial stands for any word it begins
                if x[0] == y[0]:
                    return True
            elif JaroWinkler.similarity(x, y, score_cutoff=PAIRED):
                return True
    return False


@lru_cache(maxsize=200_000)
def can_pair(a: str, b: str) -> bool:
    """``pairable`` of two words by their text: a subject's words meet the same listed words
    in one candidate after another."""
    return pairable(word(a), word(b))
