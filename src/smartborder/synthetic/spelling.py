"""Latin spellings for Arabic, Persian and Hebrew names, as their passports print them.

These scripts leave most vowels unwritten, so no transliteration can restore them: محمد is
MOHAMED on an Egyptian passport, MOHAMMAD on an Iranian one, and a library reads it as MHMD.
The vowels have to come from somewhere real. Here they come from names real people carry:
the Latin first names and surnames of every Faker locale (about 30,000 spellings, MIT).

A Latin spelling is a name's spelling when the letters agree with the script's, one by one:
each consonant letter as one of the ways it is romanised (ج as J, G or DJ; ח as CH, H or KH),
each long-vowel letter as a vowel or as its consonant (و as O, OU, U, W or V), and between
them at most a short vowel, which the script does not write. So محمد is MOHAMED, MOHAMMED,
MUHAMMAD or MOHAMAD, حسين is HUSSEIN or HUSSAIN but not HASSAN (the ي needs a vowel there),
and כהן is COHEN or KOHEN. A name with no such spelling among real names has none here:
the people generator only draws names it can spell (``spellings``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from smartborder.screening.knowledge import look_up

# The ways each letter is romanised. A consonant's spellings may double (shadda, or the
# doubled letters of Egyptian and French spellings); a letter that is also a vowel lists
# its vowels; "" means it may be silent.
_VOWELS = ("A", "E", "I", "O", "U")
_ANY_VOWEL = (*_VOWELS, "")
_ARABIC: dict[str, tuple[str, ...]] = {
    "ب": ("B",), "پ": ("P",), "ت": ("T",), "ث": ("TH", "S", "T"), "ج": ("J", "G", "DJ"),
    "چ": ("CH", "TCH"), "ح": ("H",), "خ": ("KH", "H", "KH"), "د": ("D",), "ذ": ("DH", "Z", "D"),
    "ر": ("R",), "ز": ("Z",), "ژ": ("ZH", "J"), "س": ("S",), "ش": ("SH", "CH"),
    "ص": ("S",), "ض": ("D", "DH", "Z"), "ط": ("T",), "ظ": ("Z", "DH"), "غ": ("GH", "G"),
    "ف": ("F",), "ق": ("Q", "K", "G"), "ك": ("K",), "ک": ("K",), "گ": ("G",), "ل": ("L",),
    "م": ("M",), "ن": ("N",),
}  # fmt: skip
_ARABIC_VOWELS: dict[str, tuple[str, ...]] = {
    "ا": ("A", "AA", "E"),
    "آ": ("A", "AA"),
    "و": ("O", "OU", "U", "OO", "W", "V", "AW", "OW"),
    "ي": ("I", "EE", "E", "Y", "EI", "AI", "AY", "EY", "IY", "II"),
    "ى": ("A", "Y", "I", "E"),
    "ة": ("A", "AH", "E", "EH", "AT", "ET"),
    "ه": ("H", "EH", "AH", "E", "A"),
    "ع": ("", "A", "E", "I", "O", "U", "AA", "'"),
    "ء": ("", "'", "A", "E"),
    "ئ": ("", "'", "I", "E", "Y"),
    "ؤ": ("", "'", "O", "U", "W"),
    "أ": ("A", "E", "O", "U", "'", ""),
    "إ": ("I", "E"),
    "ٱ": ("A", "E"),
}
_ARABIC_VOWELS["ی"] = _ARABIC_VOWELS["ي"]
_ARABIC_VOWELS["ۀ"] = _ARABIC_VOWELS["ة"]
# At the start of a word the hamza seat and ayn are its first vowel; و and ي are consonants.
_ARABIC_FIRST: dict[str, tuple[str, ...]] = {
    "ا": _VOWELS, "أ": _VOWELS, "إ": ("I", "E"), "آ": ("A", "AA"), "ع": _VOWELS,
    "و": ("W", "V", "OU", "O"), "ي": ("Y", "I", "J"), "ی": ("Y", "I", "J"), "ه": ("H",),
}  # fmt: skip
_HEBREW: dict[str, tuple[str, ...]] = {
    "ב": ("B", "V"), "ג": ("G",), "ד": ("D",), "ז": ("Z",), "ח": ("CH", "H", "KH"), "ט": ("T",),
    "כ": ("K", "KH", "CH", "C"), "ך": ("KH", "CH", "K", "H"), "ל": ("L",), "מ": ("M",),
    "ם": ("M",), "נ": ("N",), "ן": ("N",), "ס": ("S",), "פ": ("P", "F", "PH"), "ף": ("F", "PH"),
    "צ": ("TZ", "TS", "Z"), "ץ": ("TZ", "TS", "Z"), "ק": ("K", "Q", "C"), "ר": ("R",),
    "ש": ("SH", "S"), "ת": ("T", "TH"),
}  # fmt: skip
# Israeli passports write י as Y, never J (YONATAN, BINYAMIN; JONATHAN is the English name).
_HEBREW_VOWELS: dict[str, tuple[str, ...]] = {
    "א": _ANY_VOWEL,
    "ע": _ANY_VOWEL,
    "ה": ("H", "A", "E", "AH", "EH", ""),
    "ו": ("V", "O", "U", "OO", "AV", "OV"),  # W only in Arabic names (DAWUD is not DAVID)
    "י": ("Y", "I", "E", "EI", "AI", "IY", "EY", "AY"),
}
# An I sound at the start is written אי or עי (ILAN, IDAN): a lone א or ע is another vowel;
# a first י or ו is a consonant (YAAKOV, not IACOB).
_HEBREW_FIRST: dict[str, tuple[str, ...]] = {
    "ו": ("V",), "י": ("Y",), "א": ("A", "E", "O", "U"), "ע": ("A", "E", "O", "U"),
    "ה": ("H",),
}  # fmt: skip
# A geresh after a letter makes it another sound (ג׳ as J, צ׳ as CH).
_GERESH = {"ג": ("J",), "ז": ("ZH", "J"), "צ": ("CH", "TCH"), "ת": ("TH", "T")}

_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0591-\u05c7\u200c\u200d\u0640]")  # harakat, niqqud
_SHORT = "[AEIOU]?"


@lru_cache(maxsize=1)
def _real_spellings() -> dict[str, int]:
    """Every Latin word among the first names and surnames of Faker's locales, upper case,
    without accents, with the number of locales that carry it."""
    import faker.providers.person as people

    found: dict[str, set[str]] = {}
    for module in pkgutil.iter_modules(people.__path__):
        provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
        for attribute in dir(provider):
            if not attribute.startswith(("first_names", "last_names")):
                continue
            for name in _words_of(getattr(provider, attribute)):
                for word in name.split():
                    latin = _plain(word)
                    if latin:
                        found.setdefault(latin, set()).add(module.name)
    return {word: len(locales) for word, locales in found.items()}


def _words_of(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, (list, tuple)):
        yield from (v for v in value if isinstance(v, str))


def _plain(word: str) -> str:
    """``word`` as an upper-case spelling of ASCII letters, or "" when it is not Latin."""
    folded = unicodedata.normalize("NFKD", word)
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    letters = letters.replace("'", "").replace("-", "").upper()
    return letters if letters.isascii() and letters.isalpha() and len(letters) > 1 else ""


@lru_cache(maxsize=1)
def _by_consonants() -> dict[str, tuple[str, ...]]:
    """The real spellings by their consonants (vowels, Y, W and H left out), most common
    first: what a word of the script is looked up by before its letters are compared."""
    index: dict[str, list[str]] = {}
    for word, _ in sorted(_real_spellings().items(), key=lambda kv: (-kv[1], kv[0])):
        index.setdefault(_consonants(word), []).append(word)
    return {key: tuple(words) for key, words in index.items()}


def _consonants(latin: str) -> str:
    skeleton = re.sub("[AEIOUYWH']", "", latin)
    return re.sub(r"(.)\1+", r"\1", skeleton)


def _is_hebrew(word: str) -> bool:
    return any("\u0590" <= c <= "\u05ff" for c in word)


def _slots(word: str) -> list[tuple[tuple[str, ...], bool]]:
    """Each letter of ``word`` (Arabic, Persian or Hebrew) as the spellings it may take, and
    whether it is a consonant (only between two consonants may a short vowel be unwritten)."""
    word = _MARKS.sub("", unicodedata.normalize("NFC", word))
    hebrew = _is_hebrew(word)
    consonants, vowels, first = (
        (_HEBREW, _HEBREW_VOWELS, _HEBREW_FIRST)
        if hebrew
        else (_ARABIC, _ARABIC_VOWELS, _ARABIC_FIRST)
    )
    slots: list[tuple[tuple[str, ...], bool]] = []
    for index, letter in enumerate(word):
        if letter in "'\u05f3" and slots and hebrew:
            slots[-1] = (_GERESH.get(word[index - 1], slots[-1][0]), True)
            continue
        if index == 0 and hebrew and letter in "אע" and word[1:2] in ("י", "ו"):
            slots.append((_ANY_VOWEL, False))  # the vowel is the next letter's
        elif index == 0 and letter in first:
            slots.append((first[letter], False))
        elif letter in consonants:
            slots.append((consonants[letter], True))
        elif letter in vowels:
            slots.append((vowels[letter], False))
        else:
            return []
    return slots


def _pattern(slots: list[tuple[tuple[str, ...], bool]], hebrew: bool) -> re.Pattern[str]:
    """The spellings of ``slots``: a consonant may double; a short vowel may stand between
    two consonants (in Hebrew, which writes fewer vowels still, between any two letters)."""
    parts = []
    for index, (choices, consonant) in enumerate(slots):
        if index and (hebrew or (consonant and slots[index - 1][1])):
            parts.append(_SHORT)
        ways = "|".join(
            f"{c}{c}?" if consonant and len(c) == 1 else re.escape(c)
            for c in sorted(choices, key=len, reverse=True)
        )
        parts.append(f"(?:{ways})")
    return re.compile("".join(parts))


# Persian family names often end in a word that says "son of" or "from" (محمد پور,
# رضا زاده): passports write it joined, the same way every time (MOHAMMADPOUR, REZAZADEH).
PERSIAN_ENDINGS = {"پور": "POUR", "زاده": "ZADEH", "نژاد": "NEJAD", "فر": "FAR", "نیا": "NIA",
                   "راد": "RAD", "منش": "MANESH", "خواه": "KHAH"}  # fmt: skip
_NISBA = ("ی", "ي")  # -i: of a place, a tribe or a forebear (البغدادي, محمدی)


@lru_cache(maxsize=20_000)
def spellings(word: str, language: str = "") -> tuple[str, ...]:
    """The Latin spellings real people carry for one Arabic (``language`` "ar"), Persian
    ("fa") or Hebrew ("he") name word, most common first: spellings whose letters agree with
    the word's (``_letters_agree``) and that the name tables of ``rigour`` know as the same
    name (محمد and MOHAMED are one name there, so are אברהם and ABRAHAM). Empty when no
    such spelling is known. Built from those:

    - in Arabic, a word that begins with the article is AL- and the rest (البغدادي as
      AL-BAGHDADI; not in Persian, where الناز is ELNAZ);
    - a word that ends in the nisba -i is the rest and I (حمیدی as HAMIDI);
    - in Persian, a family-name ending joined to a name (محمدپور as MOHAMMADPOUR).
    """
    if language == "ar" and word.startswith("ال") and len(word) > 3:
        return tuple(f"AL-{rest}" for rest in spellings(word[2:], language))
    found = _confirmed(word)
    if not found and language == "fa":
        for ending, latin in PERSIAN_ENDINGS.items():
            if word.endswith(ending) and len(word) > len(ending) + 1:
                found = tuple(f"{s}{latin}" for s in spellings(word[: -len(ending)], language))
                break
    if not found and word.endswith(_NISBA) and len(word) > 3:
        found = tuple(f"{s}I" for s in _confirmed(word[:-1]) if not s.endswith(("I", "Y")))
    return found


def _confirmed(word: str) -> tuple[str, ...]:
    candidates = _letters_agree(word)
    if not candidates:
        return ()
    known = look_up([word, *candidates])
    names = known[word].names | known[word].particles
    return tuple(c for c in candidates if names & (known[c].names | known[c].particles))


def _letters_agree(word: str) -> tuple[str, ...]:
    """Real spellings (``_real_spellings``) whose letters agree with ``word``'s one by one,
    most common first."""
    slots = _slots(word)
    if not slots or len(slots) > 12:
        return ()
    keys = {""}
    for choices, _ in slots:
        ways = {_consonants(c) for c in choices}
        keys = {k + w for k in keys for w in ways}
        if len(keys) > 256:
            return ()
    index = _by_consonants()
    candidates = {w for key in keys for w in index.get(re.sub(r"(.)\1+", r"\1", key), ())}
    pattern = _pattern(slots, _is_hebrew(word))
    counts = _real_spellings()
    found = [w for w in candidates if pattern.fullmatch(w)]
    return tuple(sorted(found, key=lambda w: (-counts[w], w)))


def how_common(spelling: str) -> int:
    """How many of Faker's locales carry ``spelling``, at least 1 (a spelling built from
    others, such as AL-BAGHDADI, ABDEL AZIZ or MOHAMMADPOUR, counts as its name's)."""
    counts = _real_spellings()
    total = 0
    for part in spelling.split():
        part = part.removeprefix("AL-")
        for latin in PERSIAN_ENDINGS.values():
            if part.endswith(latin) and part not in counts:
                part = part.removesuffix(latin)
        total += counts.get(part, counts.get(part.removesuffix("I"), 0))
    return max(1, total)


def spell_name(name: str, language: str = "") -> list[tuple[str, ...]]:
    """The spellings of each word of ``name`` (``spellings``), with the words passports join:
    عبد before a word with the article (عبد العزيز as ABDEL AZIZ or ABDUL AZIZ) and a Persian
    family-name ending (محمد پور as MOHAMMADPOUR). An empty tuple for a word stands for one
    no real name spells."""
    words = name.split()
    out: list[tuple[str, ...]] = []
    index = 0
    while index < len(words):
        word = words[index]
        after = words[index + 1] if index + 1 < len(words) else ""
        if language == "ar" and word == "عبد" and after.startswith("ال") and len(after) > 3:
            rest = spellings(after[2:], language)
            out.append(tuple(f"{abd} {r}" for r in rest for abd in ("ABDEL", "ABDUL")))
            index += 2
        elif language == "fa" and after in PERSIAN_ENDINGS:
            ending = PERSIAN_ENDINGS[after]
            out.append(tuple(f"{s}{ending}" for s in spellings(word, language)))
            index += 2
        else:
            out.append(spellings(word, language))
            index += 1
    return out
