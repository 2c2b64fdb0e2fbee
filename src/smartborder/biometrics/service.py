"""The node's galleries, kept in step with the templates table.

Every worker of a node holds its galleries in memory (``Biometrics``) and reads what changed
in the ``biometric_templates`` table before each use (``sync``), so an enrolment or deletion
made by any worker is seen by the others. Deleting a person's templates empties their bytes
in the table too: the biometric data is destroyed, only the fact that it was enrolled stays.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.biometrics.face import ALGORITHM as FACES
from smartborder.biometrics.face_gallery import FaceGallery
from smartborder.biometrics.fingerprint import ALGORITHM as PRINTS
from smartborder.biometrics.gallery import Candidate, DuplicateIdentity, Enrolment, Gallery
from smartborder.biometrics.iris import ALGORITHM as IRISES
from smartborder.biometrics.iris_gallery import IrisGallery
from smartborder.biometrics.matchers import (
    DEFAULT_FMR,
    Comparison,
    OperatingPoint,
    Template,
    operating_point,
)
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.prints import PrintCandidate, PrintGallery
from smartborder.db import utcnow
from smartborder.errors import NotFound, ValidationFailed
from smartborder.ids import new_id
from smartborder.locks import lock_key

# The algorithms a gallery may hold, with their template length. ``synthetic-v1`` holds
# templates drawn for tests and benchmarks, never taken from a person.
ALGORITHMS = {"dlib-resnet-v1": 128, "synthetic-v1": 128}
# A write committed late may carry an earlier time: every sync re-reads this much.
LOOKBACK = dt.timedelta(seconds=5)
ENROLLED, DELETED = "enrolled", "deleted"


class Biometrics:
    """This process's galleries, one per algorithm."""

    def __init__(self) -> None:
        self.galleries = {name: Gallery(name, size) for name, size in ALGORITHMS.items()}
        self.prints = PrintGallery()  # fingerprint records (PRINTS), compared by BOZORTH3
        self.irises = IrisGallery()  # iris codes (IRISES), compared by Hamming distance
        # the galleries searched sample by sample, by the algorithm of their templates
        self.faces = FaceGallery(self.galleries[FACES])  # face embeddings, by distance
        self.samples: dict[str, PrintGallery | IrisGallery | FaceGallery] = {
            PRINTS: self.prints,
            IRISES: self.irises,
            FACES: self.faces,
        }
        self._held: set[str] = set()  # the ids of the rows the galleries hold
        self._seen_until: dt.datetime | None = None
        self._lock = threading.Lock()

    def gallery(self, algorithm: str) -> Gallery:
        found = self.galleries.get(algorithm)
        if found is None:
            known = ", ".join(sorted(ALGORITHMS))
            raise ValidationFailed(
                f"no gallery for the algorithm {algorithm!r} (known: {known})",
                details=[{"field": "algorithm", "value": algorithm}],
            )
        return found

    def sync(self, session: Session) -> int:
        """Load what changed since the last call (everything the first time); returns how many
        templates were added or removed."""
        with self._lock:
            if self._seen_until is None:
                rows = session.scalars(
                    select(BiometricTemplate).where(BiometricTemplate.status == ENROLLED)
                ).all()
                for row in rows:
                    self._add(row)
                newest = max((r.changed_at for r in rows), default=None)
                self._seen_until = newest or utcnow() - LOOKBACK
                for gallery in self.galleries.values():  # a large one's candidate stage: now,
                    if gallery.stage_from is not None and len(gallery) >= gallery.stage_from:
                        gallery.build_stage()  # at start, not in the first search
                return len(rows)
            since = self._seen_until - LOOKBACK
            recent = session.scalars(
                select(BiometricTemplate).where(BiometricTemplate.changed_at >= since)
            ).all()
            changed = 0
            for row in recent:
                self._seen_until = max(self._seen_until, row.changed_at)
                if row.status == ENROLLED and row.id not in self._held:
                    self._add(row)
                    changed += 1
                elif row.status == DELETED and row.id in self._held:
                    self._drop(row.algorithm, {row.id})
                    changed += 1
            return changed

    def _add(self, row: BiometricTemplate) -> None:
        if row.algorithm in self.samples:
            self.samples[row.algorithm].enrol(row.subject, row.template, row.id)
            self._held.add(row.id)
            return
        gallery = self.galleries.get(row.algorithm)
        if gallery is None or row.dimensions != gallery.dimensions:
            return  # an algorithm this version does not know: kept in the table, unsearched
        gallery.enrol(row.subject, np.frombuffer(row.template, dtype="<f4"), key=row.id)
        self._held.add(row.id)

    def _drop(self, algorithm: str, ids: set[str]) -> None:
        held = self.samples.get(algorithm)
        remove = held.remove if held is not None else self.galleries[algorithm].remove
        for key in ids:
            remove(key)
        self._held -= ids


