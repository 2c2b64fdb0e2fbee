"""The operations page: a date range, the figures of now, and a chart per series (uPlot, drawn
from the page's own JSON; every series' totals by key also as a table), with the CSV of the
range a link away."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now
from smartborder.errors import ValidationFailed
from smartborder.operations.overview import overview, parse_range
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.OPERATIONS_READ))]


@router.get("/operations")
def operations_page(request: Request, db: Db, principal: Reader, now: Now,
                    start: Annotated[str | None, Query(alias="from")] = None,
                    to: str | None = None) -> HTMLResponse:  # fmt: skip
    asked = {"from": start or "", "to": to or ""}
    try:
        span = parse_range(start, to, now=now)
    except ValidationFailed as exc:
        span = parse_range(None, None, now=now)
        problem: str | None = exc.message
    else:
        problem = None
    seen = overview(db, span, now=now)
    panels: dict[str, list[dict[str, object]]] = {}
    for one in seen["series"]:
        panels.setdefault(one["panel"], []).append(one)
    gauges: dict[str, list[dict[str, object]]] = {}
    for gauge in seen["now"]:
        gauges.setdefault(gauge["panel"], []).append(gauge)
    query = f"from={span.start:%Y-%m-%dT%H:%M}&to={span.end:%Y-%m-%dT%H:%M}"
    return render(request, "operations/overview.html", {
        "seen": seen, "panels": panels, "gauges": gauges, "asked": asked, "problem": problem,
        "csv": f"/api/v1/operations/overview.csv?{query}",
        "data": {"buckets": seen["buckets"], "step": seen["step"], "series": seen["series"]}},
        status_code=422 if problem else 200)  # fmt: skip
