"""Scenario files: a land crossing described for simulation, read from YAML with every problem
reported by field path and line.

A scenario names the crossing, then, per direction of travel (each inspected by the country it
enters), the booth groups (how many booths, which lane types they serve, how many are open in
each hour of the day), the arrivals by hour of day and day of week for each stream (cars,
trucks, pedestrians) with the share eligible for the trusted lane (NEXUS members among cars,
FAST-approved carriers among trucks), the service-time distribution per lane type, secondary
inspection (referral probability per lane type, bays, service time) and lane choice (eligible
vehicles may take the general lane when it is quicker). Times are in minutes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smartborder.errors import ValidationFailed
from smartborder.sourcetext import Lines, Problem, line_of, parse_mapping, problems_of, where

LaneType = Literal["general", "nexus", "commercial", "fast", "pedestrian"]
LANE_TYPES: tuple[LaneType, ...] = ("general", "nexus", "commercial", "fast", "pedestrian")
StreamName = Literal["cars", "trucks", "pedestrians"]
STREAMS: tuple[StreamName, ...] = ("cars", "trucks", "pedestrians")
Day = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAYS: tuple[Day, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# Where each stream goes: its own lane, and the trusted lane open to its eligible share.
STREAM_LANES: dict[StreamName, tuple[LaneType, LaneType | None]] = {
    "cars": ("general", "nexus"),
    "trucks": ("commercial", "fast"),
    "pedestrians": ("pedestrian", None),
}
Share = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[float, Field(gt=0, le=24 * 60)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Distribution(Strict):
    """A service time in minutes: constant, exponential, uniform, triangular or lognormal."""

    distribution: Literal["constant", "exponential", "uniform", "triangular", "lognormal"]
    mean: Minutes | None = None
    sd: Minutes | None = None
    min: Annotated[float, Field(ge=0)] | None = None
    mode: Annotated[float, Field(ge=0)] | None = None
    max: Minutes | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        needs = {
            "constant": ("mean",),
            "exponential": ("mean",),
            "lognormal": ("mean", "sd"),
            "uniform": ("min", "max"),
            "triangular": ("min", "mode", "max"),
        }[self.distribution]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(missing)}")
        extra = [
            name
            for name in ("mean", "sd", "min", "mode", "max")
            if name not in needs and getattr(self, name) is not None
        ]
        if extra:
            raise ValueError(f"a {self.distribution} distribution takes no {', '.join(extra)}")
        low, high = self.min, self.max
        if low is not None and high is not None and low >= high:
            raise ValueError(f"min ({low}) must be below max ({high})")
        mode = self.mode
        if mode is not None and low is not None and high is not None and not low <= mode <= high:
            raise ValueError(f"mode ({self.mode}) must lie between min and max")
        return self

    @property
    def average(self) -> float:
        """The mean service time in minutes."""
        if self.mean is not None:
            return self.mean
        assert self.min is not None
        assert self.max is not None
        if self.mode is not None:
            return (self.min + self.mode + self.max) / 3
        return (self.min + self.max) / 2


class Window(Strict):
    """Booths open from one hour of the day (inclusive) to another (exclusive, 24 = midnight)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: Annotated[int, Field(ge=0, le=23, alias="from")]
    end: Annotated[int, Field(ge=1, le=24, alias="to")]
    open: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.end <= self.start:
            raise ValueError(f"'to' ({self.end}) must be after 'from' ({self.start})")
        return self


class BoothGroup(Strict):
    """Identical booths serving the same lane types (in that order of priority)."""

    name: Annotated[str, Field(min_length=1, max_length=60)]
    count: Annotated[int, Field(ge=1, le=200)]
    lanes: list[LaneType]
    schedule: list[Window]

    @field_validator("lanes")
    @classmethod
    def _lanes(cls, lanes: list[LaneType]) -> list[LaneType]:
        if not lanes:
            raise ValueError("a booth group must serve at least one lane type")
        if len(set(lanes)) != len(lanes):
            raise ValueError("a lane type is listed twice")
        return lanes

    def open_by_hour(self) -> list[int]:
        """Booths open in each hour 0-23 (the schedule is checked to cover each hour once)."""
        hours = [0] * 24
        for window in self.schedule:
            for hour in range(window.start, window.end):
                hours[hour] = window.open
        return hours


