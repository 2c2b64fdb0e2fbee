"""Faces with dlib: HOG detection, 5-point alignment and the ResNet 128-number embedding.

The models are those of the ``face_recognition_models`` package (0.3.0, installed from PyPI,
nothing fetched at run time), loaded directly with ``dlib-bin``: the 5-point landmark
predictor and the ResNet embedding are public domain; the 68-point predictor, whose training
data forbids commercial use, is not used. A face is found by dlib's HOG detector (at the
image's size, then at twice it for small faces), kept when the detector's confidence reaches
``DETECTION_FLOOR``; the sample must hold exactly one, at least ``MIN_FACE`` pixels wide. Its
embedding is compared by Euclidean distance: the smaller, the likelier one person.

Its operating points are measured by ``bench/matchers.py --modality face`` on the real faces
installed packages ship (scikit-image's LFW subset of 100 faces, 25 pixels upscaled, and two
portraits), each against synthetic alterations of itself; a node may measure its own on its
labelled faces (``--faces DIR``, one folder per person).
"""

from __future__ import annotations

import importlib.util
import struct
from functools import cache
from pathlib import Path
from typing import Any

import dlib
import numpy as np
from numpy.typing import NDArray

from smartborder.biometrics.images import BiometricProblem, decoded
from smartborder.biometrics.matchers import Modality, Quality, Template

ALGORITHM = "dlib-resnet-v1"
SCALE = "face (detector confidence x size, 0-100)"
FLOOR = 25.0
DETECTION_FLOOR = 0.5  # HOG confidence: false detections on textures score about 0.1
MIN_SIDE = 80
MIN_FACE = 64  # pixels across: ICAO's portraits hold 90 or more between the eyes' outer corners
DIMENSIONS = 128
MAGIC = b"SBFACE"
HEADER = "!6sHf"  # magic, numbers, quality


@cache
def _models() -> tuple[Any, Any, Any]:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face_recognition_models package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat")),
    )


def _faces(pixels: NDArray[np.uint8]) -> list[tuple[Any, float]]:
    detector = _models()[0]
    for upsample in (0, 1):
        found, scores, _ = detector.run(pixels, upsample, DETECTION_FLOOR)
        kept = [(box, float(score)) for box, score in zip(found, scores, strict=True)]
        if kept:
            return kept
    return []


class DlibFace:
    """The face matcher (see the module)."""

    modality: Modality = "face"
    algorithm = ALGORITHM

    def __init__(self, floor: float = FLOOR) -> None:
        self.floor = floor

    def _face(self, image: bytes, source: str) -> tuple[NDArray[np.uint8], Any, Quality]:
        pixels = decoded(image, source, min_side=MIN_SIDE, mode="RGB")
        faces = _faces(pixels)
        if not faces:
            raise BiometricProblem(source, "no face found (dlib's detector, confidence "
                                   f"{DETECTION_FLOOR} or more)")  # fmt: skip
        if len(faces) > 1:
            boxes = [{"left": b.left(), "top": b.top(), "width": b.width()} for b, _ in faces]
            raise BiometricProblem(source, f"{len(faces)} faces found; a sample holds one",
                                   faces=boxes)  # fmt: skip
        box, confidence = faces[0]
        width = box.width()
        if width < MIN_FACE:
            raise BiometricProblem(source, f"the face is {width} pixels across; at least "
                                   f"{MIN_FACE} are needed", width=width)  # fmt: skip
        score = 100.0 * min(1.0, confidence / 1.5) * min(1.0, width / 120)
        reasons = (f"detector confidence {confidence:.2f}", f"face {width} pixels across")
        return pixels, box, Quality(round(score, 1), SCALE, self.floor, reasons)

    def assess(self, image: bytes, source: str) -> Quality:
        return self._face(image, source)[2]

    def extract(self, image: bytes, source: str) -> Template:
        pixels, box, quality = self._face(image, source)
        if not quality.usable:
            raise BiometricProblem(source, f"face quality {quality.score:g} is below the floor "
                                   f"{self.floor:g} ({', '.join(quality.reasons)})",
                                   quality=quality.score)  # fmt: skip
        _, landmarks, embedding = _models()
        numbers = np.asarray(
            embedding.compute_face_descriptor(pixels, landmarks(pixels, box)), dtype="<f4"
        )
        data = struct.pack(HEADER, MAGIC, DIMENSIONS, quality.score) + numbers.tobytes()
        return Template("face", ALGORITHM, data, quality, features=DIMENSIONS)

    def numbers(self, data: bytes, source: str) -> NDArray[np.float32]:
        size = struct.calcsize(HEADER)
        if len(data) != size + 4 * DIMENSIONS or not data.startswith(MAGIC):
            raise BiometricProblem(source, f"not a {ALGORITHM} face template")
        values: NDArray[np.float32] = np.frombuffer(data[size:], dtype="<f4").astype(np.float32)
        if not np.isfinite(values).all():
            raise BiometricProblem(source, f"the {ALGORITHM} template holds numbers that are "
                                   "not finite")  # fmt: skip
        return values

    def template(self, data: bytes, source: str) -> Template:
        self.numbers(data, source)
        quality = struct.unpack(HEADER, data[: struct.calcsize(HEADER)])[2]
        scored = Quality(round(float(quality), 1), SCALE, 0.0, ("from the template",))
        return Template("face", ALGORITHM, data, scored, features=DIMENSIONS)

    def compare(self, probe: Template, reference: Template) -> float:
        """The Euclidean distance of the two embeddings (smaller: likelier one person)."""
        a = self.numbers(probe.data, "the probe template")
        b = self.numbers(reference.data, "the reference template")
        return float(np.linalg.norm(a - b))
