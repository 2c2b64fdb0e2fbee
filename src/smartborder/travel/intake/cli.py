"""``smartborder travel ...``: parse, ingest, watch a drop directory, the quarantine,
retention and holds."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
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
    fail,
    node_settings,
    out,
    stop_on_signals,
    unit,
)
from smartborder.roles import Permission
from smartborder.settings import Settings
from smartborder.travel.intake import service
from smartborder.travel.intake.parser import Outcome, parse
from smartborder.travel.intake.rows import message_out
from smartborder.travel.intake.service import Received
from smartborder.travel.targeting import cli as cli_targeting
from smartborder.travel.targeting.service import Targeting

SHOWN = 500  # travellers in the table of each message
INDENTED = 10_000  # travellers up to which --json is indented

MessageFile = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, help="A PAXLST or PNRGOV interchange, or its JSON form."
    ),
]
Strict = Annotated[
    bool, typer.Option("--strict", help="Refuse the message on any problem, not only errors.")
]


def parse_file(
    file: MessageFile,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON form.")] = False,
    strict: Strict = False,
    data_dir: DataDir = None,
) -> None:
    """Print what a message says (flight, legs, travellers, documents) and every problem,
    without storing anything. Exit status 1 when the message would be refused. Messages over
    SMARTBORDER_TRAVEL_MAX_MESSAGE_BYTES are refused, as ingest refuses them."""
    limit = node_settings(data_dir, must_exist=False).travel_max_message_bytes
    size = file.stat().st_size
    if size > limit:
        fail(f"{file.name}: the message is {size:,} bytes; at most {limit:,} are accepted")
    outcome = parse(file.read_bytes(), strict=strict, today=clock.now().date(), max_bytes=limit)
    if as_json:
        # indented for reading; one line (json's C encoder, ten times faster) past 10,000
        indent = 2 if outcome.travellers() <= INDENTED else None
        sys.stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=indent) + "\n")
    else:
        _summary(file.name, outcome)
    if outcome.failed:
        raise typer.Exit(1)


def _summary(name: str, outcome: Outcome) -> None:
    for message in outcome.messages:
        flight = message.flight
        route = " ".join(
            f"{leg.origin}-{leg.destination} {leg.departure or '?'}" for leg in flight.legs
        )
        extra = f" (codeshares {', '.join(flight.codeshares)})" if flight.codeshares else ""
        out.print(
            f"[bold]{message.kind} {message.version}[/] {message.reference} {message.purpose}: "
            f"{flight.designator} {route}{extra}",
            highlight=False,
        )
        table = Table("name", "born", "sex", "nat", "role", "documents", "booking")
        everyone = message.everyone()
        for person in everyone[:SHOWN]:
            table.add_row(
                f"{person.surname}, {person.given_names}".strip(", "),
                person.birth_date or "",
                person.sex or "",
                person.nationality or "",
                person.role + (" (cancelled)" if person.cancelled else ""),
                " ".join(
                    f"{d.type or '?'}:{d.number}:{d.country or '?'}" for d in person.documents
                ),
                person.reservation or "",
            )
        out.print(table)
        if len(everyone) > SHOWN:
            out.print(f"... and {len(everyone) - SHOWN:,} more travellers (--json prints them all)")
    for problem in outcome.problems:
        err.print(f"{name}: {problem}", highlight=False)
    if outcome.failed:
        fail(f"{name}: would be refused ({len(outcome.errors)} error(s))")
    err.print(
        f"{name}: {outcome.travellers()} travellers in {len(outcome.messages)} message(s), "
        f"{len(outcome.warnings)} warning(s)",
        highlight=False,
    )


def _now() -> dt.datetime:
    return clock.now()


def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="PAXLST/PNRGOV files (EDIFACT or JSON)."),
    ],
    user: ActingUser,
    strict: Annotated[
        bool | None,
        typer.Option("--strict/--lenient", help="Override SMARTBORDER_TRAVEL_STRICT."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Receive messages from files, each in its own transaction, with a progress bar; a
    summary at the end. Failed messages are quarantined with their reasons (exit 1)."""
    settings = node_settings(data_dir)
    mode = settings.travel_strict if strict is None else strict
    tally: dict[str, int] = {"stored": 0, "quarantined": 0, "duplicate": 0}
    travellers = 0
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_INGEST)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))
        targeting = cli_targeting.targeting_for(settings)
        for path in files:
            result = _receive(settings, path, f"file:{path.name}", actor, mode, targeting)
            tally[result.state] += 1
            travellers += result.travellers
            _report(path.name, result)
            progress.advance(task)
    out.print(
        f"{len(files)} message(s): {tally['stored']} stored ({travellers:,} travellers), "
        f"{tally['quarantined']} quarantined, {tally['duplicate']} duplicate(s).",
        highlight=False,
    )
    if tally["quarantined"]:
        raise typer.Exit(1)


