"""The answers of the visa policy API: requirement snapshots, the convergence report and the
changes of one list, consultations with the partner, and an applicant screened."""

from __future__ import annotations

from typing import Any

from smartborder.answers import Open, Out
from smartborder.screening.schemas import HitOut


class SnapshotOut(Out):
    """A visa requirement data set as loaded: which lists it holds, of what date."""

    id: str
    taken_on: str
    label: str
    source: str
    digest: str
    destinations: list[str]
    rows: int
    loaded_at: str
    loaded_by: str


class SnapshotList(Out):
    items: list[SnapshotOut]


class PolicyOut(Out):
    """What a destination requires of a nationality."""

    category: str
    days: int | None
    needs_visa: bool
    label: str


class ListOut(Out):
    taken_on: str
    snapshot: str | None


class PairOut(Open):
    """A nationality on both lists; each destination's policy is a further field named by its
    country code (``"CA": {...}, "US": {...}``), None where unlisted."""

    nationality: str
    name: str


class DifferenceOut(PairOut):
    """A nationality the two lists treat differently, and how."""

    kind: str


class VisaNeededOut(Out):
    agree: int
    differ: int
    differing: list[DifferenceOut]


class KindCountOut(Out):
    kind: str
    count: int
    nationalities: list[str]


class ConvergenceOut(Out):
    """How far two destinations' requirement lists agree, nationality by nationality."""

    a: str
    b: str
    lists: dict[str, ListOut]  # by destination
    nationalities: int
    agree: int
    differ: int
    by_kind: list[KindCountOut]
    differing: list[DifferenceOut]
    agree_other_stay: list[PairOut]  # same category, other length of stay
    visa_needed: VisaNeededOut


class ChangeOut(Out):
    nationality: str
    name: str
    before: PolicyOut | None
    after: PolicyOut | None
    kind: str


class ListChangesOut(Out):
    """What changed in one destination's list between two dates."""

    destination: str
    before: ListOut
    after: ListOut
    changed: int
    changes: list[ChangeOut]


class ConsultationOut(Out):
    """A planned visa policy change notified to (or by) the partner, and its answer."""

    reference: str
    destination: str
    nationality: str
    change: str
    current: str | None
    proposed: str
    effective: str
    due_date: str
    rationale: str
    id: str
    direction: str
    partner: str
    current_label: str | None
    proposed_label: str
    state: str
    position: str | None
    comments: str | None
    answered_at: str | None
    answered_by: str | None
    created_at: str
    created_by: str
    envelopes: list[dict[str, Any]]


class ConvergenceCountOut(Out):
    agree: int
    differ: int
    visa_needed_differ: int


class PreviewOut(Out):
    """The convergence of the proposing country and this node's pair, now and were the
    change adopted."""

    a: str
    b: str
    now: ConvergenceCountOut
    adopted: ConvergenceCountOut
    nationality_now_agrees: bool


class ConsultationDetailOut(ConsultationOut):
    preview: PreviewOut | None


class ConsultationList(Out):
    items: list[ConsultationOut]


class RequirementOut(PolicyOut):
    list_of: str


class ApplicantOut(Out):
    """An applicant screened: lookout hits, document problems and the destination's
    requirement for their nationality, with the outcome and every reason."""

    application: str
    destination: str
    outcome: str
    reasons: list[str]
    hits: list[HitOut]
    document: list[str]
    requirement: RequirementOut | None
