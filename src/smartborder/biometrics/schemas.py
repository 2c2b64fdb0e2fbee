"""What the biometrics API answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


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


class SampleOut(BaseModel):
    record: int
    type: int
    idc: int
    modality: str
    position: int
    label: str
    impression: int | None
    compression: str
    width: int
    height: int
    bytes: int


class RecordRefOut(BaseModel):
    record: int
    type: int
    idc: int


class TransactionOut(BaseModel):
    """An ANSI/NIST-ITL transaction found valid under its profile."""

    profile: str
    version: str
    tot: str
    title: str
    search: str
    date: str
    dai: str
    ori: str
    tcn: str
    subject: dict[str, str]
    records: list[RecordRefOut]
    samples: list[SampleOut]


class FingerprintSearchOut(BaseModel):
    """A fingerprint search sent to a partner (out) or received from one (in)."""

    id: str
    reference: str
    direction: str
    partner: str
    agreement: str
    purpose: str
    search: str
    tot: str
    prints: int
    state: str
    result: str | None
    answer: dict[str, Any]
    reason: str
    created_at: str
    created_by: str
    answered_at: str | None
    envelopes: list[dict[str, Any]]
    query_held: bool


class FingerprintSearchList(BaseModel):
    items: list[FingerprintSearchOut]


class ChargeIn(BaseModel):
    offence: str = Field(min_length=1, max_length=200)
    date: dt.date


class DispositionIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=200)
    date: dt.date


class CriminalRecordIn(BaseModel):
    subject: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=64)
    owner: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    birth_date: dt.date | None = None
    charges: list[ChargeIn] = Field(min_length=1, max_length=100)
    dispositions: list[DispositionIn] = Field(default_factory=list, max_length=100)


class CriminalRecordOut(BaseModel):
    id: str
    subject: str
    reference: str
    owner: str
