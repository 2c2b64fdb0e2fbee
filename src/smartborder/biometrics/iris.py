"""Irises the Daugman way: segmentation, rubber-sheet normalisation, Gabor phase codes and the
fractional Hamming distance over rotations.

No offline iris package works here (``open-iris`` downloads its segmentation model), and
everything after segmentation is classical, so the pipeline is ours, on numpy and scipy:

1. **segmentation**: the pupil is the largest dark, round region (its reflection filled in);
   the limbus is the radius, around the pupil's centre, where the intensity jumps most from
   iris to sclera, looked for on the left and right sectors only, which eyelids do not cover
   (Daugman's integro-differential operator, restricted to those arcs);
2. **normalisation**: the iris between the two circles is sampled on a fixed grid of
   ``ROWS`` radii x ``COLUMNS`` angles (Daugman's rubber sheet), so a pupil that dilates or an
   eye nearer the camera gives the same grid;
3. **masking**: what is not iris (eyelid, lashes, the illuminator's reflection) is found on the
   grid by its lack of texture or its brightness, and left out of every comparison;
4. **encoding**: each row is filtered with a 1-D log-Gabor filter along the angle (Masek's
   choice) and the phase of the answer quantised to two bits (Daugman's phase quadrant);
5. **comparison**: the fraction of disagreeing bits among those both codes hold (the
   fractional Hamming distance), the least over rotations of ``SHIFTS`` columns either way
   (the head's tilt). The score is 1 - HD: 1 for identical codes, about 0.5 for two eyes.

A template is ``SBIRIS`` with the grid's size, the quality, and the packed code and mask bits.
"""

from __future__ import annotations

import struct

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from smartborder.biometrics.images import BiometricProblem, grey
from smartborder.biometrics.matchers import Modality, Quality, Template

ALGORITHM = "daugman-loggabor-v1"
SCALE = "usable iris (0-100 %)"
FLOOR = 40.0  # less than 40 % of the iris visible: refused
MIN_SIDE = 120
MIN_IRIS_RADIUS = 30.0  # pixels: below, too little texture to code (ISO/IEC 29794-6: 80 px ø)
ROWS, COLUMNS = 32, 256
SHIFTS = 12  # columns either way: about 17 degrees of tilt
WAVELENGTH = 16.0  # columns, the log-Gabor filter's centre
BANDWIDTH = 0.5  # sigma over the centre frequency
MAGIC = b"SBIRIS"
HEADER = "!6sHHf"  # magic, rows, columns, quality
MIN_CONTRAST = 0.02  # the iris's grey levels' spread, on 0-1
MIN_SHARPNESS = 0.008  # fine detail left: a capture blurred by 2 pixels more has about that
MIN_SHARED = 0.2  # of the bits, that both codes must hold to be compared at all


def _dark_region(image: NDArray[np.float64], source: str) -> tuple[float, float, float]:
    """The pupil: centre (x, y) and radius. The largest dark, round region (closed over the
    illuminator's reflection) gives a first circle; the circle along which the intensity rises
    most steeply outwards, searched around it, is the pupil's edge (Daugman's operator)."""
    smooth = ndimage.gaussian_filter(image, 2)
    low, median = np.percentile(smooth, 0.5), np.median(smooth)
    dark = smooth < low + 0.25 * (median - low)
    # opened, so that dark furrows and crypts touching the pupil do not join it
    labels, count = ndimage.label(
        ndimage.binary_opening(dark, np.hypot(*np.mgrid[-3:4, -3:4]) <= 3)
    )
    if not count:
        raise BiometricProblem(source, "no pupil found: no dark region in the image")
    index = range(1, count + 1)
    sizes = ndimage.sum_labels(np.ones_like(smooth), labels, index)
    darkness = ndimage.mean(smooth, labels, index)
    # the darkest region of some size: dark furrows and crypts are lighter than a pupil
    candidates = np.where(sizes >= max(50.0, 0.2 * float(sizes.max())), darkness, np.inf)
    disk = np.hypot(*np.mgrid[-4:5, -4:5]) <= 4
    region = ndimage.binary_fill_holes(
        ndimage.binary_closing(labels == int(np.argmin(candidates)) + 1, disk, iterations=2)
    )
    area = float(region.sum())
    ys, xs = np.nonzero(region)
    height, width = np.ptp(ys) + 1, np.ptp(xs) + 1
    radius = float(np.sqrt(area / np.pi))
    roundness = area / (np.pi * max(height, width) ** 2 / 4)
    if radius < 5 or roundness < 0.6 or not 0.6 < height / width < 1.6:
        raise BiometricProblem(source, f"no pupil found: the darkest region is not round "
                               f"({width} x {height} pixels)")  # fmt: skip
    return _edge(smooth, float(xs.mean()), float(ys.mean()), radius)


