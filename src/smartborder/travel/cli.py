"""``smartborder travel ...``: parse, ingest, watch a drop directory, the quarantine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartborder.cliutil import err, fail, out
from smartborder.travel.parser import Outcome, parse

travel_app = typer.Typer(
    help="API/PNR intake: PAXLST and PNRGOV messages.", no_args_is_help=True
)

MessageFile = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, help="A PAXLST or PNRGOV interchange, or its JSON form."
    ),
]
Strict = Annotated[
    bool, typer.Option("--strict", help="Refuse the message on any problem, not only errors.")
]


@travel_app.command("parse")
def parse_file(
    file: MessageFile,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON form.")] = False,
    strict: Strict = False,
) -> None:
    """Print what a message says (flight, legs, travellers, documents) and every problem,
    without storing anything. Exit status 1 when the message would be refused."""
    outcome = parse(file.read_bytes(), strict=strict, today=dt.datetime.now(dt.UTC).date())
    if as_json:
        out.print(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2), highlight=False)
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
        for person in message.everyone():
            table.add_row(
                f"{person.surname}, {person.given_names}".strip(", "),
                person.birth_date or "",
                person.sex or "",
                person.nationality or "",
                person.role + (" (cancelled)" if person.cancelled else ""),
                " ".join(f"{d.type}:{d.number}:{d.country or '?'}" for d in person.documents),
                person.reservation or "",
            )
        out.print(table)
    for problem in outcome.problems:
        err.print(f"{name}: {problem}", highlight=False)
    if outcome.failed:
        fail(f"{name}: would be refused ({len(outcome.errors)} error(s))")
    err.print(
        f"{name}: {outcome.travellers()} travellers in {len(outcome.messages)} message(s), "
        f"{len(outcome.warnings)} warning(s)",
        highlight=False,
    )
