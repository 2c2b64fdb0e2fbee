"""Synthetic eyes: an iris's texture and near-infrared captures of it, as an iris camera gives them.

Iris images are personal data and the public sets may not be redistributed, so the iris
matcher is measured on synthetic eyes, labelled as such wherever they are used. Each eye is a
seed; its texture lives on the iris's own polar coordinates (angle, and the share of the way
from the pupil's edge to the limbus), made of what gives real irises their detail: radial
furrows (many angular harmonics with random phases), crypts (dark blobs) and a collarette ring.
A capture places the eye in a 320 x 280 near-infrared image with what varies from one capture
to the next:

- the pupil's dilation (the texture stretches, not quite linearly, as real irises do);
- the head's tilt (the texture turns), and where the eye sits in the frame;
- the upper eyelid covering part of the iris, and a specular reflection of the illuminator;
- focus, sensor noise and exposure.

Two captures of one eye share the texture; two eyes share nothing but chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

WIDTH, HEIGHT = 320, 280
HARMONICS = 48  # angular detail: furrows down to about 7 degrees
CRYPTS = 24


@dataclass(frozen=True)
class Eye:
    """A synthetic eye: the recipe of its iris texture and its size."""

    seed: int
    iris_radius: float  # pixels at the capture distance
    dilation: float  # pupil radius / iris radius at rest
    amplitudes: NDArray[np.float64]  # per radial band and harmonic
    phases: NDArray[np.float64]
    crypts: NDArray[np.float64]  # angle, depth (0 pupil .. 1 limbus), size, darkness

    def texture(self, theta: NDArray[np.float64], rho: NDArray[np.float64]) -> NDArray[np.float64]:
        """The iris at angle ``theta`` and depth ``rho`` (0 the pupil's edge, 1 the limbus),
        about 0 (dark) to 1 (light)."""
        value = np.zeros_like(theta)
        bands = self.amplitudes.shape[0]
        for band in range(bands):  # each radial band has its own furrows
            weight = np.exp(-(((rho - (band + 0.5) / bands) * bands) ** 2))
            k = np.arange(1, HARMONICS + 1)
            wave = np.cos(np.multiply.outer(theta, k) + self.phases[band]) @ self.amplitudes[band]
            value += weight * wave
        for angle, depth, size, dark in self.crypts:
            d_theta = np.angle(np.exp(1j * (theta - angle)))
            value -= dark * np.exp(-((d_theta / (size * 0.6)) ** 2) - ((rho - depth) / size) ** 2)
        value += 0.6 * np.exp(-(((rho - 0.3) / 0.05) ** 2))  # the collarette
        return 0.5 + 0.18 * np.tanh(value / 1.5) - 0.12 * rho

    def capture(self, seed: int, *, quality: float = 1.0) -> NDArray[np.uint8]:
        return capture(self, seed, quality=quality)


def eye(seed: int) -> Eye:
    rng = np.random.default_rng([7, seed])
    bands = 6
    amplitudes = rng.gamma(1.2, 1.0, (bands, HARMONICS)) / np.sqrt(np.arange(1, HARMONICS + 1))
    phases = rng.uniform(0, 2 * np.pi, (bands, HARMONICS))
    crypts = np.column_stack([
        rng.uniform(0, 2 * np.pi, CRYPTS), rng.uniform(0.15, 0.85, CRYPTS),
        rng.uniform(0.04, 0.1, CRYPTS), rng.uniform(0.8, 2.0, CRYPTS),
    ])  # fmt: skip
    return Eye(seed, float(rng.uniform(52, 64)), float(rng.uniform(0.32, 0.45)), amplitudes,
               phases, crypts)  # fmt: skip


def capture(subject: Eye, seed: int, *, quality: float = 1.0) -> NDArray[np.uint8]:
    """One capture of ``subject``: ``quality`` 1 is a sharp, open eye, lower ones are more
    occluded, blurred and noisy."""
    rng = np.random.default_rng([subject.seed, seed, 11])
    harm = 1.0 - float(np.clip(quality, 0.0, 1.0))
    cx = WIDTH / 2 + rng.normal(0, 8)
    cy = HEIGHT / 2 + rng.normal(0, 6)
    iris = subject.iris_radius * rng.uniform(0.96, 1.04)  # distance to the camera
    dilation = float(np.clip(subject.dilation + rng.normal(0, 0.04), 0.22, 0.6))
    pupil = iris * dilation
    tilt = np.radians(rng.normal(0, 5))
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    r = np.hypot(x - cx, y - cy)
    theta = np.arctan2(y - cy, x - cx) - tilt
    rho = np.clip((r - pupil) / (iris - pupil), 0, 1)
    rho = rho ** (1 + 0.4 * (dilation - subject.dilation))  # not quite a rubber sheet
    ring = (r >= pupil - 1) & (r <= iris + 2)  # the texture is needed only there
    image = np.zeros_like(r)
    image[ring] = subject.texture(theta[ring], rho[ring])
    sclera = 0.78 + 0.04 * ndimage.gaussian_filter(rng.normal(0, 1, r.shape), 12)
    image = np.where(r < pupil, 0.08, np.where(r > iris, sclera, image))
    edge = np.clip((r - iris) / 2.0 + 0.5, 0, 1)  # a soft limbus
    image = np.where((r > iris - 1) & (r < iris + 1), image * (1 - edge) + sclera * edge, image)
    # the eye's opening and the upper eyelid over the iris
    opening = ((x - cx) / (iris * 2.4)) ** 2 + ((y - cy) / (iris * 1.25)) ** 2 <= 1
    lid = cy - iris * (1.0 - rng.uniform(0.05, 0.25 + 0.35 * harm))
    lid_curve = lid + ((x - cx) / (iris * 2.4)) ** 2 * iris * 0.8
    skin = 0.55 + 0.03 * ndimage.gaussian_filter(rng.normal(0, 1, r.shape), 6)
    image = np.where(opening & (y > lid_curve), image, skin)
    # the illuminator's reflection, near the pupil
    gx, gy = cx + pupil * rng.uniform(-0.6, 0.6), cy + pupil * rng.uniform(-0.6, 0.6)
    image = np.where(np.hypot(x - gx, y - gy) < 4 + 2 * harm, 1.0, image)
    image = ndimage.gaussian_filter(image, 0.6 + 1.6 * harm)
    image = image * rng.uniform(0.85, 1.1) + rng.normal(0, 0.015 + 0.04 * harm, image.shape)
    grey: NDArray[np.uint8] = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return grey
