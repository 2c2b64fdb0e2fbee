"""Many claims' facts at once (a JSON array, JSON lines, or a YAML list), each determined or
refused on its own, with where: the claim's position and, for bad facts, the field."""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import ValidationError

from smartborder.asylum import claims, stca
from smartborder.errors import ValidationFailed

MAX_CLAIMS = 100_000


def claims_of(text: str, source: str, *, one_allowed: bool = False) -> list[Any]:
    """The claims a batch file holds, in order (ValidationFailed when it holds no list; with
    ``one_allowed``, a file of one claim, a mapping, is a list of one)."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            found = json.loads(text)
        elif stripped.startswith("{"):  # one JSON object, or JSON lines
            try:
                found = json.loads(text)
            except json.JSONDecodeError:
                found = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            found = yaml.safe_load(text)
        if one_allowed and isinstance(found, dict):
            found = [found]
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        problem = f"not JSON, JSON lines or YAML ({exc})"
        raise ValidationFailed(
            f"{source}: {problem}", details=[{"source": source, "problem": problem}]
        ) from None
    if not isinstance(found, list):
        raise ValidationFailed(f"{source}: a batch is a list of claims",
                               details=[{"source": source, "problem": "not a list"}])  # fmt: skip
    if len(found) > MAX_CLAIMS:
        raise ValidationFailed(f"{source}: {len(found):,} claims; a batch holds {MAX_CLAIMS:,}")
    return found


def determine_one(raw: Any, number: int, country: str = "CA") -> dict[str, Any]:
    """One claim's determination under ``country``'s rules, or its problems with where
    (``number`` counts from 1)."""
    try:
        facts = stca.Facts.model_validate(raw)
        made = stca.determine(facts, country)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                    for e in exc.errors()]  # fmt: skip
        return {"claim": number, "refused": problems}
    except ValidationFailed as exc:
        return {"claim": number, "refused": exc.details or [{"problem": exc.message}]}
    return {"claim": number, **made.as_dict()}


def determine_all(claims: list[Any], country: str = "CA") -> list[dict[str, Any]]:
    return [determine_one(raw, n, country) for n, raw in enumerate(claims, start=1)]


def claim_in(raw: Any, number: int) -> claims.ClaimIn | list[dict[str, Any]]:
    """A claim of a file read and checked, or its problems (each with the claim's number)."""
    try:
        claim = claims.ClaimIn.model_validate(raw)
        claims.check(claim)
    except ValidationError as exc:
        return [{"claim": number, "field": ".".join(str(p) for p in e["loc"]),
                 "problem": e["msg"]} for e in exc.errors()]  # fmt: skip
    except ValidationFailed as exc:
        return [{"claim": number, **p} for p in exc.details or [{"problem": exc.message}]]
    return claim
