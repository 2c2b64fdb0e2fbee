"""Reading a biometric image as the matchers need it, and saying where and why one is refused.

Any format Pillow reads (PNG, JPEG, JPEG 2000, BMP, TIFF; WSQ once its plugin is loaded) is
decoded to 8-bit grey. What is refused, with the file named: bytes that are no image, an image
too small for the modality (a fingerprint needs about 150 pixels a side at 500 ppi to hold
enough minutiae), and one so large it could only be a decompression bomb.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from smartborder.errors import ValidationFailed

MAX_PIXELS = 40_000_000  # a 10-print card at 1000 ppi is about 8,000 x 5,000


class BiometricProblem(ValidationFailed):
    """A biometric sample that cannot be used: what is wrong, and in which file."""

    code = "unusable_biometric"

    def __init__(self, source: str, problem: str, **where: Any) -> None:
        super().__init__(f"{source}: {problem}", details=[{"source": source, "problem": problem,
                                                           **where}])  # fmt: skip
        self.source = source
        self.problem = problem


def grey(data: bytes, source: str, *, min_side: int = 1) -> NDArray[np.uint8]:
    """The image in ``data`` as 8-bit grey, or :class:`BiometricProblem` naming ``source``."""
    return decoded(data, source, min_side=min_side, mode="L")


def decoded(data: bytes, source: str, *, min_side: int = 1, mode: str = "L") -> NDArray[np.uint8]:
    """The image in ``data`` as 8-bit ``mode`` ("L" grey, "RGB" colour), or
    :class:`BiometricProblem` naming ``source``."""
    if not data:
        raise BiometricProblem(source, "the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise BiometricProblem(
                    source, f"the image is {width} x {height} pixels, more than {MAX_PIXELS:,}"
                )
            image.load()
    except BiometricProblem:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BiometricProblem(source, "not an image this node can read") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise BiometricProblem(source, f"the image cannot be decoded ({exc})") from None
    if min(width, height) < min_side:
        raise BiometricProblem(
            source,
            f"the image is {width} x {height} pixels; at least {min_side} a side is needed",
            width=width,
            height=height,
        )
    pixels: NDArray[np.uint8] = np.ascontiguousarray(np.asarray(image.convert(mode), np.uint8))
    return pixels


def png(pixels: NDArray[np.uint8]) -> bytes:
    """8-bit grey pixels as PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG")
    return out.getvalue()
