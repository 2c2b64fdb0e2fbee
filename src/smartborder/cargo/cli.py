"""``smartborder cargo ...``: advance cargo reports, shipments and late reports, trade parties."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from smartborder.cargo import examinations, intake, joint, parties, shipments
from smartborder.cargo.assess import Assessor
from smartborder.cargo.models import Examination
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
from smartborder.errors import NotFound
from smartborder.exchange.context import NodeExchange
from smartborder.roles import Permission
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.travel.intake.edifact import Problem

cargo_app = typer.Typer(help="Goods: advance cargo reports, shipments, trade parties.",
                        no_args_is_help=True)  # fmt: skip
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@cargo_app.callback()
def _group() -> None:
    """Goods: advance cargo reports, shipments, trade parties."""


@cargo_app.command("report")
def report(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="A report: the JSON form or a CUSCAR interchange.")],
    user: ActingUser,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse on any warning.")] = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Receive an advance cargo report: its shipments stored (each with its deadline) or the
    report quarantined with every problem located (exit code 1); the bytes are kept either way."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.CARGO_REPORT)
        now = node_exchange(settings).clock()
        assessor = Assessor(Screening(Thresholds.from_settings(settings)), now.date(),
                            settings.node_id, node_exchange(settings), actor)  # fmt: skip
        result = intake.receive(session, file.read_bytes(), source=f"cli:{file.name}",
                                actor=actor, now=now, country=settings.country, strict=strict,
                                max_bytes=settings.travel_max_message_bytes,
                                scorer=assessor)  # fmt: skip
    out.print(f"{result.report_id}: {result.state} ({result.form})", highlight=False)
    for shipment in result.shipments:
        late = f", LATE by {shipment['late_minutes']} min" if shipment["late"] else ""
        out.print(f"  {shipment['carrier']} {shipment['bill']}: {shipment['action']}, "
                  f"{shipment['status']}{late} ({shipment['deadline_rule']})",
                  highlight=False)  # fmt: skip
    for problem in result.problems:
        out.print(f"  {Problem(**problem)}", highlight=False)
    if result.state == "quarantined":
        raise typer.Exit(1)


@cargo_app.command("reports")
def list_reports(
    user: ActingUser,
    state: Annotated[str | None, typer.Option("--state",
                                              help="stored, quarantined or duplicate.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Reports received, newest first; ``--state quarantined`` is the quarantine."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        rows = [intake.report_out(r) for r in intake.reports(session, state)]
    listed(rows, as_json, lambda r: f"{r['id']}  {r['state']:<11} {r['form']:<6} "
           f"{r['carrier']:<6} {r['reference']} ({r['shipments']} shipments, "
           f"{len(r['problems'])} problems)")  # fmt: skip


@cargo_app.command("shipments")
def list_shipments(
    user: ActingUser,
    status: Annotated[str | None, typer.Option("--status", help="|".join(shipments.STATES))] = None,
    late: Annotated[bool, typer.Option("--late", help="Only reports made late.")] = False,
    in_transit: Annotated[bool, typer.Option("--in-transit", help="Only in transit.")] = False,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Shipments by arrival, latest first; ``--late`` lists late reports with the rule broken."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        rows = [shipments.shipment_out(r, full=False) for r in shipments.listing(
            session, status=status, late=True if late else None,
            in_transit=True if in_transit else None)]  # fmt: skip

    listed(rows, as_json, _shipment_line)


@cargo_app.command("shipment")
def show_shipment(
    bill: Annotated[str, typer.Argument(help="The shipment's id or bill number.")],
    user: ActingUser,
    carrier: Annotated[str | None, typer.Option("--carrier",
                                                help="When carriers share the bill.")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """One shipment as JSON: parties, containers, goods, warnings, versions and score."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        try:
            row = shipments.get(session, bill)
        except NotFound:
            row = shipments.by_bill(session, bill, carrier)
        out.print_json(json.dumps(shipments.shipment_out(row)))


@cargo_app.command("party")
def register_party(
    role: Annotated[str, typer.Argument(help="|".join(parties.ROLES))],
    identifier: Annotated[str, typer.Argument(help="Carrier code, business number or card.")],
    user: ActingUser,
    name: Annotated[str, typer.Option("--name", help="The party's name.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166 alpha-2.")],
    program: Annotated[str, typer.Option("--program", help="C-TPAT, PIP or FAST.")] = "",
    address: Annotated[str, typer.Option("--address", help="Its address.")] = "",
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="Drivers.")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Register a trade party, screened at once (a program asked waits for a decision)."""
    settings = node_settings(data_dir)
    given = parsed(parties.PartyIn, role=role, identifier=identifier, name=name, country=country,
                   program=program, address=address, birth_date=birth_date)  # fmt: skip
    with unit(settings) as session:
        actor = acting(session, user, Permission.CARGO_PARTIES)
        screening = Screening(Thresholds.from_settings(settings))
        row = parties.register(session, screening, given, actor=actor,
                               now=node_exchange(settings).clock())  # fmt: skip
        out.print(_party_line(parties.party_out(row)), highlight=False)


def _party_line(r: dict[str, Any]) -> str:
    hits = f", {len(r['hits'])} lookout hit(s)" if r["hits"] else ""
    return (f"{r['id']}  {r['role']:<9} {r['identifier']:<12} {r['name']} ({r['country']}) "
            f"{r['program'] or 'no program'} {r['status']}{hits}")  # fmt: skip


@cargo_app.command("parties")
def list_parties(
    user: ActingUser,
    role: Annotated[str | None, typer.Option("--role", help="|".join(parties.ROLES))] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="registered, pending, approved, suspended or refused."),
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Trade parties by role and identifier."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        rows = [parties.party_out(r) for r in parties.listing(session, role, status)]
    listed(rows, as_json, _party_line)


@cargo_app.command("party-decision")
def decide_party(
    party_id: Annotated[str, typer.Argument(help="The party's id.")],
    action: Annotated[str, typer.Argument(help="approve, refuse, suspend or reinstate.")],
    user: ActingUser,
    reason: Annotated[list[str], typer.Option("--reason", help="Why (repeat for several).")],
    hits_cleared: Annotated[str, typer.Option(
        "--hits-cleared", help="Why screening's hits are not this party.")] = "",
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Approve, refuse, suspend or reinstate a party's program status, with reasons."""
    settings = node_settings(data_dir)
    given = parsed(parties.PartyDecision, action=action, reasons=reason,
                   hits_cleared=hits_cleared)  # fmt: skip
    with unit(settings) as session:
        actor = acting(session, user, Permission.CARGO_PARTIES)
        row = parties.decide(session, party_id, given, actor=actor,
                             now=node_exchange(settings).clock())  # fmt: skip
        out.print(_party_line(parties.party_out(row)), highlight=False)


