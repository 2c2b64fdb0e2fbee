"""Faces with dlib (HOG detection, 5-point alignment, ResNet embedding) on the one real face
photograph that ships in an installed package (matplotlib's Grace Hopper) and SYNTHETIC
alterations of it: one face found, another capture of it close; what holds no face, two faces
or too small a face refused with why; no decision without a measured operating point; and,
with a point the test itself supplies (not a shipped one), enrolment, search and deletion."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from smartborder.biometrics import face, matchers
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import NoOperatingPoint, OperatingPoint, verify
from smartborder.synthetic.fingerprints import finger, png
from tests.conftest import api_token

MATCHER = face.DlibFace()
PHOTO = (Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg").read_bytes()


def _jpeg(image: Image.Image, quality: int = 75) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _another_capture(turn: float, scale: float, gain: float) -> bytes:
    """A SYNTHETIC alteration of the real photograph, as another capture might differ."""
    image = Image.open(io.BytesIO(PHOTO)).convert("RGB").rotate(turn)
    image = image.resize((int(image.width * scale), int(image.height * scale)))
    return _jpeg(image.point(lambda v: min(255, int(v * gain))), quality=60)


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


def test_no_face_decision_is_made_without_a_measured_point(
    app: FastAPI, client: TestClient
) -> None:
    photo = MATCHER.extract(PHOTO, "p")
    with pytest.raises(NoOperatingPoint, match="no operating point of dlib-resnet-v1"):
        verify(MATCHER, photo, photo)
    officer = api_token(app, "face-officer", "program-officer")
    answer = client.post(
        "/api/v1/biometrics/face/verify", headers=officer,
        files={"probe": ("a.jpg", PHOTO), "reference": ("b.jpg", _another_capture(5, 0.7, 1.0))},
    )  # fmt: skip
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "no_operating_point"
    quality = client.post("/api/v1/biometrics/face/quality", headers=officer,
                          files={"sample": ("a.jpg", PHOTO)})  # fmt: skip
    assert quality.json()["usable"] is True


def test_with_a_point_faces_are_enrolled_searched_and_deleted(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    point = OperatingPoint(face.ALGORITHM, 0.4, 0.001, 0.01, "TEST point, set by this test",
                           1, 3000, higher_is_closer=False)  # fmt: skip
    monkeypatch.setattr(matchers, "_measured", lambda: {face.ALGORITHM: [point]})
    officer = api_token(app, "face-enrol", "program-officer")
    base = "/api/v1/biometrics/face"
    made = client.post(f"{base}/enrolments", headers=officer, data={"subject": "F-1"},
                       files={"sample": ("hopper.jpg", PHOTO)})  # fmt: skip
    assert made.status_code == 201, made.text
    twice = client.post(f"{base}/enrolments", headers=officer, data={"subject": "F-2"},
                        files={"sample": ("c.jpg", _another_capture(-4, 0.9, 0.9))})  # fmt: skip
    assert twice.status_code == 409
    assert "this face matches F-1's" in twice.json()["error"]["message"]
    found = client.post(f"{base}/searches", headers=officer,
                        files={"sample": ("c.jpg", _another_capture(3, 0.75, 1.1))}).json()  # fmt: skip
    assert found["candidates"][0]["subject"] == "F-1"
    assert found["candidates"][0]["match"] is True
    assert found["candidates"][0]["score"] < 0.4  # a distance
    assert client.delete(f"{base}/subjects/F-1", headers=officer).json()["deleted"] == 1
    again = client.post(f"{base}/searches", headers=officer,
                        files={"sample": ("hopper.jpg", PHOTO)}).json()  # fmt: skip
    assert again["candidates"] == []
    assert np.isfinite(found["fpir_bound"])
