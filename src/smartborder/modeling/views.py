"""HTML pages of border traffic modelling: the example scenarios and a form to run one (or to
compare it with a variant) in the background, the runs, and a run's page (progress while it
runs; tables and plots once done)."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now, get_node
from smartborder.errors import ValidationFailed
from smartborder.modeling import service
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.MODEL_READ))]
Runner = Annotated[Principal, Depends(require(Permission.MODEL_RUN))]
RunId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


def _page(request: Request, db: Db, principal: Principal, **extra: Any) -> dict[str, Any]:
    found = service.examples()
    return {
        "examples": [service.example_out(e) for e in found],
        "scenarios": [e.name for e in found if e.base is None],
        "variants": [e.name for e in found if e.base is not None],
        "runs": [service.run_out(r, with_result=False) for r in service.listing(db, 30)],
        "can_run": principal.can(Permission.MODEL_RUN),
        "values": {"example": found[0].name if found else "", "replications": "5"},
        "problems": [],
        **extra,
    }


@router.get("/modeling")
def modeling_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return render(request, "modeling/modeling.html", _page(request, db, principal))


@router.post("/modeling/runs", response_model=None)
async def submit(
    request: Request, now: Now, db: Db, principal: Runner, background: BackgroundTasks
) -> Response:
    """Queue the run described by the form; its page follows the progress."""
    form = await request.form()
    values = {
        key: str(form.get(key, "")).strip()
        for key in ("example", "scenario", "compare", "changes", "replications")
    }
    try:
        changes = None
        if values["compare"] == "changes":
            parsed = yaml.safe_load(values["changes"] or "[]")
            if not isinstance(parsed, list):
                raise ValidationFailed(
                    "the changes must be a YAML list",
                    details=[
                        {"location": "changes", "message": "write one '- kind: {...}' a line"}
                    ],
                )
            changes = parsed
        replications = int(values["replications"]) if values["replications"].isdecimal() else None
        plan = service.plan(
            example=None if values["scenario"] else values["example"] or None,
            scenario_text=values["scenario"] or None,
            changes=changes,
            variant_example=values["compare"] if values["compare"] not in ("", "changes") else None,
        )
        row = service.submit(
            db,
            scenario=plan.scenario,
            variant=plan.variant,
            changes=plan.changes,
            source=plan.source,
            replications=replications,
            actor=f"user:{principal.username}",
            now=now,
        )
    except (ValidationFailed, yaml.YAMLError) as exc:
        problems = (
            exc.details or [{"location": "form", "message": exc.message}]
            if isinstance(exc, ValidationFailed)
            else [{"location": "changes", "message": f"not YAML: {exc}"}]
        )
        context = _page(request, db, principal, values=values, problems=problems)
        return render(request, "modeling/modeling.html", context, status_code=422)
    # Started once the request's unit of work has committed: the runner reads the row.
    background.add_task(get_node(request).get(service.Runner).start, row.id)
    return RedirectResponse(f"/modeling/runs/{row.id}", status_code=303)


@router.get("/modeling/runs/{run_id}")
def run_page(run_id: RunId, request: Request, db: Db, _principal: Reader) -> HTMLResponse:
    row = service.get(db, run_id)
    return render(request, "modeling/run.html", {"run": service.run_out(row)})


@router.get("/modeling/runs/{run_id}/progress")
def run_progress(run_id: RunId, request: Request, db: Db, _principal: Reader) -> HTMLResponse:
    """The progress fragment the run page polls; once the run ends, the page reloads."""
    row = service.get(db, run_id)
    response = render(request, "modeling/progress.html", {"run": service.run_out(row)})
    if row.status in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"
    return response