def _one_enrolment_at_a_time(session: Session, algorithm: str) -> None:
    """Hold, until the transaction ends, the node's enrolment lock for ``algorithm``: two
    workers enrolling the same person under two names at once would each pass the duplicate
    check before the other's row is committed. On PostgreSQL a transaction-scoped advisory
    lock; SQLite lets one writing transaction in at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        key = lock_key("*", f"biometric enrolment {algorithm}")
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def enrol(
    session: Session,
    biometrics: Biometrics,
    algorithm: str,
    subject: str,
    values: object,
    *,
    duplicate_within: float | None = None,
) -> Enrolment:
    """Enrol a template of ``subject`` (refused when as close as ``duplicate_within`` to
    another person's: ``DuplicateIdentity``); it is in the table when the session commits."""
    gallery = biometrics.gallery(algorithm)
    template = gallery.template(values)
    if not subject:
        raise ValidationFailed("a template belongs to someone: the subject is empty")
    _one_enrolment_at_a_time(session, algorithm)
    biometrics.sync(session)
    if duplicate_within is not None:
        gallery.refuse_duplicate(subject, template, duplicate_within)
    row = _store(
        session, biometrics, algorithm, subject, gallery.dimensions,
        template.astype("<f4").tobytes(),
    )  # fmt: skip
    return Enrolment(subject, row.id, len(gallery.keys_of(subject)))


def _store(
    session: Session,
    biometrics: Biometrics,
    algorithm: str,
    subject: str,
    dimensions: int,
    data: bytes,
) -> BiometricTemplate:
    """Add an enrolled template to the table (with the session) and to this process's
    gallery."""
    now = utcnow()
    row = BiometricTemplate(
        id=new_id(),
        algorithm=algorithm,
        subject=subject,
        dimensions=dimensions,
        template=data,
        status=ENROLLED,
        created_at=now,
        changed_at=now,
    )
    session.add(row)
    session.flush()
    with biometrics._lock:
        biometrics._add(row)
    return row


def delete(session: Session, biometrics: Biometrics, algorithm: str, subject: str) -> int:
    """Delete every template of ``subject`` in the ``algorithm`` gallery, destroying their
    bytes; how many there were."""
    if algorithm not in biometrics.samples:
        biometrics.gallery(algorithm)
    ids = set(
        session.scalars(
            select(BiometricTemplate.id).where(
                BiometricTemplate.algorithm == algorithm,
                BiometricTemplate.subject == subject,
                BiometricTemplate.status == ENROLLED,
            )
        )
    )
    if not ids:
        raise NotFound(f"no template of {subject} in the {algorithm} gallery")
    session.execute(
        update(BiometricTemplate)
        .where(BiometricTemplate.id.in_(ids))
        .values(status=DELETED, template=b"", changed_at=utcnow())
    )
    with biometrics._lock:
        biometrics._drop(algorithm, ids & biometrics._held)
    return len(ids)


def identify(
    session: Session, biometrics: Biometrics, algorithm: str, values: object, limit: int = 10
) -> list[Candidate]:
    """The ``limit`` people of the gallery closest to the template, closest first."""
    gallery = biometrics.gallery(algorithm)
    template = gallery.template(values)
    biometrics.sync(session)
    return gallery.identify(template, limit)


@dataclass(frozen=True)
class SampleSearch:
    """A 1:N search's answer (fingerprints, irises): the candidates, the point they were judged
    at, and how many samples were searched (the false positive identification rate is about
    that many times the point's FMR)."""

    candidates: list[PrintCandidate]
    point: OperatingPoint
    searched: int

    def as_dict(self) -> dict[str, object]:
        return {
            "candidates": [c.as_dict() for c in self.candidates],
            "operating_point": self.point.as_dict(),
            "searched": self.searched,
            "fpir_bound": min(1.0, self.searched * self.point.fmr),
        }


def _samples(
    biometrics: Biometrics, template: Template
) -> PrintGallery | IrisGallery | FaceGallery:
    found = biometrics.samples.get(template.algorithm)
    if found is None:
        raise ValidationFailed(f"no gallery holds {template.algorithm} templates "
                               f"({', '.join(biometrics.samples)} do)")  # fmt: skip
    return found


def enrol_template(
    session: Session,
    biometrics: Biometrics,
    subject: str,
    template: Template,
    *,
    actor: str,
    fmr: float = DEFAULT_FMR,
) -> Enrolment:
    """Enrol a fingerprint or iris template of ``subject``: refused (``DuplicateIdentity``)
    when it matches another person's at the point for ``fmr`` (one person, one identity)."""
    gallery = _samples(biometrics, template)
    if not subject:
        raise ValidationFailed("a template belongs to someone: the subject is empty")
    algorithm = template.algorithm
    _one_enrolment_at_a_time(session, algorithm)
    biometrics.sync(session)
    point = operating_point(algorithm, fmr)
    for found in gallery.search(template, point, limit=3, only_matches=True):
        if found.subject != subject:
            raise DuplicateIdentity(
                f"this {template.modality} matches {found.subject}'s ({algorithm} {found.score:g}, "
                f"threshold {point.threshold:g} at FMR {point.fmr:.4%}): one person, one identity",
                details=[{"subject": found.subject, "score": found.score}],
            )
    return store_template(session, biometrics, subject, template, actor=actor)


def store_template(
    session: Session, biometrics: Biometrics, subject: str, template: Template, *, actor: str
) -> Enrolment:
    """Enrol a fingerprint, iris or face template of ``subject`` without the duplicate check
    (made by the caller: ``enrol_template``, or an officer who found two people distinct)."""
    _samples(biometrics, template)
    algorithm = template.algorithm
    if not subject:
        raise ValidationFailed("a template belongs to someone: the subject is empty")
    row = _store(session, biometrics, algorithm, subject, 0, template.data)  # 0: no fixed length
    held = session.scalar(
        select(func.count()).where(
            BiometricTemplate.algorithm == algorithm,
            BiometricTemplate.subject == subject,
            BiometricTemplate.status == ENROLLED,
        )
    )
    chain.append(
        session,
        "biometrics:template:enrolled",
        actor=actor,
        subject=subject,
        details={"algorithm": algorithm, "template": row.id, "quality": template.quality.score},
    )
    return Enrolment(subject, row.id, int(held or 0))


def identify_template(
    session: Session,
    biometrics: Biometrics,
    template: Template,
    *,
    actor: str,
    limit: int = 10,
    fmr: float = DEFAULT_FMR,
) -> SampleSearch:
    """The people whose fingerprints or irises score highest against ``template``, best
    first, each judged at the measured point for ``fmr``."""
    gallery = _samples(biometrics, template)
    point = operating_point(template.algorithm, fmr)
    biometrics.sync(session)
    found = gallery.search(template, point, limit)
    chain.append(
        session,
        f"biometrics:{template.modality}:identified",
        actor=actor,
        details={
            "algorithm": template.algorithm,
            "searched": len(gallery),
            "matches": [c.subject for c in found if c.match],
            "fmr": point.fmr,
        },
    )
    return SampleSearch(found, point, len(gallery))


def audit_verification(
    session: Session, actor: str, comparison: Comparison, modality: str = "fingerprint"
) -> None:
    """Record a 1:1 verification: the decision and the point, not the samples."""
    chain.append(
        session,
        f"biometrics:{modality}:verified",
        actor=actor,
        details={
            "algorithm": comparison.point.algorithm,
            "score": comparison.score,
            "match": comparison.match,
            "threshold": comparison.point.threshold,
            "fmr": comparison.point.fmr,
        },
    )
