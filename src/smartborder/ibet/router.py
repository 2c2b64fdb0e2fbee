"""IBET cases API (`ibet:cases`: analysts and supervisors), each case read and written only by
the officers named on it (403 otherwise, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from smartborder.auth import Db, Principal, WriteDb, require
from smartborder.deps import Exchange
from smartborder.errors import NotFound
from smartborder.ibet import service
from smartborder.ibet.models import IbetEntry
from smartborder.roles import Permission

router = APIRouter(tags=["ibet"])
Officer = Annotated[Principal, Depends(require(Permission.IBET))]


class EntryOut(BaseModel):
    id: str
    kind: str
    text: str
    node: str
    by: str
    agency: str
    at: str
    task: dict[str, Any] | None
    file: dict[str, Any] | None


class CaseOut(BaseModel):
    id: str
    reference: str
    title: str
    opened_by_node: str
    partner: str
    agencies: list[str]
    members: list[dict[str, str]]
    subjects: list[dict[str, Any]]
    status: str
    outcome: str
    created_at: str
    updated_at: str
    timeline: list[EntryOut] = Field(default_factory=list)


class CloseIn(BaseModel):
    outcome: str = Field(min_length=3, max_length=5000)


@router.post("/ibet/cases", response_model=CaseOut, status_code=201)
def open_case(body: service.CaseIn, db: Db, ex: Exchange, principal: Officer) -> Any:
    """Open a case shared with the partner's agencies (you among its officers)."""
    return service.case_out(service.open_case(db, ex, body, username=principal.username))


@router.get("/ibet/cases", response_model=list[CaseOut])
def my_cases(db: Db, ex: Exchange, principal: Officer) -> Any:
    """The cases you are on (no other is listed)."""
    return [service.case_out(c) for c in service.mine(db, ex.node_id, principal.username)]


@router.get("/ibet/cases/{case_id}", response_model=CaseOut)
def read_case(case_id: str, db: WriteDb, ex: Exchange, principal: Officer) -> Any:
    """A case with its timeline: for its officers only (403 otherwise); audited."""
    case, entries = service.read_case(db, case_id, node=ex.node_id, username=principal.username)
    return service.case_out(case, entries)


@router.post("/ibet/cases/{case_id}/entries", response_model=EntryOut, status_code=201)
def add_entry(case_id: str, body: service.EntryIn, db: Db, ex: Exchange, principal: Officer
              ) -> Any:  # fmt: skip
    """An event or a task (its assignee an officer on the case, as node:username)."""
    return service.entry_out(service.add_entry(db, ex, case_id, body,
                                               username=principal.username))  # fmt: skip


@router.post("/ibet/cases/{case_id}/attachments", response_model=EntryOut, status_code=201)
async def attach(case_id: str, db: Db, ex: Exchange, principal: Officer, file: UploadFile,
                 note: Annotated[str, Form()] = "") -> Any:  # fmt: skip
    """A file on the timeline (at most 512 KiB), kept with its SHA-256."""
    content = await file.read(service.MAX_ATTACHMENT + 1)
    entry = service.attach(db, ex, case_id, name=file.filename or "attachment",
                           content_type=file.content_type or "", content=content, note=note,
                           username=principal.username)  # fmt: skip
    return service.entry_out(entry)


@router.get("/ibet/attachments/{entry_id}", response_class=Response)
def download(entry_id: str, db: WriteDb, ex: Exchange, principal: Officer) -> Response:
    """An attachment's bytes, for the case's officers only."""
    entry = db.get(IbetEntry, entry_id)
    if entry is None or entry.content is None:
        raise NotFound(f"no attachment {entry_id}")
    service.read_case(db, entry.case_id, node=ex.node_id, username=principal.username)
    return Response(entry.content, media_type=entry.file_type or "application/octet-stream",
                    headers={"Content-Disposition":
                             f'attachment; filename="{entry.file_name}"'})  # fmt: skip


@router.post("/ibet/tasks/{entry_id}/done", response_model=EntryOut)
def task_done(entry_id: str, db: Db, ex: Exchange, principal: Officer) -> Any:
    return service.entry_out(service.complete_task(db, ex, entry_id,
                                                   username=principal.username))  # fmt: skip


@router.post("/ibet/cases/{case_id}/close", response_model=CaseOut)
def close(case_id: str, body: CloseIn, db: Db, ex: Exchange, principal: Officer) -> Any:
    """Close the case with its outcome (both nodes then hold it read-only)."""
    return service.case_out(service.close_case(db, ex, case_id, body.outcome,
                                               username=principal.username))  # fmt: skip
