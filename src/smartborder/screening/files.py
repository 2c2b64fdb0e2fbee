"""Reading lookouts and subjects from CSV, JSON Lines or JSON files, line numbers kept.

CSV columns are the JSON fields, with lists written ``a;b`` and a lookout's names as ``name``
(primary) and ``aliases`` (``;``-separated); documents as ``document_number``,
``document_type``, ``document_country``. A file that cannot be read raises FileProblems naming
each problem's line; nothing is half-read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from smartborder.errors import ValidationFailed

_Model = TypeVar("_Model", bound=BaseModel)

LOOKOUT_COLUMNS = {
    "subject_kind", "category", "action", "name", "aliases", "birth_date", "sex",
    "nationalities", "place_of_birth", "document_number", "document_type", "document_country",
    "remarks", "source_reference", "valid_from", "valid_until", "share", "shared_fields",
}  # fmt: skip
SUBJECT_COLUMNS = {
    "reference", "name", "aliases", "birth_date", "sex", "nationalities", "nationality",
    "document_number", "documents",
}  # fmt: skip


def _problem(source: str, line: int, field: str, problem: str) -> dict[str, Any]:
    return {"source": source, "line": line, "field": field, "problem": problem}


def read_records(path: Path, columns: set[str]) -> list[tuple[int, dict[str, Any]]]:
    """(line, record) for each record of a .csv, .jsonl/.ndjson or .json file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"{source} is not UTF-8 text",
            details=[_problem(source, 1, "file", f"byte {exc.start} cannot be decoded as UTF-8")],
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv(source, text, columns)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl(source, text)
    if suffix == ".json":
        return _json(source, text)
    raise ValidationFailed(
        f"{source}: unknown file type '{suffix}'",
        details=[_problem(source, 1, "file", "use .csv, .jsonl (.ndjson) or .json")],
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _csv(source: str, text: str, columns: set[str]) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    problems: list[dict[str, Any]] = []
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in columns]
        if not header:
            problems.append(_problem(source, 1, "header", "the file is empty"))
        elif unknown:
            problems.append(
                _problem(
                    source,
                    1,
                    "header",
                    f"unknown column(s) {', '.join(unknown)}; known: {', '.join(sorted(columns))}",
                )
            )
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(_problem(source, line, "row", "more values than columns"))
                continue
            if any(v is None for v in row.values()):
                problems.append(_problem(source, line, "row", "fewer values than columns"))
                continue
            records.append((line, _from_csv({k: v.strip() for k, v in row.items() if v})))
    except csv.Error as exc:
        problems.append(_problem(source, reader.line_num, "row", f"malformed CSV: {exc}"))
    if problems:
        raise ValidationFailed(f"{source} cannot be read; nothing was done", details=problems)
    return records


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    names = []
    if "name" in row:
        names.append({"name": row.pop("name"), "kind": "primary"})
    for alias in _split(row.pop("aliases", "")):
        names.append({"name": alias, "kind": "alias"})
    record["names"] = names
    number = row.pop("document_number", "")
    doc_type, country = row.pop("document_type", ""), row.pop("document_country", "")
    if number:
        document: dict[str, Any] = {"number": number}
        if doc_type:
            document["type"] = doc_type
        if country:
            document["country"] = country
        record["documents"] = [document]
    for key in ("nationalities", "shared_fields", "documents"):
        if key in row:
            record[key] = _split(row.pop(key))
    if "nationality" in row:
        record["nationalities"] = _split(row.pop("nationality"))
    if "share" in row:
        record["share"] = row.pop("share").lower() in ("1", "true", "yes", "y")
    record.update(row)
    return record


def _jsonl(source: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    problems, records = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(_problem(source, number, "json", f"{exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            problems.append(_problem(source, number, "json", "each line must be a JSON object"))
            continue
        records.append((number, value))
    if problems:
        raise ValidationFailed(f"{source} cannot be read; nothing was done", details=problems)
    return records


def _json(source: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{source} cannot be read; nothing was done",
            details=[_problem(source, exc.lineno, "json", f"{exc.msg} at column {exc.colno}")],
        ) from None
    items = value if isinstance(value, list) else None
    if items is None or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(
            f"{source} cannot be read; nothing was done",
            details=[_problem(source, 1, "json", "expected a JSON array of objects")],
        )
    # Records of a JSON array are numbered by position (1-based), not by line.
    return list(enumerate(items, start=1))


def validate_all(
    model: type[_Model],
    rows: Sequence[tuple[int, dict[str, Any]]],
    *,
    source: str | None = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda record: record,
) -> tuple[list[_Model], list[dict[str, Any]]]:
    """Validate every (line, record); the valid ones, and each problem with its line and field."""
    valid: list[_Model] = []
    problems: list[dict[str, Any]] = []
    for line, record in rows:
        try:
            valid.append(model.model_validate(prepare(record)))
        except ValidationError as exc:
            for error in exc.errors():
                problem = {
                    "line": line,
                    "field": ".".join(str(p) for p in error["loc"]) or "record",
                    "problem": error["msg"].removeprefix("Value error, "),
                }
                problems.append({"source": source, **problem} if source else problem)
    return valid, problems
