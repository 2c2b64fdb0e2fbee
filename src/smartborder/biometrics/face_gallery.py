"""Face templates searched as the other samples are: over the node's embedding gallery of
``dlib-resnet-v1`` (exact 1:N, with the candidate stage from a million templates), each
candidate judged at the operating point asked for (a distance at most its threshold)."""

from __future__ import annotations

import numpy as np

from smartborder.biometrics.face import DIMENSIONS, MAGIC, DlibFace
from smartborder.biometrics.gallery import Gallery
from smartborder.biometrics.matchers import OperatingPoint, Template
from smartborder.biometrics.prints import PrintCandidate as Candidate
from smartborder.errors import NotFound


class FaceGallery:
    def __init__(self, gallery: Gallery) -> None:
        self.gallery = gallery
        self._matcher = DlibFace()

    def __len__(self) -> int:
        return len(self.gallery)

    def enrol(self, subject: str, data: bytes, key: str) -> None:
        """A face template (``SBFACE``), or 128 bare float32 numbers (embeddings enrolled as
        values through ``service.enrol``)."""
        if data.startswith(MAGIC):
            numbers = self._matcher.numbers(data, f"template {key}")
        elif len(data) == 4 * DIMENSIONS:
            numbers = np.frombuffer(data, dtype="<f4")
        else:
            return  # not this version's: kept in the table, unsearched (re-enrol it)
        self.gallery.enrol(subject, numbers, key=key)

    def remove(self, key: str) -> None:
        try:
            self.gallery.remove(key)
        except NotFound:
            return

    def search(
        self,
        probe: Template,
        point: OperatingPoint,
        limit: int = 10,
        *,
        only_matches: bool = False,
    ) -> list[Candidate]:
        """The ``limit`` people whose faces are closest to ``probe``; the score is the
        distance (smaller: likelier one person)."""
        found = self.gallery.identify(self._matcher.numbers(probe.data, "the probe"), limit)
        return [
            Candidate(c.subject, round(c.distance, 4), point.matches(c.distance), c.rank)
            for c in found
            if point.matches(c.distance) or not only_matches
        ]
