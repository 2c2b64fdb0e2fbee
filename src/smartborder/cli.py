"""The ``smartborder`` command. Each command group is loaded only when it is run: ``--help``
lists them from the table below without importing a domain, so the command starts at once."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
import typer.main
from typer._click import Command, Context, HelpFormatter  # typer's own click
from typer.core import TyperCommand, TyperGroup

from smartborder import __version__

# name: (module, attribute, one-line help shown by --help). The attribute is a Typer app (a
# command group) or a function (one command).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("smartborder.node_cli", "init",
             "Create a node: database schema, signing key and first admin user."),
    "serve": ("smartborder.node_cli", "serve", "Serve the node's web UI and HTTP API."),
    "demo": ("smartborder.node_cli", "demo",
             "Start the two-agency demo: nodes 'ca' and 'us' as separate processes on loopback."),
    "users": ("smartborder.node_cli", "users_app", "Manage the node's users and their API tokens."),
    "db": ("smartborder.node_cli", "db_app", "Database schema migrations."),
    "doc": ("smartborder.identity.cli", "doc_app",
            "Check and generate machine-readable zones (ICAO Doc 9303)."),
    "partners": ("smartborder.exchange.cli", "partners_app",
                 "Register the partner nodes this node trusts."),
    "agreements": ("smartborder.exchange.cli", "agreements_app",
                   "Information-sharing agreements (the SMU and its annexes): validate, propose, "
                   "approve."),
    "exchange": ("smartborder.exchange.cli", "exchange_app",
                 "Case-by-case requests, corrections, destruction, delivery and retention."),
    "audit": ("smartborder.audit.cli", "audit_app", "The node's tamper-evident audit log."),
    "lookouts": ("smartborder.screening.cli", "lookouts_app", "Lookouts: list, import, retract."),
    "screen": ("smartborder.screening.cli", "screen",
               "Screen every subject of a file against the node's lookouts"),
    "travel": ("smartborder.travel.cli", "travel_app",
               "API/PNR: PAXLST and PNRGOV messages, retention, the risk model."),
    "visa": ("smartborder.visa.cli", "visa_app",
             "Visa policy: requirement snapshots, convergence report, consultations, screening."),
    "model": ("smartborder.modeling.cli", "model_app",
              "Border traffic modelling: simulate a crossing, compare scenarios, calibrate."),
}  # fmt: skip


def load(name: str) -> Command:
    """The command ``name``, its module imported now."""
    module, attribute, _summary = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer()
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Lists its commands from ``COMMANDS`` and imports one only to run it (or its help)."""

    listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        if self.listing:  # --help: the one-line help is enough, nothing is imported
            summary = COMMANDS[cmd_name][2]
            return TyperCommand(cmd_name, help=summary, short_help=summary)
        return load(cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="smartborder: one node of the Canada-US Smart Border information systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """smartborder: one node of the Canada-US Smart Border information systems."""
    if version:
        print(f"smartborder {__version__}")
        raise typer.Exit()


def main() -> None:
    """Entry point: domain errors become clear lines on stderr, never a traceback."""
    from smartborder.errors import SmartborderError

    try:
        app()
    except SmartborderError as exc:
        from smartborder.cliutil import err

        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        for detail in exc.details:
            err.print("  " + _describe(detail), highlight=False)
        sys.exit(2 if exc.code == "invalid_settings" else 1)


def _describe(detail: dict[str, Any]) -> str:
    if "field" in detail and "problem" in detail:
        where = ":".join(str(detail[k]) for k in ("source", "line") if detail.get(k) is not None)
        return f"{where + ': ' if where else ''}{detail['field']}: {detail['problem']}"
    return ", ".join(f"{key}: {value}" for key, value in detail.items())
