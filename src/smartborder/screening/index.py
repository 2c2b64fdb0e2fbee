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

The keys live in two sorted numpy arrays (hashed key, slot), searched with ``searchsorted``;
lookouts added since the last compaction sit in a small dictionary beside them, and removed ones
are masked until the next compaction merges both. Candidates are ranked by how many keys they
share with the subject, those whose year of birth rules them out are dropped (the score could not
reach any threshold), and the best ``limit`` are handed to the scorer.
"""

from __future__ import annotations

import datetime as dt
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartborder.screening.features import Identity, ocr_fold
from smartborder.screening.names import skeleton

MAX_WORDS = 6  # words of one name used for keys
MAX_POSTINGS = 4000  # keys shared by more lookouts than this are too common to retrieve by
COMPACT_AFTER = 50_000  # changes kept beside the sorted arrays before they are merged


@dataclass(frozen=True, slots=True)
class Entry:
    lookout_id: str
    category: str
    origin: str  # "local" or the partner node's id
    version: int
    identity: Identity
    valid_until: dt.date | None = None


def name_keys(identity: Identity) -> set[int]:
    keys: set[int] = set()
    for name in identity.names:
        words = name[:MAX_WORDS]
        sk = [skeleton(w) or w for w in words]
        if len(words) == 1:
            keys.add(hash(("S", sk[0])))
        for i in range(len(words)):
            for j in range(len(words)):
                if i == j:
                    continue
                if i < j:
                    a, b = sorted((sk[i], sk[j]))
                    keys.add(hash(("P", a, b)))
                if len(words[i]) > 1:
                    keys.add(hash(("I", sk[i], words[j][0])))
                    if len(words[j]) > 3:
                        keys.add(hash(("F", sk[i], words[j][-2:])))
    return keys


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
        self._alive = bytearray()
        self._keys: NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._slots: NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._delta: dict[int, list[int]] = {}
        self._changes = 0

    def __len__(self) -> int:
        return len(self._slot)

    def get(self, lookout_id: str) -> Entry | None:
        slot = self._slot.get(lookout_id)
        return None if slot is None else self._entries[slot]

    def build(self, entries: Iterable[Entry]) -> None:
        """Replace the contents with ``entries`` (start-up, or a rebuild from the database)."""
        key_parts: list[NDArray[np.int64]] = []
        slot_parts: list[NDArray[np.int32]] = []
        new_entries: list[Entry | None] = []
        slots: dict[str, int] = {}
        years, alive = array("h"), bytearray()
        chunk_keys: list[int] = []
        chunk_slots: list[int] = []
        for entry in entries:
            if entry.lookout_id in slots:  # a later version replaces an earlier one
                alive[slots[entry.lookout_id]] = 0
            slot = len(new_entries)
            new_entries.append(entry)
            slots[entry.lookout_id] = slot
            years.append(entry.identity.birth[0] if entry.identity.birth else 0)
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
        all_keys, all_slots = np.concatenate(key_parts), np.concatenate(slot_parts)
        order = np.argsort(all_keys, kind="stable")
        with self._lock:
            self._entries, self._slot, self._years, self._alive = new_entries, slots, years, alive
            self._keys, self._slots = all_keys[order], all_slots[order]
            self._delta, self._changes = {}, 0
            self._compact_locked()

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
            self._slot[entry.lookout_id] = slot
            self._years.append(entry.identity.birth[0] if entry.identity.birth else 0)
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
        order = np.argsort(keys, kind="stable")
        self._keys, self._slots = keys[order], slots[order]
        self._delta, self._changes = {}, 0

    def candidates(self, identity: Identity, limit: int) -> list[Entry]:
        """The lookouts most worth scoring for ``identity``, best first."""
        with self._lock:
            by_name = self._lookup(name_keys(identity))
            by_document = self._lookup(document_keys(identity))
            years = np.frombuffer(self._years, dtype=np.int16)
            alive = np.frombuffer(self._alive, dtype=np.uint8)
            ranked = self._rank(by_name, identity, years, alive, limit)
            documents = [int(s) for s in np.unique(by_document) if alive[s]]
            picked = list(dict.fromkeys(documents + ranked))
            return [e for e in (self._entries[s] for s in picked) if e is not None]

    def _lookup(self, keys: set[int]) -> NDArray[np.int32]:
        if not keys:
            return np.empty(0, dtype=np.int32)
        wanted = np.fromiter(keys, dtype=np.int64, count=len(keys))
        lo = np.searchsorted(self._keys, wanted, side="left")
        hi = np.searchsorted(self._keys, wanted, side="right")
        sizes = hi - lo
        usable = sizes <= MAX_POSTINGS
        if not usable.any() and sizes.any():
            usable = sizes == sizes[sizes > 0].min()  # all keys common: use the rarest
        parts = [self._slots[a:b] for a, b, ok in zip(lo, hi, usable, strict=True) if ok and b > a]
        for key in keys:
            extra = self._delta.get(key)
            if extra:
                parts.append(np.asarray(extra, dtype=np.int32))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)

    def _rank(
        self,
        found: NDArray[np.int32],
        identity: Identity,
        years: NDArray[np.int16],
        alive: NDArray[np.uint8],
        limit: int,
    ) -> list[int]:
        if not len(found):
            return []
        slots, shared = np.unique(found, return_counts=True)
        keep = alive[slots].astype(bool)
        rank = shared * 2
        if identity.birth:
            theirs = years[slots]
            keep &= (theirs == 0) | (np.abs(theirs - identity.birth[0]) <= 1)
            rank += theirs == identity.birth[0]  # ties go to the same year of birth
        slots, shared = slots[keep], rank[keep]
        if len(slots) > limit:
            best = np.argpartition(-shared, limit)[:limit]
            slots, shared = slots[best], shared[best]
        order = np.argsort(-shared, kind="stable")
        return [int(s) for s in slots[order]]
