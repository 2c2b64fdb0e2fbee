"""The goods pages: the targeting queue (shipments in review or held, highest score first, each
with its reasons, to refer for examination or release), shipments (late and in-transit ones
found by a filter), a shipment with its parties, containers, goods, the indicators that fired
and what each saw, its versions and examinations (results recorded there), and the trade
parties (registered, screened, approved or suspended with reasons)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from smartborder.auth import Db, Principal, require
from smartborder.cargo import examinations, joint, parties, shipments
from smartborder.cargo.models import Examination
from smartborder.deps import Exchange, get_node
from smartborder.roles import Permission
from smartborder.screening.service import Screening
from smartborder.web.render import act_on_form, first, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.CARGO_READ))]
Targeter = Annotated[Principal, Depends(require(Permission.CARGO_TARGET))]
PartyOfficer = Annotated[Principal, Depends(require(Permission.CARGO_PARTIES))]
FILTERS = {"late": {"late": True}, "in-transit": {"in_transit": True}, "all": {}}


def _cargo(db: Db, principal: Principal, show: str, **values: Any) -> dict[str, Any]:
    listed = shipments.listing(db, **FILTERS.get(show, {}))  # type: ignore[arg-type]
    return {"queue": [shipments.shipment_out(r) for r in examinations.queue(db)],
            "shipments": [shipments.shipment_out(r, full=False) for r in listed],
            "exams": [examinations.exam_out(e) for e in examinations.listing(db, "requested")],
            "statistics": examinations.statistics(db), "show": show, "filters": list(FILTERS),
            "kinds": examinations.KINDS, "can_target": principal.can(Permission.CARGO_TARGET),
            "problem": None, **values}  # fmt: skip


@router.get("/cargo")
def cargo_page(request: Request, db: Db, principal: Reader, show: str = "all") -> HTMLResponse:
    return render(request, "cargo/cargo.html", _cargo(db, principal, show))


@router.get("/cargo/shipments/{shipment_id}")
def shipment_page(request: Request, db: Db, principal: Reader, shipment_id: str) -> HTMLResponse:
    return render(request, "cargo/shipment.html", _shipment(db, principal, shipment_id))


def _shipment(db: Db, principal: Principal, shipment_id: str, **values: Any) -> dict[str, Any]:
    row = shipments.get(db, shipment_id)
    exams = db.scalars(select(Examination).where(Examination.shipment_id == row.id)
                       .order_by(Examination.requested_at)).all()  # fmt: skip
    return {"s": shipments.shipment_out(row), "kinds": examinations.KINDS,
            "exams": [examinations.exam_out(e) for e in exams], "results": examinations.RESULTS,
            "can_target": principal.can(Permission.CARGO_TARGET), "problem": None,
            **values}  # fmt: skip


async def _act(request: Request, act: Callable[[dict[str, Any]], object], back: str,
               again: Callable[[str], Response]) -> Response:  # fmt: skip
    """Read a form, act on it, and go ``back``; a refusal is shown again with why (422)."""
    return await act_on_form(request, act, back, lambda problem, _status: again(problem))


def _lines(given: dict[str, Any], name: str) -> list[str]:
    return [line.strip() for line in first(given, name).splitlines() if line.strip()]


@router.post("/cargo/shipments/{shipment_id}/refer")
async def refer_page(request: Request, db: Db, ex: Exchange, principal: Targeter,
                     shipment_id: str) -> Response:  # fmt: skip
    def act(given: dict[str, Any]) -> object:
        referral = examinations.ReferralIn.model_validate(
            {"kind": first(given, "kind"), "reasons": _lines(given, "reasons")}
        )
        return joint.refer(db, ex, shipment_id, referral, actor=principal.username)

    return await _act(request, act, f"/cargo/shipments/{shipment_id}", lambda p: render(
        request, "cargo/shipment.html", _shipment(db, principal, shipment_id, problem=p),
        status_code=422))  # fmt: skip


@router.post("/cargo/shipments/{shipment_id}/release")
async def release_page(request: Request, db: Db, ex: Exchange, principal: Targeter,
                       shipment_id: str) -> Response:  # fmt: skip
    def act(given: dict[str, Any]) -> object:
        release = examinations.ReleaseIn(reasons=_lines(given, "reasons"))
        return examinations.release(db, shipment_id, release, actor=principal.username,
                                    now=ex.clock())  # fmt: skip

    def again(problem: str) -> Response:
        return render(request, "cargo/cargo.html", _cargo(db, principal, "all", problem=problem),
                      status_code=422)  # fmt: skip

    return await _act(request, act, "/cargo", again)


@router.post("/cargo/examinations/{exam_id}/result")
async def result_page(request: Request, db: Db, ex: Exchange, principal: Targeter,
                      exam_id: str) -> Response:  # fmt: skip
    exam = examinations.get(db, exam_id)

    def act(given: dict[str, Any]) -> object:
        result = examinations.ResultIn.model_validate(
            {"result": first(given, "result"), "findings": first(given, "findings")}
        )
        return joint.record(db, ex, exam_id, result, actor=principal.username)

    return await _act(request, act, f"/cargo/shipments/{exam.shipment_id}", lambda p: render(
        request, "cargo/shipment.html", _shipment(db, principal, exam.shipment_id, problem=p),
        status_code=422))  # fmt: skip


def _parties(db: Db, principal: Principal, **values: Any) -> dict[str, Any]:
    return {"parties": [parties.party_out(r) for r in parties.listing(db)],
            "roles": parties.ROLES, "can_manage": principal.can(Permission.CARGO_PARTIES),
            "problem": None, "given": {}, **values}  # fmt: skip


def _parties_again(request: Request, db: Db, principal: Principal) -> Callable[[str], Response]:
    def again(problem: str) -> Response:
        return render(request, "cargo/parties.html", _parties(db, principal, problem=problem),
                      status_code=422)  # fmt: skip

    return again


@router.get("/cargo/parties")
def parties_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return render(request, "cargo/parties.html", _parties(db, principal))


@router.post("/cargo/parties")
async def register_page(request: Request, db: Db, ex: Exchange,
                        principal: PartyOfficer) -> Response:  # fmt: skip
    def act(given: dict[str, Any]) -> object:
        values = {k: first(given, k) for k in ("role", "identifier", "name", "country",
                                              "address", "program", "birth_date")}  # fmt: skip
        values["birth_date"] = values["birth_date"] or None  # type: ignore[assignment]
        return parties.register(db, get_node(request).get(Screening),
                                parties.PartyIn.model_validate(values),
                                actor=principal.username, now=ex.clock())  # fmt: skip

    return await _act(request, act, "/cargo/parties", _parties_again(request, db, principal))


@router.post("/cargo/parties/{party_id}/decision")
async def party_decision_page(request: Request, db: Db, ex: Exchange,
                              principal: PartyOfficer, party_id: str) -> Response:  # fmt: skip
    def act(given: dict[str, Any]) -> object:
        decision = parties.PartyDecision.model_validate(
            {"action": first(given, "action"), "reasons": _lines(given, "reasons"),
             "hits_cleared": first(given, "hits_cleared")})  # fmt: skip
        return parties.decide(db, party_id, decision, actor=principal.username, now=ex.clock())

    return await _act(request, act, "/cargo/parties", _parties_again(request, db, principal))