_CIRCLE = np.linspace(0, 2 * np.pi, 64, endpoint=False)


def _edge(
    smooth: NDArray[np.float64], x: float, y: float, radius: float
) -> tuple[float, float, float]:
    """The circle near (x, y, radius) along which the image brightens most steeply outwards."""
    offsets = np.arange(-3.0, 3.5, 1.0)
    radii = np.arange(radius * 0.8, radius * 1.25, 0.5)
    best, found = -np.inf, (x, y, radius)
    ring = np.array([radii - 1.0, radii + 1.0])  # inside and outside each radius
    for dy in offsets:
        for dx in offsets:
            xs = x + dx + ring[..., None] * np.cos(_CIRCLE)
            ys = y + dy + ring[..., None] * np.sin(_CIRCLE)
            inner, outer = ndimage.map_coordinates(smooth, [ys, xs], order=1,
                                                   mode="nearest").mean(axis=2)  # fmt: skip
            rise = outer - inner
            at = int(np.argmax(rise))
            if rise[at] > best:
                best, found = float(rise[at]), (x + dx, y + dy, float(radii[at]))
    return found


def _limbus(image: NDArray[np.float64], cx: float, cy: float, pupil: float) -> float:
    """The iris's outer radius: the largest rise of mean intensity along lateral arcs."""
    smooth = ndimage.gaussian_filter(image, 1.5)
    angles = np.concatenate([np.linspace(-0.6, 0.5, 40), np.linspace(np.pi - 0.5, np.pi + 0.6, 40)])
    largest = min(cx, image.shape[1] - cx, pupil * 5.0)
    radii = np.arange(pupil * 1.35, max(largest, pupil * 1.5), 1.0)
    xs = cx + np.multiply.outer(radii, np.cos(angles))
    ys = cy + np.multiply.outer(radii, np.sin(angles))
    profile = ndimage.map_coordinates(smooth, [ys, xs], order=1, mode="nearest").mean(axis=1)
    # the rise from a band of 6 px inside to one outside: the iris's own texture (furrows, the
    # collarette) changes over a pixel or two, the limbus for good
    band = 6
    padded = np.pad(profile, band, mode="edge")
    cumulative = np.concatenate([[0.0], np.cumsum(padded)])
    at = np.arange(len(profile)) + band
    outside = (cumulative[at + band + 1] - cumulative[at + 1]) / band
    inside = (cumulative[at] - cumulative[at - band]) / band
    return float(radii[int(np.argmax(outside - inside))])


def _sheet(
    image: NDArray[np.float64], cx: float, cy: float, pupil: float, iris: float
) -> NDArray[np.float64]:
    """The iris on the rubber sheet: ROWS radii (pupil edge to limbus) x COLUMNS angles."""
    rho = (np.arange(ROWS) + 0.5) / ROWS * 0.9 + 0.05  # clear of both boundaries
    theta = np.arange(COLUMNS) / COLUMNS * 2 * np.pi
    r = pupil + np.multiply.outer(rho, np.ones(COLUMNS)) * (iris - pupil)
    xs, ys = cx + r * np.cos(theta), cy + r * np.sin(theta)
    sheet: NDArray[np.float64] = ndimage.map_coordinates(image, [ys, xs], order=1, mode="nearest")
    return sheet


def _mask(sheet: NDArray[np.float64]) -> NDArray[np.bool_]:
    """True where the sheet shows iris: not flat (eyelid, sclera) and not a reflection."""
    mean = ndimage.uniform_filter(sheet, (3, 9), mode="wrap")
    texture = np.sqrt(np.maximum(ndimage.uniform_filter(sheet**2, (3, 9), mode="wrap") - mean**2,
                                 0))  # fmt: skip
    median = float(np.median(sheet))
    spread = float(np.median(np.abs(sheet - median))) + 1e-6
    bright = sheet > median + 6 * spread
    flat = texture < 0.35 * float(np.median(texture))
    lid = ndimage.binary_opening(flat, np.ones((3, 7)))
    visible: NDArray[np.bool_] = ~ndimage.binary_dilation(bright | lid, np.ones((3, 5)))
    return visible


