"""JSON API for people and their documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from smartborder.auth import Db, Principal, require
from smartborder.identity import service
from smartborder.identity.schemas import PeoplePage, PersonOut
from smartborder.params import Offset, RowId
from smartborder.roles import Permission

router = APIRouter(tags=["identity"])
Reader = Annotated[Principal, Depends(require(Permission.PEOPLE_READ))]


@router.get("/people", response_model=PeoplePage)
def list_people(
    db: Db,
    _reader: Reader,
    q: Annotated[
        str, Query(max_length=200, description="name in any script, or document number")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Any:
    """A page of people held by this node, optionally filtered."""
    total, people = service.list_people(db, query=q, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": people}


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: RowId, db: Db, _reader: Reader) -> Any:
    """One person with all names and documents."""
    return service.get_person(db, person_id)