def _shipment_line(r: dict[str, Any]) -> str:
    late_by = f" LATE {r['late_minutes']} min: {r['deadline_rule']}" if r["late"] else ""
    return (f"{r['id']}  {r['carrier']:<6} {r['bill']:<18} {r['mode']:<8} "
            f"{r['arrival_place']} {(r['arrival_at'] or '')[:16]} {r['status']:<11} "
            f"score {r['score']}"
            f"{' in transit to ' + r['destination_country'] if r['in_transit'] else ''}"
            f"{' from ' + r['origin'] if r['origin'] != 'local' else ''}{late_by}")  # fmt: skip


@cargo_app.command("queue")
def targeting_queue(user: ActingUser, as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """The targeting queue: shipments in review or held, highest score first, with reasons."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        rows = [shipments.shipment_out(r) for r in examinations.queue(session)]
    if as_json:
        listed(rows, True, _shipment_line)
        return
    for row in rows:
        out.print(_shipment_line(row), highlight=False)
        for reason in (row["assessment"] or {}).get("reasons", []):
            out.print(f"    {reason}", highlight=False)


@cargo_app.command("release")
def release_shipment(
    shipment_id: Annotated[str, typer.Argument(help="The shipment's id.")],
    user: ActingUser,
    reason: Annotated[list[str], typer.Option("--reason", help="Why (repeat for several).")],
    data_dir: DataDir = None,
) -> None:
    """Release a shipment in review or held, with reasons."""
    settings = node_settings(data_dir)
    given = parsed(examinations.ReleaseIn, reasons=reason)
    with unit(settings) as session:
        actor = acting(session, user, Permission.CARGO_TARGET)
        row = examinations.release(session, shipment_id, given, actor=actor,
                                   now=node_exchange(settings).clock())  # fmt: skip
        out.print(_shipment_line(shipments.shipment_out(row, full=False)), highlight=False)


def _exam_line(r: dict[str, Any]) -> str:
    done = f" {r['result']}: {r['findings']}" if r["status"] == "done" else ""
    asked = f" (partner {r['partner']})" if r["partner"] else ""
    return (f"{r['id']}  shipment {r['shipment_id']} {r['kind']:<8} {r['status']}{asked}"
            f"{done}")  # fmt: skip


@cargo_app.command("refer")
def refer_shipment(
    shipment_id: Annotated[str, typer.Argument(help="The shipment's id.")],
    user: ActingUser,
    kind: Annotated[str, typer.Option("--kind", help="document, nii or physical.")],
    reason: Annotated[list[str], typer.Option("--reason", help="Why (repeat for several).")],
    data_dir: DataDir = None,
) -> None:
    """Refer a shipment for examination (one a partner shared: the partner is asked)."""
    given = parsed(examinations.ReferralIn, kind=kind, reasons=reason)
    _examination(data_dir, user, lambda s, ex, actor: joint.refer(s, ex, shipment_id, given,
                                                                  actor=actor))  # fmt: skip


@cargo_app.command("result")
def record_result(
    exam_id: Annotated[str, typer.Argument(help="The examination's id.")],
    result: Annotated[str, typer.Argument(help="no-finding, discrepancy or seizure.")],
    user: ActingUser,
    findings: Annotated[str, typer.Option("--findings", help="What was found.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Record an examination's result (sent back when a partner asked for it)."""
    given = parsed(examinations.ResultIn, result=result, findings=findings)
    _examination(data_dir, user, lambda s, ex, actor: joint.record(s, ex, exam_id, given,
                                                                   actor=actor))  # fmt: skip


def _examination(data_dir: Path | None, user: str,
                 act: Callable[[Session, NodeExchange, str], Examination]) -> None:  # fmt: skip
    """A targeter's act on an examination, in one unit of work, and the examination's line."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.CARGO_TARGET)
        exam = act(session, node_exchange(settings), actor)
        out.print(_exam_line(examinations.exam_out(exam)), highlight=False)


@cargo_app.command("examinations")
def list_examinations(
    user: ActingUser,
    status: Annotated[str | None, typer.Option("--status", help="requested or done.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Examinations, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        rows = [examinations.exam_out(e) for e in examinations.listing(session, status)]
    listed(rows, as_json, _exam_line)


@cargo_app.command("statistics")
def model_statistics(user: ActingUser, data_dir: DataDir = None) -> None:
    """What examinations found, overall, by kind and by indicator (each one's yield), as JSON."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.CARGO_READ)
        out.print_json(json.dumps(examinations.statistics(session)))
