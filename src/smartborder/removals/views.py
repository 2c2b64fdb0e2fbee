"""The joint removals page: the operations by departure, each with its manifest (the
organiser's decisions and outcomes recorded there), and this node's cases (proposed for an
operation there); a refused step is shown again with why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from smartborder.auth import Db, Principal, require
from smartborder.deps import Exchange
from smartborder.removals import service
from smartborder.roles import Permission
from smartborder.web.render import act_on_form, first, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.REMOVALS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.REMOVALS_MANAGE))]


def _page(request: Request, db: Db, principal: Principal, problem: str | None = None,
          status: int = 200) -> HTMLResponse:  # fmt: skip
    return render(request, "removals/removals.html", {
        "operations": [service.operation_out(db, r) for r in service.operations(db)],
        "cases": [service.case_out(r) for r in service.cases(db)],
        "node": request.app.state.settings.node_id, "problem": problem,
        "can_manage": principal.can(Permission.REMOVALS_MANAGE)}, status_code=status)  # fmt: skip


@router.get("/removals")
def removals_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return _page(request, db, principal)


async def _act(request: Request, db: Db, principal: Principal,
               act: Callable[[dict[str, list[str]]], object]) -> Response:  # fmt: skip
    return await act_on_form(
        request,
        act,
        "/removals",
        lambda problem, status: _page(request, db, principal, problem, status),
    )


@router.post("/removals/propose")
async def propose(request: Request, db: Db, ex: Exchange, principal: Manager) -> Response:
    return await _act(
        request,
        db,
        principal,
        lambda f: service.propose(
            db, ex, first(f, "operation"), first(f, "case"), actor=principal.username
        ),
    )


@router.post("/removals/manifest/{entry_id}/decision")
async def decide(request: Request, entry_id: str, db: Db, ex: Exchange, principal: Manager
                 ) -> Response:  # fmt: skip
    def act(f: dict[str, list[str]]) -> Any:
        given = service.DecisionIn.model_validate(
            {"decision": first(f, "decision"), "reasons": first(f, "reasons").splitlines()}
        )
        return service.decide(db, ex, entry_id, given, actor=principal.username)

    return await _act(request, db, principal, act)


@router.post("/removals/manifest/{entry_id}/outcome")
async def outcome(request: Request, entry_id: str, db: Db, ex: Exchange, principal: Manager
                  ) -> Response:  # fmt: skip
    def act(f: dict[str, list[str]]) -> Any:
        given = service.OutcomeIn.model_validate(
            {"outcome": first(f, "outcome"), "reason": first(f, "reason")}
        )
        return service.record_outcome(db, ex, entry_id, given, actor=principal.username)

    return await _act(request, db, principal, act)