class Stream(Strict):
    """Arrivals of one stream: vehicles (or people) per hour for each hour of the day, a factor
    per day of the week (1 when not given), and the share eligible for the trusted lane."""

    per_hour: list[Annotated[float, Field(ge=0)]]
    day_factor: dict[Day, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    eligible_share: Share = 0.0

    @field_validator("per_hour")
    @classmethod
    def _hours(cls, values: list[float]) -> list[float]:
        if len(values) != 24:
            raise ValueError(f"give 24 hourly rates (hours 0-23), not {len(values)}")
        return values

    def rate(self, day: Day, hour: int) -> float:
        return self.per_hour[hour] * self.day_factor.get(day, 1.0)


class Secondary(Strict):
    referral: dict[LaneType, Share] = Field(default_factory=dict)
    bays: Annotated[int, Field(ge=0, le=200)] = 0
    service: Distribution | None = None


class LaneChoice(Strict):
    """Eligible vehicles take the general (or commercial) lane when its expected wait is
    shorter; the FAST lane may be opened to every truck."""

    trusted_may_use_general: bool = True
    fast_open_to_all: bool = False


class Direction(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
    into: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    booths: list[BoothGroup]
    arrivals: dict[StreamName, Stream]
    service: dict[LaneType, Distribution]
    secondary: Secondary = Field(default_factory=Secondary)
    lane_choice: LaneChoice = Field(default_factory=LaneChoice)

    def lanes(self) -> list[LaneType]:
        """The lane types some booth serves, in the canonical order."""
        served = {lane for group in self.booths for lane in group.lanes}
        return [lane for lane in LANE_TYPES if lane in served]


class Calibration(Strict):
    cbp_port: Annotated[str, Field(pattern=r"^[0-9A-Z]{6}$")] | None = None
    cbsa_office: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    direction_into_us: str | None = None
    direction_into_canada: str | None = None


class Simulation(Strict):
    hours: Annotated[int, Field(ge=1, le=7 * 24)] = 24
    day: Day = "monday"
    warmup_hours: Annotated[int, Field(ge=0, le=24)] = 1
    replications: Annotated[int, Field(ge=1, le=200)] = 10
    seed: Annotated[int, Field(ge=0)] = 1
    sample_minutes: Annotated[int, Field(ge=1, le=60)] = 5


class Scenario(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    crossing: Annotated[str, Field(min_length=1, max_length=120)]
    calibration: Calibration = Field(default_factory=Calibration)
    simulation: Simulation = Field(default_factory=Simulation)
    directions: list[Direction]

    def direction(self, name: str) -> Direction:
        for direction in self.directions:
            if direction.name == name:
                return direction
        raise KeyError(name)


def check_scenario(data: Any, lines: Lines | None = None) -> tuple[Scenario | None, list[Problem]]:
    """Validate a scenario given as data: the scenario, or every problem found."""
    lines = lines or {}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        return None, problems_of(exc, lines, whole="scenario")
    problems = _semantics(scenario, lines)
    return (None, problems) if problems else (scenario, [])


def read_scenario(text: str, source: str) -> Scenario:
    """A scenario from YAML text; ValidationFailed listing every problem with path and line."""
    data, lines = parse_mapping(text, source, "a scenario")
    scenario, problems = check_scenario(data, lines)
    if scenario is None:
        raise ValidationFailed(
            f"{source}: {len(problems)} problem(s) in the scenario",
            details=[p.as_detail(source) for p in problems],
        )
    return scenario


def _semantics(scenario: Scenario, lines: Lines) -> list[Problem]:
    problems: list[Problem] = []

    def problem(loc: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(where(loc, "scenario"), line_of(lines, loc), message))

    names: dict[str, int] = {}
    for index, direction in enumerate(scenario.directions):
        loc: tuple[Any, ...] = ("directions", index)
        if direction.name in names:
            problem(
                (*loc, "name"),
                f"direction '{direction.name}' is already directions[{names[direction.name]}]",
            )
        names.setdefault(direction.name, index)
        _check_direction(direction, loc, problem)
    if not scenario.directions:
        problem(("directions",), "a scenario needs at least one direction")
    calibration = scenario.calibration
    for field in ("direction_into_us", "direction_into_canada"):
        name = getattr(calibration, field)
        if name is not None and name not in names:
            problem(("calibration", field), f"no direction named '{name}'")
    return problems


def _check_direction(direction: Direction, loc: tuple[Any, ...], problem: Any) -> None:
    served = set(direction.lanes())
    groups: dict[str, int] = {}
    for g, group in enumerate(direction.booths):
        at = (*loc, "booths", g)
        if group.name in groups:
            problem(
                (*at, "name"), f"booth group '{group.name}' is already booths[{groups[group.name]}]"
            )
        groups.setdefault(group.name, g)
        _check_schedule(group, at, problem)
    if not direction.booths:
        problem((*loc, "booths"), "a direction needs at least one booth group")
    for lane in served:
        if lane not in direction.service:
            problem((*loc, "service"), f"no service time for the {lane} lane its booths serve")
    for lane in direction.service:
        if lane not in served:
            problem((*loc, "service", lane), f"no booth serves a {lane} lane")
    for name, stream in direction.arrivals.items():
        own, trusted = STREAM_LANES[name]
        at = (*loc, "arrivals", name)
        if trusted is None and stream.eligible_share:
            problem((*at, "eligible_share"), f"{name} have no trusted lane to be eligible for")
        fast_all = name == "trucks" and direction.lane_choice.fast_open_to_all
        all_trusted = trusted in served and (stream.eligible_share == 1 or fast_all)
        if own not in served and not all_trusted:
            problem(at, f"no booth serves the {own} lane {name} use")
    secondary = direction.secondary
    for lane, probability in secondary.referral.items():
        if lane not in served:
            problem((*loc, "secondary", "referral", lane), f"no booth serves a {lane} lane")
        elif probability > 0 and secondary.bays == 0:
            problem((*loc, "secondary", "bays"), "referrals to secondary need at least one bay")
    if any(secondary.referral.values()) and secondary.service is None:
        problem((*loc, "secondary", "service"), "referrals to secondary need a service time")


def _check_schedule(group: BoothGroup, at: tuple[Any, ...], problem: Any) -> None:
    covered: dict[int, int] = {}
    for w, window in enumerate(group.schedule):
        if window.open > group.count:
            problem(
                (*at, "schedule", w, "open"),
                f"{window.open} booths open but the group has {group.count}",
            )
        for hour in range(window.start, window.end):
            if hour in covered:
                problem(
                    (*at, "schedule", w),
                    f"hour {hour} is already covered by schedule[{covered[hour]}]",
                )
                break
            covered[hour] = w
    missing = [hour for hour in range(24) if hour not in covered]
    if missing:
        problem(
            (*at, "schedule"),
            f"the schedule must cover 24 hours; hours {_ranges(missing)} are not covered",
        )


def _ranges(hours: list[int]) -> str:
    spans: list[str] = []
    start = previous = hours[0]
    for hour in [*hours[1:], None]:
        if hour is not None and hour == previous + 1:
            previous = hour
            continue
        spans.append(f"{start}-{previous + 1}" if previous > start else f"{start}")
        if hour is not None:
            start = previous = hour
    return ", ".join(spans)
