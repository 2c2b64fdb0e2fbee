"""Names written in their own script, and the Latin spellings a passport office would give them.

A name in a non-Latin script is kept as written, word by word (``ЛАВРОВ``, ``习``, ``近平``), and
each word is read into Latin by the systems issuing states and lists use, through well-kept
libraries rather than tables of our own:

- Cyrillic: ICAO Doc 9303 (``identity.transliteration``), BGN/PCGN for Russian, Ukrainian,
  Belarusian, Bulgarian and Macedonian, and ISO 9 (GOST 7.79 system A), all through ICU;
- Greek: ELOT 743 (the UN/UNGEGN system, ICU) and ICAO;
- Arabic and Persian: ICU's Arabic-Latin, which writes the letters and the long vowels (ا و ي)
  but not the short vowels Arabic leaves unwritten; the matcher's consonant skeletons and the
  name tables (``knowledge``) make up for the vowels;
- Hebrew: ICU's Hebrew-Latin and BGN/PCGN, the same way;
- Han: Pinyin and Wade-Giles (pypinyin) for Chinese names, Cantonese as Hong Kong writes it
  (``_cantonese``: Jyutping from ToJyutping, spelt the Hong Kong Government's way: CHEUNG,
  KAI SHEK, CHUN YING), and Hepburn (pykakasi) for a Japanese reading of the same characters;
  Hokkien spellings (LEE KUAN YEW) and other surname spellings come from the name tables;
- Japanese kana and kanji: Hepburn (pykakasi), with and without the long vowels that passports
  leave out (ŌTANI as OTANI);
- Hangul: Revised Romanisation (ICU), and for each syllable the spellings Korean passports
  have long used (``_korean_passport``); the passport spellings of surnames that are not
  readings (LEE, PARK) come from the name tables;
- Armenian and Georgian: BGN/PCGN (ICU); Devanagari, Thai and others: ICU's Any-Latin.

Names written without spaces (Chinese, Japanese, Korean) are cut into family name and given
name: the family name is the first character or syllable, or one of the two-character family
names; Japanese names are cut where pykakasi's dictionary cuts them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import icu
import pykakasi

from smartborder.identity.names import detect_script
from smartborder.identity.transliteration import transliterate

SPACELESS = frozenset(["Hani", "Jpan", "Hira", "Kana", "Hang"])
# Family names of two characters or syllables, which a name written without spaces begins with.
_COMPOUND_SURNAMES = frozenset([
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "尉迟", "尉遲",
    "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯", "令狐",
    "남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방",
])  # fmt: skip
_NOT_A_WORD = re.compile(r"[^A-Z0-9]+")
_BREAKS = re.compile(r"[\s\-\u2010\u2011\u2013\u2014\u00b7\u30fb,.]+")  # hyphens, dots
_UKRAINIAN = frozenset("ієїґІЄЇҐ")
_BELARUSIAN = frozenset("ўЎ")
_MACEDONIAN = frozenset("ѓќѕљњџЃЌЅЉЊЏ")
_LONG_VOWELS = (("OU", "O"), ("OO", "O"), ("UU", "U"))  # EI stays: EISAKU


class Form(NamedTuple):
    latin: str  # one word, A-Z and 0-9
    scheme: str  # the system that gave it, for the explanation


_SCHEMES = {
    "Russian-Latin/BGN": "BGN/PCGN",
    "Ukrainian-Latin/BGN": "BGN/PCGN Ukrainian",
    "Belarusian-Latin/BGN": "BGN/PCGN Belarusian",
    "Bulgarian-Latin/BGN": "BGN/PCGN Bulgarian",
    "Macedonian-Latin/BGN": "BGN/PCGN Macedonian",
    "Cyrillic-Latin": "GOST 7.79 (ISO 9)",
    "Greek-Latin/UNGEGN": "ELOT 743",
    "Arabic-Latin": "ICU Arabic-Latin",
    "Hebrew-Latin": "ICU Hebrew-Latin",
    "Hebrew-Latin/BGN": "BGN/PCGN Hebrew",
    "Hangul-Latin": "Revised Romanisation",
    "Armenian-Latin/BGN": "BGN/PCGN Armenian",
    "Georgian-Latin/BGN": "BGN/PCGN Georgian",
    "Any-Latin": "ICU Any-Latin",
}
_TRANSFORMS = {
    "Cyrl": ("Russian-Latin/BGN", "Cyrillic-Latin"),
    "Grek": ("Greek-Latin/UNGEGN",),
    "Arab": ("Arabic-Latin",),
    "Hebr": ("Hebrew-Latin", "Hebrew-Latin/BGN"),
    "Hang": ("Hangul-Latin",),
    "Armn": ("Armenian-Latin/BGN",),
    "Geor": ("Georgian-Latin/BGN",),
}


@lru_cache(maxsize=32)
def _transform(name: str) -> icu.Transliterator:
    """An ICU transform that ends in plain ASCII (ICU transforms are not thread-safe to share
    while in use, but ``transliterate`` on a compiled one only reads it)."""
    return icu.Transliterator.createInstance(f"{name}; Latin-ASCII")


@lru_cache(maxsize=1)
def _kakasi() -> pykakasi.kakasi:
    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def _word(text: str) -> str:
    return _NOT_A_WORD.sub("", transliterate(text))


def is_native(word: str) -> bool:
    """Whether a name word is kept in its own script (not ICAO Latin)."""
    return not word.isascii()


def native_words(name: str) -> tuple[tuple[str, ...], ...]:
    """The words of a name written in a non-Latin script, as written (NFKC, lower case), and
    other ways to cut a name written without spaces; empty for a Latin name."""
    if name.isascii() or all(_latin_letter(c) for c in name):
        return ()
    text = unicodedata.normalize("NFKC", name).replace("\u200c", "").casefold()
    chunks = _BREAKS.split(text)
    words = [w for w in (_clean(chunk) for chunk in chunks) if w]
    if not words or detect_script("".join(words)) in ("Latn", "Zyyy"):
        return ()
    if len(words) == 1 and detect_script(words[0]) in SPACELESS:
        return _cuts(words[0])
    return (tuple(words),)


def _latin_letter(char: str) -> bool:
    """Latin with diacritics (up to IPA), Latin Extended Additional (Vietnamese), or not a
    letter at all: enough to know a name is Latin without asking Unicode each letter's name."""
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF or not char.isalpha()


