"""JSON API of visa policy: snapshots, the convergence report (JSON and CSV), history,
consultations with the partner and visa applicant screening."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from smartborder.auth import CurrentSettings, Db, Principal, get_settings, require
from smartborder.deps import Exchange, Now, get_node
from smartborder.errors import ValidationFailed
from smartborder.quarantine import kept_file
from smartborder.roles import Permission
from smartborder.screening.service import Screening
from smartborder.settings import NODE_ID_PATTERN
from smartborder.visa import consult, service
from smartborder.visa.applicants import ApplicationIn, screen_application
from smartborder.visa.report import report_csv
from smartborder.visa.schemas import (
    ApplicantOut,
    ConsultationDetailOut,
    ConsultationList,
    ConsultationOut,
    ConvergenceOut,
    ListChangesOut,
    SnapshotList,
    SnapshotOut,
)
from smartborder.visa.service import snapshot_out

router = APIRouter(tags=["visa"])
Reader = Annotated[Principal, Depends(require(Permission.VISA_READ))]
Manager = Annotated[Principal, Depends(require(Permission.VISA_MANAGE))]
Screener = Annotated[Principal, Depends(require(Permission.SCREENING_RUN))]
DATE = r"^\d{4}-\d{2}-\d{2}$"
Country = Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]
OnDate = Annotated[
    str | None, Query(pattern=DATE, description="as of this date (default: the latest lists)")
]
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _pair(request: Request, a: str | None, b: str | None) -> tuple[str, str]:
    first, second = service.default_pair(get_settings(request).country)
    return (a or first).upper(), (b or second).upper()


@router.get("/visa/snapshots", response_model=SnapshotList)
def list_snapshots(request: Request, now: Now, db: Db, _reader: Reader) -> dict[str, Any]:
    return {"items": [snapshot_out(r) for r in service.snapshots(db, now=now)]}


@router.post("/visa/snapshots", status_code=201, openapi_extra=CSV_BODY, response_model=SnapshotOut)
async def load_snapshot(
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    principal: Manager,
    date: Annotated[str | None, Query(pattern=DATE, description="what the data describes")] = None,
    label: Annotated[str, Query(max_length=200)] = "",
    name: Annotated[str, Query(max_length=120, description="the file's name")] = "upload.csv",
) -> dict[str, Any]:
    """Load a CSV snapshot (Passport,Destination,Requirement); 422 with every problem and its
    line, the upload then kept in the node's quarantine folder and nothing loaded."""
    taken_on = service.parse_day(date, "date") or now.date()
    raw = await request.body()
    try:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                f"{name} is not UTF-8 text",
                details=[
                    {
                        "source": name,
                        "line": 1,
                        "location": "body",
                        "message": f"byte {exc.start} cannot be decoded as UTF-8",
                    }
                ],
            ) from None
        row = service.load_snapshot(
            db,
            text,
            source=f"api:{name}",
            taken_on=taken_on,
            label=label or f"{name} ({taken_on})",
            actor=f"user:{principal.username}",
            now=now,
        )
    except ValidationFailed as exc:
        kept = kept_file(settings.data_dir, name, raw, exc.details)
        exc.message = f"{exc.message} (kept in quarantine as {kept.name})"
        raise
    return snapshot_out(row)


@router.get("/visa/compare", response_model=ConvergenceOut)
def compare(
    request: Request,
    now: Now,
    db: Db,
    _reader: Reader,
    a: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    b: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    snapshot: OnDate = None,
) -> dict[str, Any]:
    """The convergence report of two destinations (default: this node's country and its
    partner's): agree, differ, the differing nationalities with both policies, by kind."""
    first, second = _pair(request, a, b)
    report = service.convergence(
        db, first, second, service.parse_day(snapshot, "snapshot"), now=now
    )
    return report.as_dict()


@router.get("/visa/compare.csv", response_class=PlainTextResponse)
def compare_csv(
    request: Request,
    now: Now,
    db: Db,
    _reader: Reader,
    a: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    b: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    snapshot: OnDate = None,
) -> PlainTextResponse:
    """The same report as CSV: one row per nationality."""
    first, second = _pair(request, a, b)
    report = service.convergence(
        db, first, second, service.parse_day(snapshot, "snapshot"), now=now
    )
    return PlainTextResponse(
        report_csv(report),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="visa-{first}-{second}.csv"'},
    )


@router.get("/visa/diff", response_model=ListChangesOut)
def diff(
    request: Request,
    now: Now,
    db: Db,
    _reader: Reader,
    destination: Country,
    before: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    after: Annotated[str | None, Query(alias="to", pattern=DATE)] = None,
) -> dict[str, Any]:
    """What changed in one destination's list between two dates (default: its two latest)."""
    return service.diff(
        db, destination, service.parse_day(before, "from"), service.parse_day(after, "to"), now=now
    )


class ConsultationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: str = Field(pattern=NODE_ID_PATTERN)
    nationality: str = Field(pattern=r"^[A-Za-z]{2}$")
    change: Literal["impose", "lift"]
    proposed: str | None = Field(None, max_length=40)
    effective: dt.date
    due_date: dt.date
    rationale: str = Field(min_length=1, max_length=4000)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: Literal["support", "no objection", "object"]
    comments: str = Field("", max_length=4000)


@router.get("/visa/consultations", response_model=ConsultationList)
def list_consultations(db: Db, _reader: Reader) -> dict[str, Any]:
    return {"items": [consult.consultation_out(r) for r in consult.listing(db)]}


@router.post("/visa/consultations", status_code=201, response_model=ConsultationOut)
def propose(
    body: ConsultationIn,
    request: Request,
    ex: Exchange,
    settings: CurrentSettings,
    db: Db,
    principal: Manager,
) -> dict[str, Any]:
    """Consult the partner before imposing or lifting a visa requirement on a nationality
    (this node's country is the destination); sent under the visa annex."""
    row = consult.propose(
        db,
        ex,
        destination=settings.country,
        actor=f"user:{principal.username}",
        **body.model_dump(),
    )
    return consult.consultation_out(row)


@router.get("/visa/consultations/{consultation_id}", response_model=ConsultationDetailOut)
def get_consultation(
    consultation_id: str, request: Request, now: Now, db: Db, _reader: Reader
) -> dict[str, Any]:
    """One consultation, with how the convergence report would read were it adopted."""
    row = consult.get(db, consultation_id)
    return {**consult.consultation_out(row), "preview": consult.preview(db, row, now=now)}


@router.post("/visa/consultations/{consultation_id}/reply", response_model=ConsultationOut)
def answer(
    consultation_id: str, body: ReplyIn, request: Request, ex: Exchange, db: Db, principal: Manager
) -> dict[str, Any]:
    """Answer a partner's consultation: support, no objection or object (with reasons)."""
    row = consult.reply(
        db,
        ex,
        consultation_id,
        position=body.position,
        comments=body.comments,
        actor=f"user:{principal.username}",
    )
    return consult.consultation_out(row)


@router.post("/visa/applicants/screen", response_model=ApplicantOut)
def screen_applicant(
    body: ApplicationIn,
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    principal: Screener,
) -> dict[str, Any]:
    """Screen a visa applicant's identity and document against local and partner-shared
    lookouts; hits with their evidence, the destination's requirement for the nationality,
    document problems, and the outcome with its reasons."""
    return screen_application(
        db,
        get_node(request).get(Screening),
        body,
        destination=settings.country,
        actor=f"user:{principal.username}",
        now=now,
    )
