"""``smartborder lookouts ...`` and ``smartborder screen FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from smartborder import clock
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    err,
    node_settings,
    out,
    quarantine,
    unit,
)
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.roles import Permission
from smartborder.screening import service
from smartborder.screening.files import (
    LOOKOUT_COLUMNS,
    SUBJECT_COLUMNS,
    read_records,
    validate_all,
)
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutOut, SubjectIn

lookouts_app = typer.Typer(help="Lookouts: list, import, retract.", no_args_is_help=True)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="A .csv, .jsonl or .json file.")
]


@lookouts_app.command("import")
def import_lookouts(file: FileArg, user: ActingUser, data_dir: DataDir = None) -> None:
    """Import lookouts from a file: all of them, or none when any record has a problem (each
    reported as FILE:LINE: field: problem; the file is kept in the quarantine folder)."""
    settings = node_settings(data_dir)
    today = clock.now().date()
    try:
        rows = read_records(file, LOOKOUT_COLUMNS)
        with unit(settings) as session:
            actor = acting(session, user, Permission.LOOKOUTS_MANAGE)
            ex = node_exchange(settings)
            created = service.import_lookouts(session, rows, actor=actor, today=today, ex=ex)
    except ValidationFailed as exc:
        for detail in exc.details:
            detail.setdefault("source", file.name)
        kept = quarantine(settings, file, exc.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise
    shared = sum(1 for lookout in created if lookout.share)
    out.print(
        f"Imported {len(created)} lookouts from {file.name}"
        + (
            f"; {shared} marked to share go to the partners under the lookout annex."
            if shared
            else "."
        )
    )


@lookouts_app.command("list")
def list_lookouts(
    query: Annotated[str, typer.Option("--q", help="Part of a name (any script) or an id.")] = "",
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="local or a partner id.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Lookouts held by this node, newest change first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        total, items = service.list_lookouts(
            session, query=query, category=category, origin=origin, limit=limit
        )
        today = clock.now().date()
        if as_json:
            for item in items:
                data = LookoutOut.model_validate(item)
                data.state = item.state_on(today)
                out.print(data.model_dump_json(), highlight=False, soft_wrap=True)
            return
        table = Table(
            "id", "names", "born", "category", "state", "origin", title=f"{total} lookouts"
        )
        for item in items:
            table.add_row(
                item.id[:8],
                "; ".join(str(n["name"]) for n in item.names),
                item.birth_date or "",
                item.category,
                item.state_on(today),
                item.origin,
            )
        out.print(table)


@lookouts_app.command("retract")
def retract(
    lookout_id: Annotated[str, typer.Argument(help="The lookout's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Retract one of this node's lookouts."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.LOOKOUTS_MANAGE)
        ex = node_exchange(settings)
        service.retract_lookout(session, lookout_id, reason=reason, actor=actor, ex=ex)
    out.print(f"Retracted {lookout_id}.")


def _subject(record: dict[str, Any]) -> dict[str, Any]:
    names = record.get("names", [])
    record["names"] = [n["name"] if isinstance(n, dict) else n for n in names]
    documents = record.get("documents", [])
    record["documents"] = [d["number"] if isinstance(d, dict) else d for d in documents]
    return record


def screen(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON result per line.")] = False,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write results here instead of the screen.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Hits per subject.")] = 5,
    data_dir: DataDir = None,
) -> None:
    """Screen every subject of a file against the node's lookouts; hits with their scores and
    the evidence for each. Bad records are reported with their line and nothing is screened."""
    settings = node_settings(data_dir)
    rows = read_records(file, SUBJECT_COLUMNS)
    subjects, problems = validate_all(SubjectIn, rows, source=file.name, prepare=_subject)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in {file.name}; nothing screened", details=problems
        )
    engine = service.Screening(Thresholds.from_settings(settings))
    today = clock.now().date()
    results = []
    with unit(settings) as session:
        with err.status("loading lookouts into the index"):
            engine.sync(session)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("screening", total=len(subjects))
            for subject in subjects:
                hits = engine.matcher.screen(service.subject_of(subject), limit=limit, today=today)
                results.append(
                    {"reference": subject.reference, "hits": [h.as_dict() for h in hits]}
                )
                progress.advance(task)
    _write(results, as_json, output)
    with_hits = sum(1 for r in results if r["hits"])
    err.print(
        f"{len(results)} screened against {len(engine.index):,} lookouts; {with_hits} with hits."
    )


def _write(results: list[dict[str, Any]], as_json: bool, output: Path | None) -> None:
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            for result in results:
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    if as_json:
        for result in results:
            out.print(json.dumps(result, ensure_ascii=False), highlight=False, soft_wrap=True)
        return
    for result in results:
        if not result["hits"]:
            continue
        out.print(f"[bold]{result['reference'] or '(no reference)'}[/]")
        for hit in result["hits"]:
            out.print(
                f"  {hit['score']:.3f} ≥ {hit['threshold']:.2f}  {hit['category']}  "
                f"lookout {hit['lookout_id']} ({hit['origin']})",
                highlight=False,
            )
            for e in hit["evidence"]:
                out.print(
                    f"      {e['feature']}: {e['level']} ({e['weight']:+.1f}) {e['detail']}",
                    highlight=False,
                )
