"""Fingerprints with NIST's NBIS: MINDTCT minutiae, BOZORTH3 comparison, NFIQ 2 quality.

Through ``nbis-py`` (pinned at 0.1.3: later releases need a newer C library than Debian
bookworm's). Templates are ISO/IEC 19794-2:2005 minutiae records, the format other systems
read, so a template leaves the node as it is stored. A BOZORTH3 score counts the minutiae
pairs whose relations agree; it is not a probability, and only a threshold measured on known
pairs turns it into a decision (``matchers.operating_point``).

Images are taken as 500 ppi (the ANSI/NIST-ITL Type-4 and Type-14 resolution); NFIQ 2 below
``NFIQ2_FLOOR`` is refused for enrolment and search, as FBI and IAFIS practice refuses prints
too poor to search.
"""

from __future__ import annotations

from functools import cache

import nbis
import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from smartborder.biometrics.images import BiometricProblem, grey, png
from smartborder.biometrics.matchers import Modality, Quality, Template

ALGORITHM = "nbis-bozorth3-v1"
SCALE = "NFIQ 2 (0-100)"
NFIQ2_FLOOR = 20.0  # below, the print is too poor to search
MIN_SIDE = 150  # pixels at 500 ppi: 7.6 mm, less than a fingertip's width
MIN_MINUTIAE = 8  # fewer cannot be told apart from another finger's
PPI = 500.0
RIDGE_FLOOR = 0.3  # orientation coherence below which an image holds no ridge pattern
ISO_MAGIC = b"FMR\x00"  # how an ISO/IEC 19794-2 finger minutiae record begins


@cache
def _extractor() -> nbis.NbisExtractor:
    settings = nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=True, ppi=PPI
    )
    return nbis.new_nbis_extractor(settings)


def ridge_coherence(pixels: NDArray[np.uint8]) -> float:
    """How much the image is made of parallel ridges: the coherence of its gradients'
    structure tensor (0 for noise, 1 for straight stripes), averaged where the image has
    texture. Synthetic prints give 0.4 (a bad capture) to 0.9; noise 0.1 to 0.2, which MINDTCT
    and NFIQ 2 alone would take for a print of fair quality (NFIQ 2 about 30, 100 minutiae)."""
    image = pixels.astype(np.float64)
    gx, gy = ndimage.sobel(image, 1), ndimage.sobel(image, 0)
    xx, yy, xy = (ndimage.gaussian_filter(a, 6.0) for a in (gx * gx, gy * gy, gx * gy))
    energy = xx + yy
    if float(energy.max()) <= 0:
        return 0.0
    coherence = np.sqrt((xx - yy) ** 2 + 4 * xy**2) / (energy + 1e-9)
    return float(coherence[energy > 0.1 * energy.max()].mean())


class NbisFingerprint:
    """The fingerprint matcher: NFIQ 2, MINDTCT and BOZORTH3 (see the module)."""

    modality: Modality = "fingerprint"
    algorithm = ALGORITHM

    def __init__(self, floor: float = NFIQ2_FLOOR) -> None:
        self.floor = floor

    def _minutiae(self, image: bytes, source: str) -> nbis.Minutiae:
        pixels = grey(image, source, min_side=MIN_SIDE)
        ridges = ridge_coherence(pixels)
        if ridges < RIDGE_FLOOR:
            raise BiometricProblem(
                source,
                f"no ridge pattern: the image's ridge coherence is {ridges:.2f} (a print has "
                f"{RIDGE_FLOOR} or more)",
                coherence=round(ridges, 3),
            )
        try:
            return _extractor().extract_minutiae(png(pixels))
        except nbis.NbisError as exc:
            raise BiometricProblem(source, f"NBIS could not read the print ({exc})") from None

    def assess(self, image: bytes, source: str) -> Quality:
        return self._quality(self._minutiae(image, source))

    def _quality(self, minutiae: nbis.Minutiae) -> Quality:
        result = minutiae.quality()
        reasons = tuple(f"{v.name} {v.value:.2f}" for v in result.actionable if v.value is not None)
        return Quality(float(result.score), SCALE, self.floor, reasons)

    def extract(self, image: bytes, source: str) -> Template:
        minutiae = self._minutiae(image, source)
        quality = self._quality(minutiae)
        if not quality.usable:
            raise BiometricProblem(
                source,
                f"fingerprint quality NFIQ 2 {quality.score:g} is below the floor {self.floor:g}",
                quality=quality.score,
            )
        found = len(minutiae.get())
        if found < MIN_MINUTIAE:
            raise BiometricProblem(
                source, f"{found} minutiae found; at least {MIN_MINUTIAE} are needed"
            )
        return Template(
            "fingerprint", ALGORITHM, minutiae.to_iso_19794_2_2005(), quality, features=found
        )

    def load(self, data: bytes, source: str) -> nbis.Minutiae:
        """An ISO/IEC 19794-2:2005 record as minutiae to compare."""
        try:
            return _extractor().load_iso_19794_2_2005(data)
        except nbis.NbisError as exc:
            raise BiometricProblem(
                source, f"not an ISO/IEC 19794-2:2005 minutiae record ({exc})"
            ) from None

    def template(self, data: bytes, source: str) -> Template:
        """A template from an ISO/IEC 19794-2:2005 record (a card's, a partner's): its
        quality is the record's own (NFIQ 2 as MINDTCT records it is not carried)."""
        minutiae = self.load(data, source)
        found = len(minutiae.get())
        if found < MIN_MINUTIAE:
            raise BiometricProblem(
                source, f"{found} minutiae in the record; at least {MIN_MINUTIAE} are needed"
            )
        quality = Quality(float(minutiae.quality().score), SCALE, 0.0, ("from the record",))
        return Template("fingerprint", ALGORITHM, data, quality, features=found)

    def compare(self, probe: Template, reference: Template) -> float:
        a = self.load(probe.data, "the probe template")
        b = self.load(reference.data, "the reference template")
        return float(a.compare(b))
