"""The IBET pages: the cases you are on, and a case (officers, subjects with what each node's
screening found, the timeline with tasks and attachments; an event, a task, a file or the
closing added there). A case you are not on is refused (403), and the refusal audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder.auth import Db, Principal, WriteDb, require
from smartborder.deps import Exchange
from smartborder.errors import PermissionDenied
from smartborder.ibet import service
from smartborder.roles import Permission
from smartborder.web.render import act_on_form, first, render

router = APIRouter(include_in_schema=False)
Officer = Annotated[Principal, Depends(require(Permission.IBET))]


@router.get("/ibet")
def cases_page(request: Request, db: Db, ex: Exchange, principal: Officer) -> HTMLResponse:
    rows = [service.case_out(c) for c in service.mine(db, ex.node_id, principal.username)]
    return render(request, "ibet/cases.html", {"cases": rows})


def _case(request: Request, db: Db, ex: Exchange, principal: Principal, case_id: str,
          problem: str | None = None, status: int = 200) -> HTMLResponse:  # fmt: skip
    case, entries = service.read_case(db, case_id, node=ex.node_id, username=principal.username)
    return render(request, "ibet/case.html", {
        "c": service.case_out(case, entries), "node": ex.node_id, "problem": problem},
        status_code=status)  # fmt: skip


@router.get("/ibet/cases/{case_id}")
def case_page(request: Request, case_id: str, db: WriteDb, ex: Exchange, principal: Officer
              ) -> HTMLResponse:  # fmt: skip
    return _case(request, db, ex, principal, case_id)


async def _act(request: Request, db: Db, ex: Exchange, principal: Principal, case_id: str,
               act: Callable[[dict[str, list[str]]], object]) -> Response:  # fmt: skip
    def again(problem: str, status: int) -> Response:
        if status == 403:  # need-to-know: refused as a page is
            raise PermissionDenied(problem)
        return _case(request, db, ex, principal, case_id, problem, status)

    return await act_on_form(request, act, f"/ibet/cases/{case_id}", again)


@router.post("/ibet/cases/{case_id}/entries")
async def add_entry(request: Request, case_id: str, db: Db, ex: Exchange, principal: Officer
                    ) -> Response:  # fmt: skip
    def act(form: dict[str, list[str]]) -> object:
        given = service.EntryIn.model_validate({
            "kind": first(form, "kind"), "text": first(form, "text"),
            "assignee": first(form, "assignee") or None,
            "due": first(form, "due") or None})  # fmt: skip
        return service.add_entry(db, ex, case_id, given, username=principal.username)

    return await _act(request, db, ex, principal, case_id, act)


@router.post("/ibet/cases/{case_id}/attachments")
async def attach(request: Request, case_id: str, db: Db, ex: Exchange, principal: Officer
                 ) -> Response:  # fmt: skip
    form = await request.form()
    upload = form.get("file")
    content = (
        await upload.read(service.MAX_ATTACHMENT + 1) if isinstance(upload, UploadFile) else b""
    )

    def act(_: Any) -> object:
        name = upload.filename if isinstance(upload, UploadFile) else ""
        kind = upload.content_type if isinstance(upload, UploadFile) else ""
        return service.attach(
            db,
            ex,
            case_id,
            name=name or "attachment",
            content_type=kind or "",
            content=content,
            note=str(form.get("note") or ""),
            username=principal.username,
        )

    return await _act(request, db, ex, principal, case_id, act)


@router.post("/ibet/tasks/{entry_id}/done")
async def task_done(request: Request, entry_id: str, db: Db, ex: Exchange, principal: Officer
                    ) -> Response:  # fmt: skip
    entry = service.complete_task(db, ex, entry_id, username=principal.username)
    return RedirectResponse(f"/ibet/cases/{entry.case_id}", status_code=303)


@router.post("/ibet/cases/{case_id}/close")
async def close(request: Request, case_id: str, db: Db, ex: Exchange, principal: Officer
                ) -> Response:  # fmt: skip
    return await _act(
        request,
        db,
        ex,
        principal,
        case_id,
        lambda form: service.close_case(
            db, ex, case_id, str(form.get("outcome") or ""), username=principal.username
        ),
    )
