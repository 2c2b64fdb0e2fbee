"""Operations API: the overview over a date range (`operations:read`), as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now
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
