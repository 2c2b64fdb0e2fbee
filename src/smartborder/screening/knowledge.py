"""What is known about name words beyond their spelling: the name tables of ``rigour``.

``rigour`` (OpenSanctions, MIT) ships tables of person-name forms drawn from Wikidata (CC0):
each given or family name with its forms in every script and its nicknames (``WILLIAM``,
``BILL``, ``Уильям``, ``ويليام``; ``李``, ``LEE``, ``LI``, ``RHEE``), and the legal forms of
companies in many countries and languages (``AG``, ``Aktiengesellschaft``, ``АО``, ``PJSC``
are one class), and the words of organisations' names (``BANK``, ``БАНК`` and ``BANCO``;
``CORP`` and ``CORPORATION``; ``HIZBALLAH`` and ``HEZBOLLAH``). Two words that share a symbol
are forms of one name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rigour.names import Name, NameTypeTag, Symbol, analyze_names, extract_org_types

_NAME = Symbol.Category.NAME
_NICK = Symbol.Category.NICK
_MARK = Symbol.Category.SYMBOL  # name particles: BIN and IBN, OULD, BINT, ABU
# what the organisation tables know a word as: a kind of business (BANK, OIL), a generic word
# (CORP, GROUP, HOLDING), or a known organisation (HEZBOLLAH, ALQAEDA); not their legal forms,
# which ``legal_forms`` takes only where they stand (the tables have SA, SHA and YU as forms)
_TERMS = (Symbol.Category.DOMAIN, Symbol.Category.SYMBOL)
# The Arabic article as romanisations write it, assimilated to the next letter or not (al-,
# el-, az-Zawahiri, ash-Shami); rigour's tables have no symbol for it.
ARTICLES = frozenset(["AL", "EL", "UL", "AZ", "AS", "AD", "AN", "AR", "AT", "ASH", "ADH", "ATH"])
LEGAL = "~"  # legal-form words are kept as ~CLASS (~JSC, ~LLC): see ``legal_forms``


class Known(NamedTuple):
    names: frozenset[str]  # Wikidata ids of the names this word is a form of
    nicknames: frozenset[str]  # nickname groups it belongs to (BILL, TED)
    particles: frozenset[str] = frozenset()  # particles it is a form of (BIN for IBN)
    terms: frozenset[str] = frozenset()  # organisation terms it is a form of (CORP, BANK)


_NOTHING = Known(frozenset(), frozenset())
_listed: dict[str, Known] = {}  # the words of the index's lookouts, looked up at its build
_recent: dict[str, Known] = {}  # other words (the subjects'), forgotten when it grows past:
MAX_RECENT = 200_000
LOOK_UP_AT_ONCE = 500  # words per call: a call's cost grows faster than its size beyond


def known(word: str) -> Known:
    """The names and nickname groups of one name word (in any script)."""
    found = _listed.get(word) or _recent.get(word)
    if found is None:
        found = look_up([word])[word]
    return found


def look_up(words: Iterable[str], *, listed: bool = False) -> dict[str, Known]:
    """``known`` for many words at once, remembering them: the name tables answer a call in
    about 0.1 ms whatever its size, and then take some 8 microseconds a word (up to a few
    hundred words a call: beyond, a call's cost grows faster than its size), so a subject's
    words are looked up together and a list's words in a few calls at the index's build
    (``listed``: kept for as long as the process, rather than among the recent words)."""
    wanted = list(dict.fromkeys(words))
    out = {w: k for w in wanted if (k := _listed.get(w) or _recent.get(w)) is not None}
    new = [w for w in wanted if w not in out]
    store = _listed if listed else _recent
    if not listed and len(_recent) + len(new) > MAX_RECENT:
        _recent.clear()
    for start in range(0, len(new), LOOK_UP_AT_ONCE):
        chunk = new[start : start + LOOK_UP_AT_ONCE]
        lowered = [w.lower() for w in chunk]
        people = {n.original: _symbols(n) for n in _analysed(NameTypeTag.PER, lowered)}
        orgs = {n.original: _terms(n) for n in _analysed(NameTypeTag.ORG, lowered)}
        for w, low in zip(chunk, lowered, strict=True):
            found = people.get(low, _NOTHING)
            if terms := orgs.get(low):
                found = found._replace(terms=terms)
            out[w] = store[w] = found
    return out


def _analysed(kind: NameTypeTag, words: list[str]) -> list[Name]:
    """The tables' symbols of each word, as a person's name or an organisation's (``rewrite``,
    of titles and prefixes, is ours to do, and would cost 30 times as much)."""
    return list(
        analyze_names(
            kind, words, consolidate=False, phonetics=False, numerics=False, rewrite=False
        )
    )


def _symbols(name: Name) -> Known:
    names: set[str] = set()
    nicks: set[str] = set()
    marks: set[str] = set()
    for symbol in name.symbols:
        if symbol.category == _NAME:
            names.add(symbol.id)
        elif symbol.category == _NICK:
            nicks.add(symbol.id)
        elif symbol.category == _MARK:
            marks.add(symbol.id)
    return Known(frozenset(names), frozenset(nicks), frozenset(marks))


def _terms(name: Name) -> frozenset[str]:
    return frozenset(s.id for s in name.symbols if s.category in _TERMS)


def same_name(a: str, b: str) -> str:
    """How the name tables know ``a`` and ``b`` for one name: ``"nickname"``, ``"same name"``,
    ``"one particle"`` (BIN and IBN), ``"the Arabic article"`` (AL and AZ), ``"one
    organisation term"`` (CORP and CORPORATION, BANK and BANCO), or ``""`` when they do
    not."""
    if a.upper() in ARTICLES and b.upper() in ARTICLES:
        return "the Arabic article"
    ka, kb = known(a), known(b)
    if ka.particles & kb.particles:
        return "one particle"
    if ka.terms & kb.terms:
        return "one organisation term"
    if ka.nicknames & kb.nicknames:
        return "nickname"
    if ka.names & kb.names:
        return "same name"
    return ""


def legal_forms(text: str) -> tuple[str, list[str]]:
    """``text`` without its legal forms, and their classes (``JSC`` for AG, АО, PJSC, SpA;
    ``LLC`` for Ltd, GmbH, LLC, ...). A legal form counts at the start or the end of the
    name; one of two letters (AG, SA, AO) only where it is written apart from the rest, in
    capitals or with dots, in a name that is not all capitals (``Siemens AG``, ``Nestlé S.A.``;
    not the IN of ``Moon Jae-in`` nor the SA of ``MARIA SA``)."""
    lowered = text.casefold()
    found = extract_org_types(lowered, generic=True)
    if not found:
        return text, []
    words = text.split()
    classes = []
    for written, kind in found:
        at = _ends(text, written)
        if at is None:
            continue
        original = text[at : at + len(written)]
        letters = sum(c.isalpha() for c in written)
        if letters <= 2 and not (
            (original.isupper() or "." in original) and not text.isupper() and len(words) > 1
        ):
            continue
        text = (text[:at] + " " + text[at + len(written) :]).strip(" ,")
        classes.append(kind.upper())
    return text, classes


def _ends(text: str, written: str) -> int | None:
    """Where ``written`` (lower case) stands in ``text`` as whole words at its start or end."""
    lowered = text.casefold().rstrip(" ,")
    if lowered.startswith(written) and (len(lowered) == len(written) or
                                        not lowered[len(written)].isalnum()):  # fmt: skip
        return 0
    if lowered.endswith(written):
        at = len(lowered) - len(written)
        if at > 0 and not lowered[at - 1].isalnum():
            return at
    return None