def _clean(chunk: str) -> str:
    """Letters, marks and digits only: vowel signs (Devanagari, Thai) are marks."""
    return "".join(c for c in chunk if unicodedata.category(c)[0] in "LMN")


def _cuts(word: str) -> tuple[tuple[str, ...], ...]:
    """A name written without spaces cut into family name and given name, every way that is
    likely: after the first character or syllable (Chinese, Korean), after a two-character
    family name, and where a Japanese dictionary cuts it."""
    if len(word) < 2:
        return ((word,),)
    script = detect_script(word)
    if script == "Hang":  # Korean given names are written syllable by syllable (JAE-IN)
        syllables = [(word[:1], *word[1:])]
        if word[:2] in _COMPOUND_SURNAMES and len(word) > 2:
            syllables.insert(0, (word[:2], *word[2:]))
        return tuple(syllables)
    cuts: list[tuple[str, ...]] = []
    if word[:2] in _COMPOUND_SURNAMES and len(word) > 2:
        cuts.append((word[:2], word[2:]))
    cuts.append((word[:1], word[1:]))
    if script in ("Hani", "Jpan") and len(word) >= 3:
        cuts.append((word[:2], word[2:]))  # Japanese family names are mostly two characters
    if script in ("Hani", "Jpan", "Hira", "Kana") and len(word) >= 3:
        parts = tuple(p["orig"] for p in _kakasi().convert(word) if p["orig"].strip())
        # only a cut that keeps every character: the dictionary drops those it does not
        # know (秀 of 罗秀英 would leave LUO YING)
        if len(parts) == 2 and "".join(parts) == word:
            cuts.append(parts)
        elif len(parts) > 2 and "".join(parts) == word:  # a family name, then the rest
            cuts.append((parts[0], "".join(parts[1:])))
    return tuple(dict.fromkeys(cuts))


