"""Faces for demos and benchmarks: two REAL portraits that installed packages ship
(matplotlib's Grace Hopper, scikit-image's Eileen Collins), and SYNTHETIC alterations of a
photograph as another capture of the same face might differ (a turn of the head, the distance
to the camera, the light, JPEG compression)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import matplotlib
from PIL import Image


def hopper() -> bytes:
    """Grace Hopper's portrait, as matplotlib ships it (JPEG)."""
    return (Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg").read_bytes()


def collins() -> bytes:
    """Eileen Collins's portrait, as scikit-image ships it (PNG, ``astronaut.png``; scikit-image
    is a development dependency: found, not imported)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-image is not installed (uv sync --group dev)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "data" / "astronaut.png").read_bytes()


def jpeg(image: Image.Image, quality: int = 75) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def another_capture(photo: bytes, turn: float, scale: float, gain: float) -> bytes:
    """A SYNTHETIC alteration of ``photo``: turned ``turn`` degrees, scaled, its light times
    ``gain``, saved as a camera's JPEG."""
    image = Image.open(io.BytesIO(photo)).convert("RGB").rotate(turn)
    image = image.resize((int(image.width * scale), int(image.height * scale)))
    return jpeg(image.point(lambda v: min(255, int(v * gain))), quality=60)


def collins_jpeg() -> bytes:
    """Eileen Collins's portrait as a camera's JPEG (a tenth of the PNG's size)."""
    return jpeg(Image.open(io.BytesIO(collins())), quality=85)
