"""``smartborder asylum ...``: Safe Third Country Agreement determinations from a file."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Annotated

import typer

from smartborder.asylum import batch
from smartborder.cliutil import out

asylum_app = typer.Typer(
    help="Asylum: Safe Third Country Agreement determinations.", no_args_is_help=True
)


@asylum_app.callback()
def _group() -> None:
    """Asylum: Safe Third Country Agreement determinations."""


@asylum_app.command("determine")
def determine(
    claims: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Claims' facts: a JSON array, JSON lines or a YAML list.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per claim.")] = False,
) -> None:
    """Determine, for each claim, whether the Safe Third Country Agreement makes it ineligible,
    an exception applies, it does not apply, or which facts are missing; each step cites its
    provision. Exit code 0 when every claim was determined, 1 when one was refused (its
    problems are listed with the claim's number and the field)."""
    results = batch.determine_all(batch.claims_of(claims.read_text(encoding="utf-8"),
                                                  claims.name))  # fmt: skip
    if as_json:
        for result in results:
            typer.echo(json.dumps(result, default=str))  # one line each
    else:
        for result in results:
            if "refused" in result:
                where = "; ".join(
                    f"{p.get('field', '')}: {p['problem']}" for p in result["refused"]
                )
                out.print(f"claim {result['claim']}: refused ({where})", highlight=False)
                continue
            why = result["steps"][-1]["finding"] if result["steps"] else ""
            extra = ", ".join(e["id"] for e in result["exceptions"]) or ", ".join(
                m["fact"] for m in result["missing"])  # fmt: skip
            out.print(f"claim {result['claim']}: {result['outcome']}"
                      f"{f' ({extra})' if extra else ''} under {result['version']}, decide by "
                      f"{result['deadline']}: {why}", highlight=False)  # fmt: skip
        counts = collections.Counter(r.get("outcome", "refused") for r in results)
        out.print(", ".join(f"{k} {v}" for k, v in counts.most_common()), highlight=False)
    if any("refused" in r for r in results):
        raise typer.Exit(1)