def _receive(
    settings: Settings,
    path: Path,
    source: str,
    actor: str,
    strict: bool,
    targeting: Targeting | None = None,
) -> Received:
    with unit(settings) as session:
        return service.receive(
            session,
            path.read_bytes(),
            source=source,
            actor=actor,
            now=_now(),
            strict=strict,
            max_bytes=settings.travel_max_message_bytes,
            targeting=targeting,
        )


def _report(name: str, result: Received) -> None:
    if result.state == "quarantined":
        errors = [p for p in result.problems if p["severity"] == "error"]
        err.print(f"{name}: quarantined as {result.message_id}", highlight=False)
        for problem in errors[:10]:
            err.print(f"  {_problem_text(problem)}", highlight=False)
        if len(errors) > 10:
            err.print(f"  ... and {len(errors) - 10} more", highlight=False)
    elif result.state == "duplicate":
        err.print(f"{name}: duplicate of {result.duplicate_of}", highlight=False)


def _problem_text(problem: dict[str, Any]) -> str:
    where = ", ".join(
        f"{label} {problem[key]}"
        for key, label in (
            ("message", "message"),
            ("position", "segment"),
            ("tag", "tag"),
            ("element", "element"),
            ("line", "line"),
        )
        if problem.get(key) not in (None, "")
    )
    return f"{problem['severity']}: {where}: {problem['text']}" if where else problem["text"]


