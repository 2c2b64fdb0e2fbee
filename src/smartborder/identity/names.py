"""Names in any script: which script, one normalisation used everywhere, and name parts.

``normalise`` is the single pipeline: Unicode NFKC, ICAO Doc 9303 transliteration (which also
folds case), then only A-Z/0-9 separated by single spaces. Applying it twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from smartborder.identity.transliteration import transliterate

# First word of a character's Unicode name -> ISO 15924 script code.
_SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARABIC": "Arab", "HEBREW": "Hebr",
    "CJK": "Hani", "HIRAGANA": "Hira", "KATAKANA": "Kana", "HANGUL": "Hang", "DEVANAGARI": "Deva",
    "BENGALI": "Beng", "TAMIL": "Taml", "GURMUKHI": "Guru", "THAI": "Thai", "ARMENIAN": "Armn",
    "GEORGIAN": "Geor", "ETHIOPIC": "Ethi",
}  # fmt: skip

TITLES = frozenset(
    [
        "MR",
        "MRS",
        "MS",
        "MISS",
        "MX",
        "DR",
        "PROF",
        "SIR",
        "DAME",
        "LORD",
        "LADY",
        "REV",
        "FR",
        "SHEIKH",
        "SHAIKH",
        "SHEIKHA",
        "HAJI",
        "HAJJI",
        "HAJ",
        "SAYYID",
        "SYED",
        "SAYED",
        "CAPT",
        "COL",
        "GEN",
        "MAJ",
        "LT",
        "SGT",
        "HON",
    ]
)
SUFFIXES = frozenset(["JR", "SR", "II", "III", "IV", "ESQ"])
PARTICLES = frozenset(
    [
        "AL",
        "EL",
        "BIN",
        "IBN",
        "BINT",
        "BENT",
        "ABU",
        "ABOU",
        "UMM",
        "VAN",
        "DER",
        "DEN",
        "TER",
        "TEN",
        "VON",
        "ZU",
        "DE",
        "LA",
        "LE",
        "LES",
        "DEL",
        "DELLA",
        "DELLE",
        "DI",
        "DA",
        "DAS",
        "DO",
        "DOS",
        "DU",
        "Y",
        "O",
        "MAC",
        "MC",
        "NIC",
        "NI",
    ]
)
# Chinese two-character family names, which a name written without spaces begins with.
_COMPOUND_HAN_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
    ]
)
_NON_WORD = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=8192)
def _script_of(letter: str) -> str:
    """The script of one letter, from the first word of its Unicode name (a name is read
    once per letter: a million names are written with a few thousand)."""
    return _SCRIPTS.get(unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0], "Zzzz")


def detect_script(text: str) -> str:
    """The ISO 15924 code of the script most of the letters are in (``Zyyy`` when none is known)."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            counts[_script_of(char)] += 1
    if not counts:
        return "Zyyy"
    if counts.get("Hani") and (counts.get("Hira") or counts.get("Kana")):
        return "Jpan"
    return counts.most_common(1)[0][0]


_APOSTROPHES = str.maketrans(dict.fromkeys("'`\u2018\u2019\u02bc\u02be\u02bf"))


def normalise(text: str) -> str:
    """The one normal form for comparing names: ICAO Latin, upper case, single spaces.

    Apostrophes vanish (``O'Brien`` gives ``OBRIEN``), and so do the marks romanisations write
    for ayn and hamza (a grave accent, U+02BF, U+02BE: ``Ma`mun`` gives ``MAMUN``); hyphens
    and other marks become spaces.
    """
    latin = transliterate(text).translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", latin).split())


def search_key(text: str) -> str:
    """The key people are searched by: the normal form of a name or document number."""
    return normalise(text)


@dataclass(frozen=True)
class NameParts:
    """A name cut into its parts, each part in normal form."""

    given_names: tuple[str, ...]
    surname: tuple[str, ...]
    titles: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()

    @property
    def surname_text(self) -> str:
        return " ".join(self.surname)

    @property
    def given_text(self) -> str:
        return " ".join(self.given_names)

    def surname_variants(self) -> frozenset[str]:
        """Forms the surname is also written in: joined, without particles, Mc/Mac, each half of
        a double-barrelled name."""
        core = [p for p in self.surname if p not in PARTICLES] or list(self.surname)
        forms = {" ".join(self.surname), "".join(self.surname), " ".join(core), "".join(core)}
        if len(core) > 1:
            forms.update(core)
        for form in list(forms):
            if form.startswith("MAC") and len(form) > 4:
                forms.add("MC" + form[3:])
            elif form.startswith("MC") and len(form) > 3:
                forms.add("MAC" + form[2:])
        return frozenset(f for f in forms if f)


def split_name(full: str, *, surname_first: bool = False) -> NameParts:
    """Cut a name as written into parts: titles and suffixes set aside, particles kept with the
    surname (``Jean de la Fontaine`` has surname ``DE LA FONTAINE``), initials noted, and names
    written without spaces (Chinese, Korean, Japanese) split after the family name."""
    stripped = full.strip()
    script = detect_script(stripped)
    if script in {"Hani", "Hang", "Jpan"} and " " not in stripped and len(stripped) >= 2:
        cut = 2 if stripped[:2] in _COMPOUND_HAN_SURNAMES else 1
        family, personal = normalise(stripped[:cut]), normalise(stripped[cut:])
        return NameParts(tuple(personal.split()), tuple(family.split()))
    if "," in stripped:
        head, _, tail = stripped.partition(",")
        stripped, surname_first = f"{head} {tail}", True
        first_count = len(head.split())
    else:
        first_count = 1
    # A hyphenated or apostrophised word stays one word: "Smith-Jones" is one surname.
    tokens = [t for t in (normalise(raw) for raw in stripped.split()) if t]
    titles = tuple(t for t in tokens if t in TITLES)
    suffixes = tuple(t for t in tokens if t in SUFFIXES)
    words = [t for t in tokens if t not in TITLES and t not in SUFFIXES]
    if not words:
        return NameParts((), (), titles, suffixes)
    if surname_first:
        surname, given = words[:first_count], words[first_count:]
    else:
        start = len(words) - 1
        while start > 0 and words[start - 1] in PARTICLES:
            start -= 1
        if start == 0 and len(words) > 1:  # all particles before the last word: keep one given
            start = 1
        surname, given = words[start:], words[:start]
    given_parts = tuple(" ".join(given).split())
    initials = tuple(t for t in given_parts if len(t) == 1)
    return NameParts(given_parts, tuple(" ".join(surname).split()), titles, suffixes, initials)
