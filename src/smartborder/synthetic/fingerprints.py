"""Synthetic fingerprints: a finger's ridge pattern and impressions of it, as a scanner gives them.

Real fingerprint images cannot ship with the project (they are personal data, and the public
sets forbid redistribution), so matchers are measured on synthetic ones, made the way SFinGe
(Cappelli, Maio, Maltoni) makes them and labelled as synthetic wherever they are used:

1. an **orientation field** from singular points with the zero-pole model (Sherlock and
   Monro): each core turns the ridges by half its angle, each delta by minus half, so that a
   core and a delta give a loop, two cores and two deltas a whorl, none an arch;
2. a **ridge pattern** grown from random noise by filtering it again and again with Gabor
   filters tuned to the local orientation and to a ridge period of about nine pixels (500 ppi),
   inside a fingertip-shaped mask: each finger is its own seed, so its minutiae are its own;
3. **impressions**: the master pattern pressed onto a sensor: a smooth elastic distortion, a
   small rotation and shift, an uneven pressure (ridges thicker or thinner), blur and noise.

Two impressions of one finger share most minutiae, as two captures do; two fingers share
none but by chance. Sizes are bounded: at most ``MAX_SIDE`` pixels a side.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage
from scipy.signal import fftconvolve

Pattern = Literal["arch", "left-loop", "right-loop", "whorl"]
PATTERNS: tuple[Pattern, ...] = ("arch", "left-loop", "right-loop", "whorl")
SIDE = 320  # pixels: 16 mm at 500 ppi, a plain impression's width
MAX_SIDE = 1024
PERIOD = 9.0  # pixels between ridges at 500 ppi (0.46 mm)
ORIENTATIONS = 16  # Gabor filters, one per orientation bin
ROUNDS = 12  # filtering rounds that grow ridges from noise


@dataclass(frozen=True)
class Finger:
    """A synthetic finger: its master ridge pattern (1 ridge, 0 valley) and what made it."""

    seed: int
    pattern: Pattern
    ridges: NDArray[np.float32]  # side x side, in [0, 1]
    mask: NDArray[np.bool_]  # the fingertip's area

    def impression(self, seed: int, *, quality: float = 1.0) -> NDArray[np.uint8]:
        """One capture of the finger: ``quality`` 1 is a good plain impression, lower ones are
        more distorted, blurred and noisy (0.2 is about the worst a live scanner keeps)."""
        return impression(self, seed, quality=quality)


def _orientation(side: int, pattern: Pattern, rng: np.random.Generator) -> NDArray[np.float64]:
    """The ridges' direction at each pixel (radians, modulo pi), by the zero-pole model."""
    y, x = np.mgrid[0:side, 0:side].astype(np.float64)
    z = (x - side / 2) + 1j * (y - side / 2)
    jitter = side * 0.04
    cores: list[complex] = []
    deltas: list[complex] = []
    if pattern == "left-loop":
        cores = [complex(-0.05 * side, -0.12 * side)]
        deltas = [complex(0.28 * side, 0.22 * side)]
    elif pattern == "right-loop":
        cores = [complex(0.05 * side, -0.12 * side)]
        deltas = [complex(-0.28 * side, 0.22 * side)]
    elif pattern == "whorl":
        cores = [complex(0, -0.14 * side), complex(0, 0.02 * side)]
        deltas = [complex(-0.3 * side, 0.25 * side), complex(0.3 * side, 0.25 * side)]
    cores = [c + complex(*rng.normal(0, jitter, 2)) for c in cores]
    deltas = [d + complex(*rng.normal(0, jitter, 2)) for d in deltas]
    theta = np.zeros((side, side))
    for core in cores:
        theta += 0.5 * np.angle(z - core)
    for delta in deltas:
        theta -= 0.5 * np.angle(z - delta)
    if pattern == "arch":  # ridges across the finger, bowed in the middle
        bow = rng.uniform(0.6, 1.0)
        theta = np.arctan(bow * np.cos(np.pi * (x - side / 2) / side) * (y - side) / side * -1)
        theta = theta * np.sign(x - side / 2 + 1e-9)
    theta += rng.normal(0, 0.05)
    return np.mod(theta + np.pi / 2, np.pi)  # ridges run across the field's gradient


def _gabor(angle: float, period: float) -> NDArray[np.float64]:
    half = int(period)
    y, x = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    across = x * np.cos(angle) + y * np.sin(angle)
    along = -x * np.sin(angle) + y * np.cos(angle)
    sigma = period * 0.45
    kernel = np.exp(-(across**2 + along**2) / (2 * sigma**2)) * np.cos(2 * np.pi * across / period)
    kernel -= kernel.mean()
    result: NDArray[np.float64] = kernel / np.abs(kernel).sum()
    return result


