"""The operations page: a date range, the figures of now, and a chart per series (uPlot, drawn
from the page's own JSON; every series' totals by key also as a table), with the CSV of the
range a link away."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange, Now
from smartborder.errors import NotFound, SmartborderError, ValidationFailed
from smartborder.operations import trends
from smartborder.operations.overview import overview, parse_range
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.OPERATIONS_READ))]
Sharer = Annotated[Principal, Depends(require(Permission.OPERATIONS_SHARE))]


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


@router.get("/operations/trends")
def trends_page(request: Request, db: Db, principal: Reader, now: Now,
                report: str = "travellers-by-nationality",
                start: Annotated[str | None, Query(alias="from")] = None,
                to: str | None = None) -> HTMLResponse:  # fmt: skip
    return _trends(request, db, principal, now, report, start, to)


def _trends(request: Request, db: Db, principal: Principal, now: Any, report: str,
            start: str | None, to: str | None, problem: str | None = None,
            status: int = 200) -> HTMLResponse:  # fmt: skip
    try:
        span = parse_range(start, to, now=now)
        trends.report_of(report)
    except (ValidationFailed, NotFound) as exc:
        problem, status = exc.message, exc.status_code
        span, report = parse_range(None, None, now=now), "travellers-by-nationality"
    seen = trends.compare(db, report, span, request.app.state.settings.country)
    mine = {c["key"]: c for c in seen["ours"]["cells"]}
    theirs = {c["key"]: c for c in (seen["theirs"] or {}).get("cells", [])}
    rows = [{"key": k, "ours": mine.get(k), "theirs": theirs.get(k)}
            for k in sorted(set(mine) | set(theirs))]  # fmt: skip
    return render(request, "operations/trends.html", {
        "seen": seen, "rows": rows, "reports": list(trends.REPORTS.values()),
        "asked": {"from": start or "", "to": to or ""}, "problem": problem,
        "span": {"from": f"{span.start:%Y-%m-%dT%H:%M}", "to": f"{span.end:%Y-%m-%dT%H:%M}"},
        "can_share": principal.can(Permission.OPERATIONS_SHARE)}, status_code=status)  # fmt: skip


@router.post("/operations/trends/share")
async def share_page(request: Request, db: Db, ex: Exchange, principal: Sharer, now: Now
                     ) -> Response:  # fmt: skip
    form = await request.form()
    given = {k: str(form.get(k) or "").strip() for k in
             ("report", "from", "to", "partner", "minimum_cell")}  # fmt: skip
    try:
        minimum = int(given["minimum_cell"]) if given["minimum_cell"] else None
    except ValueError:
        return _trends(request, db, principal, now, given["report"], given["from"], given["to"],
                       f"minimum_cell: '{given['minimum_cell']}' is not a number", 422)  # fmt: skip
    try:
        span = parse_range(given["from"], given["to"], now=now)
        trends.share(db, ex, given["report"], span, partner=given["partner"],
                     actor=principal.username, minimum=minimum)  # fmt: skip
    except SmartborderError as exc:
        return _trends(request, db, principal, now, given["report"], given["from"], given["to"],
                       exc.message, exc.status_code)  # fmt: skip
    query = urlencode({"report": given["report"], "from": given["from"], "to": given["to"]})
    return RedirectResponse(f"/operations/trends?{query}", status_code=303)
