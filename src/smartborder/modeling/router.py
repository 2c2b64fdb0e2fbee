"""JSON API of border traffic modelling: example scenarios, validation, runs (and comparisons)
made in the background with their figures and plots, calibration against observed waits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.deps import Now, get_node
from smartborder.errors import ValidationFailed
from smartborder.modeling import calibration, service
from smartborder.modeling.plots import PLOTS
from smartborder.modeling.schemas import (
    CalibrationOut,
    ExampleList,
    RunList,
    RunOut,
    ValidOut,
)
from smartborder.quarantine import kept_file
from smartborder.roles import Permission

router = APIRouter(tags=["modeling"])
Reader = Annotated[Principal, Depends(require(Permission.MODEL_READ))]
Runner = Annotated[Principal, Depends(require(Permission.MODEL_RUN))]
EXAMPLE = r"^[a-z0-9][a-z0-9-]{0,79}$"
RunId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
YAML_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/yaml": {"schema": {"type": "string"}}},
    }
}
RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


class RunIn(BaseModel):
    """What to run: a scenario (an example's name, or YAML), and optionally what to compare it
    with (changes, another example, or YAML: a scenario, or a variant of an example)."""

    model_config = ConfigDict(extra="forbid")

    example: Annotated[str | None, Field(pattern=EXAMPLE)] = None
    scenario: Annotated[str | None, Field(max_length=200_000)] = None
    changes: Annotated[list[dict[str, Any]] | None, Field(max_length=20)] = None
    variant_example: Annotated[str | None, Field(pattern=EXAMPLE)] = None
    variant: Annotated[str | None, Field(max_length=200_000)] = None
    replications: Annotated[int | None, Field(ge=1, le=service.MAX_REPLICATIONS)] = None


@router.get("/modeling/examples", response_model=ExampleList)
def list_examples(_reader: Reader) -> dict[str, Any]:
    return {"items": [service.example_out(e) for e in service.examples()]}


@router.get("/modeling/examples/{name}", response_class=PlainTextResponse)
def example_text(name: Annotated[str, Path(pattern=EXAMPLE)], _reader: Reader) -> str:
    """The example's YAML, to start a scenario of one's own from."""
    return service.example(name).text


@router.post("/modeling/validate", openapi_extra=YAML_BODY, response_model=ValidOut)
async def validate(
    request: Request,
    _reader: Reader,
    name: Annotated[str, Query(max_length=120)] = "scenario.yaml",
) -> dict[str, Any]:
    """Check a scenario (or a variant of an example): 422 with every problem, its field path and
    line; otherwise what the scenario holds."""
    text = (await request.body()).decode("utf-8", errors="replace")
    scenario = service.read_text(text, name)
    return {"valid": True, "scenario": service.scenario_out(scenario)}


@router.post(
    "/modeling/runs", status_code=202, response_model=RunOut, response_model_exclude_unset=True
)
def submit_run(
    body: RunIn,
    request: Request,
    now: Now,
    settings: CurrentSettings,
    db: Db,
    principal: Runner,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """Queue a run (or a comparison); it runs in the background. Poll ``GET /runs/{id}`` for
    its progress and, once done, its figures and plots."""
    try:
        plan = service.plan(
            example=body.example,
            scenario_text=body.scenario,
            changes=body.changes,
            variant_example=body.variant_example,
            variant_text=body.variant,
        )
    except ValidationFailed as exc:
        for text, label in ((body.scenario, "scenario.yaml"), (body.variant, "variant.yaml")):
            if text:
                kept_file(settings.data_dir, label, text.encode(), exc.details)
        raise
    row = service.submit(
        db,
        scenario=plan.scenario,
        variant=plan.variant,
        changes=plan.changes,
        source=plan.source,
        replications=body.replications,
        actor=f"user:{principal.username}",
        now=now,
    )
    background.add_task(get_node(request).get(service.Runner).start, row.id)
    return service.run_out(row)


@router.get("/modeling/runs", response_model=RunList, response_model_exclude_unset=True)
def list_runs(
    db: Db,
    _reader: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return {"items": [service.run_out(r, with_result=False) for r in service.listing(db, limit)]}


@router.get("/modeling/runs/{run_id}", response_model=RunOut)
def get_run(run_id: RunId, db: Db, _reader: Reader) -> dict[str, Any]:
    return service.run_out(service.get(db, run_id))


@router.get("/modeling/runs/{run_id}/plots/{name}.png", response_class=Response)
def get_plot(
    run_id: RunId,
    name: Annotated[str, Path(pattern="^(" + "|".join(PLOTS) + ")$")],
    db: Db,
    _reader: Reader,
) -> Response:
    return Response(service.plot(db, run_id, name), media_type="image/png")


@router.post(
    "/modeling/runs/{run_id}/calibration", openapi_extra=RAW_BODY, response_model=CalibrationOut
)
async def calibrate(
    run_id: RunId,
    request: Request,
    settings: CurrentSettings,
    db: Db,
    _runner: Runner,
    name: Annotated[str, Query(max_length=120, description="the file's name")] = "upload",
) -> dict[str, Any]:
    """Observed waits (a saved CBP feed, XML or JSON, or a CBSA CSV) against a finished run of
    the scenario of their port, by direction, lane type and hour of the day."""
    row = service.get(db, run_id)
    raw = await request.body()
    try:
        observed = calibration.read_observations(raw, name)
    except ValidationFailed as exc:
        kept_file(settings.data_dir, name, raw, exc.details)
        raise
    return service.calibrate(row, observed)
