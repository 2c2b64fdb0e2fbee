"""Irises the Daugman way, on SYNTHETIC eyes (``smartborder.synthetic.irises``): two captures of
one eye match at the measured operating point whatever the tilt, dilation and eyelid, two eyes
do not; the packed comparison agrees bit for bit with the plain one; unusable samples are
refused with why; 1:N through the gallery, the service, the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from scipy import ndimage

from smartborder.biometrics import iris
from smartborder.biometrics.images import BiometricProblem, png
from smartborder.biometrics.iris_gallery import IrisGallery
from smartborder.biometrics.matchers import Template, operating_point, verify
from smartborder.settings import Settings
from smartborder.synthetic.fingerprints import finger
from smartborder.synthetic.irises import Eye, eye
from tests.conftest import Cli, api_token

MATCHER = iris.DaugmanIris()


@pytest.fixture(scope="module")
def eyes() -> list[Eye]:
    return [eye(seed) for seed in (31, 32, 33, 34)]


@pytest.fixture(scope="module")
def codes(eyes: list[Eye]) -> dict[tuple[int, int], Template]:
    return {(n, k): MATCHER.extract(png(e.capture(k, quality=1.0 - 0.25 * k)), f"{n}-{k}")
            for n, e in enumerate(eyes) for k in range(3)}  # fmt: skip


def test_captures_of_one_eye_match_and_two_eyes_do_not(
    codes: dict[tuple[int, int], Template],
) -> None:
    point = operating_point(iris.ALGORITHM)
    assert point.fmr <= 0.001
    assert "SYNTHETIC eyes" in point.measured_on
    for (n, k), a in codes.items():
        for (m, j), b in codes.items():
            if (n, k) >= (m, j):
                continue
            decided = verify(MATCHER, a, b)
            assert decided.match is (n == m), (n, k, m, j, decided.score)


def test_a_tilted_eye_still_matches(
    eyes: list[Eye], codes: dict[tuple[int, int], Template]
) -> None:
    capture = eyes[0].capture(5)
    for degrees in (-12, 12):
        turned = ndimage.rotate(capture, degrees, reshape=False, mode="nearest")
        probe = MATCHER.extract(png(turned.astype(np.uint8)), f"tilted {degrees}")
        assert verify(MATCHER, probe, codes[0, 0]).match


def test_the_packed_comparison_is_the_plain_one(codes: dict[tuple[int, int], Template]) -> None:
    for a in list(codes.values())[:4]:
        for b in codes.values():
            assert 1.0 - MATCHER.compare(a, b) == pytest.approx(
                iris.plain_distance(a.data, b.data), abs=1e-12
            )


def _defocused(capture: NDArray[np.uint8]) -> NDArray[np.uint8]:
    blurred: NDArray[np.uint8] = ndimage.gaussian_filter(capture, 3)
    return blurred


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        (lambda e: np.full((280, 320), 128, np.uint8), "no pupil found: no dark region"),
        (lambda e: finger(3).impression(0), "no pupil found: the darkest region is not round"),
        (lambda e: e.capture(1)[:100, :100], "at least 120 a side is needed"),
        (lambda e: _defocused(e.capture(1)), r"below the floor 40 %.*sharpness 0.00"),
    ],
)
def test_unusable_eyes_are_refused_with_why(eyes: list[Eye], image: object, problem: str) -> None:
    with pytest.raises(BiometricProblem, match=problem) as refused:
        MATCHER.extract(png(image(eyes[0])), "eye.png")  # type: ignore[operator]
    assert refused.value.source == "eye.png"


def test_templates_read_back_and_bad_ones_are_refused(
    codes: dict[tuple[int, int], Template],
) -> None:
    again = MATCHER.template(codes[1, 0].data, "card.iris")
    assert MATCHER.compare(again, codes[1, 1]) == MATCHER.compare(codes[1, 0], codes[1, 1])
    with pytest.raises(BiometricProblem, match="not a daugman-loggabor-v1 iris template"):
        MATCHER.template(codes[1, 0].data[:-1], "cut.iris")


def test_the_gallery_ranks_and_forgets(codes: dict[tuple[int, int], Template]) -> None:
    gallery = IrisGallery()
    for n in range(4):
        gallery.enrol(f"E-{n}", codes[n, 0].data, f"k{n}")
    for n in range(20):  # enough rows to grow the arrays
        gallery.enrol(f"X-{n}", codes[n % 4, 2].data, f"x{n}")
    for n in range(20):
        gallery.remove(f"x{n}")
    point = operating_point(iris.ALGORITHM)
    found = gallery.search(codes[2, 1], point, limit=3)
    assert [(c.subject, c.match) for c in found][:2] == [("E-2", True), (found[1].subject, False)]
    gallery.remove("k2")
    assert "E-2" not in {c.subject for c in gallery.search(codes[2, 1], point)}
    assert len(gallery) == 3


def test_api_and_cli_enrol_search_verify_and_delete_irises(
    app: FastAPI, client: TestClient, node: Settings, cli: Cli, tmp_path: Path, eyes: list[Eye]
) -> None:
    officer = api_token(app, "iris-officer", "program-officer")
    base = "/api/v1/biometrics/iris"

    def sample(n: int, k: int) -> dict[str, tuple[str, bytes]]:
        return {"sample": (f"eye{n}-{k}.png", png(eyes[n].capture(k)))}

    made = client.post(f"{base}/enrolments", files=sample(0, 0), data={"subject": "I-0"},
                       headers=officer)  # fmt: skip
    assert made.status_code == 201, made.text
    twice = client.post(f"{base}/enrolments", files=sample(0, 3), data={"subject": "I-9"},
                        headers=officer)  # fmt: skip
    assert twice.status_code == 409
    assert "this iris matches I-0's" in twice.json()["error"]["message"]
    found = client.post(f"{base}/searches", files=sample(0, 4), headers=officer).json()
    assert found["candidates"][0]["subject"] == "I-0"
    assert found["candidates"][0]["match"] is True
    blank = client.post(f"{base}/quality", headers=officer,
                        files={"sample": ("blank.png", png(np.full((280, 320), 128, np.uint8)))})  # fmt: skip
    assert blank.status_code == 422
    assert client.post("/api/v1/biometrics/retina/quality", files=sample(0, 0),
                       headers=officer).status_code == 422  # fmt: skip
    data = ["--data-dir", str(node.data_dir)]
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(png(eyes[1].capture(0)))
    second.write_bytes(png(eyes[1].capture(6)))
    code, out, _ = cli(["biometrics", "verify", str(first), str(second), "--modality", "iris",
                        "--json", *data])  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["operating_point"]["algorithm"] == iris.ALGORITHM
    code, out, _ = cli(["biometrics", "delete", "--subject", "I-0", "--modality", "iris",
                        "--as", "admin", *data])  # fmt: skip
    assert (code, "Deleted 1 iris template(s) of I-0" in out) == (0, True)
