"""1:N identification: exact, deduplicating, and strict about what a template is.

The templates here are synthetic: vectors drawn around one centroid per person, as far apart
as dlib's face embeddings of different people (about 0.7) and as close as two photographs of
one (about 0.2). No real biometric data is involved."""

from __future__ import annotations

import numpy as np
import pytest

from smartborder.biometrics import gallery as module
from smartborder.biometrics.gallery import DuplicateIdentity, Gallery
from smartborder.errors import NotFound, ValidationFailed

DIMENSIONS = 128


def people(rng: np.random.Generator, count: int) -> np.ndarray:
    centroids = rng.normal(size=(count, DIMENSIONS)).astype(np.float32)
    return 0.5 * centroids / np.linalg.norm(centroids, axis=1, keepdims=True)


def capture(rng: np.random.Generator, centroid: np.ndarray) -> np.ndarray:
    noise = rng.normal(scale=0.15 / np.sqrt(DIMENSIONS), size=DIMENSIONS)
    return (centroid + noise).astype(np.float32)


def test_identify_finds_the_person_first_and_ranks_the_rest() -> None:
    rng = np.random.default_rng(1)
    centroids = people(rng, 500)
    gallery = Gallery("synthetic-v1", DIMENSIONS, capacity=16)  # grows as it fills
    for n, centroid in enumerate(centroids):
        gallery.enrol(f"P{n}", capture(rng, centroid))
    assert len(gallery) == gallery.people == 500
    for n in (0, 17, 499):
        found = gallery.identify(capture(rng, centroids[n]), limit=5)
        assert [c.rank for c in found] == [1, 2, 3, 4, 5]
        assert found[0].subject == f"P{n}"
        assert found[0].distance < 0.4 < found[1].distance  # one of them is that person
        assert [c.distance for c in found] == sorted(c.distance for c in found)


def test_search_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "CHUNK_ROWS", 64)  # several chunks, as a large gallery has
    rng = np.random.default_rng(2)
    rows = rng.normal(size=(1000, DIMENSIONS)).astype(np.float32)
    gallery = Gallery("synthetic-v1", DIMENSIONS)
    for n, row in enumerate(rows):
        gallery.enrol(f"P{n}", row)
    queries = rng.normal(size=(20, DIMENSIONS)).astype(np.float32)
    for query, found in zip(queries, gallery.identify_many(list(queries), 10), strict=True):
        truth = np.linalg.norm(rows - query, axis=1)
        expected = np.argsort(truth)[:10]
        assert [c.subject for c in found] == [f"P{i}" for i in expected]
        assert [c.distance for c in found] == pytest.approx(truth[expected].tolist(), rel=1e-4)


def test_a_person_is_ranked_by_their_closest_template() -> None:
    gallery = Gallery("synthetic-v1", 2)
    gallery.enrol("A", [0.0, 0.0])
    gallery.enrol("A", [5.0, 0.0])  # a later capture
    gallery.enrol("B", [0.0, 1.0])
    found = gallery.identify([4.0, 0.0])
    assert [(c.subject, round(c.distance, 3)) for c in found] == [("A", 1.0), ("B", 4.123)]
    assert len(gallery) == 3
    assert gallery.people == 2


def test_enrolment_refuses_another_persons_template() -> None:
    rng = np.random.default_rng(3)
    centroids = people(rng, 50)
    gallery = Gallery("synthetic-v1", DIMENSIONS)
    for n, centroid in enumerate(centroids):
        gallery.enrol(f"P{n}", capture(rng, centroid), duplicate_within=0.4)
    again = capture(rng, centroids[7])
    with pytest.raises(DuplicateIdentity) as refused:
        gallery.enrol("NEW", again, duplicate_within=0.4)
    assert refused.value.details[0]["subject"] == "P7"
    assert refused.value.status_code == 409
    assert len(gallery) == 50  # nothing enrolled
    assert gallery.enrol("P7", again, duplicate_within=0.4).templates == 2  # the same person


def test_delete_removes_every_template_and_frees_the_rows() -> None:
    gallery = Gallery("synthetic-v1", 2)
    gallery.enrol("A", [0.0, 0.0])
    gallery.enrol("A", [0.1, 0.0])
    gallery.enrol("B", [3.0, 0.0])
    assert gallery.delete("A") == 2
    assert [c.subject for c in gallery.identify([0.0, 0.0])] == ["B"]
    with pytest.raises(NotFound):
        gallery.delete("A")
    reused = gallery.enrol("C", [1.0, 1.0])
    assert reused.key in ("#0", "#1")
    assert len(gallery) == 2
    gallery.delete("B")
    gallery.delete("C")
    assert gallery.identify([0.0, 0.0]) == []


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ([0.0] * 127, "has 128 numbers, not 127"),
        ([[0.0] * 128], "not shape (1, 128)"),
        ([0.0] * 127 + [float("nan")], "number 127 is nan"),
        ([0.0] * 127 + [float("inf")], "number 127 is inf"),
        (["x"] * 128, "a template is a list of numbers"),
    ],
)
def test_a_template_that_is_not_one_is_refused_and_nothing_enrolled(
    values: object, said: str
) -> None:
    gallery = Gallery("dlib-resnet-v1", DIMENSIONS)
    with pytest.raises(ValidationFailed, match=said.replace("(", r"\(").replace(")", r"\)")):
        gallery.enrol("A", values)
    with pytest.raises(ValidationFailed):
        gallery.identify(values)
    assert len(gallery) == 0
    assert gallery.people == 0
    with pytest.raises(ValidationFailed, match="subject is empty"):
        gallery.enrol("", [0.0] * DIMENSIONS)


def test_the_candidate_stage_answers_as_exact_search_does() -> None:
    rng = np.random.default_rng(5)
    centroids = people(rng, 6000)
    staged = Gallery("synthetic-v1", DIMENSIONS, stage_from=5000)
    exact = Gallery("synthetic-v1", DIMENSIONS, stage_from=None)
    for n, centroid in enumerate(centroids[:5000]):
        template = capture(rng, centroid)
        staged.enrol(f"P{n}", template)
        exact.enrol(f"P{n}", template)
    queries = [capture(rng, centroids[n]) for n in range(0, 5000, 25)]
    answers = staged.identify_many(queries, limit=3)
    assert staged.stage is not None  # built at the first search past stage_from
    truth = exact.identify_many(queries, limit=3)
    agree = [a[0].subject == t[0].subject for a, t in zip(answers, truth, strict=True)]
    assert sum(agree) / len(agree) >= 0.99
    for a, t in zip(answers, truth, strict=True):  # re-ranked: the distances are exact
        if a[0].subject == t[0].subject:
            assert a[0].distance == pytest.approx(t[0].distance, abs=1e-4)
    late = capture(rng, centroids[5500])  # enrolled after the stage was built
    staged.enrol("LATE", late)
    assert staged.identify(capture(rng, centroids[5500]), 1)[0].subject == "LATE"
    staged.delete("P0")
    assert all(c.subject != "P0" for c in staged.identify(capture(rng, centroids[0]), 5))
