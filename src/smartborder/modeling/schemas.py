"""The answers of the traffic modelling API: the shipped example scenarios, a scenario
checked, model runs (with their progress, figures and plots) and a calibration against
observed waits."""

from __future__ import annotations

from typing import Any

from smartborder.answers import Out


class DirectionOut(Out):
    name: str
    into: str
    lanes: list[str]
    groups: list[str]  # booth groups


class ExampleOut(Out):
    name: str
    scenario: str
    crossing: str
    description: str
    variant_of: str | None
    directions: list[DirectionOut]
    replications: int
    sources: list[str]


class ExampleList(Out):
    items: list[ExampleOut]


class ScenarioOut(Out):
    name: str
    crossing: str
    directions: list[DirectionOut]
    simulation: dict[str, Any]  # the simulation settings as the scenario gives them


class ValidOut(Out):
    """A scenario that passed every check, and what it holds."""

    valid: bool
    scenario: ScenarioOut


class ProgressOut(Out):
    done: int
    total: int


class RunOut(Out):
    """A model run (or comparison): its progress and, once done, its figures and plots."""

    id: str
    kind: str  # run | compare
    name: str
    source: str
    changes: list[str]
    replications: int
    status: str
    progress: ProgressOut
    error: str | None
    submitted_at: str
    submitted_by: str
    started_at: str | None
    finished_at: str | None
    plots: list[str]  # URLs of the PNG plots, once done
    result: dict[str, Any] | None = None  # the figures (on a single run's answers)


class RunList(Out):
    items: list[RunOut]


class PortOut(Out):
    cbp: str | None
    cbsa: str | None


class ReadOut(Out):
    observations: int
    not_figures: int
    files: list[str]


class HourOut(Out):
    direction: str
    lane: str
    hour: int
    observations: int
    observed: float
    simulated: float | None
    difference: float | None
    lanes_open_observed: float | None
    booths_open_simulated: int | None


class LaneFitOut(Out):
    direction: str
    lane: str
    hours: int
    observations: int
    mean_absolute_error: float | None
    bias: float | None
    simulated: bool


class CalibrationOut(Out):
    """Observed waits against a finished run, by direction, lane type and hour of the day."""

    port: PortOut
    read: ReadOut
    other_ports_or_lanes: int
    rows: list[HourOut]
    lanes: list[LaneFitOut]
