"""YAML (or JSON) documents read with the line of every field kept, so that each problem found
while validating one (an agreement, a risk model) can be reported where it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from smartborder.errors import ValidationFailed

Lines = dict[tuple[Any, ...], int]


def parse_mapping(text: str, source: str, what: str) -> tuple[dict[str, Any], Lines]:
    """The document as data, and the line of each path in it; ValidationFailed (with the line)
    when it is not YAML/JSON or not a mapping. ``what`` names the document in messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ValidationFailed(
            f"{source}: not valid YAML or JSON",
            details=[
                {
                    "source": source,
                    "field": "document",
                    "line": line,
                    "problem": str(exc.problem or exc),
                }
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{source}: not valid YAML or JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"{source}: {what} must be a mapping of fields (got {type(data).__name__})",
            details=[{"source": source, "field": "document", "problem": "not a mapping"}],
        )
    lines: Lines = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


def _index(node: yaml.Node, path: tuple[Any, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _index(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, (*path, index), lines)


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc``, or of its nearest enclosing field."""
    while True:
        if loc in lines:
            return lines[loc]
        if not loc:
            return None
        loc = loc[:-1]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a document: where (a field path such as ``directions[0].booths``),
    its line when known, and what is wrong."""

    location: str
    line: int | None
    message: str

    def as_detail(self, source: str) -> dict[str, Any]:
        detail: dict[str, Any] = {"source": source, "location": self.location}
        if self.line is not None:
            detail["line"] = self.line
        detail["message"] = self.message
        return detail


def where(loc: tuple[Any, ...], whole: str = "document") -> str:
    """A field path as a reader writes it: ``directions[0].booths[1].count``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or whole


def problems_of(
    exc: ValidationError,
    lines: Lines,
    *,
    whole: str = "document",
    clean: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
) -> list[Problem]:
    """Every error pydantic found, located (``clean`` drops what pydantic adds to a path)."""
    problems = []
    for error in exc.errors():
        loc = clean(tuple(error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(Problem(where(loc, whole), line_of(lines, loc), message))
    return problems


M = TypeVar("M", bound=BaseModel)


def load_model(text: str, source: str, what: str, model: type[M]) -> M:
    """A YAML or JSON document read as ``model``: ValidationFailed (``{what} is not valid``)
    naming each problem's field and line."""
    data, lines = parse_mapping(text, source, what)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"{source}: {what} is not valid",
            details=[{"source": source, "field": p.location, "line": p.line,
                      "problem": p.message} for p in problems_of(exc, lines)],
        ) from None  # fmt: skip