@lru_cache(maxsize=200_000)
def latin_forms(word: str) -> tuple[Form, ...]:
    """The Latin spellings of one native word, the most usual first, each with its scheme."""
    script = detect_script(word)
    forms: list[Form] = []
    if script == "Hani":  # Chinese or Japanese: each system's usual reading first
        # a single character (a family name, mostly) is read in Mandarin: its Cantonese
        # spellings are the name tables' to give (CHAN for 陈), not every name's that reads so
        cantonese = _cantonese(word) if len(word) > 1 else []
        han, japanese = _han(word), _japanese(word)
        forms.extend([*han, *japanese[:1], *cantonese[:1], *japanese[1:], *cantonese[1:]])
    elif script == "Jpan":
        forms.extend(_han(word))
    if script in ("Jpan", "Hira", "Kana"):
        forms.extend(_japanese(word))
    if script == "Cyrl":
        forms.append(Form(_word(word), "ICAO 9303"))
        letters = set(word)
        for transform, marker in (("Ukrainian-Latin/BGN", _UKRAINIAN),
                                  ("Belarusian-Latin/BGN", _BELARUSIAN),
                                  ("Macedonian-Latin/BGN", _MACEDONIAN)):  # fmt: skip
            if letters & marker:
                forms.append(_icu(word, transform))
    for transform in _TRANSFORMS.get(script, ()):
        forms.append(_icu(word, transform))
    if script in ("Arab", "Hebr"):
        forms.extend(_vowelled(f) for f in list(forms))
    if script == "Hang":
        forms.extend(_korean_passport(word))
    if script == "Grek":
        forms.append(Form(_word(word), "ICAO 9303"))
    if not forms:
        forms.append(_icu(word, "Any-Latin"))
        forms.append(Form(_word(word), "ICAO 9303"))
    seen: dict[str, Form] = {}
    for form in forms:
        if form.latin and form.latin not in seen:
            seen[form.latin] = form
    return tuple(seen.values()) or (Form(_word(word) or "X", "ICAO 9303"),)


def _icu(word: str, transform: str) -> Form:
    latin = _transform(transform).transliterate(word).upper()
    return Form(_NOT_A_WORD.sub("", latin), _SCHEMES[transform])


def _vowelled(form: Form) -> Form:
    """The letters Arabic and Hebrew write for long vowels (W, Y between consonants) read as
    the vowels they stand for: MHMWD as MHMUD, HSYN as HSIN."""
    text = form.latin
    if len(text) < 3:
        return form
    middle = text[1:].replace("W", "U").replace("Y", "I")
    return Form(text[0] + middle, form.scheme)


def _korean_passport(word: str) -> list[Form]:
    """Spellings Korean passports and lists use beside Revised Romanisation. No library keeps
    them; surnames whose spelling is not a reading (LEE for 이, PARK for 박) come from the
    name tables instead.

    One syllable (a family name, or a syllable of a given name cut apart) gets the spellings
    passports have long given each part of it: the first consonant unvoiced (GIM as KIM,
    GYO as KYO, JEONG as CHUNG), S as SH before I (SHIN), the vowel as written before 2000
    (EO as U or O, EU as U, U as OO, UI as EE or I, OE as OI), a final G, B, D as K, P, T
    (BAEG as BAEK), and a syllable that starts with a vowel with an H (AN as AHN, O as OH)
    or, for U, a W (UG as WOOK). A word of several syllables gets two whole spellings: the
    passport one (EO as U, a final G/B/D as K/P/T: MYEONGBAG as MYUNGBAK) and
    McCune-Reischauer without its marks (EO as O, EU as U: JEONGEUN as JONGUN), each also
    with the first consonant unvoiced."""
    syllables = [_NOT_A_WORD.sub("", _transform("Hangul-Latin").transliterate(c).upper())
                 for c in word]  # fmt: skip
    if len(syllables) == 1:
        return [Form(spelt, "Korean passport spelling") for spelt in _syllable(syllables[0])]
    passport, reischauer = [], []
    for latin in syllables:
        if len(latin) > 1 and latin[-1] in "GBD" and not latin.endswith("NG"):
            latin = latin[:-1] + _FINAL[latin[-1]]
        passport.append(latin.replace("EO", "U"))
        reischauer.append(latin.replace("EO", "O").replace("EU", "U"))
    forms = []
    for spelt, scheme in (("".join(passport), "Korean passport spelling"),
                          ("".join(reischauer), "McCune-Reischauer")):  # fmt: skip
        forms.append(Form(spelt, scheme))
        if spelt[:1] in _UNVOICED:
            forms.append(Form(_UNVOICED[spelt[0]] + spelt[1:], scheme))
    # and each syllable in its own passport spellings, as a given name written as one word
    # has them (YOUNGHEE, MIKYUNG for 영희, 미경): the first few of each, a bounded number
    options = [_syllable(latin)[:MAX_EACH_SYLLABLE] for latin in syllables]
    for combo in itertools.islice(itertools.product(*options), MAX_WHOLE_SPELLINGS):
        forms.append(Form("".join(combo), "Korean passport spelling"))
    return forms


