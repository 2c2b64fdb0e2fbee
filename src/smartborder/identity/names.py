"""Name helpers shared by every domain: which script a name is written in, and its search key."""

from __future__ import annotations

import unicodedata
from collections import Counter

from anyascii import anyascii

# First word of a character's Unicode name -> ISO 15924 script code.
_SCRIPTS = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "GREEK": "Grek",
    "ARABIC": "Arab",
    "HEBREW": "Hebr",
    "CJK": "Hani",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "HANGUL": "Hang",
    "DEVANAGARI": "Deva",
    "BENGALI": "Beng",
    "TAMIL": "Taml",
    "GURMUKHI": "Guru",
    "THAI": "Thai",
    "ARMENIAN": "Armn",
    "GEORGIAN": "Geor",
    "ETHIOPIC": "Ethi",
}


def detect_script(text: str) -> str:
    """The ISO 15924 code of the script most of the letters are in (``Zyyy`` when none is known)."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
            counts[_SCRIPTS.get(word, "Zzzz")] += 1
    if not counts:
        return "Zyyy"
    if counts.get("Hani") and (counts.get("Hira") or counts.get("Kana")):
        return "Jpan"
    return counts.most_common(1)[0][0]


def search_key(text: str) -> str:
    """Latin, upper-case, single-spaced form used for lookups across scripts."""
    folded = anyascii(unicodedata.normalize("NFKC", text)).upper()
    cleaned = "".join(c if c.isalnum() else " " for c in folded)
    return " ".join(cleaned.split())
