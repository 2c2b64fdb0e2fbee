"""What the biometrics API answers."""

from __future__ import annotations

from pydantic import BaseModel


class QualityOut(BaseModel):
    source: str
    score: float
    scale: str
    floor: float
    usable: bool
    reasons: list[str]


class OperatingPointOut(BaseModel):
    algorithm: str
    threshold: float
    fmr: float
    fnmr: float
    measured_on: str
    genuine: int
    impostor: int


class ComparisonOut(BaseModel):
    score: float
    match: bool
    operating_point: OperatingPointOut
    reasons: list[str]
