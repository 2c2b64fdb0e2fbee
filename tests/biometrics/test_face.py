"""Faces with dlib (HOG detection, 5-point alignment, ResNet embedding) on two real portraits
that installed packages ship (matplotlib's Grace Hopper, scikit-image's Eileen Collins) and
SYNTHETIC alterations of them: one face found, another capture of it close and matching at the
shipped operating point, the two people told apart; what holds no face, two faces or too small
a face refused with why; enrolment, deduplication, search and deletion through the API."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from smartborder.biometrics import face
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import NoOperatingPoint, operating_point, verify
from smartborder.synthetic import faces
from smartborder.synthetic.fingerprints import finger, png
from tests.conftest import api_token

MATCHER = face.DlibFace()
PHOTO = faces.hopper()
ASTRONAUT = faces.collins()
_jpeg = faces.jpeg


def _another_capture(turn: float, scale: float, gain: float) -> bytes:
    """A SYNTHETIC alteration of the real photograph, as another capture might differ."""
    return faces.another_capture(PHOTO, turn, scale, gain)


def test_the_real_face_is_found_and_another_capture_of_it_is_close() -> None:
    photo = MATCHER.extract(PHOTO, "grace_hopper.jpg")
    assert photo.quality.usable
    assert photo.features == 128
    for turn, scale, gain in ((6, 0.8, 0.8), (-7, 0.6, 1.15)):
        other = MATCHER.extract(_another_capture(turn, scale, gain), "capture.jpg")
        assert MATCHER.compare(photo, other) < 0.3  # dlib's own threshold is 0.6
    again = MATCHER.template(photo.data, "card.face")
    assert MATCHER.compare(again, photo) == 0.0
    with pytest.raises(BiometricProblem, match="not a dlib-resnet-v1 face template"):
        MATCHER.template(photo.data[:-4], "cut.face")


@pytest.mark.parametrize(
    ("sample", "problem"),
    [
        (lambda: _jpeg(Image.new("RGB", (300, 300), (128, 128, 128))), "no face found"),
        (lambda: png(finger(4).impression(0)), "no face found"),
        (lambda: _jpeg(Image.open(io.BytesIO(PHOTO)).resize((100, 117))), "pixels across; at least 64"),
        (lambda: b"GIF89a", "not an image this node can read"),
    ],
)  # fmt: skip
def test_what_is_not_one_usable_face_is_refused_with_why(sample: object, problem: str) -> None:
    with pytest.raises(BiometricProblem, match=problem) as refused:
        MATCHER.extract(sample(), "sample.jpg")  # type: ignore[operator]
    assert refused.value.source == "sample.jpg"


def test_two_faces_are_refused_and_located() -> None:
    person = Image.open(io.BytesIO(PHOTO)).convert("RGB")
    both = Image.new("RGB", (person.width * 2, person.height))
    both.paste(person, (0, 0))
    both.paste(person.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (person.width, 0))
    with pytest.raises(BiometricProblem, match="2 faces found; a sample holds one") as refused:
        MATCHER.extract(_jpeg(both), "group.jpg")
    assert len(refused.value.details[0]["faces"]) == 2


def test_two_real_people_are_told_apart_at_the_measured_point(
    app: FastAPI, client: TestClient
) -> None:
    point = operating_point(face.ALGORITHM)
    assert (point.fmr <= 0.001, point.higher_is_closer) == (True, False)
    assert "LFW subset" in point.measured_on  # what it was measured on, said
    hopper = MATCHER.extract(PHOTO, "grace_hopper.jpg")
    astronaut = MATCHER.extract(ASTRONAUT, "astronaut.png")  # Eileen Collins: another person
    assert verify(MATCHER, hopper, MATCHER.extract(_another_capture(5, 0.7, 1.0), "c")).match
    assert not verify(MATCHER, hopper, astronaut).match
    with pytest.raises(NoOperatingPoint, match="no operating point of dlib-resnet-v1"):
        verify(MATCHER, hopper, astronaut, fmr=1e-6)  # no measurement supports that rate
    officer = api_token(app, "face-officer", "program-officer")
    answer = client.post(
        "/api/v1/biometrics/face/verify", headers=officer,
        files={"probe": ("a.jpg", PHOTO), "reference": ("b.png", ASTRONAUT)},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["match"] is False


def test_faces_are_enrolled_searched_and_deleted(app: FastAPI, client: TestClient) -> None:
    officer = api_token(app, "face-enrol", "program-officer")
    base = "/api/v1/biometrics/face"
    made = client.post(f"{base}/enrolments", headers=officer, data={"subject": "F-1"},
                       files={"sample": ("hopper.jpg", PHOTO)})  # fmt: skip
    assert made.status_code == 201, made.text
    other = client.post(f"{base}/enrolments", headers=officer, data={"subject": "F-2"},
                        files={"sample": ("astronaut.png", ASTRONAUT)})  # fmt: skip
    assert other.status_code == 201, other.text
    twice = client.post(f"{base}/enrolments", headers=officer, data={"subject": "F-9"},
                        files={"sample": ("c.jpg", _another_capture(-4, 0.9, 0.9))})  # fmt: skip
    assert twice.status_code == 409
    assert "this face matches F-1's" in twice.json()["error"]["message"]
    found = client.post(f"{base}/searches", headers=officer,
                        files={"sample": ("c.jpg", _another_capture(3, 0.75, 1.1))}).json()  # fmt: skip
    assert [(c["subject"], c["match"]) for c in found["candidates"]] == [("F-1", True),
                                                                        ("F-2", False)]  # fmt: skip
    assert found["candidates"][0]["score"] < found["operating_point"]["threshold"]  # distances
    assert client.delete(f"{base}/subjects/F-1", headers=officer).json()["deleted"] == 1
    again = client.post(f"{base}/searches", headers=officer,
                        files={"sample": ("hopper.jpg", PHOTO)}).json()  # fmt: skip
    assert [c["subject"] for c in again["candidates"]] == ["F-2"]
    assert np.isfinite(found["fpir_bound"])
