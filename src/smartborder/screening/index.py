"""Candidate retrieval: which lookouts are worth scoring for a subject, without scanning them all.

Each lookout is filed under blocking keys made from its names and documents:

- ``P`` keys: the consonant skeletons of every pair of words in a name, order ignored — found
  whatever the word order, with a middle name dropped, and with one word misspelt when the name
  has three or more words;
- ``I`` keys: one word's skeleton with another word's first letter — found from an initial
  (``J SMITH``), and with the second word misspelt after its first letter (``JOHN SMTIH``);
- ``F`` keys: one word's skeleton with another word's last two letters — found with the second
  word misspelt or spelt otherwise at its start (``YULES LESSARD``, ``KHARVI SIBAL``);
- ``S`` keys: the skeleton of a one-word name;
- ``D`` keys: document numbers in their OCR-folded form.

The keys live in sorted numpy arrays (hashed key, slot, and the slot's year of birth), sorted by
key and, within a key, by year, and searched with ``searchsorted``; lookouts added since the last
compaction sit in a small dictionary beside them, and removed ones are masked until the next
compaction merges all. Candidates are ranked by how many keys they share with the subject, those
whose year of birth rules them out are dropped (the score could not reach any threshold), and the
best ``limit`` are handed to the scorer. A key shared by many lookouts is read only for the years
that can match (unknown, or within a year of the subject's): the same lookouts survive, without
reading the thousands of others first.
"""

from __future__ import annotations

import datetime as dt
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from smartborder import collector
from smartborder.screening import names as spelling
from smartborder.screening.features import Identity, ocr_fold
from smartborder.screening.knowledge import LEGAL, known, look_up
from smartborder.screening.names import skeleton
from smartborder.screening.readings import Form, chinese_forms, is_native, search_forms

MAX_WORDS = 6  # words of one name used for keys
MAX_POSTINGS = 4000  # keys shared by more lookouts than this are too common to retrieve by
MAX_COMMON = 4  # common keys searched by year of birth, at most, per subject
NARROW_FROM = 48  # postings from which a key is read by year of birth rather than whole
COMPACT_AFTER = 50_000  # changes kept beside the sorted arrays before they are merged
SETTLE_AT = 100_000  # lookouts from which a build freezes the heap it leaves behind


@dataclass(frozen=True, slots=True)
class Entry:
    lookout_id: str
    category: str
    origin: str  # "local" or the partner node's id
    version: int
    identity: Identity
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    """What a lookout found by name must be able to reach to be worth scoring: the score's
    weights of the levels of date of birth, sex and nationality (``features``), and the least
    sum of the three from which the best name could still reach the lowest threshold. A
    lookout sharing a document number is never held to it."""

    birth: Mapping[str, float]
    sex: Mapping[str, float]
    nationality: Mapping[str, float]
    least: float
    least_names_only: float = -float("inf")  # the same for a pair judged on names only


MAX_READINGS = 4  # Latin readings of a name in another script used for keys: three, and
# four for Han (Pinyin, Wade-Giles, Hepburn for a Japanese name, Cantonese)
MAX_ALIASES = 8  # other forms of one word (name tables) searched for, at most
SPECIFIC = 3  # names the tables know a Latin word as, at most, to search its other forms
ALIASES_PER_NAME = 16  # words the index remembers for one name of the name tables


def name_keys(identity: Identity) -> set[int]:
    keys: set[int] = set()
    for name in identity.names:
        for words in _readings(name):
            _add_keys(keys, words[:MAX_WORDS])
    return keys