_SYLLABLE = re.compile(r"([^AEIOUWY]*)([WY]?[AEIOU]+)([A-Z]*)")
_FINAL = {"G": "K", "B": "P", "D": "T"}
_VOWELS = {"EO": ("U", "O"), "YEO": ("YU", "YO", "YOU"), "EU": ("U",), "U": ("OO",), "YU": ("YOO",),
           "UI": ("EE", "I"), "I": ("EE",), "OE": ("OI",)}  # fmt: skip
MAX_SYLLABLE_SPELLINGS = 12
MAX_EACH_SYLLABLE = 4  # spellings of each syllable of a word of several
MAX_WHOLE_SPELLINGS = 16  # of such a word spelt syllable by syllable


def _syllable(latin: str) -> list[str]:
    """The spellings of one Korean syllable read as ``latin`` (Revised Romanisation), the
    usual passport ones first."""
    found = _SYLLABLE.fullmatch(latin)
    if not found:
        return [latin]
    first, vowel, final = found.groups()
    firsts = [first] + ([_UNVOICED[first]] if first in _UNVOICED else [])
    if first == "S" and vowel[0] in "IY":
        firsts.append("SH")  # SHIN, SHIM
    vowels = [vowel, *(v for v in _VOWELS.get(vowel, ()) if v != "EE" or not final)]
    if not first and vowel in ("A", "O"):
        vowels.append(vowel + "H")  # AHN, OH
    if not first and vowel == "U":
        vowels.append("WOO")  # WOO, WOOK
    finals = [_FINAL[final], final] if final in _FINAL else [final]  # BAEK before BAEG
    # every consonant spelling with the vowel as read first: the index keys a word by its
    # consonants, and takes the first few spellings
    spelt = [f + v + t for v, f, t in itertools.product(vowels, firsts, finals)]
    return list(dict.fromkeys(spelt))[:MAX_SYLLABLE_SPELLINGS]


_UNVOICED = {"G": "K", "D": "T", "B": "P", "J": "CH"}


def _han(word: str) -> list[Form]:
    """Pinyin and Wade-Giles, as pypinyin reads the characters in context."""
    from pypinyin import Style, lazy_pinyin  # loaded by the first Chinese name (0.4 s)

    pinyin = "".join(lazy_pinyin(word)).upper()
    wade = "".join(lazy_pinyin(word, style=Style.WADEGILES)).upper().replace("V", "U")
    return [Form(_NOT_A_WORD.sub("", pinyin), "Pinyin"),
            Form(_NOT_A_WORD.sub("", wade), "Wade-Giles")]  # fmt: skip


# Jyutping as the Hong Kong Government romanises names (on HKSAR passports and identity
# cards). No library keeps this spelling (pycantonese writes Yale, ToJyutping IPA), so it is
# written here from the system's published correspondences: each initial and final with its
# usual spelling first, then the common others (Z as CH or TS, S as S or SH, AN as AN or UN,
# O as O or OR, EI as EI or EE).
_JYUTPING = re.compile(r"(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)([a-z]+?)([1-6])")
_INITIALS = {"b": ("P",), "p": ("P",), "d": ("T",), "t": ("T",), "g": ("K",), "k": ("K",),
             "gw": ("KW",), "kw": ("KW",), "z": ("CH", "TS"), "c": ("CH", "TS"),
             "s": ("S", "SH"), "j": ("Y",)}  # fmt: skip
