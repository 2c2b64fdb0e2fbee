"""1:N over iris codes: the probe against every enrolled code, all rotations at once.

The codes are held as one array of 64-bit words per angle (``iris.words``), so a search is a
few vectorised XORs and bit counts per enrolled code, in bounded chunks (``iris.distances``):
about 45,000 comparisons a second on one core. People are ranked by their best-scoring eye;
each candidate says whether it matches at the operating point asked for.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray

from smartborder.biometrics.iris import COLUMNS, DaugmanIris, distances
from smartborder.biometrics.matchers import OperatingPoint, Template
from smartborder.biometrics.prints import PrintCandidate as Candidate


class IrisGallery:
    """The enrolled iris codes, stacked for search."""

    def __init__(self) -> None:
        self._keys: list[str] = []  # row i of the arrays is key i's code
        self._subjects: list[str] = []
        self._codes = np.zeros((16, COLUMNS), np.uint64)  # grown by doubling
        self._masks = np.zeros((16, COLUMNS), np.uint64)
        self._lock = threading.Lock()
        self._matcher = DaugmanIris()

    def __len__(self) -> int:
        return len(self._keys)

    def enrol(self, subject: str, data: bytes, key: str) -> None:
        code, mask = self._matcher.load(data, f"template {key}")
        with self._lock:
            at = len(self._keys)
            if at == len(self._codes):
                self._codes = np.concatenate([self._codes, np.zeros_like(self._codes)])
                self._masks = np.concatenate([self._masks, np.zeros_like(self._masks)])
            self._codes[at], self._masks[at] = code, mask
            self._keys.append(key)
            self._subjects.append(subject)

    def remove(self, key: str) -> None:
        """Forget ``key``'s code: the last row takes its place."""
        with self._lock:
            if key not in self._keys:
                return
            at, last = self._keys.index(key), len(self._keys) - 1
            self._codes[at], self._masks[at] = self._codes[last], self._masks[last]
            self._keys[at], self._subjects[at] = self._keys[last], self._subjects[last]
            self._keys.pop()
            self._subjects.pop()

    def subjects(self) -> set[str]:
        with self._lock:
            return set(self._subjects)

    def search(
        self,
        probe: Template,
        point: OperatingPoint,
        limit: int = 10,
        *,
        only_matches: bool = False,
    ) -> list[Candidate]:
        """The ``limit`` people whose best eye scores highest (1 - Hamming distance) against
        ``probe`` (only those matching at ``point`` with ``only_matches``), best first."""
        code, mask = self._matcher.load(probe.data, "the probe")
        with self._lock:  # held while searching: a removal moves rows
            held = len(self._keys)
            subjects = list(self._subjects)
            scores: NDArray[np.float64] = 1.0 - distances(
                code, mask, self._codes[:held], self._masks[:held]
            )
        best: dict[str, float] = {}
        for subject, score in zip(subjects, scores.tolist(), strict=True):
            if (point.matches(score) or not only_matches) and score > best.get(subject, -1.0):
                best[subject] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Candidate(subject, round(score, 4), point.matches(score), rank)
                for rank, (subject, score) in enumerate(ranked, start=1)]  # fmt: skip
