"""1:N identification over the templates of one algorithm: enrol, identify, delete.

A gallery holds fixed-length templates (face embeddings: dlib's ResNet gives 128 numbers) of
one algorithm and version, so that a gallery made by another algorithm is never searched with
this one's templates: re-enrolment makes a new gallery. Search is exact: every template is
compared with the query (a matrix product with the templates' squared norms kept, then
``argpartition`` for the best few), which stays within tens of milliseconds to a million
templates on one core. From ``STAGE_FROM`` templates (a million) a candidate stage sits in
front of it: faiss's inverted-file index with product-quantised codes (IVF-PQ, 32 bytes a
template) gives a shortlist, which is re-ranked exactly on the templates themselves, so every
distance answered is exact and only the shortlist can miss (measured by
``bench/biometrics.py``).

Enrolment deduplicates: a template as close as ``duplicate_within`` to another person's is
refused (one person, one identity), and the answer says whose it is and how close. A person
may hold several templates (captures over the years); identification ranks people by their
closest template.

The node's galleries are kept in its database and in step across workers by
``biometrics.service``.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np
from numpy.typing import NDArray

from smartborder.errors import Conflict, NotFound, ValidationFailed

# Rows searched at once: bounds the distance matrix of a batch (queries x rows x 4 bytes).
CHUNK_ROWS = 262_144
# People asked of the exact stage per person wanted: a person's other templates may come first.
OVERFETCH = 4
# From this many templates, a shortlist from the candidate stage is re-ranked exactly.
STAGE_FROM = 1_000_000
SHORTLIST = 64  # templates the candidate stage proposes per template wanted
PROBES = 64  # inverted lists visited per query
TRAIN_MAX = 160_000  # templates the stage's quantisers are trained on (a sample)


class CandidateStage:
    """faiss IVF-PQ over a gallery's templates: a shortlist of likely-closest rows."""

    def __init__(self, rows: NDArray[np.float32], seed: int = 0) -> None:
        count, dimensions = rows.shape
        lists = int(min(4096, max(16, 4 * np.sqrt(count))))
        codes = next(m for m in (32, 16, 8, 4, 2, 1) if dimensions % m == 0)
        self.index = faiss.IndexIVFPQ(faiss.IndexFlatL2(dimensions), dimensions, lists, codes, 8)
        sample = rows[np.random.default_rng(seed).choice(count, min(count, TRAIN_MAX), False)]
        self.index.train(np.ascontiguousarray(sample))
        self.index.nprobe = min(PROBES, lists)

    def add(self, slots: NDArray[np.int64], rows: NDArray[np.float32]) -> None:
        self.index.add_with_ids(np.ascontiguousarray(rows), slots.astype(np.int64))

    def shortlist(self, queries: NDArray[np.float32], count: int) -> NDArray[np.int64]:
        """Up to ``count`` rows per query (-1 where there are fewer)."""
        _, found = self.index.search(np.ascontiguousarray(queries), count)
        shortlisted: NDArray[np.int64] = found.astype(np.int64)
        return shortlisted


@dataclass(frozen=True)
class Candidate:
    subject: str
    distance: float  # Euclidean, between the query and the person's closest template
    rank: int  # 1 for the closest person


@dataclass(frozen=True)
class Enrolment:
    subject: str
    key: str  # the template's own name (the table's row id), to remove it alone
    templates: int  # the subject's templates in the gallery, this one included


class DuplicateIdentity(Conflict):
    code = "duplicate_identity"