_FINALS = {"aa": ("A",), "a": ("A",), "an": ("AN", "UN"), "au": ("AU", "OW"),
           "ei": ("EI", "EE", "I"), "o": ("O", "OR"), "ou": ("O", "OU"), "u": ("U", "OO"),
           "un": ("OON", "UN"), "oe": ("OE",), "oeng": ("EUNG",), "oek": ("EUK",),
           "eoi": ("UI", "OI"), "eon": ("UN",), "eot": ("UT",), "yu": ("U", "UE"),
           "yun": ("UEN", "UN"), "yut": ("UET", "UT")}  # fmt: skip
_SIBILANT_I = {"z": ("CHI", "TSZ"), "c": ("CHI", "TSZ"), "s": ("SZE", "SI", "SHI")}
MAX_CANTONESE = 4  # spellings of one word


def _cantonese(word: str) -> list[Form]:
    """The Hong Kong spellings of a Chinese word read in Cantonese (蒋 as CHEUNG, 介石 as
    KAISHEK), the usual one first; none where a character has no Cantonese reading."""
    import ToJyutping  # loaded by the first Chinese name (its dictionary: 0.9 s)

    syllables = []
    for _char, jyutping in ToJyutping.get_jyutping_list(word):
        found = _JYUTPING.fullmatch(jyutping or "")
        if not found:
            return []
        syllables.append(_hong_kong(*found.group(1, 2)))
    usual = [options[0] for options in syllables]
    spellings = ["".join(usual)]  # then one syllable spelt another way at a time: a name of
    # any length gives a few spellings, not every combination
    for at, options in enumerate(syllables):
        for other in options[1:]:
            if len(spellings) == MAX_CANTONESE:
                break
            spellings.append("".join([*usual[:at], other, *usual[at + 1 :]]))
    return [Form(spelt, "Cantonese (Hong Kong)") for spelt in spellings]


@lru_cache(maxsize=2048)
def _hong_kong(initial: str, final: str) -> tuple[str, ...]:
    """The spellings of one Jyutping syllable (without its tone), the usual one first."""
    if final == "i" and initial in _SIBILANT_I:
        return _SIBILANT_I[initial]
    firsts = _INITIALS.get(initial, (initial.upper(),))
    if final.startswith("aa"):
        final = final[1:]  # long and short A are spelt alike: GAAI as KAI
    ends = _FINALS.get(final, (final.upper(),))
    return tuple(dict.fromkeys(f + e for f, e in itertools.product(firsts, ends)))


@lru_cache(maxsize=20_000)
def every_reading(char: str) -> frozenset[str]:
    """Every reading of one Chinese character: in Mandarin, Pinyin and Wade-Giles (薄: BAO,
    BO, PAO, PO, BU, PU), and its Cantonese spellings (蒋: CHEUNG, TSEUNG). Not readings of the
    name (方, FANG, is not WANG however else the character reads), but what makes the name
    tables believable where they say a family name is spelt otherwise (薄 is BO)."""
    from pypinyin import Style
    from pypinyin import pinyin as pinyin_readings

    found = {f.latin for f in _cantonese(char)}
    for style in (Style.NORMAL, Style.WADEGILES):
        for reading in pinyin_readings(char, heteronym=True, style=style)[0]:
            found.add(_NOT_A_WORD.sub("", reading.upper().replace("V", "U")))
    return frozenset(found)


@lru_cache(maxsize=200_000)
def search_forms(word: str) -> tuple[Form, ...]:
    """The readings the index files a native word under: its readings, and for a single
    Chinese character its Cantonese spellings too (蒋 as CHEUNG), which the scorer takes only
    where the name tables agree: the index may propose more than the scorer accepts."""
    forms = latin_forms(word)
    if len(word) == 1 and detect_script(word) == "Hani":
        forms += tuple(_cantonese(word))
    return forms


def _japanese(word: str) -> list[Form]:
    """Hepburn, with and without long vowels; none when the dictionary cannot read every
    character (a simplified Chinese one: 嘉诚 is not KA)."""
    pieces = _kakasi().convert(word)
    if any(not p["hepburn"] and any(c.isalpha() for c in p["orig"]) for p in pieces):
        return []
    hepburn = "".join(p["hepburn"] for p in pieces).upper()
    hepburn = _NOT_A_WORD.sub("", hepburn)
    if not hepburn:
        return []
    short = hepburn
    for long_, plain in _LONG_VOWELS:
        short = short.replace(long_, plain)
    forms = [Form(short, "Hepburn (passport)")]
    if short != hepburn:
        forms.append(Form(hepburn, "Hepburn"))
    return forms


