"""HTML pages for people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from smartborder.auth import Db, Principal, require
from smartborder.identity import service
from smartborder.params import RowId
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.PEOPLE_READ))]
PAGE = 50


@router.get("/people")
def people(
    request: Request,
    db: Db,
    _reader: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total, found = service.list_people(db, query=q, limit=PAGE, offset=(page - 1) * PAGE)
    context = {"people": found, "total": total, "q": q, "page": page, "pages": -(-total // PAGE)}
    partial = request.headers.get("hx-request") == "true"
    return render(
        request, "identity/people_table.html" if partial else "identity/people.html", context
    )


@router.get("/people/{person_id}")
def person(request: Request, person_id: RowId, db: Db, _reader: Reader) -> HTMLResponse:
    return render(request, "identity/person.html", {"person": service.get_person(db, person_id)})
