"""The auditor's page: filter the chain, counts per agreement, verify on demand."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from smartborder.audit import service
from smartborder.audit.checkpoints import own_heads, verify
from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
PAGE = 100


@router.get("/audit")
def audit_page(
    request: Request,
    settings: CurrentSettings,
    db: Db,
    _auditor: Auditor,
    event: Annotated[str, Query(max_length=80)] = "",
    partner: Annotated[str, Query(max_length=40)] = "",
    agreement: Annotated[str, Query(max_length=80)] = "",
    actor: Annotated[str, Query(max_length=120)] = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    check: bool = False,
) -> HTMLResponse:
    def moment(day: dt.date | None) -> dt.datetime | None:
        return dt.datetime.combine(day, dt.time(), dt.UTC) if day else None

    until_moment = moment(until + dt.timedelta(days=1) if until else None)
    where = service.EntryFilter(event, partner, agreement, actor, moment(since), until_moment)
    total, entries = service.list_entries(db, where, limit=PAGE, offset=(page - 1) * PAGE)
    context = {
        "entries": entries,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "filters": {
            "event": event,
            "partner": partner,
            "agreement": agreement,
            "actor": actor,
            "since": since or "",
            "until": until or "",
        },
        "counts": service.counts_by_agreement(db),
        "report": verify(db, own_heads(settings)).as_dict() if check else None,
    }
    return render(request, "audit/audit.html", context)
