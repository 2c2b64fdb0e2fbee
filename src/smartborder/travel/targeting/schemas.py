"""Joint targeting's shapes: the queue's filters (declared once, for the API, the pages and the
CLI alike) and the answers of the targeting API: assessments, their page, dispositions and the
board / no-board decision."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from smartborder.answers import Open, Out
from smartborder.travel.intake.schemas import FlightOut

MAX_WITHIN_HOURS = 24 * 14


class QueueFilter(BaseModel):
    """The analysts' queue filters. The API reads them from the query string, the queue page
    from its form (a blank field is no filter), the CLI from its options: one declaration,
    the same limits everywhere; the values themselves are checked by ``queue.list_queue``."""

    model_config = ConfigDict(frozen=True)

    within_hours: int | None = Field(
        None, ge=1, le=MAX_WITHIN_HOURS, description="departing within this many hours"
    )
    severity: str | None = Field(None, max_length=10, description="high, medium or low")
    flight: str | None = Field(None, max_length=40, description="a flight, e.g. AC870")
    category: str | None = Field(None, max_length=32, description="a lookout hit category")
    team: str | None = Field(None, max_length=40, description="a targeting team")
    mine: bool = Field(False, description="only the caller's teams")
    status: str | None = Field(None, max_length=40, description="a disposition")
    origin: str | None = Field(None, max_length=32, description="'local' or a partner node")
    open: bool = Field(True, description="leave out cleared and closed assessments")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        """A blank form field is the field left as it is by default (no filter)."""
        if isinstance(value, str) and not value.strip() and info.field_name:
            return cls.model_fields[info.field_name].default
        return value

    def filters(self) -> QueueFilter:
        """The filters alone (a page's or a query's other fields left out)."""
        return QueueFilter(**{name: getattr(self, name) for name in QueueFilter.model_fields})


class QueueQuery(QueueFilter):
    """The API's query string: the filters and a page of the list."""

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class QueueForm(QueueFilter):
    """The queue page's form: the filters, ``closed`` (a checkbox: include closed ones) and
    the page number."""

    closed: bool = False
    page: int = Field(1, ge=1, le=100_000)

    def filters(self) -> QueueFilter:
        return super().filters().model_copy(update={"open": not self.closed})


class AssessmentOut(Out):
    """A traveller on a flight as the risk model and screening judged them, in the queue."""

    id: str
    origin: str  # "local" or the partner's node id
    origin_ref: str | None
    agreement: str | None
    flight_id: str | None
    traveller_id: str | None
    traveller: dict[str, Any]  # name, birth date, nationality, role, flight, date, route
    model: str | None
    score: int
    joint_score: int
    decision: str
    reasons: list[str]
    severity: str
    queued: bool
    category: str
    team: str
    departs: str
    arrives: str | None
    status: str
    status_by: str | None
    status_at: str | None
    shared_with: list[str]
    hits: int
    indicators: list[str | None]
    assessed_at: str
    version: int


class AssessmentPage(Out):
    total: int
    items: list[AssessmentOut]


class DispositionOut(Out):
    status: str
    note: str
    actor: str
    origin: str
    at: str


class BookingOut(Open):
    """The reservation the traveller is booked on, payment masked; further fields are the
    PNR's details as filed (itinerary, contacts, agency, ...)."""

    locator: str
    created: str | None
    ticketed: str | None
    masked: bool


class AssessmentDetailOut(AssessmentOut):
    """An assessment with everything its page shows: the indicators fired with their
    reasons, the lookout hits with their evidence, the flight, the booking and the history."""

    indicators: list[dict[str, Any]]  # type: ignore[assignment]  # ids in lists
    hits: list[dict[str, Any]]  # type: ignore[assignment]  # a count in lists
    flight: FlightOut | None
    booking: BookingOut | None
    history: list[DispositionOut]


class VerdictOut(Out):
    """Board / no board / contact the authority for one traveller, with the reasons."""

    decision: str
    reasons: list[str]
    score: int
    joint_score: int
    indicators: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    model: str | None
    reference: str | None
