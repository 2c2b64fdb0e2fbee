"""Latin transliteration of names as ICAO Doc 9303 Part 3 (section 6) specifies it for the MRZ:
Latin letters with diacritics, Cyrillic and Arabic by its tables; other scripts through anyascii.
Output is upper-case A-Z with spaces, hyphens and apostrophes kept for the caller to handle."""

from __future__ import annotations

import unicodedata
from functools import cache

from anyascii import anyascii

# Latin characters whose ICAO form is not just the letter without its diacritic.
_LATIN_SPECIAL = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "Œ": "OE", "ß": "SS",
    "Þ": "TH", "Ĳ": "IJ", "Đ": "D", "Ð": "D", "Ħ": "H", "Ł": "L", "Ŀ": "L", "Ŋ": "N", "Ŧ": "T",
    "ı": "I", "ĸ": "K",
}  # fmt: skip

_CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Ѓ": "G", "Ђ": "D", "Е": "E",
    "Ё": "E", "Є": "IE", "Ж": "ZH", "З": "Z", "Ѕ": "DZ", "И": "I", "І": "I", "Ї": "I", "Й": "I",
    "Ј": "J", "К": "K", "Л": "L", "Љ": "LJ", "М": "M", "Н": "N", "Њ": "NJ", "О": "O", "П": "P",
    "Р": "R", "С": "S", "Т": "T", "Ќ": "K", "Ћ": "C", "У": "U", "Ў": "U", "Ф": "F", "Х": "KH",
    "Ц": "TS", "Ч": "CH", "Џ": "DZ", "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "",
    "Э": "E", "Ю": "IU", "Я": "IA",
}  # fmt: skip

# Doc 9303 Part 3 Table C (Arabic); the X-prefixed forms keep the transliteration reversible.
_ARABIC = {
    "\u0621": "XE", "\u0622": "XAA", "\u0623": "XAE", "\u0624": "U", "\u0625": "I",
    "\u0626": "XI", "\u0627": "A", "\u0628": "B", "\u0629": "XTA", "\u062a": "T",
    "\u062b": "XTH", "\u062c": "J", "\u062d": "XH", "\u062e": "XKH", "\u062f": "D",
    "\u0630": "XDH", "\u0631": "R", "\u0632": "Z", "\u0633": "S", "\u0634": "XSH",
    "\u0635": "XSS", "\u0636": "XDZ", "\u0637": "XTT", "\u0638": "XZZ", "\u0639": "E",
    "\u063a": "G", "\u0641": "F", "\u0642": "Q", "\u0643": "K", "\u0644": "L", "\u0645": "M",
    "\u0646": "N", "\u0647": "H", "\u0648": "W", "\u0649": "XAY", "\u064a": "Y",
    "\u064b": "F", "\u064c": "N", "\u064d": "K", "\u064e": "A", "\u064f": "U", "\u0650": "I",
    "\u0651": "", "\u0652": "O", "\u0670": "", "\u0671": "XXA", "\u067e": "P", "\u0686": "XC",
    "\u0698": "XJ", "\u06a9": "XKK", "\u06af": "XGG", "\u06cc": "Y",
}  # fmt: skip


@cache
def _char(char: str) -> str:
    upper = char.upper() if len(char.upper()) == 1 else char
    if upper in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[upper]
    if char in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[char]
    if upper in _CYRILLIC:
        return _CYRILLIC[upper]
    if char in _ARABIC:
        return _ARABIC[char]
    if char.isascii():
        return char.upper()
    decomposed = unicodedata.normalize("NFD", upper)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if base.isascii() and base:
        return base.upper()
    return anyascii(char).upper()


def transliterate(text: str) -> str:
    """ICAO Latin form of ``text``, upper case (``Jürgen Weiß`` gives ``JUERGEN WEISS``)."""
    if text.isascii():  # most names on travel documents: nothing to transliterate
        return text.upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(_char(c) for c in text)