def _code(sheet: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Two bits per sample: the signs of the log-Gabor answer's real and imaginary parts."""
    frequencies = np.fft.fftfreq(COLUMNS)
    centre = 1.0 / WAVELENGTH
    positive = frequencies > 0
    ratio = np.where(positive, frequencies, centre) / centre
    log_gabor = np.where(positive, np.exp(-(np.log(ratio) ** 2) / (2 * np.log(BANDWIDTH) ** 2)), 0)
    rows = sheet - sheet.mean(axis=1, keepdims=True)
    answer = np.fft.ifft(np.fft.fft(rows, axis=1) * log_gabor, axis=1)
    code: NDArray[np.bool_] = np.stack([answer.real > 0, answer.imag > 0], axis=-1)
    return code


class DaugmanIris:
    """The iris matcher (see the module)."""

    modality: Modality = "iris"
    algorithm = ALGORITHM

    def __init__(self, floor: float = FLOOR) -> None:
        self.floor = floor

    def _segment(
        self, image: bytes, source: str
    ) -> tuple[NDArray[np.float64], Quality, dict[str, float]]:
        pixels = grey(image, source, min_side=MIN_SIDE).astype(np.float64) / 255.0
        cx, cy, pupil = _dark_region(pixels, source)
        iris = _limbus(pixels, cx, cy, pupil)
        if iris < MIN_IRIS_RADIUS or not 0.15 <= pupil / iris <= 0.75:
            raise BiometricProblem(
                source,
                f"no iris found around the pupil (pupil {pupil:.0f} px, limbus {iris:.0f} px; "
                f"an iris is at least {MIN_IRIS_RADIUS:.0f} px, the pupil 15-75 % of it)",
            )
        sheet = _sheet(pixels, cx, cy, pupil, iris)
        visible = _mask(sheet)
        share = 100.0 * float(visible.mean())
        contrast = float(sheet[visible].std()) if visible.any() else 0.0
        detail = sheet - ndimage.gaussian_filter(sheet, 1.0)  # what defocus takes away
        sharpness = float(detail[visible].std()) if visible.any() else 0.0
        reasons = (f"{share:.0f} % of the iris visible", f"pupil/iris {pupil / iris:.2f}",
                   f"texture contrast {contrast:.3f} (at least {MIN_CONTRAST})",
                   f"sharpness {sharpness:.4f} (at least {MIN_SHARPNESS})")  # fmt: skip
        # a blank, burnt-out or defocused iris codes nothing that is its own
        score = share if contrast >= MIN_CONTRAST and sharpness >= MIN_SHARPNESS else 0.0
        geometry = {"x": cx, "y": cy, "pupil": pupil, "iris": iris}
        return sheet, Quality(round(score, 1), SCALE, self.floor, reasons), geometry

    def assess(self, image: bytes, source: str) -> Quality:
        return self._segment(image, source)[1]

    def extract(self, image: bytes, source: str) -> Template:
        sheet, quality, _ = self._segment(image, source)
        if not quality.usable:
            raise BiometricProblem(source, f"iris quality {quality.score:g} % usable is below "
                                   f"the floor {self.floor:g} % ({', '.join(quality.reasons)})",
                                   quality=quality.score)  # fmt: skip
        code = _code(sheet)
        mask = np.repeat(_mask(sheet)[:, :, None], 2, axis=2)
        data = struct.pack(HEADER, MAGIC, ROWS, COLUMNS, quality.score)
        data += np.packbits(code).tobytes() + np.packbits(mask).tobytes()
        return Template("iris", ALGORITHM, data, quality, features=int(mask.sum()))

    def template(self, data: bytes, source: str) -> Template:
        """A template from its bytes (a card's, a partner's), checked."""
        _, mask = self.load(data, source)
        quality = struct.unpack(HEADER, data[: struct.calcsize(HEADER)])[3]
        features = int(np.bitwise_count(mask).sum())
        scored = Quality(round(float(quality), 1), SCALE, 0.0, ("from the template",))
        return Template("iris", ALGORITHM, data, scored, features=features)

    def load(self, data: bytes, source: str) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        """The code and mask of a template, one 64-bit word per angle (its ROWS x 2 bits), so
        that a rotation is a roll of words and a comparison a few XORs and bit counts."""
        size = struct.calcsize(HEADER)
        bits = ROWS * COLUMNS * 2
        if len(data) != size + 2 * (bits // 8) or not data.startswith(MAGIC):
            raise BiometricProblem(source, f"not a {ALGORITHM} iris template")
        _, rows, columns, _ = struct.unpack(HEADER, data[:size])
        if (rows, columns) != (ROWS, COLUMNS):
            raise BiometricProblem(source, f"an iris template of {rows} x {columns}, not "
                                   f"{ROWS} x {COLUMNS}")  # fmt: skip
        body = np.frombuffer(data[size:], dtype=np.uint8)
        shape = (ROWS, COLUMNS, 2)
        code = np.unpackbits(body[: bits // 8])[:bits].reshape(shape).astype(bool)
        mask = np.unpackbits(body[bits // 8 :])[:bits].reshape(shape).astype(bool)
        return words(code), words(mask)

    def compare(self, probe: Template, reference: Template) -> float:
        a, a_mask = self.load(probe.data, "the probe template")
        b, b_mask = self.load(reference.data, "the reference template")
        return 1.0 - float(distances(a, a_mask, b[None], b_mask[None])[0])


def words(bits: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """ROWS x COLUMNS x 2 bits as COLUMNS words of 64 bits (ROWS x 2 = 64)."""
    per_angle = np.packbits(bits.transpose(1, 0, 2).reshape(COLUMNS, ROWS * 2), axis=1)
    packed: NDArray[np.uint64] = per_angle.view(">u8").astype(np.uint64).reshape(COLUMNS)
    return packed


CHUNK = 64  # codes compared at once (about 3 MB of temporaries)
_ROLLS = (np.arange(COLUMNS)[None, :] - np.arange(-SHIFTS, SHIFTS + 1)[:, None]) % COLUMNS


def distances(
    a: NDArray[np.uint64],
    a_mask: NDArray[np.uint64],
    b: NDArray[np.uint64],
    b_mask: NDArray[np.uint64],
) -> NDArray[np.float64]:
    """The least fractional Hamming distance of the code ``a`` to each of the codes ``b``
    (N x COLUMNS words) over rotations of ``SHIFTS`` columns either way; 1.0 where the two share
    too few bits to be compared."""
    least = np.ones(len(b))
    turned, turned_mask = a[_ROLLS][None], a_mask[_ROLLS][None]  # the probe, every rotation
    for start in range(0, len(b), CHUNK):  # memory stays bounded: CHUNK x shifts x COLUMNS
        part = slice(start, start + CHUNK)
        both = b_mask[part][:, None, :] & turned_mask
        shared = np.bitwise_count(both).sum(axis=2, dtype=np.int64)
        differ = np.bitwise_count((b[part][:, None, :] ^ turned) & both).sum(axis=2, dtype=np.int64)
        enough = shared >= MIN_SHARED * ROWS * COLUMNS * 2
        least[part] = np.where(enough, differ / np.maximum(shared, 1), 1.0).min(axis=1)
    return least


def plain_distance(probe: bytes, reference: bytes) -> float:
    """``distances`` the obvious way, on two templates' bytes: boolean arrays, one rotation at
    a time. The reference the packed comparison is tested and benchmarked against."""
    size, bits = struct.calcsize(HEADER), ROWS * COLUMNS * 2
    shape = (ROWS, COLUMNS, 2)
    unpacked = []
    for data in (probe, reference):
        body = np.frombuffer(data[size:], np.uint8)
        unpacked.append((np.unpackbits(body[: bits // 8]).reshape(shape).astype(bool),
                         np.unpackbits(body[bits // 8 :]).reshape(shape).astype(bool)))  # fmt: skip
    (a, a_mask), (b, b_mask) = unpacked
    best = 1.0
    for shift in range(-SHIFTS, SHIFTS + 1):
        rolled, rolled_mask = np.roll(b, shift, axis=1), np.roll(b_mask, shift, axis=1)
        both = a_mask & rolled_mask
        if both.sum() >= MIN_SHARED * a.size:
            best = min(best, float(((a ^ rolled) & both).sum() / both.sum()))
    return best