def _readings(name: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The name's words in Latin letters: itself, or for a name in its own script, its first
    few readings (each word read the k-th way it can be)."""
    words = tuple(w for w in name if w[0] != LEGAL)
    if not words:
        return []
    if all(w.isascii() for w in words):
        # a Chinese name in the other system's spelling (XI JINPING as HSI CHINPING): only
        # where every word is Chinese syllables, not where one happens to be (MARIA)
        chinese = [chinese_forms(w) for w in words]
        if len(words) > 1 and all(chinese):
            return [words, tuple(forms[0].latin for forms in chinese)]
        return [words]
    forms = [search_forms(w) if is_native(w) else (Form(w, ""),) for w in words]
    # the k-th reading reads every word by one system (习 and 近平 both in Wade-Giles; Hepburn
    # as passports write it and in full are one) where the words have it, and otherwise takes
    # each word's k-th spelling; three readings, or one a system where there are more (Han)
    schemes = list(dict.fromkeys(_system(f.scheme) for word in forms for f in word if f.scheme))
    count = min(MAX_READINGS, max(3, len(schemes)), max(len(f) for f in forms))
    readings = []
    for k in range(count):
        scheme = schemes[k] if k < len(schemes) else ""
        readings.append(
            tuple(
                next(
                    (f.latin for f in word if scheme and _system(f.scheme) == scheme),
                    word[min(k, len(word) - 1)].latin,
                )
                for word in forms
            )
        )
    return list(dict.fromkeys(readings))


@lru_cache(maxsize=64)
def _system(scheme: str) -> str:
    """A reading's system, without its variant: ``Hepburn (passport)`` is Hepburn."""
    return scheme.split(" (", 1)[0]


def _add_keys(keys: set[int], words: tuple[str, ...]) -> None:
    sk = [skeleton(w) or w for w in words]
    first = [first_letter(w) for w in words]
    if len(words) == 1:
        keys.add(hash(("S", sk[0])))
    elif len(words) <= 3:  # found from the words written together (SERGEILAVROV)
        keys.add(hash(("S", skeleton.__wrapped__("".join(words)))))  # not cached: one a name
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            a, b = sk[i], sk[j]
            keys.add(hash(("P", a, b) if a <= b else ("P", b, a)))
            # each word with what is left of the other: its first letter, its end
            for x, y in ((i, j), (j, i)):
                if len(words[x]) > 1:
                    # a skeleton of one letter (LI, LEE, LILA, ALA) with an initial would
                    # fetch every name with such a word: the word itself, then
                    whole = sk[x] if len(sk[x]) > 1 else words[x]
                    keys.add(hash(("I", whole, first[y])))
                    if len(words[y]) > 3:
                        keys.add(hash(("F", sk[x], words[y][-2:])))


def _symbols(word: str) -> frozenset[str]:
    if word[0] == LEGAL or (len(word) < 2 and word.isascii()):
        return frozenset()  # a legal form, an initial
    found = known(word)
    return found.names | found.nicknames


def _searched(word: str) -> frozenset[str]:
    """The names a query word is also searched as: for a Latin word its nicknames, and its
    names in other languages when the tables know it as few names (ZELENSKY as SELENSKYJ; a
    common given name is known as many, and searching them all would fetch half the list:
    those are scored, not searched); for a word in another script every name they know."""
    if word.isascii():
        if len(word) < 2:
            return frozenset()
        found = known(word)
        if len(found.names) <= SPECIFIC:  # a rarer name: its forms in other languages too
            return found.nicknames | found.names
        return found.nicknames
    return _symbols(word)


def alias_keys(identity: Identity, aliases: Mapping[str, set[str]]) -> set[int]:
    """Keys of the name with one word replaced by another form of it that the name tables
    know and a lookout carries (BILL for WILLIAM, KIM for 김): found though no letters are
    shared."""
    keys: set[int] = set()
    for name in identity.names:
        readings = _readings(name)
        words = [w for w in name if w[0] != LEGAL][:MAX_WORDS]
        if len(words) < 2 or not readings:
            continue
        for p, word in enumerate(words):
            others: set[str] = set()
            for symbol in _searched(word):
                others |= aliases.get(symbol, set())
            others -= {r[p] for r in readings}
            for other in sorted(others)[:MAX_ALIASES]:
                base = readings[0]
                _add_keys(keys, (*base[:p], other, *base[p + 1 :]))
    return keys


def _words(entry: Entry | None) -> set[str]:
    return {w for name in entry.identity.names for w in name} if entry else set()


def _year(entry: Entry) -> int:
    return entry.identity.birth[0] if entry.identity.birth else 0


def _day(entry: Entry) -> int:
    return entry.identity.birth[1] * 32 + entry.identity.birth[2] if entry.identity.birth else 0


_SEXES = {"M": 1, "F": 2}  # any other (X, U, none) is 0: unknown to the score


def _sex(identity: Identity) -> int:
    return _SEXES.get(identity.sex or "", 0)


SEVERAL = -1  # a slot's nationality code when the lookout has more than one


_FIRST = {"J": "I", "Y": "I", "W": "V"}


def first_letter(word: str) -> str:
    """A word's first letter as it sounds: JAN, YAN and IAN file under one key, WI and VI
    too (not PH and F: an initial P stands for PHILIPPE)."""
    return _FIRST.get(word[0], word[0])


def document_keys(identity: Identity) -> set[int]:
    return {hash(("D", ocr_fold(n))) for n in identity.documents if n}


def keys_of(identity: Identity) -> set[int]:
    return name_keys(identity) | document_keys(identity)


class LookoutIndex:
    """Lookouts in memory for screening. Safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Entry | None] = []
        self._slot: dict[str, int] = {}
        self._years = array("h")  # year of birth per slot, 0 when unknown
        self._days = array("h")  # month * 32 + day of birth per slot, 0 when unknown
        self._sexes = array("b")  # 1 M, 2 F, 0 unknown, per slot
        self._nations = array("i")  # a code per slot: 0 none, SEVERAL, or the one (_codes)
        self._codes: dict[str, int] = {}
        self._alive = bytearray()
        self._keys: NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._slots: NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._born: NDArray[np.int16] = np.empty(0, dtype=np.int16)  # year of each slot above
        self._delta: dict[int, list[int]] = {}
        self._changes = 0
        self._words: Counter[str] = Counter()  # lookouts per name word
        self._aliases: dict[str, set[str]] = {}  # name-table symbol -> Latin words carrying it

    def __len__(self) -> int:
        return len(self._slot)

    def known(self, word: str, *, listed: bool) -> bool:
        """Whether ``word`` is in some lookout's name; for a word of a listed name, in
        another lookout's name as well (see ``features.Vocabulary``)."""
        return self._words.get(word, 0) >= (2 if listed else 1)

    def _nation(self, identity: Identity) -> int:
        if not identity.nationalities:
            return 0
        if len(identity.nationalities) > 1:
            return SEVERAL
        (code,) = identity.nationalities
        return self._codes.setdefault(code, len(self._codes) + 1)

    def _remember(self, words: Iterable[str], aliases: dict[str, set[str]]) -> None:
        """File the Latin words of lookouts under the names the name tables know them as."""
        for word in words:
            if word.isascii():
                for symbol in _symbols(word):
                    words = aliases.setdefault(symbol, set())
                    if len(words) < ALIASES_PER_NAME:
                        words.add(word)

    def get(self, lookout_id: str) -> Entry | None:
        slot = self._slot.get(lookout_id)
        return None if slot is None else self._entries[slot]

    def build(self, entries: Iterable[Entry]) -> None:
        """Replace the contents with ``entries`` (start-up, or a rebuild from the database).

        The cyclic collector is paused meanwhile: a build makes millions of objects that live
        as long as the index and form no cycles, and each full collection would walk them all
        (measured: a third of a million-lookout build)."""
        with collector.paused():
            self._build(entries)
        if len(self._slot) >= SETTLE_AT:
            collector.settle()

    def _build(self, entries: Iterable[Entry]) -> None:
        key_parts: list[NDArray[np.int64]] = []
        slot_parts: list[NDArray[np.int32]] = []
        new_entries: list[Entry | None] = []
        slots: dict[str, int] = {}
        years, days, alive = array("h"), array("h"), bytearray()
        sexes, nations = array("b"), array("i")
        chunk_keys: list[int] = []
        chunk_slots: list[int] = []
        words: Counter[str] = Counter()
        aliases: dict[str, set[str]] = {}
        for entry in entries:
            if entry.lookout_id in slots:  # a later version replaces an earlier one
                alive[slots[entry.lookout_id]] = 0
                words.subtract(_words(new_entries[slots[entry.lookout_id]]))
            words.update(_words(entry))
            slot = len(new_entries)
            new_entries.append(entry)
            slots[entry.lookout_id] = slot
            years.append(_year(entry))
            days.append(_day(entry))
            sexes.append(_sex(entry.identity))
            nations.append(self._nation(entry.identity))
            alive.append(1)
            keys = keys_of(entry.identity)
            chunk_keys.extend(keys)
            chunk_slots.extend([slot] * len(keys))
            if len(chunk_keys) > 1_000_000:
                key_parts.append(np.fromiter(chunk_keys, dtype=np.int64, count=len(chunk_keys)))
                slot_parts.append(np.asarray(chunk_slots, dtype=np.int32))
                chunk_keys, chunk_slots = [], []
        key_parts.append(np.fromiter(chunk_keys, dtype=np.int64, count=len(chunk_keys)))
        slot_parts.append(np.asarray(chunk_slots, dtype=np.int32))
        named = [w for w in words if w[0] != LEGAL]
        look_up(named, listed=True)  # the tables, a few hundred words a call
        for w in named:
            spelling.word(w)  # what pairing words needs of each, once
        # each word once (an entry's words are filed as they come; filed again, nothing
        # changes)
        self._remember((w for w, count in words.items() if count > 0), aliases)
        with self._lock:
            self._entries, self._slot, self._alive = new_entries, slots, alive
            self._years, self._days = years, days
            self._sexes, self._nations = sexes, nations
            self._keys, self._slots = np.concatenate(key_parts), np.concatenate(slot_parts)
            self._delta, self._changes = {}, 0
            self._words, self._aliases = words, aliases
            self._compact_locked()  # sorts them

    def upsert(self, entry: Entry) -> None:
        """Add a lookout, or replace the version the index holds."""
        with self._lock:
            old = self._slot.get(entry.lookout_id)
            if old is not None:
                current = self._entries[old]
                if current is not None and current.version >= entry.version:
                    return
                self._kill(old)
            slot = len(self._entries)
            self._entries.append(entry)
            self._words.update(_words(entry))
            self._remember(_words(entry), self._aliases)
            self._slot[entry.lookout_id] = slot
            self._years.append(_year(entry))
            self._days.append(_day(entry))
            self._sexes.append(_sex(entry.identity))
            self._nations.append(self._nation(entry.identity))
            self._alive.append(1)
            for key in keys_of(entry.identity):
                self._delta.setdefault(key, []).append(slot)
            self._changed()

    def remove(self, lookout_id: str) -> None:
        with self._lock:
            slot = self._slot.pop(lookout_id, None)
            if slot is not None:
                self._kill(slot)
                self._changed()

    def _kill(self, slot: int) -> None:
        entry = self._entries[slot]
        if entry is not None:
            self._words.subtract(_words(entry))
        self._alive[slot] = 0
        self._entries[slot] = None

    def _changed(self) -> None:
        self._changes += 1
        if self._changes >= COMPACT_AFTER:
            self._compact_locked()

    def _compact_locked(self) -> None:
        """Merge the added lookouts into the sorted arrays and drop the removed ones."""
        keys, slots = self._keys, self._slots
        if self._delta:
            added = [(k, s) for k, ss in self._delta.items() for s in ss]
            keys = np.concatenate([keys, np.fromiter((k for k, _ in added), dtype=np.int64)])
            slots = np.concatenate([slots, np.fromiter((s for _, s in added), dtype=np.int32)])
        alive = np.frombuffer(self._alive, dtype=np.uint8) if self._alive else np.empty(0)
        keep = alive[slots].astype(bool) if len(slots) else np.empty(0, dtype=bool)
        keys, slots = keys[keep], slots[keep]
        born = np.frombuffer(self._years, dtype=np.int16)[slots] if len(slots) else self._born[:0]
        order = np.lexsort((born, keys))  # by key, then by year within a key
        self._keys, self._slots, self._born = keys[order], slots[order], born[order]
        self._delta, self._changes = {}, 0

    def candidates(self, identity: Identity, limit: int, *, bar: Bar | None = None) -> list[Entry]:
        """The lookouts most worth scoring for ``identity``, best first (see ``candidates_of``)."""
        return self.candidates_of([identity], limit, bar=bar)[0]

    def candidates_of(
        self, identities: Sequence[Identity], limit: int, *, bar: Bar | None = None
    ) -> list[list[Entry]]:
        """For each identity, the lookouts most worth scoring, best first: those sharing a
        document number, then the ``limit`` found by name that share the rarest keys. Many
        identities are ranked together (a message's travellers), each numpy step once for
        all of them. With ``bar``, lookouts found by name whose date of birth, sex and
        nationality could not reach it are left out before ranking (they could not reach any
        threshold whatever their names); those sharing a document number are kept."""
        with self._lock:
            alive = np.frombuffer(self._alive, dtype=np.uint8)
            look_up(w for i in identities for name in i.names for w in name if w[0] != LEGAL)
            named = [
                list(name_keys(identity) | alias_keys(identity, self._aliases))
                for identity in identities
            ]
            numbered = [list(document_keys(identity)) for identity in identities]
            # every key of every identity searched at once
            bounds = iter(self._bounds([k for keys in (*named, *numbered) for k in keys]))
            by_name = [[next(bounds) for _ in keys] for keys in named]
            by_number = [[next(bounds) for _ in keys] for keys in numbered]
            picked: list[list[int]] = []
            for n, identity in enumerate(identities):
                year = identity.birth[0] if identity.birth else 0
                slots, rarity = self._lookup(named[n], by_name[n], year)
                documents: list[int] = []
                papers = np.empty(0, dtype=np.int64)
                if numbered[n]:
                    by_document, _ = self._lookup(numbered[n], by_number[n], 0)
                    documents = [int(s) for s in np.unique(by_document) if alive[s]]
                # with no limit to cut at, the scorer leaves out what the bar would, at less
                # cost
                held = bar if len(slots) > limit else None
                if held is not None and numbered[n]:
                    papers = self._filed_under(numbered[n], by_number[n]).astype(np.int64)
                ranked = self._rank(slots, rarity, identity, alive, limit, held, papers)
                picked.append(list(dict.fromkeys(documents + ranked)) if documents else ranked)
            return [[e for e in (self._entries[s] for s in slots) if e is not None]
                    for slots in picked]  # fmt: skip

    def _bounds(self, keys: list[int]) -> list[tuple[int, int]]:
        """Where each key's postings start and end in the sorted arrays."""
        if not keys:
            return []
        wanted = np.asarray(keys, dtype=np.int64)
        lo = np.searchsorted(self._keys, wanted, side="left").tolist()
        hi = np.searchsorted(self._keys, wanted, side="right").tolist()
        return list(zip(lo, hi, strict=True))

    def _filed_under(self, keys: list[int], bounds: list[tuple[int, int]]) -> NDArray[np.int32]:
        """Every slot filed under ``keys`` (at ``bounds``), however many share them."""
        added = [s for key in keys for s in self._delta.get(key, ())]
        parts = [self._slots[a:b] for a, b in bounds]
        return np.concatenate([*parts, np.asarray(added, dtype=np.int32)])

    def _lookup(
        self, keys: list[int], bounds: list[tuple[int, int]], year: int
    ) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """Slots filed under ``keys`` (at ``bounds``), each with the rarity of the key it was
        found by (the log of how few lookouts share it). A key shared by many lookouts gives,
        with ``year``, only those born within a year of it or of unknown birth (the others
        cannot match); a key shared by too many is used only so (J SMITH born 1980), or not
        at all without a year unless no key is rarer."""
        empty = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        if not keys:
            return empty
        total = max(len(self._slot), 1)
        spans: list[tuple[int, int]] = []  # (start, end) in the sorted arrays
        sizes: list[int] = []  # the posting size behind each span, for its rarity
        common: list[tuple[int, int]] = []
        for a, b in bounds:
            if b - a > MAX_POSTINGS:
                common.append((a, b))
            elif b - a >= NARROW_FROM and year:
                spans.extend(self._of_years(a, b, year))
                sizes.extend((b - a, b - a))
            elif b > a:
                spans.append((a, b))
                sizes.append(b - a)
        extra: list[int] = []
        extra_sizes: list[int] = []
        for key in keys:  # lookouts added since the last compaction
            if added := self._delta.get(key):
                extra.extend(added)
                extra_sizes.extend([len(added)] * len(added))
        common.sort(key=lambda ab: ab[1] - ab[0])
        if year and common:
            for a, b in common[:MAX_COMMON]:
                spans.extend(self._of_years(a, b, year))
                sizes.extend((b - a, b - a))
        elif not spans and not extra and common:  # all keys common and no year: the rarest
            spans.append(common[0])
            sizes.append(common[0][1] - common[0][0])
        if not spans and not extra:
            return empty
        lengths = [b - a for a, b in spans]
        found = np.concatenate(
            [self._slots[a:b] for a, b in spans] + [np.asarray(extra, dtype=np.int32)]
        )
        counts = np.asarray(sizes + extra_sizes, dtype=np.float32)
        rarity = np.log(total / counts) + 1.0
        weights = np.repeat(rarity, lengths + [1] * len(extra)).astype(np.float32)
        return found, weights

    def _of_years(self, a: int, b: int, year: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """Within the key at ``a:b``: the lookouts of unknown birth, and those born within a
        year of ``year`` (the key's slots are sorted by year)."""
        unknown, first, last = np.searchsorted(self._born[a:b], (1, year - 1, year + 2)).tolist()
        return (a, a + unknown), (a + first, a + last)

    def _rank(
        self,
        found: NDArray[np.int32],
        rarity: NDArray[np.float32],
        identity: Identity,
        alive: NDArray[np.uint8],
        limit: int,
        bar: Bar | None,
        papers: NDArray[np.int64],
    ) -> list[int]:
        """The ``limit`` slots of ``found`` sharing the rarest keys with ``identity`` (a rare
        surname says more than a common given name); among equals, those whose date of birth
        agrees more: the same year, the same day and month (the year may be a typo), both;
        then the earliest filed. With ``bar``, those that cannot reach it are left out first,
        unless ``papers`` has them (they share a document number). One subject's candidates
        are a few hundred slots: the subject's own details are plain numbers, each step one
        numpy call over the slots."""
        if not len(found):
            return []
        slots, inverse = np.unique(found, return_inverse=True)
        rank = np.bincount(inverse.ravel(), weights=rarity)
        theirs = np.frombuffer(self._years, dtype=np.int16)[slots].astype(np.int64)
        days = np.frombuffer(self._days, dtype=np.int16)[slots].astype(np.int64)
        keep = alive[slots].astype(bool)
        year, month, day = identity.birth or (0, 0, 0)
        if year:
            keep &= (theirs == 0) | (np.abs(theirs - year) <= 1)
            rank += (theirs == year) * 0.5
            if month and day:
                rank += (days == month * 32 + day) * 1.5 + (days == day * 32 + month) * 1.0
            elif month:
                rank += ((days >> 5) == month) * 0.5
        if bar is not None:
            able = self._reach(bar, identity, slots, theirs, days)
            keep &= able | np.isin(slots, papers) if len(papers) else able
        slots, rank = slots[keep], rank[keep]
        order = np.lexsort((slots, -rank))  # best first, then the earliest filed
        best: list[int] = slots[order[:limit]].tolist()
        return best

    def _reach(
        self,
        bar: Bar,
        identity: Identity,
        slots: NDArray[np.int32],
        theirs: NDArray[np.int64],
        days: NDArray[np.int64],
    ) -> NDArray[np.bool_]:
        """Which slots could reach ``bar`` with ``identity``: the weights of their levels of
        date of birth, sex and nationality, graded as ``features`` grades them - exactly for
        two full dates of birth, at their best for a partial one - summed."""
        b = bar.birth
        year, month, day = identity.birth or (0, 0, 0)
        known = theirs > 0
        if not year:
            birth: NDArray[np.float64] | float = b["unknown"]
            least: NDArray[np.float64] | float = bar.least_names_only
        else:
            their_month, their_day = days >> 5, days & 31
            partial = max(b[k] for k in ("agrees-to-month", "agrees-to-year", "year-off-by-one"))
            near = np.where(np.abs(theirs - year) <= 1, partial, b["conflicting"])
            if month and day:  # graded exactly where both dates are full
                same_year = theirs == year
                exact = same_year & (their_month == month) & (their_day == day)
                swapped = same_year & (their_month == day) & (their_day == month) & ~exact
                agree = same_year.astype(np.int64) + (their_month == month) + (their_day == day)
                two = agree == 2
                typo = _one_digit(month, their_month) | _one_digit(day, their_day)
                graded = np.select(
                    [exact, swapped, two & ~same_year, two & same_year & typo, two & same_year],
                    [b["exact"], b["day-month-swapped"], b["year-typo"], b["digit-typo"],
                     b["two-parts-agree"]],
                    b["conflicting"],
                )  # fmt: skip
                full = (their_month > 0) & (their_day > 0) & (np.abs(theirs - year) <= 1)
                near = np.where(full, graded, near)
            birth = np.where(known, near, b["unknown"])
            least = np.where(known, bar.least, bar.least_names_only)  # no date on one side
        s = bar.sex
        mine = _sex(identity)
        if mine:
            their_sex = np.frombuffer(self._sexes, dtype=np.int8)[slots]
            sex: NDArray[np.float64] | float = np.where(
                their_sex == 0, s["unknown"], np.where(their_sex == mine, s["same"], s["different"])
            )
        else:
            sex = s["unknown"]
        n = bar.nationality
        first, second = self._asked(identity)
        if first:
            their_nation = np.frombuffer(self._nations, dtype=np.int32)[slots]
            if first == SEVERAL:
                shared: NDArray[np.bool_] | bool = True
            else:
                shared = (
                    (their_nation == SEVERAL) | (their_nation == first) | (their_nation == second)
                )
            nation: NDArray[np.float64] | float = np.where(
                their_nation == 0, n["unknown"], np.where(shared, n["shared"], n["different"])
            )
        else:
            nation = n["unknown"]
        reach: NDArray[np.bool_] = np.asarray(birth + sex + nation >= least - 1e-9)
        if reach.ndim == 0:
            reach = np.full(len(slots), bool(reach))
        return reach

    def _asked(self, identity: Identity) -> tuple[int, int]:
        """An identity's nationalities as slot codes: (0, 0) none, (SEVERAL, 0) more than
        two, else one or two codes (a code no lookout has never equals a slot's)."""
        given = sorted(identity.nationalities)
        if not given:
            return 0, 0
        if len(given) > 2:
            return SEVERAL, 0
        codes = [self._codes.get(code, -2) for code in given]
        return codes[0], codes[-1]


def _one_digit(a: int, b: NDArray[np.int64]) -> NDArray[np.bool_]:
    """As ``features``: two-digit numbers that differ in exactly one digit."""
    one: NDArray[np.bool_] = (b != a) & ((b // 10 == a // 10) | (b % 10 == a % 10))
    return one
