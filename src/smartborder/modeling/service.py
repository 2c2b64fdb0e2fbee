"""Modelling use cases: the example scenarios, submitting a run (or a comparison) to run in
the background, running it (progress, figures, plots, audit), listing and reading runs."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from smartborder.audit import chain
from smartborder.db import unit_of_work
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.locks import JobLocks
from smartborder.modeling import models as m
from smartborder.modeling import plots, run
from smartborder.modeling.calibration import Observations
from smartborder.modeling.calibration import compare as compare_observed
from smartborder.modeling.scenario import Scenario, check_scenario
from smartborder.modeling.variants import (
    Change,
    apply_changes,
    examples_folder,
    parse_changes,
    read_any,
)

log = logging.getLogger("smartborder.modeling")
MAX_REPLICATIONS = 50
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Example:
    name: str
    scenario: Scenario
    base: str | None  # the example it varies, for a variant
    text: str


def examples() -> list[Example]:
    """The example scenarios shipped with smartborder, scenarios first, then variants."""
    found = []
    for path in sorted(examples_folder().glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        scenario = read_any(text, path.name, path.parent)
        base = yaml.safe_load(text).get("base")
        if isinstance(base, str):
            base = base.removesuffix(".yaml")
        found.append(Example(path.stem, scenario, base, text))
    return sorted(found, key=lambda e: (e.base is not None, e.name))


def example(name: str) -> Example:
    for found in examples():
        if found.name == name:
            return found
    raise NotFound(f"no example scenario '{name}'")


def example_out(found: Example) -> dict[str, Any]:
    described = scenario_out(found.scenario)
    return {
        "name": found.name,
        "scenario": described["name"],
        "crossing": described["crossing"],
        "description": found.scenario.description.strip(),
        "variant_of": found.base,
        "directions": described["directions"],
        "replications": found.scenario.simulation.replications,
        "sources": found.scenario.sources,
    }


def submit(
    session: Session,
    *,
    scenario: Scenario,
    source: str,
    actor: str,
    now: dt.datetime,
    variant: Scenario | None = None,
    changes: list[str] | None = None,
    replications: int | None = None,
) -> m.ModelRun:
    """Record a run to be made (the caller hands its id to the runner after committing)."""
    count = replications or scenario.simulation.replications
    if not 1 <= count <= MAX_REPLICATIONS:
        raise ValidationFailed(
            f"replications must be between 1 and {MAX_REPLICATIONS}",
            details=[{"location": "replications", "message": f"{count} is out of range"}],
        )
    kind = "compare" if variant is not None else "run"
    name = scenario.name if variant is None else f"{scenario.name} vs {variant.name}"
    row = m.ModelRun(
        id=str(uuid.uuid4()),
        kind=kind,
        name=name[:260],
        source=source[:200],
        scenario=scenario.model_dump(mode="json", by_alias=True),
        variant=None if variant is None else variant.model_dump(mode="json", by_alias=True),
        changes=changes or [],
        replications=count,
        status="queued",
        done=0,
        total=count * (2 if variant is not None else 1),
        submitted_at=now,
        submitted_by=actor,
    )
    session.add(row)
    chain.append(
        session,
        "modeling:run:submitted",
        actor=actor,
        subject=row.id,
        details={"kind": kind, "name": row.name, "source": row.source, "replications": count},
        at=now,
    )
    return row


def variant_of(scenario: Scenario, changes: list[Change]) -> Scenario:
    """The scenario with ``changes`` made; ValidationFailed with each problem located."""
    changed, problems = apply_changes(scenario, changes, name=f"{scenario.name} (variant)")
    if changed is None:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in the changes",
            details=[{"location": p.location, "message": p.message} for p in problems],
        )
    return changed


def _scenario(data: dict[str, Any]) -> Scenario:
    scenario, problems = check_scenario(data)
    if scenario is None:  # stored scenarios were valid when submitted
        raise ValidationFailed("; ".join(f"{p.location}: {p.message}" for p in problems))
    return scenario


def execute(sessions: sessionmaker[Session], run_id: str, clock: Clock) -> None:
    """Make the run: progress after each replication, then figures and plots in one unit of
    work; a failure is recorded on the run (never lost in a thread)."""
    with unit_of_work(sessions) as session:
        row = session.get(m.ModelRun, run_id)
        if row is None or row.status != "queued":
            return
        row.status, row.started_at = "running", clock()
        base, variant = _scenario(row.scenario), None
        if row.variant is not None:
            variant = _scenario(row.variant)
        count = row.replications

    def progress(done: int, _total: int) -> None:
        with unit_of_work(sessions) as session:
            session.execute(update(m.ModelRun).where(m.ModelRun.id == run_id).values(done=done))

    try:
        if variant is None:
            result = run.run(base, count, progress)
        else:
            result = run.compare(base, variant, count, progress)
        drawn = plots.draw(plots.series_of(result))
    except Exception as exc:  # recorded on the run and in the log: nothing else sees the thread
        log.exception("model run %s failed", run_id)
        with unit_of_work(sessions) as session:
            row = session.get(m.ModelRun, run_id)
            assert row is not None
            row.status, row.error, row.finished_at = (
                "failed",
                f"{type(exc).__name__}: {exc}",
                clock(),
            )
        return
    with unit_of_work(sessions) as session:
        row = session.get(m.ModelRun, run_id)
        assert row is not None
        row.status, row.result, row.finished_at = "done", result, clock()
        row.done = row.total
        for name, png in drawn.items():
            session.add(m.ModelPlot(run_id=run_id, name=name, png=png))
        chain.append(
            session,
            "modeling:run:completed",
            actor="system",
            subject=run_id,
            details={
                "seconds": result["seconds"],
                "vehicles": result["summary"]["vehicles"]["mean"],
            },
            at=row.finished_at,
        )


def mark_interrupted(
    session: Session, now: dt.datetime, orphaned: Callable[[str], bool] = lambda _id: True
) -> int:
    """Runs left queued or running by a process that stopped (``orphaned``: no live process of
    the node holds the run): failed, saying so."""
    rows = [
        row
        for row in session.scalars(
            select(m.ModelRun).where(m.ModelRun.status.in_(("queued", "running")))
        )
        if orphaned(row.id)
    ]
    for row in rows:
        row.status, row.finished_at = "failed", now
        row.error = "interrupted: the node stopped before the run finished; submit it again"
    return len(rows)


class Runner:
    """Runs model runs one at a time in a background thread. With ``locks``, this process
    holds each of its runs (queued or running) under a lock, so that another worker of the
    node starting up can tell its runs from those a stopped process left behind."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, locks: JobLocks | None = None
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.locks = locks
        self._guard = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-run")

    def start(self, run_id: str) -> Future[None]:
        self._claim(run_id)
        return self.pool.submit(self._execute, run_id)

    def _execute(self, run_id: str) -> None:
        try:
            execute(self.sessions, run_id, self.clock)
        finally:
            self._let_go(run_id)

    def _claim(self, run_id: str) -> bool:
        if self.locks is None:
            return True
        with self._guard:
            return self.locks.held(f"model-run:{run_id}")

    def _let_go(self, run_id: str) -> None:
        if self.locks is not None:
            with self._guard:
                self.locks.release(f"model-run:{run_id}")

    def orphaned(self, run_id: str) -> bool:
        """No live process of the node holds this run (taking its lock proves it)."""
        if not self._claim(run_id):
            return False
        self._let_go(run_id)
        return True

    def stop(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.locks is not None:
            with self._guard:
                self.locks.close()


def listing(session: Session, limit: int = 50) -> list[m.ModelRun]:
    return list(
        session.scalars(select(m.ModelRun).order_by(m.ModelRun.submitted_at.desc()).limit(limit))
    )


def get(session: Session, run_id: str) -> m.ModelRun:
    row = session.get(m.ModelRun, run_id)
    if row is None:
        raise NotFound(f"no model run {run_id}")
    return row


def plot(session: Session, run_id: str, name: str) -> bytes:
    found = session.get(m.ModelPlot, (run_id, name))
    if found is None:
        raise NotFound(f"no plot '{name}' for model run {run_id}")
    return found.png


def run_out(row: m.ModelRun, *, with_result: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "source": row.source,
        "changes": row.changes,
        "replications": row.replications,
        "status": row.status,
        "progress": {"done": row.done, "total": row.total},
        "error": row.error,
        "submitted_at": row.submitted_at.isoformat(),
        "submitted_by": row.submitted_by,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "plots": [f"/api/v1/modeling/runs/{row.id}/plots/{name}.png" for name in plots.PLOTS]
        if row.status == "done"
        else [],
    }
    if with_result:
        out["result"] = row.result
    return out


def read_text(text: str, name: str) -> Scenario:
    """A scenario sent as YAML (a variant may name an example as its base, nothing else)."""
    return read_any(text, name, None)


def scenario_out(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "crossing": scenario.crossing,
        "directions": [
            {
                "name": d.name,
                "into": d.into,
                "lanes": d.lanes(),
                "groups": [g.name for g in d.booths],
            }
            for d in scenario.directions
        ],
        "simulation": scenario.simulation.model_dump(mode="json"),
    }


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    variant: Scenario | None
    changes: list[str]
    source: str


def plan(
    *,
    example: str | None,
    scenario_text: str | None,
    changes: list[dict[str, Any]] | None = None,
    variant_example: str | None = None,
    variant_text: str | None = None,
) -> Plan:
    """What a run request asks for, resolved and validated (each problem located)."""
    if (example is None) == (scenario_text is None):
        raise ValidationFailed(
            "give a scenario: an example's name or YAML, not both",
            details=[{"location": "example", "message": "give 'example' or 'scenario'"}],
        )
    given = [x for x in (changes, variant_example, variant_text) if x is not None]
    if len(given) > 1:
        raise ValidationFailed(
            "compare with one thing: changes, a variant example or variant YAML",
            details=[
                {
                    "location": "changes",
                    "message": "give at most one of changes, variant_example, variant",
                }
            ],
        )
    if example is not None:
        scenario, source = _example(example, "example").scenario, f"example:{example}"
    else:
        assert scenario_text is not None
        scenario, source = read_text(scenario_text, "scenario"), "upload:scenario"
    variant: Scenario | None = None
    described: list[str] = []
    if changes is not None:
        parsed, problems = parse_changes(changes)
        if problems:
            raise ValidationFailed(
                f"{len(problems)} problem(s) in the changes",
                details=[{"location": p.location, "message": p.message} for p in problems],
            )
        variant = variant_of(scenario, parsed)
        described = [c.describe() for c in parsed]
    elif variant_example is not None:
        variant = _example(variant_example, "variant_example").scenario
        described = [f"example {variant_example}"]
    elif variant_text is not None:
        variant = read_text(variant_text, "variant")
        described = [variant.name]
    return Plan(scenario, variant, described, source)


def _example(name: str, field: str) -> Example:
    try:
        return example(name)
    except NotFound:
        known = ", ".join(e.name for e in examples())
        raise ValidationFailed(
            f"no example scenario '{name}'",
            details=[{"location": field, "message": f"not one of {known}"}],
        ) from None


def calibrate(row: m.ModelRun, observed: Observations) -> dict[str, Any]:
    if row.status != "done" or row.result is None:
        raise Conflict(f"model run {row.id} is {row.status}; calibrate against a finished run")
    return compare_observed(_scenario(row.scenario), row.result["summary"], observed)