def watch(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="The drop directory.")
    ],
    user: ActingUser,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, max=3600, help="Seconds between scans.")
    ] = 2.0,
    once: Annotated[
        bool, typer.Option("--once", help="Process what is there now, then stop.")
    ] = False,
    max_scans: Annotated[
        int, typer.Option("--max-scans", min=0, help="Stop after this many scans (0: never).")
    ] = 0,
    data_dir: DataDir = None,
) -> None:
    """Watch a drop directory: each file that has stopped growing is received, then moved to
    DIR/done/ (stored or duplicate) or DIR/quarantine/ (with a .problems.json beside it)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_INGEST)
    seen: dict[Path, int] = {}
    scans = 0
    targeting = cli_targeting.targeting_for(settings)
    try:
        while True:
            scans += 1
            for path in sorted(p for p in directory.iterdir() if p.is_file()):
                if path.name.startswith(".") or path.suffix == ".part":
                    continue
                size = path.stat().st_size
                if not once and seen.get(path) != size:
                    seen[path] = size  # still being written? take it on the next scan
                    continue
                seen.pop(path, None)
                _take(settings, directory, path, actor, targeting)
            if once or (max_scans and scans >= max_scans):
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        err.print("stopped")


def _take(
    settings: Settings, directory: Path, path: Path, actor: str, targeting: Targeting
) -> None:
    result = _receive(
        settings, path, f"watch:{path.name}", actor, settings.travel_strict, targeting
    )
    folder = directory / ("quarantine" if result.state == "quarantined" else "done")
    folder.mkdir(exist_ok=True)
    target = folder / f"{result.message_id}-{path.name}"
    shutil.move(str(path), target)
    if result.state == "quarantined":
        target.with_name(target.name + ".problems.json").write_text(
            json.dumps(result.problems, indent=2, ensure_ascii=False)
        )
    out.print(
        f"{path.name}: {result.state}"
        + (f" ({result.travellers} travellers)" if result.state == "stored" else ""),
        highlight=False,
    )
    _report(path.name, result)


def quarantine(
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines with problems.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Messages that could not be stored, newest first, with their reasons."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        total, rows = service.list_messages(session, state="quarantined", limit=limit)
        for row in rows:
            if as_json:
                out.print(
                    json.dumps(message_out(row, problems=True), ensure_ascii=False),
                    highlight=False,
                    soft_wrap=True,
                )
                continue
            out.print(
                f"[bold]{row.id}[/] {row.source} {row.received_at:%Y-%m-%d %H:%M} "
                f"({row.attempts} attempt(s))",
                highlight=False,
            )
            for problem in (row.problems or [])[:5]:
                if problem["severity"] == "error":
                    out.print(f"  {_problem_text(problem)}", highlight=False)
        if not as_json:
            err.print(f"{total} message(s) in quarantine")


def reprocess(
    user: ActingUser,
    message_id: Annotated[
        str | None, typer.Argument(help="One quarantined message; all when left out.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Parse strictly (default: leniently).")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Parse quarantined messages again; those that now pass are stored."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_INGEST)
        results = service.reprocess(session, message_id, actor=actor, now=_now(), strict=strict)
    for result in results:
        out.print(f"{result.message_id}: {result.state}", highlight=False)
    stored = sum(1 for r in results if r.state == "stored")
    out.print(f"{len(results)} reprocessed: {stored} stored, {len(results) - stored} still held.")


def consume(
    url: Annotated[
        str, typer.Argument(help="The broker, e.g. amqp://user:password@broker:5672/%2F")
    ],
    user: ActingUser,
    queue: Annotated[str, typer.Option("--queue", help="The queue carriers publish to.")] = (
        "smartborder.travel"
    ),
    prefetch: Annotated[
        int, typer.Option("--prefetch", min=1, max=1000, help="Messages taken at a time.")
    ] = 16,
    max_messages: Annotated[
        int | None, typer.Option("--max-messages", min=1, help="Stop after this many.")
    ] = None,
    idle_seconds: Annotated[
        float | None,
        typer.Option("--idle-exit", min=0.5, help="Stop once the queue stayed empty this long."),
    ] = None,
    strict: Strict = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Take PAXLST and PNRGOV messages from a RabbitMQ queue (AMQP 0-9-1), each filed, screened
    and scored in its own transaction and acknowledged only once stored; what cannot be stored
    is quarantined and sent to QUEUE.dead with its reasons. Runs until stopped (Ctrl-C)."""

    from smartborder import db
    from smartborder.travel.intake.broker import Consumer

    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_INGEST)
    engine = db.make_engine(settings.database_url)
    stopping = stop_on_signals()
    consumer = Consumer(
        url,
        queue,
        db.session_factory(engine),
        actor,
        cli_targeting.targeting_for(settings),
        strict=settings.travel_strict or strict,
        max_bytes=settings.travel_max_message_bytes,
        prefetch=prefetch,
    )
    try:
        report = consumer.run(
            max_messages=max_messages, idle_seconds=idle_seconds, stop=stopping.is_set
        )
    finally:
        engine.dispose()
    if as_json:
        out.print(json.dumps(report.as_dict()), highlight=False)
        return
    states = ", ".join(f"{n} {state}" for state, n in sorted(report.states.items()))
    out.print(
        f"{report.received} message(s) from {queue}: {states or 'none'}; "
        f"{report.dead_lettered} dead-lettered to {consumer.dead_letters}; "
        f"{report.reconnects} reconnection(s).",
        highlight=False,
    )
