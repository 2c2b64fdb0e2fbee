"""``smartborder programs ...``: NEXUS and FAST applications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from smartborder.cliutil import ActingUser, DataDir, acting, err, node_settings, out, unit
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.programs import applications, service, vetting
from smartborder.quarantine import kept_file
from smartborder.roles import Permission
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.sourcetext import load_model

programs_app = typer.Typer(
    help="Trusted travellers: NEXUS and FAST applications and vetting.", no_args_is_help=True
)
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@programs_app.callback()
def _group() -> None:
    """Trusted travellers: NEXUS and FAST applications and vetting."""


@programs_app.command("apply")
def apply(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="The application (JSON or YAML)."),
    ],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Submit an application (docs/programs.md): judged eligible (it waits for vetting) or
    ineligible with its reasons, and its fee. One that cannot be judged as given is refused
    with each problem's field and line, kept in quarantine, and nothing is stored."""
    settings = node_settings(data_dir)
    text = file.read_text(encoding="utf-8")
    try:
        application = load_model(text, file.name, "the application", applications.ApplicationIn)
        applications.check(application)
    except ValidationFailed as exc:
        kept = kept_file(settings.data_dir, file.name, text.encode("utf-8"), exc.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        screening = Screening(Thresholds.from_settings(settings))
        row = service.submit(session, node_exchange(settings), screening, application,
                             actor=actor)  # fmt: skip
        fee = f"fee {row.fee['amount']} {row.fee['currency']} ({row.fee['reason']})"
        out.print(f"{row.reference}: {row.program} application, {row.status}; {fee}",
                  highlight=False)  # fmt: skip
        for reason in row.reasons:
            out.print(f"  {reason['cite']}: {reason['finding']}", highlight=False)


@programs_app.command("applications")
def list_applications(
    user: ActingUser,
    status: Annotated[str | None, typer.Option("--status", help="vetting or ineligible.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Applications, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        rows = [service.application_out(r) for r in service.listing(session, status)]
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for r in rows:
        out.print(f"{r['reference']}  {r['program']:<5} {r['status']:<10} {r['applicant']} "
                  f"({r['birth_date']})", highlight=False)  # fmt: skip


@programs_app.command("show")
def show(
    reference: Annotated[str, typer.Argument(help="The application's reference number.")],
    user: ActingUser,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """One application with its status, reasons and fee."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        shown = service.application_out(service.get(session, reference))
    if as_json:
        out.print_json(json.dumps(shown))
        return
    out.print(f"{shown['reference']}: {shown['program']} application of {shown['applicant']} "
              f"({shown['birth_date']}), {shown['status']}; fee {shown['fee']['amount']} "
              f"{shown['fee']['currency']}", highlight=False)  # fmt: skip
    for reason in shown["reasons"]:
        out.print(f"  {reason['cite']}: {reason['finding']}", highlight=False)


@programs_app.command("vet")
def vet(data_dir: DataDir = None) -> None:
    """Vet now the partners' applicants waiting (the scheduler does it on its own): no hit,
    approved and answered; hits, held in the vetting queue."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        done = vetting.screen_queued(session, node_exchange(settings),
                                     Screening(Thresholds.from_settings(settings)))  # fmt: skip
        for row in done:
            out.print(f"{row.partner} {row.reference}: {row.decision or row.state}",
                      highlight=False)  # fmt: skip
    if not done:
        out.print("No applicant is waiting.")
