"""Variants of a scenario: typed changes (add booths to a group, scale traffic, change the
eligible share, open the FAST lane to every truck) applied to a base. A variant file names its
base (a path relative to the variant, or an example's name) and lists its changes; the result
is validated like any scenario, and every problem is reported with its location."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from smartborder.errors import ValidationFailed
from smartborder.modeling.scenario import (
    Scenario,
    Share,
    StreamName,
    Strict,
    check_scenario,
    read_scenario,
)
from smartborder.sourcetext import Lines, Problem, line_of, parse_mapping, problems_of, where

Name = Annotated[str, Field(min_length=1, max_length=60)]


class AddBooths(Strict):
    """More booths in a group, each open whenever the group has any booth open."""

    direction: Name
    group: Name
    count: Annotated[int, Field(ge=1, le=50)] = 1


class ScaleTraffic(Strict):
    factor: Annotated[float, Field(gt=0, le=10)]
    direction: Name | None = None
    stream: StreamName | None = None


class EligibleShare(Strict):
    stream: StreamName
    share: Share
    direction: Name | None = None


class OpenFast(Strict):
    direction: Name | None = None


class Change(Strict):
    add_booths: AddBooths | None = None
    scale_traffic: ScaleTraffic | None = None
    eligible_share: EligibleShare | None = None
    open_fast_to_all: OpenFast | None = None

    @model_validator(mode="after")
    def _one(self) -> Change:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            kinds = ", ".join(type(self).model_fields)
            raise ValueError(f"each change is exactly one of {kinds} (got {len(given)})")
        return self

    def describe(self) -> str:
        if self.add_booths:
            a = self.add_booths
            return f"{a.direction}: {a.count} more {a.group} booth(s)"
        if self.scale_traffic:
            s = self.scale_traffic
            scope = " ".join(x for x in (s.direction, s.stream) if x) or "all"
            return f"traffic x{s.factor:g} ({scope})"
        if self.eligible_share:
            e = self.eligible_share
            return f"{e.direction or 'all'}: eligible share of {e.stream} {e.share:.0%}"
        assert self.open_fast_to_all is not None
        return f"{self.open_fast_to_all.direction or 'all'}: FAST lane open to every truck"


class VariantDoc(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    base: Annotated[str, Field(min_length=1, max_length=300)]
    changes: Annotated[list[Change], Field(min_length=1)]


def examples_folder() -> Path:
    return Path(str(resources.files("smartborder.modeling") / "examples"))


def apply_changes(
    scenario: Scenario,
    changes: list[Change],
    *,
    name: str | None = None,
    lines: Lines | None = None,
    at: tuple[Any, ...] = ("changes",),
) -> tuple[Scenario | None, list[Problem]]:
    """The scenario with the changes made, or every problem (``changes[i]...`` located)."""
    lines = lines or {}
    data = scenario.model_dump(mode="json", by_alias=True)
    problems: list[Problem] = []

    def problem(loc: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(where(loc), line_of(lines, loc), message))

    directions = {d["name"]: d for d in data["directions"]}
    for index, change in enumerate(changes):
        loc = (*at, index)
        for field in ("add_booths", "scale_traffic", "eligible_share", "open_fast_to_all"):
            spec = getattr(change, field)
            if spec is None:
                continue
            wanted = getattr(spec, "direction", None)
            if wanted is not None and wanted not in directions:
                known = ", ".join(directions)
                problem((*loc, field, "direction"), f"no direction '{wanted}' (there are {known})")
                continue
            targets = [directions[wanted]] if wanted else list(directions.values())
            _apply(field, spec, targets, (*loc, field), problem)
    if problems:
        return None, problems
    if name:
        data["name"] = name
    changed, problems = check_scenario(data)
    return changed, [Problem(f"after the changes: {p.location}", None, p.message) for p in problems]


def _apply(
    field: str, spec: Any, targets: list[dict[str, Any]], loc: tuple[Any, ...], problem: Any
) -> None:
    for direction in targets:
        if field == "add_booths":
            groups = {g["name"]: g for g in direction["booths"]}
            group = groups.get(spec.group)
            if group is None:
                problem(
                    (*loc, "group"),
                    f"no booth group '{spec.group}' in {direction['name']} "
                    f"(there are {', '.join(groups)})",
                )
                continue
            group["count"] += spec.count
            for window in group["schedule"]:
                if window["open"] > 0:
                    window["open"] += spec.count
        elif field == "scale_traffic":
            for stream_name, stream in direction["arrivals"].items():
                if spec.stream is None or spec.stream == stream_name:
                    stream["per_hour"] = [rate * spec.factor for rate in stream["per_hour"]]
        elif field == "eligible_share":
            stream = direction["arrivals"].get(spec.stream)
            if stream is None:
                problem((*loc, "stream"), f"{direction['name']} has no {spec.stream} arrivals")
                continue
            stream["eligible_share"] = spec.share
        else:
            direction["lane_choice"]["fast_open_to_all"] = True


def parse_changes(data: Any) -> tuple[list[Change], list[Problem]]:
    """Changes given as data (the API, the UI's form), each problem located."""
    try:
        doc = VariantDoc.model_validate({"name": "variant", "base": "-", "changes": data})
    except ValidationError as exc:
        return [], problems_of(exc, {})
    return list(doc.changes), []


def read_any(text: str, source: str, folder: Path | None) -> Scenario:
    """A scenario, or a variant (``base`` + ``changes``) resolved against its base: a path
    relative to ``folder`` or the name of an example."""
    data, lines = parse_mapping(text, source, "a scenario")
    if "base" not in data and "changes" not in data:
        return read_scenario(text, source)
    try:
        doc = VariantDoc.model_validate(data)
    except ValidationError as exc:
        raise _failed(source, problems_of(exc, lines)) from None
    base_path = _base_path(doc.base, folder)
    if base_path is None:
        problem = Problem("base", line_of(lines, ("base",)), f"no scenario file '{doc.base}'")
        raise _failed(source, [problem])
    base = read_scenario(base_path.read_text(encoding="utf-8"), str(base_path))
    variant, problems = apply_changes(base, doc.changes, name=doc.name, lines=lines)
    if variant is None:
        raise _failed(source, problems)
    return variant


def _base_path(base: str, folder: Path | None) -> Path | None:
    candidates = []
    if folder is not None:
        candidates.append(folder / base)
    elif "/" in base or "\\" in base or base.startswith("."):
        return None  # sent over the API: only an example's name
    candidates.append(examples_folder() / base)
    candidates.append(examples_folder() / f"{base}.yaml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_any(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{path}: cannot be read ({exc})") from None
    return read_any(text, str(path), path.parent)


def _failed(source: str, problems: list[Problem]) -> ValidationFailed:
    return ValidationFailed(
        f"{source}: {len(problems)} problem(s)",
        details=[p.as_detail(source) for p in problems],
    )
