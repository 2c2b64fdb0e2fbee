"""The ``smartborder`` command. Each command group is loaded only when it is run: ``--help``
lists them from the table below without importing a domain, so the command starts at once."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.main
from typer._click import Command, Context, HelpFormatter  # typer's own click
from typer.core import TyperCommand, TyperGroup

from smartborder import __version__, registry
from smartborder.registry import Command as Declared

# The node's own commands; each domain adds its own (``Domain.commands``). A target is a Typer
# app (a command group) or a function (one command).
NODE_COMMANDS: tuple[Declared, ...] = (
    Declared("init", "smartborder.node_cli:init",
            "Create a node: database schema, signing key and first admin user."),
    Declared("serve", "smartborder.node_cli:serve", "Serve the node's web UI and HTTP API."),
    Declared("worker", "smartborder.node_cli:worker",
             "Run the node's background work (delivery and periodic jobs) without serving HTTP."),
    Declared("demo", "smartborder.node_cli:demo",
            "Start the two-agency demo: nodes 'ca' and 'us' as separate processes on loopback."),
    Declared("db", "smartborder.node_cli:db_app", "Database schema migrations."),
    Declared("backup", "smartborder.node_cli:backup", "Back the node up into one file."),
    Declared("restore", "smartborder.node_cli:restore",
             "Restore a backup into an empty data directory and verify its audit chain."),
)  # fmt: skip


def commands() -> dict[str, Declared]:
    """Every command of ``smartborder`` by name: the node's, then each domain's in order."""
    found = list(NODE_COMMANDS)
    found += [command for domain in registry.domains() for command in domain.commands]
    table: dict[str, Declared] = {}
    for command in found:
        if command.name in table:
            raise ValueError(f"two commands named {command.name!r}")
        table[command.name] = command
    return table


def load(name: str) -> Command:
    """The command ``name``, its module imported now."""
    target = registry.resolve(commands()[name].target)
    if not isinstance(target, typer.Typer):
        single = typer.Typer()
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Lists its commands from ``commands()`` and imports one only to run it (or its help)."""

    listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return list(commands())

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        table = commands()
        if cmd_name not in table:
            return None
        if self.listing:  # --help: the one-line help is enough, nothing is imported
            summary = table[cmd_name].help
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
