"""Screening: retrieve candidates from the index, score each, keep those over their threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from smartborder.screening import features
from smartborder.screening.features import Evidence, Identity, score
from smartborder.screening.index import Bar, Entry, LookoutIndex

if TYPE_CHECKING:
    from smartborder.settings import Settings

CANDIDATES = 40  # scored per subject; the index ranks them by shared keys


@lru_cache(maxsize=64)
def bar(lowest: float, names_only: float | None = None) -> Bar:
    """What a lookout found by name must be able to reach to be scored against ``lowest``
    (``names_only`` when no date of birth is on one side; ``lowest`` when not given)."""
    return Bar(
        birth=features.weights(features.BIRTH),
        sex=features.weights(features.SEX),
        nationality=features.weights(features.NATIONALITY),
        least=features.least_to_reach(lowest),
        least_names_only=features.least_to_reach(lowest if names_only is None else names_only),
    )


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    threshold: float
    evidence: list[Evidence]
    names_only: bool = False  # judged at the names-only operating point

    def as_dict(self) -> dict[str, object]:
        return {
            "lookout_id": self.entry.lookout_id,
            "category": self.entry.category,
            "origin": self.entry.origin,
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "operating_point": "names-only" if self.names_only else "full",
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass
class Thresholds:
    """The operating points: a threshold for pairs with more than names to go on, and one for
    names-only pairs (no date of birth on one side, no document in common), each with its
    table by category."""

    default: float
    by_category: dict[str, float]
    names_only: float = 0.55
    names_only_by_category: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(
            settings.screening_threshold,
            settings.screening_category_thresholds,
            settings.screening_names_only_threshold,
            settings.screening_category_names_only_thresholds,
        )

    def of(self, category: str, *, names_only: bool = False) -> float:
        if names_only:
            return self.names_only_by_category.get(category, self.names_only)
        return self.by_category.get(category, self.default)

    def lowest(self, *, names_only: bool = False) -> float:
        if names_only:
            return min([self.names_only, *self.names_only_by_category.values()])
        return min([self.default, *self.by_category.values()])


class Matcher:
    def __init__(self, index: LookoutIndex, thresholds: Thresholds) -> None:
        self.index = index
        self.thresholds = thresholds

    def screen(
        self,
        subject: Identity,
        *,
        limit: int = 10,
        floor: float | None = None,
        today: dt.date | None = None,
    ) -> list[Hit]:
        """Hits for ``subject``, best first: lookouts scoring at least their category's
        threshold (or ``floor`` when given, to look below the thresholds); lookouts expired by
        ``today`` are left out."""
        return self.screen_all([subject], limit=limit, floor=floor, today=today)[0]

    def screen_all(
        self,
        subjects: Sequence[Identity],
        *,
        limit: int = 10,
        floor: float | None = None,
        today: dt.date | None = None,
    ) -> list[list[Hit]]:
        """``screen`` for many subjects at once (a message's travellers): the index ranks
        their candidates together."""
        if floor is not None:
            least = bar(floor)
        else:
            least = bar(self.thresholds.lowest(), self.thresholds.lowest(names_only=True))
        found = self.index.candidates_of(subjects, CANDIDATES, bar=least)
        return [
            self._hits(subject, entries, limit, floor, today)
            for subject, entries in zip(subjects, found, strict=True)
        ]

    def _hits(
        self,
        subject: Identity,
        entries: list[Entry],
        limit: int,
        floor: float | None,
        today: dt.date | None,
    ) -> list[Hit]:
        hits = []
        for entry in entries:
            if today and entry.valid_until and entry.valid_until < today:
                continue
            names_only = features.names_only(subject, entry.identity)
            threshold = self.thresholds.of(entry.category, names_only=names_only)
            cutoff = threshold if floor is None else floor
            value, _ = score(subject, entry.identity, self.index, explain=False, at_least=cutoff)
            if value >= cutoff:
                _, evidence = score(subject, entry.identity, self.index)
                hits.append(Hit(entry, value, threshold, evidence, names_only))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]
