"""Operations API: the overview over a date range (`operations:read`), as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange, Now
from smartborder.operations import trends
from smartborder.operations.overview import as_csv, overview, parse_range
from smartborder.roles import Permission

router = APIRouter(tags=["operations"])
Reader = Annotated[Principal, Depends(require(Permission.OPERATIONS_READ))]
From = Annotated[str | None, Query(alias="from", description="ISO date or date and time (UTC)")]
To = Annotated[str | None, Query(description="ISO date (inclusive) or date and time (UTC)")]


class SeriesLineOut(BaseModel):
    key: str
    values: list[int]
    total: int


class SeriesOut(BaseModel):
    name: str
    title: str
    panel: str
    lines: list[SeriesLineOut]
    total: int


class GaugeOut(BaseModel):
    panel: str
    title: str
    value: int | float | str | None
    detail: str
    warn: bool


class OverviewOut(BaseModel):
    from_: str = Field(alias="from")
    to: str
    step: str
    buckets: list[str]
    series: list[SeriesOut]
    now: list[GaugeOut]


def _read(db: Db, now: Any, start: str | None, end: str | None) -> dict[str, Any]:
    return overview(db, parse_range(start, end, now=now), now=now)


@router.get("/operations/overview", response_model=OverviewOut)
def read_overview(db: Db, principal: Reader, now: Now, start: From = None, to: To = None
                  ) -> dict[str, Any]:  # fmt: skip
    """Every series counted by the hour (a range over 4 days: by day) with a line per key,
    and the figures of now (open queue, each partner's exchange health)."""
    return _read(db, now, start, to)


@router.get("/operations/overview.csv", response_class=Response)
def overview_csv(db: Db, principal: Reader, now: Now, start: From = None, to: To = None
                 ) -> Response:  # fmt: skip
    """The overview's counts as CSV: a row per bucket, series and key (zeros left out)."""
    seen = _read(db, now, start, to)
    name = f"overview-{seen['from'][:13]}-{seen['to'][:13]}.csv".replace(":", "")
    return Response(as_csv(seen), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


Sharer = Annotated[Principal, Depends(require(Permission.OPERATIONS_SHARE))]


class CellOut(BaseModel):
    key: str
    count: int | None
    of: int | None
    suppressed: bool


class CellsOut(BaseModel):
    cells: list[CellOut]
    total: int | None
    suppressed_cells: int | None


class AggregateOut(CellsOut):
    id: str
    envelope_id: str
    direction: str
    partner: str
    agreement: str
    report: str
    from_: str = Field(alias="from")
    to: str
    minimum_cell: int
    at: str
    by: str


class TrendOut(BaseModel):
    report: str
    title: str
    dimension: str
    measure: str
    from_: str = Field(alias="from")
    to: str
    ours: CellsOut
    theirs: AggregateOut | None
    sent: AggregateOut | None


class TrendReportOut(BaseModel):
    name: str
    title: str
    dimension: str
    measure: str


class ShareIn(BaseModel):
    model_config = {"extra": "forbid", "populate_by_name": True}
    partner: str = Field(min_length=2, max_length=32)
    from_: str = Field(alias="from", description="ISO date or date and time (UTC)")
    to: str = Field(description="ISO date (inclusive) or date and time (UTC)")
    minimum_cell: int | None = Field(None, description="at least the agreement's minimum")


@router.get("/operations/trends", response_model=list[TrendReportOut])
def trend_reports(principal: Reader) -> list[dict[str, Any]]:
    """The trend reports a node counts and may share as aggregates."""
    return [{"name": r.name, "title": r.title, "dimension": r.dimension, "measure": r.measure}
            for r in trends.REPORTS.values()]  # fmt: skip


@router.get("/operations/trends/{report}", response_model=TrendOut)
def trend(db: Db, ex: Exchange, principal: Reader, now: Now, report: str, start: From = None,
          to: To = None) -> dict[str, Any]:  # fmt: skip
    """Our counts for the range beside the partner's aggregates for the same range (and what
    we shared), each with the agreement it travelled under."""
    return trends.compare(db, report, parse_range(start, to, now=now), ex.settings.country)


@router.post("/operations/trends/{report}/shares", response_model=AggregateOut,
             status_code=201)  # fmt: skip
def share_trend(db: Db, ex: Exchange, principal: Sharer, now: Now, report: str, body: ShareIn
                ) -> dict[str, Any]:  # fmt: skip
    """Share the report's aggregates for the range with the partner under the statistics
    annex: no cell under the annex's minimum (422 for a minimum below it)."""
    span = parse_range(body.from_, body.to, now=now)
    row = trends.share(db, ex, report, span, partner=body.partner, actor=principal.username,
                       minimum=body.minimum_cell)  # fmt: skip
    return trends.aggregate_out(row)


@router.get("/operations/aggregates", response_model=list[AggregateOut])
def aggregates(db: Db, principal: Reader) -> list[dict[str, Any]]:
    """Aggregates shared and received, newest first (at most 200), with their agreements."""
    return [trends.aggregate_out(r) for r in trends.listing(db)]
