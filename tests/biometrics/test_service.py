"""The galleries kept in step with the templates table: what one worker enrols or deletes,
another sees; deleting destroys the template's bytes. Synthetic templates only."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.biometrics import service
from smartborder.biometrics.gallery import DuplicateIdentity
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.service import Biometrics
from smartborder.errors import NotFound, ValidationFailed

ALGORITHM = "synthetic-v1"


def template(rng: np.random.Generator) -> np.ndarray:
    drawn = rng.normal(size=128).astype(np.float32)
    return 0.5 * drawn / np.linalg.norm(drawn)


def near(rng: np.random.Generator, centroid: np.ndarray) -> np.ndarray:
    return centroid + rng.normal(scale=0.15 / np.sqrt(128), size=128).astype(np.float32)


def test_what_one_worker_enrols_or_deletes_another_sees(app: FastAPI) -> None:
    rng = np.random.default_rng(5)
    people = [template(rng) for _ in range(20)]
    one, two = Biometrics(), Biometrics()  # two workers of one node
    with db.unit_of_work(app.state.sessions) as session:
        assert two.sync(session) == 0  # the first sync loads the (empty) table
        for n, centroid in enumerate(people):
            service.enrol(session, one, ALGORITHM, f"P{n}", near(rng, centroid))
    with db.unit_of_work(app.state.sessions) as session:
        found = service.identify(session, two, ALGORITHM, near(rng, people[3]), limit=3)
        assert found[0].subject == "P3"
        assert len(two.gallery(ALGORITHM)) == 20
        assert service.delete(session, one, ALGORITHM, "P3") == 1
    with db.unit_of_work(app.state.sessions) as session:
        found = service.identify(session, two, ALGORITHM, near(rng, people[3]), limit=3)
        assert "P3" not in [c.subject for c in found]
        assert two.sync(session) == 0  # nothing new since
    third = Biometrics()  # a worker started later loads what is enrolled, not what was deleted
    with db.unit_of_work(app.state.sessions) as session:
        assert third.sync(session) == 19
        assert third.gallery(ALGORITHM).people == 19


def test_deleting_destroys_the_templates_bytes(session: Session) -> None:
    rng = np.random.default_rng(6)
    biometrics = Biometrics()
    service.enrol(session, biometrics, ALGORITHM, "A", template(rng))
    service.enrol(session, biometrics, ALGORITHM, "A", template(rng))
    assert service.delete(session, biometrics, ALGORITHM, "A") == 2
    rows = session.scalars(select(BiometricTemplate).where(BiometricTemplate.subject == "A")).all()
    assert [(r.status, r.template) for r in rows] == [("deleted", b""), ("deleted", b"")]
    with pytest.raises(NotFound):
        service.delete(session, biometrics, ALGORITHM, "A")


def test_a_duplicate_or_a_bad_template_enrols_nothing(session: Session) -> None:
    rng = np.random.default_rng(7)
    biometrics = Biometrics()
    face = template(rng)
    service.enrol(session, biometrics, ALGORITHM, "A", face, duplicate_within=0.4)
    with pytest.raises(DuplicateIdentity):
        service.enrol(session, biometrics, ALGORITHM, "B", near(rng, face), duplicate_within=0.4)
    with pytest.raises(ValidationFailed, match="has 128 numbers, not 3"):
        service.enrol(session, biometrics, ALGORITHM, "C", [1.0, 2.0, 3.0])
    with pytest.raises(ValidationFailed, match="no gallery for the algorithm 'facenet'"):
        service.enrol(session, biometrics, "facenet", "C", face)
    subjects = session.scalars(select(BiometricTemplate.subject)).all()
    assert subjects == ["A"]


def test_a_template_is_kept_exactly(session: Session) -> None:
    rng = np.random.default_rng(8)
    written = template(rng)
    service.enrol(session, Biometrics(), ALGORITHM, "A", written)
    session.flush()
    reader = Biometrics()
    reader.sync(session)
    found = reader.gallery(ALGORITHM).identify(written, 1)
    assert found[0].subject == "A"
    assert found[0].distance == pytest.approx(0.0, abs=1e-3)


def test_two_workers_enrolling_one_person_at_once_keep_one_identity(app: FastAPI) -> None:
    """Two workers enrol the same face under two names at the same moment, each in its own
    transaction: the enrolment lock makes the second see the first's row, so exactly one
    succeeds and the other is refused as a duplicate (on SQLite the one writer at a time
    does the same)."""
    import threading

    rng = np.random.default_rng(9)
    person = template(rng)
    captures = [near(rng, person), near(rng, person)]
    results: list[str] = []
    start = threading.Barrier(2)

    def worker(n: int) -> None:
        biometrics = Biometrics()
        start.wait(timeout=10)
        try:
            with db.unit_of_work(app.state.sessions) as session:
                service.enrol(session, biometrics, ALGORITHM, f"NAME-{n}", captures[n],
                              duplicate_within=0.3)  # fmt: skip
            results.append("enrolled")
        except DuplicateIdentity:
            results.append("duplicate")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["duplicate", "enrolled"]
    with db.unit_of_work(app.state.sessions) as session:
        rows = session.scalars(select(BiometricTemplate)).all()
        assert len(rows) == 1
