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


class EnrolmentOut(BaseModel):
    subject: str
    template: str  # the enrolled template's id
    templates: int  # the subject's prints now held
    minutiae: int
    quality: float


class PrintCandidateOut(BaseModel):
    subject: str
    score: float
    match: bool
    rank: int


class PrintSearchOut(BaseModel):
    candidates: list[PrintCandidateOut]
    operating_point: OperatingPointOut
    searched: int
    fpir_bound: float


class DeletedOut(BaseModel):
    subject: str
    deleted: int
