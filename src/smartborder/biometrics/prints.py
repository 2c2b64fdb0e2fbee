"""1:N over fingerprint minutiae: every enrolled record compared with the probe by BOZORTH3.

BOZORTH3 compares two minutiae sets, not vectors, so the fingerprint gallery is a list of
loaded records searched one by one (about 170 comparisons a second on one core: a gallery of
a few thousand prints answers in seconds; a candidate stage for larger ones is still to come).
People are ranked by their best-scoring print, and each candidate says whether it matches at
the operating point asked for. In a search of ``n`` prints the chance that some impostor
passes is about ``n`` times the point's FMR (the false positive identification rate, FPIR):
the answer states both.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import nbis

from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.biometrics.matchers import OperatingPoint, Template


@dataclass(frozen=True)
class PrintCandidate:
    subject: str
    score: float  # BOZORTH3, the person's best print
    match: bool  # at or past the operating point's threshold
    rank: int

    def as_dict(self) -> dict[str, object]:
        return {"subject": self.subject, "score": self.score, "match": self.match,
                "rank": self.rank}  # fmt: skip


class PrintGallery:
    """The enrolled fingerprint records of one algorithm, held loaded."""

    def __init__(self) -> None:
        self._prints: dict[str, tuple[str, nbis.Minutiae]] = {}  # key -> (subject, minutiae)
        self._lock = threading.Lock()
        self._matcher = NbisFingerprint()

    def __len__(self) -> int:
        return len(self._prints)

    def enrol(self, subject: str, data: bytes, key: str) -> None:
        minutiae = self._matcher.load(data, f"template {key}")
        with self._lock:
            self._prints[key] = (subject, minutiae)

    def remove(self, key: str) -> None:
        with self._lock:
            self._prints.pop(key, None)

    def subjects(self) -> set[str]:
        with self._lock:
            return {subject for subject, _ in self._prints.values()}

    def search(
        self,
        probe: Template,
        point: OperatingPoint,
        limit: int = 10,
        *,
        only_matches: bool = False,
    ) -> list[PrintCandidate]:
        """The ``limit`` people whose best print scores highest against ``probe`` (only those
        matching at ``point`` with ``only_matches``), best first."""
        loaded = self._matcher.load(probe.data, "the probe")
        with self._lock:
            held = list(self._prints.values())
        best: dict[str, float] = {}
        for subject, minutiae in held:
            score = float(loaded.compare(minutiae))
            if (point.matches(score) or not only_matches) and score > best.get(subject, -1.0):
                best[subject] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            PrintCandidate(subject, score, point.matches(score), rank)
            for rank, (subject, score) in enumerate(ranked, start=1)
        ]
