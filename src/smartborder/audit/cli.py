"""``smartborder audit``: verify the chain, list entries, send a checkpoint."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from smartborder.audit import service
from smartborder.audit.checkpoints import make_checkpoint, verify
from smartborder.cliutil import DataDir, node_settings, out, unit
from smartborder.exchange.context import NodeExchange

audit_app = typer.Typer(help="The node's tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Check the hash chain and the partners' signed checkpoints; exit 1 on any problem."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        report = verify(session).as_dict()
    if as_json:
        out.print_json(json.dumps(report))
    elif report["ok"]:
        out.print(
            f"[green]OK[/] {report['size']} entries, head {report['head']}; "
            f"{report['receipts_checked']} partner receipt(s) and "
            f"{report['partner_checkpoints_checked']} partner checkpoint(s) verified."
        )
    else:
        out.print(f"[bold red]FAILED[/] at position {report['first_bad_position']}")
        for problem in report["problems"]:
            out.print(f"  {problem}", highlight=False)
    if not report["ok"]:
        raise typer.Exit(1)


@audit_app.command("list")
def audit_list(
    event: Annotated[
        str, typer.Option("--event", help="Event prefix, e.g. exchange:envelope.")
    ] = "",
    agreement: Annotated[str, typer.Option("--agreement", help="Only this agreement.")] = "",
    partner: Annotated[str, typer.Option("--partner", help="Only this partner.")] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows.")] = 50,
    data_dir: DataDir = None,
) -> None:
    """List audit entries, newest first."""
    settings = node_settings(data_dir)
    where = service.EntryFilter(event=event, agreement=agreement, partner=partner)
    table = Table("#", "time (UTC)", "event", "actor", "partner", "agreement", "subject")
    with unit(settings) as session:
        total, entries = service.list_entries(session, where, limit=limit)
        for e in entries:
            table.add_row(
                str(e.seq),
                f"{e.at:%Y-%m-%d %H:%M:%S}",
                e.event,
                e.actor,
                e.partner or "",
                e.agreement or "",
                e.subject or "",
            )
    table.caption = f"{len(entries)} of {total}"
    out.print(table)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDir = None) -> None:
    """Sign the chain's size and head now and queue it to every partner."""
    settings = node_settings(data_dir)
    ex = NodeExchange.for_node(settings)
    with unit(settings) as session:
        made = make_checkpoint(session, ex, actor="cli:operator")
    if made:
        out.print(
            f"Checkpoint of {made[0].size} entries queued to {', '.join(c.partner for c in made)}."
        )
    else:
        out.print("No partners registered: nothing to send.")
