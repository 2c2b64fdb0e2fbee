"""``smartborder removals ...``: removal cases, joint removal flights, proposals, the
organiser's decisions and the outcomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    listed,
    node_settings,
    out,
    parsed,
    unit,
)
from smartborder.context import node_exchange
from smartborder.removals import service
from smartborder.roles import Permission

removals_app = typer.Typer(help="Joint removals: cases, flights, proposals, decisions and "
                           "outcomes.", no_args_is_help=True)  # fmt: skip
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@removals_app.callback()
def _group() -> None:
    """Joint removals: cases, flights, proposals, decisions and outcomes."""


def _case_line(r: dict[str, Any]) -> str:
    valid = "valid" if r["document"]["valid_today"] else "NOT valid"
    return (f"{r['id']}  {r['reference']:<12} {r['surname']}, {r['given_names']} "
            f"({r['nationality']}) to {r['destination']}: {r['status']}; document "
            f"{r['document']['issuer']} {r['document']['number']} {valid}")  # fmt: skip


def _entry_line(e: dict[str, Any]) -> str:
    done = f", {e['outcome']}" + (f" ({e['outcome_reason']})" if e["outcome_reason"] else "")
    why = f" ({'; '.join(e['reasons'])})" if e["reasons"] else ""
    return (f"  {e['id']}  {e['country']} {e['case_reference']}: {e['person'].get('surname')}, "
            f"{e['person'].get('given_names')}: {e['state']}{why}"
            f"{done if e['outcome'] else ''}")  # fmt: skip


@removals_app.command("case")
def case(
    reference: Annotated[str, typer.Argument(help="This node's case reference.")],
    user: ActingUser,
    order: Annotated[str, typer.Option("--order", help="The removal order's reference.")],
    order_date: Annotated[str, typer.Option("--order-date", help="YYYY-MM-DD.")],
    destination: Annotated[str, typer.Option("--destination", help="ICAO country code.")],
    mrz: Annotated[Path, typer.Option("--mrz", exists=True, dir_okay=False,
                                      help="A file holding the travel document's MRZ.")],
    escorts: Annotated[int, typer.Option("--escorts", help="Escort officers needed.")] = 0,
    notes: Annotated[str, typer.Option("--notes", help="Escort notes.")] = "",
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Joint removals: open a removal case; its travel document is read and checked."""
    settings = node_settings(data_dir)
    given = parsed(service.CaseIn, reference=reference, order_reference=order,
                   order_date=order_date, destination=destination, escorts=escorts,
                   escort_notes=notes, mrz=mrz.read_text())  # fmt: skip
    with unit(settings) as session:
        actor = acting(session, user, Permission.REMOVALS_MANAGE)
        row = service.create_case(session, given, actor=actor,
                                  now=node_exchange(settings).clock())  # fmt: skip
        out.print(_case_line(service.case_out(row)), highlight=False)


@removals_app.command("cases")
def cases(user: ActingUser, as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """Joint removals: the removal cases, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.REMOVALS_READ)
        rows = [service.case_out(r) for r in service.cases(session)]
    listed(rows, as_json, _case_line)


@removals_app.command("operation")
def operation(
    reference: Annotated[str, typer.Argument(help="The operation's reference.")],
    user: ActingUser,
    partner: Annotated[str, typer.Option("--partner", help="The partner node.")],
    destination: Annotated[str, typer.Option("--destination", help="ICAO country code.")],
    flight: Annotated[str, typer.Option("--flight", help="Charter or scheduled flight.")],
    departs: Annotated[str, typer.Option("--departs", help="ISO date and time with offset.")],
    seats: Annotated[int, typer.Option("--seats", help="Seats for this node's removees.")],
    partner_seats: Annotated[int, typer.Option("--partner-seats",
                                               help="Seats for the partner's removees.")],
    escorts: Annotated[int, typer.Option("--escorts", help="Escort seats here.")] = 0,
    partner_escorts: Annotated[int, typer.Option("--partner-escorts",
                                                 help="Escort seats for the partner.")] = 0,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Joint removals: plan a joint removal flight, shared with the partner."""
    settings = node_settings(data_dir)
    given = parsed(service.OperationIn, reference=reference, partner=partner,
                   destination=destination, flight=flight, departs=departs, seats_here=seats,
                   seats_partner=partner_seats, escorts_here=escorts,
                   escorts_partner=partner_escorts)  # fmt: skip
    with unit(settings) as session:
        actor = acting(session, user, Permission.REMOVALS_MANAGE)
        row = service.create_operation(session, node_exchange(settings), given, actor=actor)
        out.print(f"{row.id}  {row.reference} to {row.destination} on {row.flight} "
                  f"{row.departs:%Y-%m-%d %H:%M} UTC, seats {row.seats}",
                  highlight=False)  # fmt: skip


@removals_app.command("operations")
def operations(user: ActingUser, as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """Joint removals: the operations by departure, each with its manifest."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.REMOVALS_READ)
        rows = [service.operation_out(session, r) for r in service.operations(session)]
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for r in rows:
        out.print(f"{r['id']}  {r['reference']} to {r['destination']} on {r['flight']} "
                  f"{r['departs'][:16]} (organised by {r['organiser']}), {r['status']}, "
                  f"seats {r['seats']}", highlight=False)  # fmt: skip
        for e in r["entries"]:
            out.print(_entry_line(e), highlight=False)


@removals_app.command("propose")
def propose(
    operation_id: Annotated[str, typer.Argument(help="The operation's id.")],
    case_ref: Annotated[str, typer.Argument(help="The case's id or reference.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Joint removals: propose a removee for an operation (a valid document needed)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.REMOVALS_MANAGE)
        entry = service.propose(session, node_exchange(settings), operation_id, case_ref,
                                actor=actor)  # fmt: skip
        out.print(_entry_line(service.entry_out(entry)), highlight=False)


@removals_app.command("decide")
def decide(
    entry_id: Annotated[str, typer.Argument(help="The manifest entry's id.")],
    decision: Annotated[str, typer.Argument(help="accept or refuse.")],
    user: ActingUser,
    reason: Annotated[list[str] | None, typer.Option("--reason", help="Why (a refusal needs "
                                                     "one).")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Joint removals: the organiser accepts or refuses a partner's removee."""
    settings = node_settings(data_dir)
    given = parsed(service.DecisionIn, decision=decision, reasons=reason or [])
    with unit(settings) as session:
        actor = acting(session, user, Permission.REMOVALS_MANAGE)
        entry = service.decide(session, node_exchange(settings), entry_id, given, actor=actor)
        out.print(_entry_line(service.entry_out(entry)), highlight=False)


@removals_app.command("outcome")
def outcome(
    entry_id: Annotated[str, typer.Argument(help="The manifest entry's id.")],
    result: Annotated[str, typer.Argument(help="removed or not-removed.")],
    user: ActingUser,
    reason: Annotated[str, typer.Option("--reason", help="Why not removed.")] = "",
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Joint removals: record whether a removee on the manifest was removed."""
    settings = node_settings(data_dir)
    given = parsed(service.OutcomeIn, outcome=result, reason=reason)
    with unit(settings) as session:
        actor = acting(session, user, Permission.REMOVALS_MANAGE)
        entry = service.record_outcome(session, node_exchange(settings), entry_id, given,
                                       actor=actor)  # fmt: skip
        out.print(_entry_line(service.entry_out(entry)), highlight=False)