class Gallery:
    """The templates of one ``algorithm`` (a name with its version, e.g. ``dlib-resnet-v1``),
    each ``dimensions`` numbers long, compared by Euclidean distance."""

    def __init__(
        self,
        algorithm: str,
        dimensions: int,
        *,
        capacity: int = 1024,
        stage_from: int | None = STAGE_FROM,
    ) -> None:
        if dimensions < 1:
            raise ValidationFailed(f"a template has at least one number, not {dimensions}")
        self.algorithm = algorithm
        self.dimensions = dimensions
        self._rows: NDArray[np.float32] = np.zeros((max(capacity, 1), dimensions), np.float32)
        self._norms: NDArray[np.float32] = np.full(len(self._rows), np.inf, np.float32)
        self._owner: list[str | None] = [None] * len(self._rows)
        self._slots: dict[str, list[int]] = {}
        self._keys: dict[str, int] = {}  # a template's key: its row
        self._key_of: dict[int, str] = {}
        self._free: list[int] = []
        self._used = 0  # rows ever filled (free ones among them are reused first)
        self.stage_from = stage_from  # None: always exact
        self.stage: CandidateStage | None = None

    def __len__(self) -> int:
        return self._used - len(self._free)

    @property
    def people(self) -> int:
        return len(self._slots)

    def template(self, values: object) -> NDArray[np.float32]:
        """``values`` as one of this gallery's templates, or a located error: the wrong
        length, not numbers, or numbers that are not finite."""
        try:
            array = np.asarray(values, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise ValidationFailed(f"a template is a list of numbers: {error}") from None
        if array.ndim != 1 or len(array) != self.dimensions:
            raise ValidationFailed(
                f"a {self.algorithm} template has {self.dimensions} numbers, not "
                f"{array.shape[0] if array.ndim == 1 else 'shape ' + str(array.shape)}",
                details=[{"field": "template", "expected": self.dimensions}],
            )
        bad = np.flatnonzero(~np.isfinite(array))
        if len(bad):
            raise ValidationFailed(
                f"a template's numbers must be finite: number {int(bad[0])} is {array[bad[0]]}",
                details=[{"field": "template", "index": int(bad[0])}],
            )
        return array

    def enrol(
        self,
        subject: str,
        values: object,
        *,
        duplicate_within: float | None = None,
        key: str | None = None,
    ) -> Enrolment:
        """Add a template of ``subject`` under ``key`` (by default one the gallery makes).
        With ``duplicate_within``, a template that close to another person's is refused
        (``DuplicateIdentity``, naming that person)."""
        if not subject:
            raise ValidationFailed("a template belongs to someone: the subject is empty")
        template = self.template(values)
        if duplicate_within is not None:
            self.refuse_duplicate(subject, template, duplicate_within)
        if key is not None and key in self._keys:
            raise Conflict(f"a template {key} is already in the {self.algorithm} gallery")
        slot = self._free.pop() if self._free else self._grow()
        key = key or f"#{slot}"
        self._rows[slot] = template
        self._norms[slot] = float(template @ template)
        self._owner[slot] = subject
        self._slots.setdefault(subject, []).append(slot)
        self._keys[key], self._key_of[slot] = slot, key
        if self.stage is not None:
            self.stage.add(np.array([slot]), template[None])
        return Enrolment(subject, key, len(self._slots[subject]))

    def refuse_duplicate(self, subject: str, template: NDArray[np.float32], within: float) -> None:
        """Raise ``DuplicateIdentity`` when the person closest to ``template`` is another
        than ``subject`` and within ``within`` of it: one person, one identity."""
        closest = self.identify(template, 1)
        if closest and closest[0].subject != subject and closest[0].distance <= within:
            found = closest[0]
            raise DuplicateIdentity(
                f"this template is {found.distance:.3f} from {found.subject}'s "
                f"(within {within}): one person, one identity",
                details=[{"subject": found.subject, "distance": found.distance}],
            )

    def keys_of(self, subject: str) -> list[str]:
        """The keys of ``subject``'s templates, oldest first."""
        return [self._key_of[slot] for slot in self._slots.get(subject, ())]

    def remove(self, key: str) -> None:
        """Remove one template (a person without templates left leaves the gallery)."""
        slot = self._keys.pop(key, None)
        if slot is None:
            raise NotFound(f"no template {key} in the {self.algorithm} gallery")
        del self._key_of[slot]
        subject = self._owner[slot]
        assert subject is not None
        self._slots[subject].remove(slot)
        if not self._slots[subject]:
            del self._slots[subject]
        self._rows[slot] = 0.0
        self._norms[slot] = np.inf  # never closest
        self._owner[slot] = None
        self._free.append(slot)

    def delete(self, subject: str) -> int:
        """Remove every template of ``subject``; how many there were."""
        keys = self.keys_of(subject)
        if not keys:
            raise NotFound(f"no template of {subject} in the {self.algorithm} gallery")
        for key in keys:
            self.remove(key)
        return len(keys)

    def identify(self, values: object, limit: int = 10) -> list[Candidate]:
        """The ``limit`` people closest to the template, closest first."""
        return self.identify_many([self.template(values)], limit)[0]

    def identify_many(
        self, queries: list[NDArray[np.float32]], limit: int = 10
    ) -> list[list[Candidate]]:
        """``identify`` for many templates at once: one matrix product per chunk of rows."""
        if not queries:
            return []
        matrix = np.stack([self.template(q) for q in queries])
        if not len(self) or limit < 1:
            return [[] for _ in queries]
        rows, dist = self._closest(matrix, min(self._used, limit * OVERFETCH))
        answers = []
        for n in range(len(queries)):
            order = np.argsort(dist[n], kind="stable")
            found: dict[str, float] = {}
            for i in order:
                if not np.isfinite(dist[n, i]):
                    break  # the rest are removed templates, or no candidate at all
                owner = self._owner[int(rows[n, i])]
                if owner is None or owner in found:
                    continue
                found[owner] = float(np.sqrt(max(float(dist[n, i]), 0.0)))
                if len(found) == limit:
                    break
            answers.append([Candidate(s, d, r) for r, (s, d) in enumerate(found.items(), start=1)])
        return answers

    def build_stage(self) -> CandidateStage:
        """The candidate stage over the templates held (built once; later ones are added)."""
        if self.stage is None:
            held = np.flatnonzero(np.isfinite(self._norms[: self._used]))
            self.stage = CandidateStage(self._rows[held])
            self.stage.add(held, self._rows[held])
        return self.stage

    def _closest(
        self, matrix: NDArray[np.float32], wanted: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Per query, rows and their squared distances: the ``wanted`` closest (exact search),
        or the exact distances of the candidate stage's shortlist."""
        if self.stage is None and self.stage_from is not None and len(self) >= self.stage_from:
            self.build_stage()
        if self.stage is not None:
            rows = self.stage.shortlist(matrix, wanted * SHORTLIST // OVERFETCH)
            known = rows >= 0
            picked = self._rows[np.where(known, rows, 0)]  # queries x shortlist x dimensions
            dist = np.einsum(
                "qkd,qkd->qk", picked - matrix[:, None, :], picked - matrix[:, None, :]
            )
            dist = np.where(
                known & np.isfinite(self._norms[np.where(known, rows, 0)]), dist, np.inf
            )
            return rows, dist.astype(np.float32)
        best_rows: list[NDArray[np.int64]] = []
        best_dist: list[NDArray[np.float32]] = []
        q_norms = np.einsum("ij,ij->i", matrix, matrix)
        for start in range(0, self._used, CHUNK_ROWS):
            end = min(start + CHUNK_ROWS, self._used)
            # squared distances |g|^2 - 2 q.g + |q|^2, one row per query (|q|^2 added last)
            part = self._norms[None, start:end] - 2.0 * (matrix @ self._rows[start:end].T)
            take = min(wanted, end - start)
            idx = np.argpartition(part, take - 1, axis=1)[:, :take]
            best_rows.append(idx + start)
            best_dist.append(np.take_along_axis(part, idx, axis=1))
        rows = np.concatenate(best_rows, axis=1)
        dist = np.concatenate(best_dist, axis=1) + q_norms[:, None]
        return rows, dist

    def _grow(self) -> int:
        if self._used == len(self._rows):
            size = len(self._rows) * 2
            rows = np.zeros((size, self.dimensions), np.float32)
            rows[: self._used] = self._rows[: self._used]
            norms = np.full(size, np.inf, np.float32)
            norms[: self._used] = self._norms[: self._used]
            self._rows, self._norms = rows, norms
            self._owner.extend([None] * (size - len(self._owner)))
        self._used += 1
        return self._used - 1