def passport_latin(text: str, language: str = "") -> str:
    """``text`` in Latin letters as the issuing state's passports print it, where a library
    keeps that system: Hepburn for Japanese, Pinyin for Chinese (a given name as one word),
    Revised Romanisation for Korean (the surnames passports spell otherwise, LEE for 이, no
    library keeps), ELOT 743 for Greek, BGN/PCGN for Armenian and Georgian, ICAO 9303 for
    Cyrillic (what Russian passports print), ICU's Any-Latin for the rest. ``language`` (an
    ISO 639-1 code) says whose characters Han ones are. Arabic, Persian and Hebrew passports
    write vowels the script leaves out, which no library restores: they get the letters ICU
    reads, long vowels as vowels (MLIKA for مليکا where a passport prints MELIKA)."""
    words = []
    for word in text.split():
        script = detect_script(word)
        form = Form(_word(word), "ICAO 9303")
        if language == "ja" and script in ("Hani", "Jpan", "Hira", "Kana"):
            form = next(iter(_japanese(word)), form)
        elif script == "Hani":
            form = _han(word)[0]
        elif script in ("Grek", "Armn", "Geor", "Hang"):
            form = _icu(word, _TRANSFORMS[script][0])
        elif script in ("Arab", "Hebr"):
            form = _vowelled(_icu(word, _TRANSFORMS[script][0]))
        elif script not in ("Latn", "Cyrl", "Zyyy"):
            form = _icu(word, "Any-Latin")
        words.append(form.latin.capitalize())
    return " ".join(w for w in words if w)


_MAX_SYLLABLES = 4


@lru_cache(maxsize=1)
def _systems() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Every Pinyin syllable pypinyin knows with its Wade-Giles spelling, and back (without
    tone marks, apostrophes or diaeresis, as passports and lists write them)."""
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style._utils import replace_symbol_to_no_symbol
    from pypinyin.style.wadegiles import to_wade_glides

    syllables = {replace_symbol_to_no_symbol(p) for v in pinyin_dict.values() for p in v.split(",")}
    to_wade: dict[str, set[str]] = {}
    to_pinyin: dict[str, set[str]] = {}
    for syllable in syllables:
        pinyin = _NOT_A_WORD.sub("", syllable.replace("ü", "u").replace("v", "u").upper())
        wade = _NOT_A_WORD.sub("", to_wade_glides(syllable).replace("v", "u").upper())
        if pinyin and wade and re.search("[AEIOUY]", pinyin):  # not N, M, HM, NG (interjections)
            to_wade.setdefault(pinyin, set()).add(wade)
            to_pinyin.setdefault(wade, set()).add(pinyin)
    return ({k: tuple(sorted(v)) for k, v in to_wade.items()},
            {k: tuple(sorted(v)) for k, v in to_pinyin.items()})  # fmt: skip


@lru_cache(maxsize=100_000)
def chinese_forms(word: str) -> tuple[Form, ...]:
    """A Latin word read as Chinese syllables in the other system: Pinyin as Wade-Giles
    (XIAOPING as HSIAOPING) and Wade-Giles as Pinyin (TSETUNG as ZEDONG); empty when the word
    is not a few syllables of either."""
    to_wade, to_pinyin = _systems()
    forms: list[Form] = []
    for table, scheme in ((to_wade, "Wade-Giles"), (to_pinyin, "Pinyin")):
        cut = _syllabify(word, table)
        if cut:  # without apostrophes Wade-Giles CH is J or Q: every way, four at most
            for spelt in itertools.islice(map("".join, itertools.product(
                *(table[syllable] for syllable in cut))), 4):  # fmt: skip
                if spelt != word:
                    forms.append(Form(spelt, scheme))
    return tuple(forms)


def _syllabify(word: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``word`` cut into the fewest syllables of ``table`` (at most four), or ()."""
    if len(word) > 6 * _MAX_SYLLABLES or not word.isalpha():
        return ()
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            before = best[start]
            if before is not None and word[start:end] in table and len(before) < _MAX_SYLLABLES:
                cut = (*before, word[start:end])
                if best[end] is None or len(cut) < len(best[end] or ()):
                    best[end] = cut
    return best[-1] or ()
