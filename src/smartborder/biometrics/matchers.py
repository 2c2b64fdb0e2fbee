"""One matcher protocol for every modality: assess quality, extract a template, compare two.

Mirrors MOSIP's biometric SDK (``checkQuality``, ``extractTemplate``, ``match``): each modality's
matcher is one class behind :class:`Matcher`, and a template says which algorithm (name and
version) made it, so a gallery is never searched with another algorithm's templates and can be
re-enrolled when the algorithm changes.

Decisions are made at an **operating point**: a threshold on the comparison score with the
false match rate (FMR) and false non-match rate (FNMR) measured at it, on a named data set
(``operating_points.json``, written by ``bench/biometrics.py --calibrate``). A threshold is
never guessed: a matcher without a measured point for the FMR asked refuses to decide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, Protocol

from smartborder.errors import NotFound

Modality = Literal["face", "fingerprint", "iris"]
DEFAULT_FMR = 0.001  # one false match in a thousand impostor comparisons


@dataclass(frozen=True)
class Quality:
    """A sample's quality on its modality's scale, and whether it is good enough to use."""

    score: float
    scale: str  # "NFIQ 2 (0-100)", ...
    floor: float  # the least score accepted for enrolment and search
    reasons: tuple[str, ...] = ()  # what lowered it, as the assessor says

    @property
    def usable(self) -> bool:
        return self.score >= self.floor

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "scale": self.scale, "floor": self.floor,
                "usable": self.usable, "reasons": list(self.reasons)}  # fmt: skip


@dataclass(frozen=True)
class Template:
    """What a matcher extracted from one sample, in the algorithm's own format."""

    modality: Modality
    algorithm: str  # name and version, e.g. "nbis-bozorth3-v1"
    data: bytes  # ISO/IEC 19794-2:2005 minutiae for NBIS, float32 numbers for embeddings
    quality: Quality
    features: int = 0  # minutiae, or the embedding's length


@dataclass(frozen=True)
class OperatingPoint:
    """A threshold with the error rates measured at it."""

    algorithm: str
    threshold: float
    fmr: float  # impostor comparisons at or past the threshold, as a share
    fnmr: float  # genuine comparisons short of it, as a share
    measured_on: str  # the data set: what it is, and whether it is synthetic
    genuine: int  # comparisons the rates were measured on
    impostor: int
    higher_is_closer: bool = True  # scores (BOZORTH3); False for distances

    def matches(self, score: float) -> bool:
        if self.higher_is_closer:
            return score >= self.threshold
        return score <= self.threshold

    def as_dict(self) -> dict[str, object]:
        return {"algorithm": self.algorithm, "threshold": self.threshold, "fmr": self.fmr,
                "fnmr": self.fnmr, "measured_on": self.measured_on, "genuine": self.genuine,
                "impostor": self.impostor}  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    """A 1:1 comparison: the score, the decision at the operating point, and why."""

    score: float
    match: bool
    point: OperatingPoint
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "match": self.match, "operating_point": self.point.as_dict(),
                "reasons": list(self.reasons)}  # fmt: skip


class Matcher(Protocol):
    modality: Modality
    algorithm: str

    def assess(self, image: bytes, source: str) -> Quality:
        """The sample's quality (raises ``BiometricProblem`` when it is no usable image)."""
        ...

    def extract(self, image: bytes, source: str) -> Template:
        """A template of the sample, refused when its quality is below the floor."""
        ...

    def compare(self, probe: Template, reference: Template) -> float:
        """The similarity score of two templates of this algorithm."""
        ...


class NoOperatingPoint(NotFound):
    code = "no_operating_point"


@cache
def _measured() -> dict[str, list[OperatingPoint]]:
    text = resources.files("smartborder.biometrics").joinpath("operating_points.json").read_text()
    points: dict[str, list[OperatingPoint]] = {}
    for raw in json.loads(text)["points"]:
        point = OperatingPoint(**raw)
        points.setdefault(point.algorithm, []).append(point)
    return points


def operating_point(algorithm: str, fmr: float = DEFAULT_FMR) -> OperatingPoint:
    """The measured point of ``algorithm`` with the lowest FNMR whose FMR is at most ``fmr``."""
    within = [p for p in _measured().get(algorithm, []) if p.fmr <= fmr]
    if not within:
        raise NoOperatingPoint(
            f"no operating point of {algorithm} was measured at a false match rate of at most "
            f"{fmr:g}: run bench/biometrics.py --calibrate"
        )
    return min(within, key=lambda p: (p.fnmr, -p.fmr))


def verify(
    matcher: Matcher, probe: Template, reference: Template, fmr: float = DEFAULT_FMR
) -> Comparison:
    """Compare two templates and decide at the measured point for ``fmr``."""
    for template in (probe, reference):
        if template.algorithm != matcher.algorithm:
            raise NoOperatingPoint(
                f"a template of {template.algorithm} cannot be compared by {matcher.algorithm}"
            )
    point = operating_point(matcher.algorithm, fmr)
    score = matcher.compare(probe, reference)
    match = point.matches(score)
    relation = "at or past" if match else "short of"
    reasons = (
        f"{matcher.algorithm} score {score:g} {relation} the threshold {point.threshold:g} "
        f"(FMR {point.fmr:.4%}, FNMR {point.fnmr:.2%}, measured on {point.measured_on})",
    )
    return Comparison(score, match, point, reasons)