def _mask(side: int, rng: np.random.Generator) -> NDArray[np.bool_]:
    y, x = np.mgrid[0:side, 0:side].astype(np.float64)
    width = side * rng.uniform(0.40, 0.46)
    height = side * rng.uniform(0.46, 0.49)
    inside: NDArray[np.bool_] = ((x - side / 2) / width) ** 2 + ((y - side / 2) / height) ** 2 <= 1
    return inside


def finger(seed: int, pattern: Pattern | None = None, *, side: int = SIDE) -> Finger:
    """The master pattern of the synthetic finger ``seed`` (its class drawn from ``seed`` when
    not given)."""
    if not 64 <= side <= MAX_SIDE:
        raise ValueError(f"a synthetic finger is 64 to {MAX_SIDE} pixels a side, not {side}")
    rng = np.random.default_rng(seed)
    chosen: Pattern = pattern or PATTERNS[int(rng.integers(len(PATTERNS)))]
    theta = _orientation(side, chosen, rng)
    bins = np.round(theta / np.pi * ORIENTATIONS).astype(int) % ORIENTATIONS
    filters = [_gabor(np.pi * k / ORIENTATIONS, PERIOD) for k in range(ORIENTATIONS)]
    image = rng.normal(0, 1, (side, side))
    for _ in range(ROUNDS):
        out = np.zeros_like(image)
        for k, kernel in enumerate(filters):
            where = bins == k
            if where.any():
                out[where] = fftconvolve(image, kernel, mode="same")[where]
        image = np.clip(out / (out.std() + 1e-9), -1.5, 1.5)
    ridges = (1 / (1 + np.exp(-4 * image))).astype(np.float32)
    return Finger(seed, chosen, ridges, _mask(side, rng))


def impression(subject: Finger, seed: int, *, quality: float = 1.0) -> NDArray[np.uint8]:
    """A capture of ``subject`` (see ``Finger.impression``): dark ridges on a light ground."""
    rng = np.random.default_rng([subject.seed, seed])
    side = subject.ridges.shape[0]
    harm = 1.0 - float(np.clip(quality, 0.0, 1.0))
    # elastic distortion: a smooth random displacement field, larger for worse captures
    shift = [ndimage.gaussian_filter(rng.normal(0, 1, (side, side)), side / 8) for _ in range(2)]
    scale = (1.5 + 4 * harm) / max(float(np.abs(shift[0]).max()), 1e-9)
    y, x = np.mgrid[0:side, 0:side].astype(np.float64)
    angle = np.radians(rng.normal(0, 6 + 8 * harm))
    cx, cy = side / 2 + rng.normal(0, side * (0.04 + 0.06 * harm), 2)  # part of the finger
    rx = np.cos(angle) * (x - cx) - np.sin(angle) * (y - cy) + side / 2
    ry = np.sin(angle) * (x - cx) + np.cos(angle) * (y - cy) + side / 2
    coords = [ry + shift[1] * scale, rx + shift[0] * scale]
    ridges = ndimage.map_coordinates(subject.ridges, coords, order=1, mode="constant", cval=0.0)
    inside = ndimage.map_coordinates(subject.mask.astype(np.float32), coords, order=0) > 0.5
    # pressure: ridges thicker where pressed hard, broken where pressed lightly
    pressure = ndimage.gaussian_filter(rng.normal(0, 1, (side, side)), side / 6)
    pressure = pressure / max(float(np.abs(pressure).max()), 1e-9) * (0.1 + 0.25 * harm)
    ink = np.clip((ridges - 0.5 + pressure) * 3 + 0.5, 0, 1)
    ink = ndimage.gaussian_filter(ink, 0.6 + 1.2 * harm)
    ink = ink + rng.normal(0, 0.04 + 0.2 * harm, ink.shape)
    ink = np.where(inside, ink, rng.normal(0, 0.02, ink.shape))
    gray: NDArray[np.uint8] = (255 - np.clip(ink, 0, 1) * (200 - 60 * harm)).astype(np.uint8)
    return gray


def png(image: NDArray[np.uint8]) -> bytes:
    """An impression as PNG bytes (8-bit grey), as a scanner's file would carry it."""
    out = io.BytesIO()
    Image.fromarray(image, mode="L").save(out, format="PNG")
    return out.getvalue()
